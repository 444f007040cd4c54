import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.matchmaking.builder import Candidate, Member, ProposedConsortium, Slot, build_consortia, swap

LEAD = Candidate("lead", 0.0, {"category": "company", "size": "sme"})
COMPANIES = [
    Candidate("big1", 0.9, {"category": "company", "size": "large"}),
    Candidate("big2", 0.8, {"category": "company", "size": "large"}),
    Candidate("sme1", 0.5, {"category": "company", "size": "sme"}),
    Candidate("sme2", 0.4, {"category": "company", "size": "sme"}),
]
LABS = [
    Candidate("lab1", 0.7, {"category": "research"}),
    Candidate("lab2", 0.6, {"category": "research"}),
]


def toy_rules(members: tuple[Member, ...]) -> tuple[bool, dict]:
    """At least 2 companies including a non-lead SME, and at least one lab (a toy FUI-like rule)."""
    companies = [m for m in members if m.data.get("category") == "company"]
    partner_smes = [m for m in companies if m.data.get("size") == "sme" and m.slot != "lead"]
    labs = [m for m in members if m.data.get("category") == "research"]
    checks = {
        "two_companies": len(companies) >= 2,
        "partner_sme": len(partner_smes) >= 1,
        "one_lab": len(labs) >= 1,
    }
    return all(checks.values()), checks


def test_best_scored_consortium_fails_and_is_repaired_by_one_swap():
    slots = [Slot("company", COMPANIES), Slot("lab", LABS)]
    results = build_consortia(LEAD, slots, toy_rules, max_results=3)
    # lead + big1 + lab1 scores best but has no partner SME; the best eligible ones use an SME.
    assert [r.org_ids for r in results] == [
        ("lead", "sme1", "lab1"),
        ("lead", "sme2", "lab1"),
        ("lead", "sme1", "lab2"),
    ]
    assert all(r.eligible for r in results)
    assert results[0].details == {"two_companies": True, "partner_sme": True, "one_lab": True}
    assert results[0].score == pytest.approx(1.2)


def test_results_match_brute_force_when_the_beam_is_wide():
    slots = [Slot("company", COMPANIES), Slot("company2", COMPANIES), Slot("lab", LABS)]
    results = build_consortia(LEAD, slots, toy_rules, max_results=50, beam_width=1000)
    expected = set()
    for a, b, c in itertools.product(COMPANIES, COMPANIES, LABS):
        if a.org_id == b.org_id:
            continue
        members = (
            Member("lead", "lead", 0.0, LEAD.data),
            Member(a.org_id, "company", a.score, a.data),
            Member(b.org_id, "company2", b.score, b.data),
            Member(c.org_id, "lab", c.score, c.data),
        )
        if toy_rules(members)[0]:
            expected.add(frozenset(m.org_id for m in members))
    assert {frozenset(r.org_ids) for r in results} == expected
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    assert len({frozenset(r.org_ids) for r in results}) == len(results)


def test_optional_slot_may_stay_empty():
    slots = [
        Slot("company", COMPANIES[2:3]),
        Slot("lab", LABS[:1]),
        Slot("extra", COMPANIES[:1], optional=True),
    ]
    results = build_consortia(LEAD, slots, toy_rules, max_results=5)
    assert [r.org_ids for r in results] == [("lead", "sme1", "lab1", "big1"), ("lead", "sme1", "lab1")]


def test_nothing_eligible_returns_nothing_unless_asked_for_the_failures():
    slots = [Slot("company", COMPANIES[:2])]  # no lab, no SME: nothing can pass
    assert build_consortia(LEAD, slots, toy_rules) == []
    failing = build_consortia(LEAD, slots, toy_rules, include_ineligible=True)
    assert [r.org_ids for r in failing] == [("lead", "big1"), ("lead", "big2")]
    assert not any(r.eligible for r in failing)
    assert failing[0].details == {"two_companies": True, "partner_sme": False, "one_lab": False}


def test_eligibility_checks_are_capped_and_cached():
    calls = []

    def counting(members):
        calls.append(frozenset(m.org_id for m in members))
        return toy_rules(members)

    slots = [Slot("company", COMPANIES), Slot("company2", COMPANIES), Slot("lab", LABS)]
    build_consortia(LEAD, slots, counting, max_results=50, beam_width=1000, max_checks=7)
    assert len(calls) == 7
    calls.clear()
    build_consortia(LEAD, slots, counting, max_results=50, beam_width=1000)
    assert len(calls) == len(set(calls))


def test_swap_rechecks_eligibility():
    slots = [Slot("company", COMPANIES), Slot("lab", LABS)]
    best = build_consortia(LEAD, slots, toy_rules)[0]
    assert best.org_ids == ("lead", "sme1", "lab1")
    worse = swap(best, "sme1", COMPANIES[0], toy_rules)
    assert worse.org_ids == ("lead", "big1", "lab1")
    assert worse.members[1].slot == "company"
    assert not worse.eligible
    assert worse.details["partner_sme"] is False
    assert worse.score == pytest.approx(1.6)
    back = swap(worse, "big1", COMPANIES[3], toy_rules)
    assert back.eligible and back.org_ids == ("lead", "sme2", "lab1")


def test_swap_refuses_impossible_moves():
    consortium = ProposedConsortium(
        (Member("lead", "lead", 0.0), Member("sme1", "company", 0.5)), 0.5, True, {}
    )
    with pytest.raises(ValueError, match="not in the consortium"):
        swap(consortium, "ghost", COMPANIES[0], toy_rules)
    with pytest.raises(ValueError, match="lead"):
        swap(consortium, "lead", COMPANIES[0], toy_rules)
    with pytest.raises(ValueError, match="already"):
        swap(consortium, "sme1", Candidate("lead", 1.0), toy_rules)


def test_reserved_lead_slot_name():
    with pytest.raises(ValueError, match="reserved"):
        build_consortia(LEAD, [Slot("lead", COMPANIES)], toy_rules)


candidate_lists = st.lists(
    st.builds(
        Candidate,
        org_id=st.sampled_from([f"o{i}" for i in range(8)]),
        score=st.floats(min_value=0, max_value=1),
        data=st.fixed_dictionaries(
            {"category": st.sampled_from(["company", "research"]), "size": st.sampled_from(["sme", "large"])}
        ),
    ),
    max_size=6,
    unique_by=lambda c: c.org_id,
)


@settings(max_examples=60, deadline=None)
@given(companies=candidate_lists, labs=candidate_lists, beam=st.integers(1, 20), n=st.integers(1, 6))
def test_every_proposal_is_eligible_distinct_and_ranked(companies, labs, beam, n):
    slots = [Slot("company", companies), Slot("lab", labs)]
    results = build_consortia(LEAD, slots, toy_rules, max_results=n, beam_width=beam)
    assert len(results) <= n
    for r in results:
        assert r.eligible and toy_rules(r.members)[0]
        assert r.org_ids[0] == "lead" and len(set(r.org_ids)) == len(r.org_ids)
        assert r.score == pytest.approx(sum(m.score for m in r.members))
    assert len({frozenset(r.org_ids) for r in results}) == len(results)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
