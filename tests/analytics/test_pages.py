"""Every dashboard and network page answers for each role in both languages (the app's page table)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from poles.calls.models import Call
from poles.core.roles import roles_of
from poles.instruments.models import Programme

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED = 200, 302, 403
ALL_OK = dict.fromkeys(ROLES, OK)


def only(allowed: set[str], otherwise: int) -> dict[str, int]:
    return {role: OK if role in allowed else (LOGIN if role == "anonymous" else otherwise) for role in ROLES}


def _open_call(users) -> str:
    deadline = timezone.make_aware(dt.datetime(2010, 3, 15, 12))
    call, _ = Call.objects.get_or_create(
        reference="pages-open-call",
        defaults={
            "programme": Programme.objects.get(), "title_fr": "Appel ouvert", "title_en": "Open call", "status": "open",
            "opens_at": deadline - dt.timedelta(days=60), "labelling_deadline": deadline - dt.timedelta(days=10),
            "submission_deadline": deadline,
        },
    )  # fmt: skip
    return call.reference


def _member_org(users) -> int:
    return next(iter(roles_of(users["member"]).member_of))


PAGES = {
    "analytics:index": (lambda u: reverse("analytics:index"), ALL_OK),
    "analytics:programme": (
        lambda u: reverse("analytics:programme", args=[Programme.objects.get().slug]) + "?year_from=2006",
        ALL_OK,
    ),
    "analytics:funder": (
        lambda u: reverse("analytics:funder", args=["fui"]),
        only({"officer", "analyst", "funder"}, DENIED),
    ),
    "analytics:cluster": (
        lambda u: reverse("analytics:cluster", args=["minalogic"]),
        only({"officer", "analyst", "cluster"}, DENIED),
    ),
    "analytics:region": (lambda u: reverse("analytics:region", args=["84"]), ALL_OK),
    "analytics:call": (lambda u: reverse("analytics:call", args=[_open_call(u)]), ALL_OK),
    "analytics:network": (lambda u: reverse("analytics:network") + "?source=all", ALL_OK),
    "analytics:network_cluster": (lambda u: reverse("analytics:network_cluster", args=["minalogic"]), ALL_OK),
    "analytics:network_organisation": (
        lambda u: reverse("analytics:network_organisation", args=[_member_org(u)]),
        ALL_OK,
    ),
}


def test_every_page_of_the_app_is_in_the_table():
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {
        f"analytics:{name}"
        for name in resolver.namespace_dict["analytics"][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == set(PAGES)


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


@pytest.mark.parametrize("url, ceiling", [("/dashboards/", 12), ("/dashboards/network/", 15)])
def test_query_ceiling(url, ceiling, planted, users, client_for):
    client = client_for(users["officer"])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"
