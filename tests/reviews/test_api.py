"""The review API: the pool, the reviewer's declaration and review actions, scores and ranking
access, one error format, and list queries that do not grow with the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from poles.reviews import services
from poles.reviews.models import Reviewer

from .factories import make_call, make_org, make_proposal, make_reviewer, scored, uniform

pytestmark = pytest.mark.django_db


def test_officers_manage_the_pool(users, api_for):
    org = make_org("Institut Expert", category="public_research")
    api = api_for(users["officer"])
    created = api.post(
        "/api/reviewers/",
        {"username": "new-expert", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@x.example",
         "organisation": org.pk, "expertise": ["batteries", "power electronics"], "max_load": 6},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    reviewer = Reviewer.objects.get(user__username="new-expert")
    assert reviewer.organisation == org and reviewer.expertise == ["batteries", "power electronics"]
    assert not reviewer.user.has_usable_password()
    assert reviewer.user.roles.filter(role="reviewer").exists()
    again = api.post(
        "/api/reviewers/", {"username": "new-expert", "expertise": ["x"], "max_load": 3}, format="json"
    )
    assert again.status_code == 400 and "username" in again.json()["errors"]
    patched = api.patch(f"/api/reviewers/{reviewer.pk}/", {"max_load": 9, "active": False}, format="json")
    assert patched.status_code == 200 and patched.json()["max_load"] == 9
    for role in ("member", "funder", "reviewer", "analyst"):
        refused = api_for(users[role]).post(
            "/api/reviewers/", {"username": f"x-{role}", "expertise": []}, format="json"
        )
        assert refused.status_code == 403, role
    assert api_for(users["member"]).get("/api/reviewers/").json()["results"] == []


def test_a_reviewer_sees_only_their_own_pool_record(users, api_for):
    me = make_reviewer(user=users["reviewer"])
    make_reviewer("someone-else")
    rows = api_for(users["reviewer"]).get("/api/reviewers/").json()["results"]
    assert [row["id"] for row in rows] == [me.pk]


def test_declare_then_review_through_the_api(users, api_for):
    call = make_call()
    project = make_proposal(call)
    assignment, _w = services.assign_manually(
        project, make_reviewer(user=users["reviewer"]), actor=users["officer"], reason="x"
    )
    api = api_for(users["reviewer"])
    listed = api.get(f"/api/assignments/?call={call.pk}").json()["results"]
    assert [(row["id"], row["declared"]) for row in listed] == [(assignment.pk, None)]
    early = api.get(f"/api/assignments/{assignment.pk}/proposal/", HTTP_ACCEPT_LANGUAGE="en")
    assert early.status_code == 403 and "declaration" in early.json()["message"]
    early_review = api.post(f"/api/assignments/{assignment.pk}/reviews/", {"scores": {}}, format="json")
    assert early_review.status_code == 409 and early_review.json()["code"] == "declaration_required"
    signed = api.post(f"/api/assignments/{assignment.pk}/declare/", {"has_conflict": False}, format="json")
    assert signed.status_code == 201
    assert api.get(f"/api/assignments/{assignment.pk}/").json()["declared"] == "none"
    twice = api.post(f"/api/assignments/{assignment.pk}/declare/", {"has_conflict": False}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "already_declared"
    bad = api.post(f"/api/assignments/{assignment.pk}/reviews/", {"scores": {"economic_impact": 9}, "submit": True},
                   format="json", HTTP_ACCEPT_LANGUAGE="fr")  # fmt: skip
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"economic_impact", "scientific_excellence"}
    assert "entre 0 et 5" in bad.json()["errors"]["economic_impact"][0]
    done = api.post(
        f"/api/assignments/{assignment.pk}/reviews/", {"scores": uniform(4), "submit": True}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "submitted"
    # Scores: officers, analysts and the call's funders; not the reviewer, not the member.
    assert api_for(users["officer"]).get(f"/api/projects/{project.pk}/score/").json()["overall"] == "4.000"
    for role, status in (("analyst", 404), ("funder", 200), ("reviewer", 404), ("member", 404)):
        assert api_for(users[role]).get(f"/api/projects/{project.pk}/score/").status_code == status, role
    for role, status in (
        ("analyst", 200),
        ("funder", 200),
        ("officer", 200),
        ("reviewer", 403),
        ("member", 403),
    ):
        assert api_for(users[role]).get(f"/api/calls/{call.pk}/ranking/").status_code == status, role


def test_assignment_list_queries_do_not_grow(users, api_for):
    call = make_call()
    me = make_reviewer(user=users["reviewer"])
    other = make_reviewer()
    api = api_for(users["reviewer"])

    def add(n):
        for _ in range(n):
            project = make_proposal(call)
            assignment, _w = services.assign_manually(project, me, actor=users["officer"], reason="x")
            services.declare(assignment, actor=users["reviewer"], has_conflict=False)
            scored(make_proposal(call), other, uniform(3))

    add(1)
    url = f"/api/assignments/?call={call.pk}"
    api.get(url)
    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    add(8)
    with CaptureQueriesContext(connection) as large:
        body = api.get(url).json()
    assert body["count"] == 9 and all(row["declared"] == "none" for row in body["results"])
    assert len(large) == len(small) <= 8
