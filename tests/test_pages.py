"""Every page answers for each role in both languages; list pages stay within a query budget.

The page table is the single list of pages: a page added to the urls without a row here fails
`test_every_named_page_is_covered`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import translation

from poles.clusters.models import Cluster, Membership
from poles.instruments.models import Instrument
from poles.organisations.models import Organisation

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]


def _member_org(users):
    from poles.core.roles import roles_of

    return Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))


def _other_org(users):
    return Organisation.objects.exclude(pk=_member_org(users).pk).filter(category="company").first()


def _minalogic_membership():
    return Membership.objects.filter(cluster__slug="minalogic", end__isnull=True).first()


def _tenerrdis_membership():
    return Membership.objects.filter(cluster__slug="tenerrdis", end__isnull=True).first()


def _pending_instrument():
    return Instrument.objects.create(
        kind="practice", status="pending", title_fr="En attente", title_en="Pending", contact_person="X",
        contact_organisation="Y", aim_fr="a", aim_en="a", overview_fr="o", overview_en="o", created_on="2020-01-01",
    )  # fmt: skip


OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404
ALL_OK = dict.fromkeys(ROLES, OK)


def only(allowed: set[str], otherwise: int) -> dict[str, int]:
    return {role: OK if role in allowed else (LOGIN if role == "anonymous" else otherwise) for role in ROLES}


# name -> (url builder, expected status per role)
PAGES = {
    "home": (lambda u: reverse("home"), ALL_OK),
    "clusters:list": (lambda u: reverse("clusters:list") + "?region=&phase=1", ALL_OK),
    "clusters:detail": (lambda u: reverse("clusters:detail", args=["minalogic"]), ALL_OK),
    "clusters:membership_add": (
        lambda u: reverse("clusters:membership_add", args=["minalogic"]),
        only({"officer", "cluster"}, DENIED),
    ),
    "clusters:membership_end": (
        lambda u: reverse("clusters:membership_end", args=[_minalogic_membership().pk]),
        only({"officer", "cluster"}, DENIED),
    ),
    "organisations:list": (lambda u: reverse("organisations:list") + "?q=a&category=company", ALL_OK),
    "organisations:detail": (lambda u: reverse("organisations:detail", args=[_other_org(u).pk]), ALL_OK),
    "organisations:edit": (
        lambda u: reverse("organisations:edit", args=[_member_org(u).pk]),
        only({"officer", "member"}, DENIED),
    ),
    "organisations:figures": (
        lambda u: reverse("organisations:figures", args=[_member_org(u).pk]),
        only({"officer", "member"}, DENIED),
    ),
    "organisations:contact_add": (
        lambda u: reverse("organisations:contact_add", args=[_member_org(u).pk]),
        only({"officer", "member"}, DENIED),
    ),
    "instruments:list": (lambda u: reverse("instruments:list") + "?kind=instrument", ALL_OK),
    "instruments:detail": (
        lambda u: reverse("instruments:detail", args=[Instrument.objects.first().pk]),
        ALL_OK,
    ),
    "instruments:share": (lambda u: reverse("instruments:share"), ALL_OK),
    "instruments:moderation": (lambda u: reverse("instruments:moderation"), only({"officer"}, DENIED)),
    "accounts:login": (lambda u: reverse("accounts:login"), ALL_OK),
    "accounts:password_reset": (lambda u: reverse("accounts:password_reset"), ALL_OK),
    # An object's audit history: programme readers and the object's owners (here the member's own
    # organisation); to everyone else the object does not exist.
    "core:history": (
        lambda u: reverse("core:history", args=["organisations.organisation", _member_org(u).pk]),
        only({"officer", "analyst", "member"}, HIDDEN),
    ),
    # Enrolment shows a QR code to anyone logged in; verification first needs an enrolled app.
    "accounts:mfa_setup": (lambda u: reverse("accounts:mfa_setup"), only(set(ROLES) - {"anonymous"}, OK)),
    "accounts:mfa_verify": (lambda u: reverse("accounts:mfa_verify"), dict.fromkeys(ROLES, LOGIN)),
}
# Pages that are not GET pages of their own (POST-only actions, framework views).
NOT_PAGES = {
    "instruments:moderate", "accounts:logout", "accounts:password_reset_done", "accounts:password_reset_confirm",
    "accounts:password_reset_complete", "javascript-catalog", "set_language", "healthz",
    "accounts:my_data",  # a JSON download, tested in tests/security/test_personal_data.py
}  # fmt: skip


def test_every_named_page_is_covered():
    names = set()
    for pattern in get_resolver().url_patterns:
        for name in _names(pattern):
            if not name.startswith("admin:") and (":" in name or name in TOP_LEVEL_PAGES):
                names.add(name)
    missing = names - set(PAGES) - NOT_PAGES - {n for n in names if n.split(":")[0] in EXTRA_APPS}
    assert not missing, f"pages without a row in PAGES: {sorted(missing)}"


# Apps whose pages have their own generated test (tests/<app>/test_pages.py).
EXTRA_APPS = {p.parent.name for p in Path(__file__).parent.glob("*/test_pages.py")}
# Pages are namespaced ("clusters:list"); names without a namespace are DRF routes (the API has
# its own tests) or the few project-level views below.
TOP_LEVEL_PAGES = {"home"}  # apps whose pages have their own generated tests


def _names(pattern, prefix=""):
    from django.urls import URLPattern, URLResolver

    if isinstance(pattern, URLPattern):
        if pattern.name:
            yield prefix + pattern.name
    elif isinstance(pattern, URLResolver):
        ns = f"{pattern.namespace}:" if pattern.namespace else ""
        for sub in pattern.url_patterns:
            yield from _names(sub, prefix + ns)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, role, language, users, client_for):
    url_of, expected = PAGES[name]
    with translation.override("fr"):
        url = url_of(users)
    if language == "en":
        url = "/en" + url
    response = client_for(users[role]).get(url)
    assert response.status_code == expected[role], f"{url} as {role}"
    if response.status_code == OK:
        assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(
    "url, ceiling",
    [
        ("/", 40),
        ("/clusters/", 15),
        ("/clusters/minalogic/", 25),
        ("/organisations/", 10),
        ("/organisations/?q=tec&category=company", 10),
        ("/catalogue/", 10),
        ("/api/organisations/", 8),
        ("/api/clusters/", 10),
        ("/api/memberships/", 8),
        ("/api/contracts/", 10),
        ("/api/instruments/", 10),
    ],
)
def test_list_pages_query_ceiling(url, ceiling, users, client_for):
    client = client_for(users["officer"])
    client.get(url)  # warm caches (territories, roles)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"


def test_cluster_list_query_count_does_not_grow_with_rows(users, client_for):
    client = client_for(None)
    client.get("/clusters/?page=1")
    with CaptureQueriesContext(connection) as small:
        client.get("/clusters/?category=world_class")
    with CaptureQueriesContext(connection) as large:
        client.get("/clusters/")
    assert Cluster.objects.count() > 30
    assert len(large) == len(small)
