"""The selection wired to the models: the same answer as the engine on the same inputs, every
envelope respected, reasons stored per proposal, officers' adjustments audited, confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from poles.core.audit import history
from poles.core.exceptions import TransitionNotAllowed
from poles.grants.models import Decision
from poles.projects.models import Project
from poles.reviews.services import refresh_call_scores
from poles.selection import engine, services
from poles.selection.models import SelectionItem
from tests.reviews.factories import (
    make_call,
    make_org,
    make_proposal,
    make_reviewer,
    partner,
    scored,
    uniform,
)

pytestmark = pytest.mark.django_db

# (acronym, score, lead size, {funder: aid of the lead}, {funder: aid of the large partner}, lead cluster)
SPECS = [
    ("A", 4.8, "small", {"fui": 400_000, "isere": 50_000}, {"fui": 100_000}, "minalogic"),
    ("B", 4.6, "large", {"fui": 600_000}, {"fui": 200_000, "isere": 80_000}, "minalogic"),
    ("C", 4.4, "medium", {"fui": 300_000}, {"fui": 50_000}, "tenerrdis"),
    ("D", 4.1, "small", {"fui": 250_000, "isere": 40_000}, {"fui": 60_000}, "tenerrdis"),
    ("E", 3.9, "large", {"fui": 500_000}, {"fui": 100_000}, "minalogic"),
    ("F", 3.7, "micro", {"fui": 150_000, "isere": 30_000}, {"fui": 20_000}, "minalogic"),
    ("G", 3.5, "small", {"fui": 350_000}, {"fui": 90_000, "isere": 20_000}, "tenerrdis"),
    ("H", 2.0, "small", {"fui": 100_000}, {"fui": 10_000}, "minalogic"),  # below the thresholds
]
ENVELOPES = {"fui": 1_300_000, "isere": 120_000}  # tight: the optimiser beats rank order
POLICY = {"min_sme_share": 0.35, "max_aid_per_cluster": 1_300_000}


@pytest.fixture
def call_with_scores(users):
    call = make_call(envelopes=ENVELOPES, selection=POLICY)
    reviewer = make_reviewer()
    lab = make_org(category="public_research")
    projects = {}
    for acronym, score, size, lead_aid, large_aid, cluster in SPECS:
        project = make_proposal(
            call,
            [
                partner(make_org(size_class=size), "lead", budget=1_000_000, aid=lead_aid),
                partner(make_org(size_class="large"), budget=800_000, aid=large_aid),
                partner(lab, budget=300_000, aid={}),
            ],
            acronym=acronym,
            lead_cluster=cluster,
            status=Project.Status.UNDER_REVIEW,
        )
        scored(project, reviewer, uniform(score))
        projects[acronym] = project
    refresh_call_scores(call)
    return call, projects


def _expected_engine_inputs(projects):
    """The engine's input written from the specs above, not from the service's code."""
    proposals = []
    for acronym, score, size, lead_aid, large_aid, cluster in SPECS:
        if score < 3:
            continue  # fails the FUI thresholds (3 overall): not a candidate
        aid, sme = {}, {}
        for amounts, is_sme in ((lead_aid, size in ("micro", "small", "medium")), (large_aid, False)):
            for funder, amount in amounts.items():
                aid[funder] = aid.get(funder, 0) + amount
                if is_sme:
                    sme[funder] = sme.get(funder, 0) + amount
        proposals.append(engine.Proposal(str(projects[acronym].pk), score, aid, sme, cluster))
    constraints = engine.Constraints(min_sme_share=0.35, max_aid_per_cluster=1_300_000)
    return proposals, {k: float(v) for k, v in ENVELOPES.items()}, constraints


def test_the_service_equals_the_engine_on_the_same_inputs_and_respects_envelopes(call_with_scores, users):
    call, projects = call_with_scores
    run = services.run_selection(call, actor=users["officer"])
    expected = engine.select(*_expected_engine_inputs(projects))
    assert set(run.parameters["selected"]) == set(expected.selected)
    assert run.objective == pytest.approx(expected.objective)
    assert run.greedy_objective == pytest.approx(expected.greedy_objective)
    assert set(run.parameters["greedy_selected"]) == set(expected.greedy_selected)
    assert run.status == "optimal" and run.gap == 0
    assert run.objective > run.greedy_objective  # 15.7 against 13.3: a better combination
    # Every envelope, the cluster cap and the SME floor hold, counted from the database rows.
    chosen = [p for p in projects.values() if str(p.pk) in run.parameters["selected"]]
    for funder, envelope in ENVELOPES.items():
        used = sum(
            r.amount
            for p in chosen
            for part in p.participations.all()
            for r in part.aid_requests.filter(funder__slug=funder)
        )
        assert used <= envelope
    for cluster in ("minalogic", "tenerrdis"):
        total = sum(r.amount for p in chosen if p.lead_cluster.slug == cluster for part in p.participations.all()
                    for r in part.aid_requests.all())  # fmt: skip
        assert total <= POLICY["max_aid_per_cluster"]
    sme = sum(
        r.amount
        for p in chosen
        for part in p.participations.all()
        if part.is_sme
        for r in part.aid_requests.all()
    )
    total = sum(r.amount for p in chosen for part in p.participations.all() for r in part.aid_requests.all())
    assert float(sme) >= POLICY["min_sme_share"] * float(total) - 1e-6
    # One item per proposal, with the reason it is in or out; H is out for its threshold.
    items = {i.project.acronym: i for i in run.items.select_related("project")}
    assert set(items) == {s[0] for s in SPECS}
    assert items["H"].reason == engine.BELOW_THRESHOLD and not items["H"].proposed
    for acronym, item in items.items():
        assert item.proposed == (str(projects[acronym].pk) in expected.selected)
        assert item.reason in engine.REASONS
        assert item.outcome == ("selected" if item.proposed else "rejected")
    assert history(run).filter(action="selection.selectionrun.create").exists()


def test_the_run_page_says_why_for_each_proposal(call_with_scores, users, client_for):
    call, projects = call_with_scores
    run = services.run_selection(call, actor=users["officer"])
    page = client_for(users["officer"]).get(reverse("selection:run_detail", args=[run.pk])).content.decode()
    for acronym, *_rest in SPECS:
        assert acronym in page
    assert "Below the review thresholds" in page or "Sous les seuils" in page
    assert 'id="usage"' in page and 'id="confirm-form"' in page
    funder_page = client_for(users["funder"]).get(reverse("selection:run_detail", args=[run.pk]))
    assert funder_page.status_code == 200 and 'id="confirm-form"' not in funder_page.content.decode()
    assert client_for(users["member"]).get(reverse("selection:run_detail", args=[run.pk])).status_code == 404


def test_unscored_proposals_block_the_run(users):
    call = make_call()
    make_proposal(call, status=Project.Status.UNDER_REVIEW, acronym="NOSCORE")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.run_selection(call, actor=users["officer"])
    assert "NOSCORE" in str(refused.value)


def test_adjust_confirm_and_transitions(call_with_scores, users, django_capture_on_commit_callbacks):
    call, projects = call_with_scores
    officer = users["officer"]
    run = services.run_selection(call, actor=officer)
    out = (
        run.items.filter(proposed=False)
        .exclude(reason=engine.BELOW_THRESHOLD)
        .select_related("project")
        .first()
    )
    item = services.adjust(
        out, actor=officer, outcome=SelectionItem.Outcome.RESERVE, reason="First on the reserve list"
    )
    assert item.adjusted and item.adjustment_reason == "First on the reserve list"
    assert history(item).get(action="selection.selectionitem.adjust").reason == "First on the reserve list"
    with pytest.raises(TransitionNotAllowed):
        services.adjust(out, actor=users["funder"], outcome="selected", reason="x")
    # Selecting every out-of-budget proposal would break an envelope: confirmation is refused.
    rejected = list(run.items.filter(outcome="rejected").exclude(reason=engine.BELOW_THRESHOLD))
    for extra in rejected:
        services.adjust(extra, actor=officer, outcome="selected", reason="try")
    with pytest.raises(TransitionNotAllowed) as overrun:
        services.confirm(run, actor=officer)
    assert overrun.value.code == "envelope"
    for extra in rejected:
        services.adjust(extra, actor=officer, outcome="rejected", reason="back")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.confirm(run, actor=officer, reason="Committee of 12 March")
    run.refresh_from_db()
    assert run.confirmed_at and run.confirmed_by == officer
    statuses = {
        i.project.acronym: (i.outcome, Project.objects.get(pk=i.project_id).status)
        for i in run.items.select_related("project")
    }
    for acronym, (outcome_, status) in statuses.items():
        assert outcome_ == status, acronym
    assert statuses[out.project.acronym][1] == "reserve"
    selected = Project.objects.filter(call=call, status="selected")
    assert outcome.decisions == Decision.objects.filter(project__in=selected).count() > 0
    assert not outcome.errors
    event = history(Project.objects.get(pk=out.project_id)).get(action="projects.project.reserve")
    assert event.reason == "First on the reserve list"
    # A new run is still possible (nothing decided yet); once a funder decides, it is refused.
    decision = Decision.objects.filter(project__call=call, funder__slug="fui").first()
    from poles.selection import decisions as decision_services

    decision_services.decide(decision, actor=users["funder"])
    with pytest.raises(TransitionNotAllowed):
        services.run_selection(call, actor=officer)


def test_api_select_confirm_and_adjust(call_with_scores, users, api_for):
    call, _projects = call_with_scores
    api = api_for(users["officer"])
    created = api.post(f"/api/calls/{call.pk}/select/", {"time_limit": 5}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "optimal" and len(body["items"]) == len(SPECS)
    item = next(i for i in body["items"] if not i["proposed"])
    adjusted = api.post(
        f"/api/selection-items/{item['id']}/adjust/", {"outcome": "reserve", "reason": "keep"}, format="json"
    )
    assert adjusted.status_code == 200 and adjusted.json()["adjusted"]
    assert (
        api_for(users["funder"])
        .post(f"/api/selection-runs/{body['id']}/confirm/", {}, format="json")
        .status_code
        == 403
    )
    assert api_for(users["member"]).get(f"/api/selection-runs/{body['id']}/").status_code == 404
    confirmed = api.post(f"/api/selection-runs/{body['id']}/confirm/", {"reason": "ok"}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["run"]["confirmed_at"] and confirmed.json()["decisions"] > 0
    again = api.post(f"/api/selection-runs/{body['id']}/confirm/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "confirmed"
