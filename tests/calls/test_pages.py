"""Every calls page answers for each role in both languages; list pages stay within a query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from poles.calls import services
from poles.calls.models import Call
from poles.instruments.models import Programme
from tests.calls.pages import ALL_OK, DENIED, HIDDEN, ROLES, check, names_of, only


def _open_call():
    return Call.objects.get(reference__startswith="aap-rd-")


def _draft_call(users):
    now = timezone.now()
    return services.create_call(
        Programme.objects.get(slug="poles-competitivite"), actor=users["officer"], preset="fui_classic",
        reference="page-draft", title_fr="Brouillon", title_en="Draft", opens_at=now + dt.timedelta(days=1),
        labelling_deadline=now + dt.timedelta(days=9), submission_deadline=now + dt.timedelta(days=19),
    )  # fmt: skip


OFFICER_ONLY = only({"officer"}, DENIED)

PAGES = {
    "calls:list": (lambda u: reverse("calls:list") + "?status=open&year=2026", ALL_OK),
    "calls:detail": (lambda u: reverse("calls:detail", args=[_open_call().reference]), ALL_OK),
    "calls:manage": (lambda u: reverse("calls:manage"), OFFICER_ONLY),
    "calls:create": (lambda u: reverse("calls:create"), OFFICER_ONLY),
    "calls:edit": (lambda u: reverse("calls:edit", args=[_open_call().reference]), OFFICER_ONLY),
    "calls:config": (lambda u: reverse("calls:config", args=[_open_call().reference]), OFFICER_ONLY),
    "calls:rates": (lambda u: reverse("calls:rates", args=[_open_call().reference]), OFFICER_ONLY),
    "calls:funders": (lambda u: reverse("calls:funders", args=[_open_call().reference]), OFFICER_ONLY),
    "calls:version": (lambda u: reverse("calls:version", args=[_open_call().reference, 1]), ALL_OK),
}
# A call in preparation: its officers only; to everyone else it does not exist.
DRAFT_PAGES = {
    "calls:detail": (
        lambda u: reverse("calls:detail", args=[_draft_call(u).reference]),
        only({"officer"}, HIDDEN, anonymous=HIDDEN),
    ),
    "calls:edit": (
        lambda u: reverse("calls:edit", args=[_draft_call(u).reference]),
        only({"officer"}, HIDDEN),
    ),
}
NOT_PAGES = {"calls:funder_remove", "calls:transition"}  # POST-only actions


def test_every_calls_and_projects_page_is_covered():
    from tests.projects.test_pages import NOT_PAGES as PROJECT_ACTIONS
    from tests.projects.test_pages import PAGES as PROJECT_PAGES

    missing = (names_of("calls") - set(PAGES) - NOT_PAGES) | (
        names_of("projects") - set(PROJECT_PAGES) - PROJECT_ACTIONS
    )
    assert not missing, f"pages without a row: {sorted(missing)}"
    assert names_of("calls") and names_of("projects")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, role, language, users, client_for):
    check(PAGES, name, role, language, users, client_for)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(DRAFT_PAGES))
def test_a_call_in_preparation_is_hidden(name, role, users, client_for):
    response = check(DRAFT_PAGES, name, role, "fr", users, client_for)
    if response.status_code == 404:
        assert "Brouillon" not in response.content.decode()


def test_the_call_page_shows_dates_funders_envelopes_and_rules_in_words(client_for):
    call = _open_call()
    url = reverse("calls:detail", args=[call.reference])  # English: the tests' active language
    assert url.startswith("/en/")
    page = client_for(None).get(url).content.decode()
    for fragment in (
        "Labelling deadline",
        "Fonds unique interministériel",
        "30,000,000",
        "At least 2 companies in the consortium.",
        "At least 25.0 % of the R&amp;D done in the lead cluster&#x27;s territory.",
        "SMEs, inside the territory",
    ):
        assert fragment in page, fragment
    assert 'id="apply"' not in page  # anonymous visitors log in first


@pytest.mark.parametrize(
    "url, ceiling",
    [
        ("/calls/", 12),
        ("/calls/?status=closed", 12),
        ("/calls/manage/", 10),
        ("/api/calls/", 10),
        ("/api/funders/", 6),
    ],
)
def test_list_pages_query_ceiling(url, ceiling, users, client_for):
    client = client_for(users["officer"])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"


@pytest.mark.parametrize(
    "role, present, absent",
    [
        (
            "anonymous",
            ["/calls/", "/projects/"],
            ["/calls/manage/", "/projects/mine/", "/projects/labelling/"],
        ),
        ("member", ["/calls/", "/projects/", "/projects/mine/"], ["/calls/manage/", "/projects/labelling/"]),
        ("cluster", ["/calls/", "/projects/", "/projects/labelling/"], ["/calls/manage/", "/projects/mine/"]),
        ("officer", ["/calls/", "/projects/", "/calls/manage/"], ["/projects/mine/", "/projects/labelling/"]),
        ("funder", ["/calls/", "/projects/"], ["/calls/manage/", "/projects/mine/", "/projects/labelling/"]),
    ],
)
def test_the_menu_offers_each_role_its_entries(role, present, absent, users, client_for):
    import re

    page = client_for(users[role]).get(reverse("calls:list")).content.decode()
    if role == "anonymous":
        assert "Funded projects" in page and "Proposals and projects" not in page
    elif role in ("funder", "officer"):
        assert "Proposals and projects" in page
    menu = re.search(r'<nav class="fr-nav" id="fr-navigation".*?</nav>', page, re.S).group(0)
    menu = menu.replace('href="/en/', 'href="/')  # the tests read English pages
    for url in present:
        assert f'href="{url}"' in menu, url
    for url in absent:
        assert f'href="{url}"' not in menu, url
