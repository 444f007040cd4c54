"""The cluster report pages answer for each role in both languages.

This file makes `clusters` an app with its own page table for the project's coverage test
(tests/test_pages.py skips such apps), so it checks the whole `clusters:` namespace itself: each
page is either in the project's table (the foundation's cluster pages) or in this one.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED = 200, 302, 403
ALL_OK = dict.fromkeys(ROLES, OK)


def only(allowed):
    return {r: OK if r in allowed else (LOGIN if r == "anonymous" else DENIED) for r in ROLES}


PAGES = {
    "clusters:report": (lambda: reverse("clusters:report", args=["minalogic", 2012]), ALL_OK),
    "clusters:report_pdf": (lambda: reverse("clusters:report_pdf", args=["tenerrdis", 2011]), ALL_OK),
    "clusters:report_edit": (lambda: reverse("clusters:report_edit", args=["minalogic", 2012]), only({"officer", "cluster"})),
    "clusters:rating_add": (lambda: reverse("clusters:rating_add", args=["minalogic"]), only({"officer"})),
}  # fmt: skip
NOT_PAGES = {"clusters:report_submit", "clusters:report_reopen"}  # POST only


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_report_pages_answer_for_each_role(name, language, users, client_for):
    url_of, expected = PAGES[name]
    with translation.override("fr"):
        url = url_of()
    if language == "en":
        url = "/en" + url
    for role in ROLES:
        response = client_for(users[role]).get(url)
        assert response.status_code == expected[role], f"{url} as {role}: {response.status_code}"
        if response.status_code == OK and name != "clusters:report_pdf":
            assert f'lang="{language}"' in response.content.decode()


def test_other_clusters_staff_cannot_edit_and_years_are_bounded(users, client_for):
    client = client_for(users["cluster"])  # Minalogic's staff
    assert client.get(reverse("clusters:report_edit", args=["tenerrdis", 2012])).status_code == 403
    assert client.get(reverse("clusters:report", args=["minalogic", 1990])).status_code == 404
    assert client.get(reverse("clusters:report", args=["no-such-cluster", 2012])).status_code == 404


def test_every_clusters_page_is_in_a_table():
    from django.urls import URLPattern, URLResolver, get_resolver

    from tests import test_pages as project

    def names(resolver, prefix=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLPattern) and p.name:
                yield prefix + p.name
            elif isinstance(p, URLResolver):
                yield from names(p, prefix + (f"{p.namespace}:" if p.namespace else ""))

    found = {n for n in names(get_resolver()) if n.startswith("clusters:")}
    assert found <= set(PAGES) | NOT_PAGES | set(project.PAGES) | project.NOT_PAGES, found - set(PAGES)
    assert {n for n in project.PAGES if n.startswith("clusters:")} <= found


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cluster_member_list_downloads_every_current_member(fmt, client, db):
    """The download holds every current member (the page shows 50 at a time), French headers, no formula."""
    import csv
    import io

    from openpyxl import load_workbook

    from poles.clusters import selectors
    from poles.clusters.models import Cluster
    from poles.organisations.models import Organisation

    cluster = Cluster.objects.get(slug="minalogic")
    crafted = Organisation.objects.create(name="=cmd|' /C calc'!A0", category="company", siren="732829320")
    cluster.memberships.create(organisation=crafted, start="2010-01-01")
    expected = {m.organisation.name for m in selectors.members(cluster)}
    with translation.override("fr"):
        response = client.get(reverse("clusters:detail", args=["minalogic"]) + f"?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="minalogic-members-')
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    else:
        rows = [
            list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        ]
    assert rows[0][0] == "organisation" and rows[0][-1] == "adhérent depuis"
    names = [r[0] for r in rows[1:]]
    assert len(names) == len(expected) == selectors.members(cluster).count()
    assert "'" + crafted.name in names and crafted.name not in names
    assert {n.removeprefix("'") for n in names} == expected
