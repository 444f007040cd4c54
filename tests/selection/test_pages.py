"""Every selection and decision page answers for each role in both languages; list pages stay
within a query budget that does not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import translation

from poles.core.roles import roles_of
from poles.grants.models import Decision
from poles.organisations.models import Organisation
from poles.projects.models import Project
from poles.reviews.services import refresh_call_scores
from poles.selection import decisions, services
from tests.reviews.factories import (
    make_call,
    make_org,
    make_proposal,
    make_reviewer,
    partner,
    scored,
    uniform,
)
from tests.reviews.test_pages import DENIED, HIDDEN, OK, ROLES, _names, only


def _selected_call(users, n_projects: int = 1, member_partner: bool = True):
    call = make_call(envelopes={"fui": 5_000_000})
    reviewer = make_reviewer()
    member = Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))
    projects = []
    for i in range(n_projects):
        partners = [
            partner(make_org(size_class="small"), "lead"),
            partner(make_org(category="public_research")),
        ]
        if member_partner and i == 0:
            partners.append(partner(member, size_class="medium", budget=300_000))
        project = make_proposal(call, partners, status=Project.Status.UNDER_REVIEW)
        scored(project, reviewer, uniform(4))
        projects.append(project)
    refresh_call_scores(call)
    run = services.run_selection(call, actor=users["officer"])
    services.confirm(run, actor=users["officer"])
    return call, projects, run


@pytest.fixture
def ctx(users):
    """A confirmed run; the demo member's decision is decided (its letter exists), the lead's is not."""
    call, (project,), run = _selected_call(users)
    member_org = next(iter(roles_of(users["member"]).member_of))
    mine = Decision.objects.get(project=project, participation__organisation_id=member_org)
    decisions.decide(mine, actor=users["funder"])
    pending = Decision.objects.get(project=project, participation__role="lead")
    return {
        "call": call,
        "run": run,
        "item": run.items.first(),
        "pending": pending,
        "letter": mine.participation,
    }


READERS = {"officer", "funder", "analyst"}  # the programme's officers and analysts, the call's funders
PAGES = {
    "selection:index": (lambda c: reverse("selection:index"), only(READERS, DENIED)),
    "selection:call": (lambda c: reverse("selection:call", args=[c["call"].pk]), only(READERS, DENIED)),
    "selection:run_detail": (
        lambda c: reverse("selection:run_detail", args=[c["run"].pk]),
        only(READERS, HIDDEN),
    ),
    "selection:item_adjust": (
        lambda c: reverse("selection:item_adjust", args=[c["item"].pk]),
        only({"officer"}, HIDDEN) | {"funder": DENIED, "analyst": DENIED},
    ),
    "selection:decisions": (
        lambda c: reverse("selection:decisions", args=[c["call"].pk]),
        only(READERS, DENIED),
    ),
    "selection:decision": (
        lambda c: reverse("selection:decision", args=[c["pending"].pk]),
        only(READERS, HIDDEN),
    ),
    "selection:letters": (lambda c: reverse("selection:letters"), only(set(ROLES), DENIED)),
    "selection:letter": (
        lambda c: reverse("selection:letter", args=[c["letter"].pk]),
        only({"officer", "funder", "member"}, HIDDEN),
    ),
    "selection:letter_pdf": (
        lambda c: reverse("selection:letter_pdf", args=[c["letter"].pk]),
        only({"officer", "funder", "member"}, HIDDEN),
    ),
}
NOT_PAGES = {"selection:run", "selection:confirm", "selection:compute"}  # POST-only actions


def test_every_selection_page_is_covered():
    names = {n for n in _names(get_resolver()) if n.startswith("selection:")}
    assert names - set(PAGES) - NOT_PAGES == set()
    assert set(PAGES) <= names


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, language, ctx, users, client_for):
    url_of, expected = PAGES[name]
    with translation.override("fr"):
        url = url_of(ctx)
    if language == "en":
        url = "/en" + url
    for role in ROLES:
        response = client_for(users[role]).get(url)
        assert response.status_code == expected[role], f"{url} as {role}"
        if response.status_code == OK and response["Content-Type"].startswith("text/html"):
            assert f'lang="{language}"' in response.content.decode()


def test_the_letter_page_is_in_the_reader_language(ctx, users, client_for):
    with translation.override("fr"):
        url = reverse("selection:letter", args=[ctx["letter"].pk])
    assert "Objet" in client_for(users["member"]).get(url).content.decode()
    assert "Subject" in client_for(users["member"]).get("/en" + url).content.decode()


@pytest.mark.parametrize(
    "name, role, ceiling",
    [
        ("selection:index", "officer", 10),
        ("selection:decisions", "officer", 25),
        ("selection:run_detail", "funder", 16),
        ("selection:letters", "member", 8),
    ],
)
def test_list_pages_query_ceiling_does_not_grow_with_rows(name, role, ceiling, users, client_for):
    def url_for(call, run):
        return {
            "selection:index": reverse("selection:index"),
            "selection:decisions": reverse("selection:decisions", args=[call.pk]),
            "selection:run_detail": reverse("selection:run_detail", args=[run.pk]),
            "selection:letters": reverse("selection:letters"),
        }[name]

    client = client_for(users[role])
    small_call, _p, small_run = _selected_call(users, n_projects=1)
    client.get(url_for(small_call, small_run))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url_for(small_call, small_run)).status_code == 200
    assert len(small) <= ceiling, f"{name}: {len(small)} queries"
    large_call, _p, large_run = _selected_call(users, n_projects=6, member_partner=False)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url_for(large_call, large_run)).status_code == 200
    assert len(large) <= len(small) + 2, f"{name}: {len(small)} then {len(large)} queries"
