"""Conflicts of interest, and the guarantee that a conflicted reviewer is never assigned."""

from __future__ import annotations

import json
from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from poles.calls.engine.facts import ClusterLabel, Participation, ProposalFacts
from poles.reviews.engine import (
    Reviewer,
    assign,
    check_manual_assignment,
    conflict_map,
    find_conflicts,
    linked_groups,
)


def proposal(
    pid: str = "p1",
    orgs=("lead", "partner", "lab"),
    keywords=("energy",),
    year: int = 2018,
    labels=("minalogic",),
    lead_cluster="minalogic",
) -> ProposalFacts:
    parts = [
        Participation(org, "company" if i < 2 else "public_research", role="lead" if i == 0 else "partner")
        for i, org in enumerate(orgs)
    ]
    return ProposalFacts(
        proposal_id=pid,
        call_id="c",
        title=pid,
        participations=parts,
        keywords=keywords,
        labels=tuple(ClusterLabel(c, "labelled", datetime(year, 1, 10)) for c in labels),
        lead_cluster_id=lead_cluster,
        submitted_at=datetime(year, 2, 1),
    )


def codes(conflicts):
    return [c.code for c in conflicts]


def test_no_conflict_for_an_outsider():
    assert find_conflicts(Reviewer("r1", "elsewhere", ["energy"]), proposal()) == []
    assert find_conflicts(Reviewer("r1", None, ["energy"]), proposal()) == []  # independent expert


def test_same_organisation():
    [conflict] = find_conflicts(Reviewer("r1", "partner", name="Dr Martin"), proposal())
    assert conflict.code == "same_organisation" and conflict.figures == {"org": "partner"}
    assert conflict.message.render("en") == "Dr Martin works for partner, a member of the consortium."
    assert conflict.message.render("fr") == "Dr Martin travaille pour partner, membre du consortium."
    json.dumps(conflict.as_dict())


def test_linked_organisation_directly_or_through_a_chain():
    reviewer = Reviewer("r1", "holding")
    assert codes(find_conflicts(reviewer, proposal(), links=[("holding", "lead")])) == ["linked_organisation"]
    chain = [("holding", "sub1"), ("sub1", "lab")]
    [conflict] = find_conflicts(reviewer, proposal(), links=chain)
    assert conflict.figures["linked"] == ["lab"]
    assert "liée aux membres du consortium lab" in conflict.message.render("fr")
    assert find_conflicts(reviewer, proposal(), links=[("holding", "sub1")]) == []
    assert linked_groups([("a", "b"), ("c", "b"), ("x", "y")])["a"] == {"a", "b", "c"}


def test_co_participation_within_five_years():
    reviewer = Reviewer("r1", "rival", name="Dr Roux")
    history = [(2013, ["rival", "lead"]), (2012, ["rival", "partner"]), (2016, ["other", "lab"])]
    [conflict] = find_conflicts(reviewer, proposal(year=2018), history=history)
    assert conflict.code == "co_participation"
    assert conflict.figures["partners"] == {"lead": 2013}  # 2018 - 5 = 2013 counts, 2012 does not
    assert "in the last 5 years: lead (2013)" in conflict.message.render("en")
    assert "au cours des 5 dernières années : lead (2013)" in conflict.message.render("fr")
    assert find_conflicts(reviewer, proposal(year=2019), history=history) == []
    assert codes(find_conflicts(reviewer, proposal(year=2019), history=history, window_years=6)) == [
        "co_participation"
    ]
    assert find_conflicts(reviewer, proposal(), history=[(2017, ["rival", "stranger"])]) == []


def test_governance_role_in_an_asked_cluster():
    reviewer = Reviewer("r1", "elsewhere", name="M. Blanc")
    facts = proposal(labels=("minalogic", "tenerrdis"), lead_cluster="minalogic")
    [conflict] = find_conflicts(reviewer, facts, governance=[("r1", "tenerrdis"), ("r2", "minalogic")])
    assert conflict.code == "governance_role" and conflict.figures == {"clusters": ["tenerrdis"]}
    assert "rôle de gouvernance dans tenerrdis" in conflict.message.render("fr")
    assert find_conflicts(reviewer, facts, governance=[("r1", "axelera")]) == []


def test_declared_conflicts():
    facts = proposal()
    by_proposal = Reviewer("r1", "elsewhere", declared_proposals={"p1"})
    by_org = Reviewer("r2", "elsewhere", declared_orgs={"lab"})
    assert codes(find_conflicts(by_proposal, facts)) == ["declared"]
    assert find_conflicts(by_org, facts)[0].figures == {"orgs": ["lab"], "proposal": False}
    assert find_conflicts(Reviewer("r3", "elsewhere", declared_proposals={"p9"}), facts) == []


