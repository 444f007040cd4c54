"""The demo calls and proposals follow POLICY.md and are coherent with the platform's own engines."""

from __future__ import annotations

from collections import Counter

from poles.calls.engine.eligibility import evaluate
from poles.calls.models import Call
from poles.demo.models import DemoDataset
from poles.projects import demo
from poles.projects.facts import proposal_facts
from poles.projects.models import Project
from tests.projects.factories import member_org


def test_the_calibration_matches_the_published_figures():
    counts = dict(demo.PAST_CALLS)
    assert sum(counts[n] for n in range(1, 10)) == 1736  # calls 1-9: 1,736 submitted
    assert counts[10] == 216  # 10th call: 216 submitted
    assert 2750 <= sum(counts.values()) <= 2850  # about 2,800 over calls 1-14
    targets = demo._funded_targets(1.0)
    assert sum(targets[n] for n in range(1, 10)) == 813 and targets[10] == 73
    assert abs(sum(targets.values()) - 1170) <= 2
    assert targets[10] / counts[10] == 73 / 216  # about one third


def test_fourteen_past_calls_two_a_year_closed_with_funders_and_a_published_version(db):
    calls = list(Call.objects.filter(reference__startswith="fui-").order_by("number"))
    assert [c.number for c in calls] == list(range(1, 15))
    assert Counter(c.opens_at.year for c in calls) == dict.fromkeys(range(2006, 2013), 2)
    for call in calls:
        assert call.status == Call.Status.CLOSED and call.preset == "fui_classic"
        assert call.labelling_deadline < call.submission_deadline
        funders = {cf.funder.slug: cf.envelope for cf in call.call_funders.select_related("funder")}
        assert funders["fui"] > 0 and any(slug.startswith("region-") for slug in funders)
        assert {row["funder"] for row in call.rates} <= set(funders)
        assert call.versions.get(number=1).snapshot["reference"] == call.reference


# Past calls went through eligibility, then review and selection (the reviews demo); one
# proposal may stay under review, held for the demo reviewer.
PAST_OUTCOMES = {"ineligible", "withdrawn", "under_review", "rejected", "reserve", "funded"}


def test_past_proposals_are_scaled_and_all_went_through_eligibility(db):
    truth = DemoDataset.objects.get().truth["calls"]
    for number, submitted in demo.PAST_CALLS:
        projects = Project.objects.filter(call__reference=f"fui-{number}")
        assert projects.count() == max(3, round(submitted * 0.04)) == truth["submitted"][str(number)]
        assert set(projects.values_list("status", flat=True)) <= PAST_OUTCOMES
    past = Project.objects.filter(call__reference__startswith="fui-")
    statuses = Counter(past.values_list("status", flat=True))
    assert statuses["ineligible"] > 0 and statuses["ineligible"] < 0.25 * past.count()
    assert statuses["funded"] > 0 and statuses["rejected"] + statuses["reserve"] > 0
    for project in past.exclude(status="withdrawn").prefetch_related("eligibility_checks", "revisions"):
        assert project.revisions.count() == 1 and project.eligibility_checks.count() == 1
        assert project.label_requests.filter(cluster=project.lead_cluster).exists()


def test_stored_checks_agree_with_the_engine_run_on_the_stored_models(db):
    """What the demo decided is exactly what an officer's check would find in the database."""
    past = (
        Project.objects.filter(call__reference__startswith="fui-")
        .exclude(status="withdrawn")
        .select_related("call")
    )
    for project in past:
        stored = project.eligibility_checks.get()
        again = evaluate(project.call.rules, proposal_facts(project))
        assert [r.status for r in again] == [row["status"] for row in stored.results], project.acronym
        overridden = set(stored.overrides.values_list("rule_index", flat=True))
        unresolved = [
            r for r in again if r.status == "fail" or (r.status == "warning" and r.index not in overridden)
        ]
        assert (project.status != "ineligible") == (not unresolved), project.acronym


def test_the_open_call_holds_proposals_at_every_early_stage(users):
    call = Call.objects.get(reference__startswith="aap-rd-")
    assert call.status == Call.Status.OPEN and call.preset == "fui_25"
    projects = Project.objects.filter(call=call)
    assert {"draft", "submitted", "labelled", "eligible"} <= set(projects.values_list("status", flat=True))
    assert projects.filter(
        status="draft", participations__organisation=member_org(users), participations__role="lead"
    ).exists()
    assert projects.filter(
        status="submitted", label_requests__cluster__slug="minalogic", label_requests__status="pending"
    ).exists()
