"""The reviewer's side: declaration before reading, confidentiality (UI and API answer 404 for
anything not assigned, with the data that could leak present), scoring, consensus and ranking."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from poles.core.audit import history
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import VIEW, restrict
from poles.projects.models import Project
from poles.reviews import services
from poles.reviews.models import Assignment, ProjectScore

from .factories import make_call, make_proposal, make_reviewer, uniform

pytestmark = pytest.mark.django_db

SECRET = "SECRET-SUMMARY-OF-ANOTHER-PROPOSAL"


@pytest.fixture
def setting(users):
    """The demo reviewer has one proposal; another reviewer has another whose summary must not leak;
    a third proposal was withdrawn from the demo reviewer after a declared conflict."""
    call = make_call()
    mine = make_proposal(call, acronym="MINE", summary="The summary the reviewer may read.")
    other = make_proposal(call, acronym="OTHER", summary=SECRET)
    withdrawn = make_proposal(call, acronym="GONE", summary=SECRET + "-WITHDRAWN")
    me = make_reviewer(user=users["reviewer"])
    colleague = make_reviewer("colleague")
    officer = users["officer"]
    a_mine, _w = services.assign_manually(mine, me, actor=officer, reason="expert")
    a_other, _w = services.assign_manually(other, colleague, actor=officer, reason="expert")
    a_gone, _w = services.assign_manually(withdrawn, me, actor=officer, reason="expert")
    services.declare(a_gone, actor=users["reviewer"], has_conflict=True, statement="My former employer.")
    return call, (mine, other, withdrawn), (a_mine, a_other, a_gone), users


def test_the_proposal_is_shown_only_after_the_declaration(setting, client_for):
    _call, (mine, _o, _w), (a_mine, _a, _g), users = setting
    client = client_for(users["reviewer"])
    page = client.get(reverse("reviews:assignment", args=[a_mine.pk])).content.decode()
    assert "MINE" in page and 'id="declaration-form"' in page
    assert mine.summary not in page and 'id="review-form"' not in page
    response = client.post(reverse("reviews:declare", args=[a_mine.pk]), {"choice": "none", "signed": "on"})
    assert response.status_code == 302
    page = client.get(reverse("reviews:assignment", args=[a_mine.pk])).content.decode()
    assert mine.summary in page and 'id="review-form"' in page and 'id="declaration-signed"' in page


def test_before_the_declaration_the_proposal_is_hidden_everywhere(setting, client_for, api_for):
    """The proposal's own pages and API (budgets, documents) stay closed to an assigned reviewer
    until the declaration of no conflict is signed."""
    _call, (mine, _o, _w), (a_mine, _a, _g), users = setting
    client, api = client_for(users["reviewer"]), api_for(users["reviewer"])
    urls = [reverse("projects:detail", args=[mine.pk]), f"/api/projects/{mine.pk}/",
            f"/api/projects/{mine.pk}/participations/", f"/api/projects/{mine.pk}/attachments/"]  # fmt: skip
    for url in urls:
        reader = api if url.startswith("/api/") else client
        response = reader.get(url)
        assert response.status_code == 404, url
        assert mine.summary not in response.content.decode()
    services.declare(a_mine, actor=users["reviewer"], has_conflict=False)
    assert client.get(urls[0]).status_code == 200
    assert api.get(urls[1]).json()["summary"] == mine.summary


def test_unsigned_declaration_is_refused(setting, client_for):
    _call, _p, (a_mine, _a, _g), users = setting
    response = client_for(users["reviewer"]).post(
        reverse("reviews:declare", args=[a_mine.pk]), {"choice": "none"}
    )
    assert response.status_code == 400
    assert not a_mine.project.conflict_declarations.exists()


def _all_pages(api, url):
    rows = []
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url = body.get("next")
    return rows


def test_a_reviewer_reads_only_assigned_proposals_ui_and_api(setting, client_for, api_for):
    _call, (mine, other, withdrawn), (a_mine, a_other, a_gone), users = setting
    services.declare(a_mine, actor=users["reviewer"], has_conflict=False)
    client, api = client_for(users["reviewer"]), api_for(users["reviewer"])
    # UI: another reviewer's assignment and the withdrawn one are 404; the officers' pages too.
    for assignment in (a_other, a_gone):
        response = client.get(reverse("reviews:assignment", args=[assignment.pk]))
        assert response.status_code == 404
        assert SECRET not in response.content.decode()
    assert client.get(reverse("reviews:project", args=[other.pk])).status_code == 404
    assert client.get(reverse("reviews:project", args=[withdrawn.pk])).status_code == 404
    assert client.get(reverse("reviews:project", args=[mine.pk])).status_code == 403
    listing = client.get(reverse("reviews:mine")).content.decode()
    assert "MINE" in listing and "OTHER" not in listing and SECRET not in listing
    assert "GONE" in listing and reverse("reviews:assignment", args=[a_gone.pk]) not in listing
    # API: only their own assignments are listed; the others answer 404, proposal content included.
    own = set(Assignment.objects.filter(reviewer__user=users["reviewer"]).values_list("pk", flat=True))
    ids = {row["id"] for row in _all_pages(api, "/api/assignments/")}
    assert ids == own and {a_mine.pk, a_gone.pk} <= ids and a_other.pk not in ids
    for assignment in (a_other, a_gone):
        assert api.get(f"/api/assignments/{assignment.pk}/proposal/").status_code == 404
        assert api.get(f"/api/assignments/{assignment.pk}/reviews/").status_code == 404
    assert api.get(f"/api/assignments/{a_other.pk}/").status_code == 404
    body = api.get(f"/api/assignments/{a_mine.pk}/proposal/")
    assert body.status_code == 200 and body.json()["summary"] == mine.summary
    assert SECRET not in api.get("/api/assignments/").content.decode()
    # The permission layer's proposal scope: the assigned proposal only (not the withdrawn one).
    visible = set(
        restrict(Project.objects.filter(call=mine.call), users["reviewer"], VIEW).values_list("pk", flat=True)
    )
    assert visible == {mine.pk}


def test_declaring_a_conflict_withdraws_and_tells_the_officers(
    setting, client_for, django_capture_on_commit_callbacks
):
    from django.core import mail

    call = setting[0]
    users = setting[3]
    project = make_proposal(call, acronym="CONFLICT")
    assignment, _w = services.assign_manually(
        project, make_reviewer(user=users["reviewer"]), actor=users["officer"], reason="x"
    )
    users["officer"].email = "officer@poles.example"
    users["officer"].save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(users["reviewer"]).post(
            reverse("reviews:declare", args=[assignment.pk]),
            {"choice": "conflict", "statement": "I consult for the lead.", "signed": "on"},
        )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.WITHDRAWN
    assert history(assignment).get(action="reviews.assignment.withdraw").reason == "I consult for the lead."
    assert any("CONFLICT" in m.body and "officer@poles.example" in m.to for m in mail.outbox)
    assert (
        client_for(users["reviewer"]).get(reverse("reviews:assignment", args=[assignment.pk])).status_code
        == 404
    )


def test_review_draft_submit_and_scores(setting, client_for):
    _call, (mine, _o, _w), (a_mine, _a, _g), users = setting
    services.declare(a_mine, actor=users["reviewer"], has_conflict=False)
    client = client_for(users["reviewer"])
    url = reverse("reviews:assignment", args=[a_mine.pk])
    data = {
        "score_scientific_excellence": "4", "score_economic_impact": "3.5", "na_consortium_quality": "on",
        "comments": "Solid.", "version": "", "save": "1",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    review = Assignment.objects.get(pk=a_mine.pk).review
    assert review.status == "draft"
    assert review.scores == {
        "scientific_excellence": "4",
        "economic_impact": "3.5",
        "consortium_quality": None,
    }
    # Submitting with a criterion neither scored nor "not applicable" is refused and keeps the input.
    data.update({"version": str(review.version), "submit": "1"})
    data.pop("save")
    response = client.post(url, data)
    assert response.status_code == 400 and "Solid." in response.content.decode()
    data["score_territorial_anchoring"] = "5"
    assert client.post(url, data).status_code == 302
    a_mine.refresh_from_db()
    assert a_mine.status == "submitted"
    score = ProjectScore.objects.get(project=mine)
    # N/A is left out, and the weights renormalised: (0.3*4 + 0.3*3.5 + 0.2*5) / 0.8 = 4.0625
    assert score.overall == Decimal("4.062") or score.overall == Decimal("4.063")
    assert score.criteria["consortium_quality"]["score"] is None
    assert score.criteria["consortium_quality"]["n_not_applicable"] == 1
    assert score.position == 1
    with pytest.raises(TransitionNotAllowed):
        services.save_review(a_mine, actor=users["reviewer"], scores=uniform(1), submit=True)


def test_stale_review_is_refused_in_the_ui_and_the_api(setting, client_for, api_for):
    _call, _p, (a_mine, _a, _g), users = setting
    services.declare(a_mine, actor=users["reviewer"], has_conflict=False)
    review = services.save_review(
        a_mine, actor=users["reviewer"], scores={"economic_impact": 3}, comments="first"
    )
    services.save_review(a_mine, actor=users["reviewer"], scores={"economic_impact": 4}, comments="second tab",
                         expected_version=review.version)  # fmt: skip
    url = reverse("reviews:assignment", args=[a_mine.pk])
    response = client_for(users["reviewer"]).post(
        url,
        {
            "score_economic_impact": "2",
            "comments": "typed in the old tab",
            "version": str(review.version),
            "save": "1",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this record" in page and "typed in the old tab" in page
    api = api_for(users["reviewer"])
    stale = api.post(
        f"/api/assignments/{a_mine.pk}/reviews/",
        {"scores": {"economic_impact": 1}},
        format="json",
        HTTP_IF_MATCH=review.etag,
    )
    assert stale.status_code == 412
    current = api.get(f"/api/assignments/{a_mine.pk}/reviews/")
    assert current.json()["comments"] == "second tab"
    ok = api.post(
        f"/api/assignments/{a_mine.pk}/reviews/",
        {"scores": uniform(4), "comments": "final", "submit": True},
        format="json",
        HTTP_IF_MATCH=current["ETag"],
    )
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"


def test_bad_scores_are_refused_with_the_criterion_named(setting):
    _call, _p, (a_mine, _a, _g), users = setting
    services.declare(a_mine, actor=users["reviewer"], has_conflict=False)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as bad:
        services.save_review(a_mine, actor=users["reviewer"], scores={"economic_impact": 7, "nonsense": 1})
    assert set(bad.value.error_dict) == {"economic_impact", "scores"}
    with pytest.raises(TransitionNotAllowed):
        services.save_review(a_mine, actor=users["officer"], scores={"economic_impact": 3})


def _review(project, reviewer, scores, officer):
    assignment, _w = services.assign_manually(project, reviewer, actor=officer, reason="x")
    services.declare(assignment, actor=reviewer.user, has_conflict=False)
    return services.save_review(assignment, actor=reviewer.user, scores=scores, submit=True)


def test_consensus_replaces_the_mean_and_the_ranking_follows(users, api_for, client_for):
    officer = users["officer"]
    call = make_call()
    strong, weak = make_proposal(call, acronym="STRONG"), make_proposal(call, acronym="WEAK")
    r1, r2 = make_reviewer(), make_reviewer()
    _review(strong, r1, uniform(4), officer)
    _review(strong, r2, uniform(5), officer)
    _review(weak, r1, uniform(3), officer)
    _review(weak, r2, {**uniform(3), "territorial_anchoring": None}, officer)
    scores = {s.project_id: s for s in ProjectScore.objects.filter(project__call=call)}
    assert scores[strong.pk].overall == Decimal("4.500") and scores[strong.pk].position == 1
    assert scores[weak.pk].criteria["territorial_anchoring"]["mean"] == "3"  # the N/A is left out, not a 0
    # The panel agrees 5 on every criterion of WEAK: it now ranks first.
    api = api_for(officer)
    score_etag = api.get(f"/api/projects/{weak.pk}/score/")["ETag"]
    ok = api.post(
        f"/api/projects/{weak.pk}/consensus/",
        {"consensus": uniform(5), "comment": "Panel agreed after discussion."},
        format="json",
        HTTP_IF_MATCH=score_etag,
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["overall"] == "5.000" and ok.json()["position"] == 1
    assert ProjectScore.objects.get(project=strong).position == 2
    stale = api.post(
        f"/api/projects/{weak.pk}/consensus/", {"consensus": {}}, format="json", HTTP_IF_MATCH=score_etag
    )
    assert stale.status_code == 412
    ranking = client_for(users["funder"]).get(reverse("reviews:ranking", args=[call.pk])).content.decode()
    assert ranking.index("WEAK") < ranking.index("STRONG")
    assert client_for(users["member"]).get(reverse("reviews:ranking", args=[call.pk])).status_code == 403
    with pytest.raises(StaleObject):
        services.set_consensus(weak, actor=officer, consensus={}, expected_version=1)


def test_messages_in_french(users):
    call = make_call()
    project = make_proposal(call, acronym="FRENCH")
    reviewer = make_reviewer(organisation=project.participations.first().organisation)
    with translation.override("fr"), pytest.raises(TransitionNotAllowed) as refused:
        services.assign_manually(project, reviewer, actor=users["officer"], reason="x")
    assert "membre du consortium" in str(refused.value.message)


def test_the_ranking_of_a_call_one_cannot_see_is_not_found(users, client_for):
    """A draft call is invisible outside its programme's officers: its ranking answers 404, not 403."""
    from poles.calls.models import Call

    call = make_call()
    Call.objects.filter(pk=call.pk).update(status=Call.Status.DRAFT)
    url = reverse("reviews:ranking", args=[call.pk])
    assert client_for(users["reviewer"]).get(url).status_code == 404
    assert client_for(users["member"]).get(url).status_code == 404
    assert client_for(users["officer"]).get(url).status_code == 200