def test_conflict_map_and_assignment_exclude_consortium_members_and_co_participants():
    """Acceptance: a reviewer from a consortium member, or whose organisation co-participated with
    one in the last 5 years, is never assigned, even when they are the best match by far."""
    facts = proposal(keywords=("solar", "storage", "grid"))
    member = Reviewer("member", "lab", ["solar", "storage", "grid"])
    co_participant = Reviewer("copart", "rival", ["solar", "storage", "grid"])
    others = [Reviewer(f"r{i}", f"org{i}", ["cooking"]) for i in range(3)]
    conflicts = conflict_map(
        [member, co_participant, *others], [facts], history=[(2015, ["rival", "partner"])]
    )
    assert set(conflicts) == {("member", "p1"), ("copart", "p1")}
    result = assign([facts], [member, co_participant, *others], per_proposal=3, conflicts=conflicts)
    assert set(result.assignments["p1"]) == {"r0", "r1", "r2"}
    # With not enough clean reviewers, the proposal is reported short rather than given to them.
    short = assign([facts], [member, co_participant, others[0]], per_proposal=3, conflicts=conflicts)
    assert short.assignments["p1"] == ("r0",)
    assert short.shortfalls == {"p1": 2}
    assert "a 1 des 3 évaluateurs nécessaires" in short.messages["p1"].render("fr")


def test_declared_proposal_is_never_assigned_even_without_conflict_map():
    facts = proposal()
    reviewers = [Reviewer("r1", "x", ["energy"], declared_proposals={"p1"}), Reviewer("r2", "y")]
    assert assign([facts], reviewers, per_proposal=2).assignments["p1"] == ("r2",)


def test_manual_assignment_never_to_a_conflicted_reviewer():
    reviewer = Reviewer("r1", "lab", name="Dr Lab", max_load=2)
    conflicts = conflict_map([reviewer], [proposal()])
    refused = check_manual_assignment(reviewer, "p1", conflicts, current_load=0)
    assert not refused.allowed
    assert "Dr Lab has a conflict of interest with proposal p1" in refused.blocking[0].render("en")
    assert "ne peut pas l'évaluer" in refused.blocking[0].render("fr")
    free = Reviewer("r2", "elsewhere", name="Dr Free", max_load=2)
    overloaded = check_manual_assignment(free, "p1", conflicts, current_load=2)
    assert overloaded.allowed and len(overloaded.warnings) == 1
    assert "au-delà de la limite de 2" in overloaded.warnings[0].render("fr")
    assert check_manual_assignment(free, "p1", conflicts, current_load=0) == check_manual_assignment(
        free, "p1", set(), current_load=0
    )


# --------------------------------------------------------------------------- property: random instances

ORGS = [f"o{i}" for i in range(12)]
KEYWORDS = ["ai", "energy", "health", "materials", "optics", "software", "water"]


@st.composite
def instances(draw):
    """A random call: proposals of random consortia, reviewers from random organisations, history, links."""
    proposals = []
    for p in range(draw(st.integers(1, 8))):
        orgs = draw(st.lists(st.sampled_from(ORGS), min_size=1, max_size=4, unique=True))
        proposals.append(
            proposal(
                f"p{p}",
                orgs=orgs,
                keywords=draw(st.lists(st.sampled_from(KEYWORDS), max_size=3)),
                year=draw(st.integers(2015, 2020)),
                labels=("c1",),
                lead_cluster="c1",
            )
        )
    reviewers = [
        Reviewer(
            f"r{r}",
            draw(st.sampled_from([*ORGS, None])),
            draw(st.lists(st.sampled_from(KEYWORDS), max_size=3)),
            max_load=draw(st.none() | st.integers(0, 4)),
            declared_proposals=draw(st.sets(st.sampled_from([p.proposal_id for p in proposals]), max_size=1)),
        )
        for r in range(draw(st.integers(1, 10)))
    ]
    history = draw(
        st.lists(
            st.tuples(st.integers(2005, 2020), st.lists(st.sampled_from(ORGS), min_size=2, max_size=4)),
            max_size=8,
        )
    )
    links = draw(st.lists(st.tuples(st.sampled_from(ORGS), st.sampled_from(ORGS)), max_size=4))
    governance = draw(
        st.lists(st.tuples(st.sampled_from([r.reviewer_id for r in reviewers]), st.just("c1")), max_size=2)
    )
    return (
        proposals,
        reviewers,
        history,
        links,
        governance,
        draw(st.integers(1, 4)),
        draw(st.none() | st.integers(1, 5)),
    )


@settings(max_examples=60, deadline=None)
@given(instances())
def test_random_instances_never_assign_a_conflicted_reviewer(instance):
    proposals, reviewers, history, links, governance, k, max_load = instance
    conflicts = conflict_map(reviewers, proposals, history, links, governance)
    result = assign(proposals, reviewers, per_proposal=k, max_load=max_load, conflicts=conflicts)
    by_id = {r.reviewer_id: r for r in reviewers}
    for facts in proposals:
        assigned = result.assignments[facts.proposal_id]
        assert len(assigned) == len(set(assigned)) <= k
        assert len(assigned) + result.shortfalls.get(facts.proposal_id, 0) == k
        for rid in assigned:
            reviewer = by_id[rid]
            assert (rid, facts.proposal_id) not in conflicts
            # Independent of conflict_map: the rules themselves hold for every assigned pair.
            assert reviewer.org_id is None or reviewer.org_id not in facts.org_ids
            year0 = facts.submitted_at.year - 5
            assert not any(
                year >= year0 and reviewer.org_id in orgs and set(orgs) & (facts.org_ids - {reviewer.org_id})
                for year, orgs in history
            )
            assert facts.proposal_id not in reviewer.declared_proposals
    for rid, load in result.loads.items():
        limit = by_id[rid].max_load if by_id[rid].max_load is not None else max_load
        assert limit is None or load <= limit
        assert load == sum(rid in rids for rids in result.assignments.values())
