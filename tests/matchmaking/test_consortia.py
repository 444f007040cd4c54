"""The consortium builder on the demo's open call: eligible consortia, swaps, and a draft proposal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from poles.clusters.models import Cluster
from poles.core.audit import history
from poles.matchmaking import consortia, services
from poles.matchmaking.indexing import partner_data
from poles.organisations.models import Organisation
from poles.projects.models import Project

IDEA = "Capteurs MEMS communicants et logiciel embarqué pour la maintenance prédictive"


@pytest.fixture
def request_(member_org, open_call):
    return consortia.ConsortiumRequest(
        call=open_call, lead=member_org, idea=IDEA, lead_cluster=Cluster.objects.get(slug="minalogic")
    )


def test_the_demo_has_an_open_call_with_fui_rules(db):
    """The calls demo opens an FUI call; partner search builds consortia for it (its own demo step
    opens one only when no call is open)."""
    from poles.calls.models import Call

    call = Call.objects.get(status="open")
    assert call.call_funders.exists()
    codes = [r["rule"] for r in call.rules]
    assert {"lead_is_company", "min_companies", "min_research_bodies", "territory_share"} <= set(codes)


def test_the_call_asks_for_an_sme_a_lab_and_the_territory(open_call):
    codes = [rule["rule"] for rule in open_call.rules]
    assert {"min_companies", "sme_required", "min_research_bodies", "territory_share"} <= set(codes)


def test_proposals_are_eligible_ranked_and_carry_the_check(request_, member_org):
    outcome = consortia.propose(request_)
    assert outcome.proposals, "the tiny demo has enough partners for one consortium"
    assert outcome.lead_findable
    eligible = [p for p in outcome.proposals if p.check.eligible]
    assert eligible == outcome.proposals[: len(eligible)], "eligible consortia come first"
    best = eligible[0]
    assert best.seats[0].org_id == str(member_org.pk) and best.seats[0].is_lead
    assert best.seats[0].region_name == member_org.departement.region.name
    assert [s.slot for s in best.seats[1:]] == [spec.name for spec in outcome.slots]
    statuses = {r.rule: r.status for r in best.check.results}
    assert statuses["min_research_bodies"] == "pass" and statuses["territory_share"] == "pass"
    assert statuses["min_labels"] == "later"
    scores = [p.score for p in eligible]
    assert scores == sorted(scores, reverse=True)
    # Every partner is findable and has its reasons.
    data = partner_data()
    for seat in best.seats[1:]:
        assert data.card(seat.org_id) is not None
        assert seat.result is not None and seat.result.reasons


def test_swapping_the_lab_for_a_company_fails_the_lab_rule_and_swapping_back_passes(request_):
    best = next(p for p in consortia.propose(request_).proposals if p.check.eligible)
    members = {seat.slot: seat.org_id for seat in best.seats if not seat.is_lead}
    company = next(
        c
        for c in Organisation.objects.filter(findable=True, category="company").exclude(
            pk__in=[int(v) for v in members.values()]
        )
        if partner_data().card(c.pk) is not None and c.pk != request_.lead.pk
    )
    swapped = consortia.recheck(request_, {**members, "research": str(company.pk)})
    assert not swapped.check.eligible
    assert {r.rule: r.status for r in swapped.check.results}["min_research_bodies"] == "fail"
    back = consortia.recheck(request_, members)
    assert back.check.eligible
    assert back.members == best.members


def test_recheck_refuses_a_place_taken_twice_or_unknown(request_):
    best = consortia.propose(request_).proposals[0]
    members = {seat.slot: seat.org_id for seat in best.seats if not seat.is_lead}
    slots = list(members)
    with pytest.raises(ValidationError):
        consortia.recheck(request_, {**members, slots[-1]: members[slots[0]]})
    with pytest.raises(ValidationError):
        consortia.recheck(request_, {**members, "astronaut": members[slots[0]]})


def test_a_chosen_consortium_starts_a_draft_proposal(request_, users, member_org):
    best = next(p for p in consortia.propose(request_).proposals if p.check.eligible)
    members = {seat.slot: seat.org_id for seat in best.seats if not seat.is_lead}
    project = services.start_proposal(
        request_,
        members,
        actor=users["member"],
        acronym="MEMSPRED",
        title="Capteurs MEMS prédictifs",
        summary=IDEA,
    )
    assert project.status == Project.Status.DRAFT and project.call == request_.call
    assert project.created_by == users["member"] and project.lead_cluster.slug == "minalogic"
    parts = {p.organisation_id: p for p in project.participations.all()}
    assert set(parts) == {member_org.pk, *(int(v) for v in members.values())}
    assert parts[member_org.pk].role == "lead"
    assert all(p.role == "partner" for pk, p in parts.items() if pk != member_org.pk)
    assert parts[member_org.pk].category == member_org.category
    actions = [e.action for e in history(project)]
    assert "projects.project.create" in actions and "matchmaking.consortium.start_proposal" in actions


def test_start_refuses_an_ineligible_consortium_and_a_stranger(request_, users):
    best = next(p for p in consortia.propose(request_).proposals if p.check.eligible)
    members = {seat.slot: seat.org_id for seat in best.seats if not seat.is_lead}
    company = next(
        c
        for c in Organisation.objects.filter(findable=True, category="company").exclude(
            pk__in=[int(v) for v in members.values()]
        )
        if partner_data().card(c.pk) is not None and c.pk != request_.lead.pk
    )
    before = Project.objects.count()
    with pytest.raises(ValidationError):
        services.start_proposal(
            request_, {**members, "research": str(company.pk)}, actor=users["member"], acronym="X", title="X"
        )
    with pytest.raises(PermissionDenied):
        services.start_proposal(request_, members, actor=users["cluster"], acronym="X", title="X")
    assert Project.objects.count() == before
