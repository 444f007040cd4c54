"""The demo steps on a past call built from fixtures (the calls helper's demo step makes the real
ones): pool, conflict-free review, selection at the published share, decisions, funded projects."""

from __future__ import annotations

import pytest

from poles.demo.generator import SCALES, DemoContext
from poles.grants.models import Decision
from poles.instruments.models import Programme
from poles.projects.models import Project
from poles.reviews import selectors as review_selectors
from poles.reviews.models import Assignment, ProjectScore, Reviewer
from poles.selection import decisions
from poles.selection.demo import funded_share, review_select_decide
from poles.selection.models import SelectionRun
from tests.reviews.factories import make_call, make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


def test_the_tiny_demo_has_a_reviewer_pool_including_the_demo_account(users):
    pool = Reviewer.objects.filter(programme__slug="poles-competitivite")
    assert pool.count() >= 7
    demo = pool.get(user=users["reviewer"])
    assert demo.expertise and demo.max_load >= 10
    assert users["reviewer"].has_usable_password()  # the demo-accounts step set its password
    assert not pool.exclude(user=users["reviewer"]).first().user.has_usable_password()


def test_past_calls_are_reviewed_selected_and_decided(users):
    call = make_call(year=2010)
    call.number = 10
    call.save()
    for i in range(8):
        make_reviewer(f"demo-extra-{i}", max_load=12)
    projects = [make_proposal(call) for _ in range(24)]
    make_proposal(call, status=Project.Status.INELIGIBLE)  # submitted, not eligible: counts in the share
    ctx = DemoContext(seed=3, scale=SCALES["tiny"], log=lambda message: None)
    ctx.programme = Programme.objects.get(slug="poles-competitivite")

    review_select_decide(ctx)

    statuses = {p.pk: Project.objects.get(pk=p.pk).status for p in projects}
    assert set(statuses.values()) <= {"funded", "reserve", "rejected", "under_review"}
    funded = [pk for pk, status in statuses.items() if status == "funded"]
    target = round(funded_share(call) * 25)  # 73/216 of 25 submitted: 8
    assert abs(len(funded) - target) <= 3, (len(funded), target)
    # Never a conflicted pair, with the conflicts recomputed from the platform data afterwards.
    reviewers = list(Reviewer.objects.filter(programme=call.programme))
    data = review_selectors.load_conflict_data(reviewers)
    engine_reviewers = {str(r.pk): review_selectors.reviewer_facts(r) for r in reviewers}
    loaded = {str(p.pk): p for p in review_selectors.with_facts(Project.objects.filter(pk__in=statuses))}
    for assignment in Assignment.objects.filter(project__in=projects).exclude(status="withdrawn"):
        project = loaded[str(assignment.project_id)]
        found = review_selectors.conflicts_for(
            engine_reviewers[str(assignment.reviewer_id)],
            review_selectors.proposal_facts(project),
            data,
            review_selectors.reference_year(project),
        )
        assert [c.code for c in found if c.code != "declared"] == []
    assert all(
        Assignment.objects.filter(project_id=pk).exclude(status="withdrawn").count() == 3 for pk in statuses
    )
    assert ProjectScore.objects.filter(project__in=projects).count() == 24
    # The late review: one proposal still under review, with the demo reviewer's pending assignment.
    late = [pk for pk, status in statuses.items() if status == "under_review"]
    assert len(late) == 1
    pending = Assignment.objects.get(project_id=late[0], reviewer__user=users["reviewer"])
    assert pending.status == "assigned" and not hasattr(pending, "review")
    assert Assignment.objects.filter(reviewer__user=users["reviewer"], status="submitted").exists()
    # One confirmed run; decisions for every funded partner, reconciling exactly.
    run = SelectionRun.objects.get(call=call)
    assert run.confirmed_at and set(run.parameters["selected"]) == {str(pk) for pk in funded}
    assert Decision.objects.filter(project__in=funded, status="decided").exists()
    check = decisions.reconciliation(call)
    assert check.agrees, check.problems


def test_nothing_happens_without_eligible_past_proposals(users):
    before = (Assignment.objects.count(), SelectionRun.objects.count(), Decision.objects.count())
    ctx = DemoContext(seed=3, scale=SCALES["tiny"], log=lambda message: None)
    ctx.programme = Programme.objects.get(slug="poles-competitivite")
    review_select_decide(ctx)
    assert (Assignment.objects.count(), SelectionRun.objects.count(), Decision.objects.count()) == before
