"""The call's composition rules on a consortium, before any proposal exists (pure, no database)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from poles.calls.engine import FUI_25, FUI_CLASSIC
from poles.matchmaking.composition import (
    LATER,
    InvalidCallRules,
    MemberFacts,
    check_consortium,
    slot_label,
    slots_for,
)

RULES = [
    {"rule": "lead_is_company"},
    {"rule": "min_companies", "params": {"min": 2}},
    {"rule": "sme_required", "params": {"min": 1}},
    {"rule": "min_research_bodies", "params": {"min": 1}},
    {"rule": "min_labels", "params": {"min": 1}},
    {"rule": "territory_share", "params": {"min": "0.5", "strict": True}},
    {"rule": "budget_bounds", "params": {"min": "750000"}, "severity": "warning"},
]
LEAD_LARGE = MemberFacts("1", "Grand Groupe", "company", "large", in_territory=True)
SME = MemberFacts("2", "Petite PME", "company", "small", in_territory=True)
LAB = MemberFacts("3", "Labo", "public_research", None, in_territory=True)
FAR_LAB = MemberFacts("4", "Labo lointain", "public_research", None, in_territory=False)
PUBLIC_SME = MemberFacts("5", "PME publique", "company", "small", public_controlled=True, in_territory=True)


def _statuses(check):
    return {r.rule: r.status for r in check.results}


def test_an_eligible_consortium_passes_and_the_other_rules_wait_for_submission():
    check = check_consortium(RULES, [LEAD_LARGE, SME, LAB], lead_cluster="minalogic")
    assert check.eligible
    assert _statuses(check) == {
        "lead_is_company": "pass", "min_companies": "pass", "sme_required": "pass", "min_research_bodies": "pass",
        "min_labels": LATER, "territory_share": "pass", "budget_bounds": LATER,
    }  # fmt: skip
    assert [r.index for r in check.results] == list(range(len(RULES)))


def test_missing_sme_and_territory_fail_with_their_reasons_in_both_languages():
    check = check_consortium(RULES, [LEAD_LARGE, PUBLIC_SME, FAR_LAB], lead_cluster="minalogic")
    assert not check.eligible
    statuses = _statuses(check)
    assert statuses["sme_required"] == "fail"  # 25 % or more public: not an SME
    assert statuses["territory_share"] == "pass"  # two of three members work in the territory
    sme = next(r for r in check.results if r.rule == "sme_required")
    assert "fewer than the 1 required" in sme.message.render("en")
    assert "moins que" in sme.message.render("fr")
    assert sme.as_dict()["label"]["fr"] and sme.as_dict()["message"]["en"]


def test_territory_share_counts_members_established_in_the_lead_cluster_territory():
    two_of_three = check_consortium(RULES, [LEAD_LARGE, SME, FAR_LAB], lead_cluster="x")
    one_of_three = check_consortium(
        RULES, [LEAD_LARGE, MemberFacts("6", "Loin", "company", "small"), FAR_LAB], lead_cluster="x"
    )
    assert _statuses(two_of_three)["territory_share"] == "pass"
    assert _statuses(one_of_three)["territory_share"] == "fail"
    with translation.override("en"):
        message = str(next(r.message for r in one_of_three.results if r.rule == "territory_share"))
    assert "33.3" in message


def test_the_real_presets_can_be_checked():
    for preset in (FUI_CLASSIC, FUI_25):
        check = check_consortium(preset["rules"], [LEAD_LARGE, SME, LAB], lead_cluster="minalogic")
        assert check.eligible, [(r.rule, r.status, r.message.render("en")) for r in check.results]


def test_an_invalid_rule_set_is_refused():
    with pytest.raises(InvalidCallRules):
        check_consortium([{"rule": "no_such_rule"}], [LEAD_LARGE], lead_cluster=None)


def test_slots_follow_the_rules_and_what_the_lead_already_brings():
    large = slots_for(RULES, LEAD_LARGE)
    assert [(s.name, s.kind) for s in large] == [("sme", "sme"), ("research", "research")]
    assert large[0].sizes == frozenset({"micro", "small", "medium"})
    sme_lead = slots_for(RULES, SME)
    assert [s.name for s in sme_lead] == ["company", "research"]
    lab_lead = slots_for(RULES, LAB)
    assert [s.name for s in lab_lead] == ["sme", "company"]
    more = slots_for([{"rule": "min_companies", "params": {"min": 3}}], LEAD_LARGE, extra_partners=2)
    assert [s.name for s in more] == ["company", "company_2", "partner", "partner_2"]
    assert [s.name for s in slots_for([], LEAD_LARGE)] == ["partner"]


def test_slot_labels_are_translated():
    with translation.override("fr"):
        assert str(slot_label("research")) == "Organisme de recherche ou de formation"
        assert str(slot_label("company_2")) == "Entreprise 2"
    with translation.override("en"):
        assert str(slot_label("sme")) == "SME"


facts = st.builds(
    MemberFacts,
    org_id=st.just("x"),
    name=st.text(min_size=1, max_size=10),
    category=st.sampled_from(["company", "ntbf", "public_research", "hei", "training", "consultancy"]),
    size_class=st.sampled_from([None, "micro", "small", "medium", "mid", "large"]),
    public_controlled=st.booleans(),
    in_territory=st.booleans(),
)


@given(lead=facts, partners=st.lists(facts, max_size=5))
def test_verdict_is_exactly_no_failed_composition_rule(lead, partners):
    members = [replace(m, org_id=str(i)) for i, m in enumerate([lead, *partners])]
    lead = members[0]
    check = check_consortium(RULES, members, lead_cluster="c")
    assert check.eligible == all(r.status in ("pass", "warning", LATER) for r in check.results)
    companies = [m for m in members if m.category in ("company", "ntbf")]
    labs = [m for m in members if m.category in ("public_research", "hei", "training")]
    expected = (
        lead.category in ("company", "ntbf")
        and len(companies) >= 2
        and any(m.is_sme for m in companies)
        and len(labs) >= 1
        and sum(m.in_territory for m in members) * 2 > len(members)
    )
    assert check.eligible == expected
