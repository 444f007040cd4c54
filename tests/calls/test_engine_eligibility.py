"""Eligibility engine: every rule passes and fails, with its reason in French and English."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest

from poles.calls.engine import FUI_25, FUI_CLASSIC
from poles.calls.engine.eligibility import (
    RULES,
    InvalidRuleSet,
    can_override,
    check_override,
    evaluate,
    validate_rules,
    verdict,
)
from poles.calls.engine.facts import ClusterLabel, SubmissionFingerprint
from tests.calls.conftest import DEADLINE, eligible_facts, participation

BASE = eligible_facts()


def _with(**kwargs):
    return eligible_facts(**kwargs)


def _parts(*parts):
    return {"participations": parts}


# (rule spec, facts that pass, facts that fail, English words of the failure, French words of the failure)
CASES = {
    "lead_is_company": (
        {"rule": "lead_is_company"},
        BASE,
        _with(
            **_parts(
                participation("lab", "public_research", role="lead", name="CNRS lab"),
                participation("a"),
                participation("b"),
            )
        ),
        "is not a company",
        "n'est pas une entreprise",
    ),
    "min_companies": (
        {"rule": "min_companies", "params": {"min": 2}},
        BASE,
        _with(**_parts(participation("lead", role="lead"), participation("lab", "hei"))),
        "fewer than the 2 required",
        "moins que les 2 exigées",
    ),
    "min_research_bodies": (
        {"rule": "min_research_bodies", "params": {"min": 1}},
        BASE,
        _with(**_parts(participation("lead", role="lead"), participation("b"))),
        "fewer than the 1 required",
        "moins que le minimum de 1",
    ),
    "sme_required": (
        {"rule": "sme_required", "params": {"min": 1}},
        BASE,
        _with(
            **_parts(
                participation("lead", role="lead", size_class="mid"),
                participation("b", size_class="large"),
                participation("lab", "hei"),
            )
        ),
        "SMEs in the consortium: 0",
        "PME du consortium : 0",
    ),
    "min_labels": (
        {"rule": "min_labels", "params": {"min": 1}},
        BASE,
        _with(labels=(ClusterLabel("minalogic", "declined", datetime(2018, 2, 1)),)),
        "fewer than the 1 required",
        "moins que le minimum de 1",
    ),
    "budget_bounds": (
        {"rule": "budget_bounds", "params": {"min": "750000", "max": "5000000"}},
        BASE,
        _with(
            **_parts(
                participation("lead", role="lead", budget={"staff": "100000"}),
                participation("b", budget={"staff": "100000"}),
                participation("lab", "hei", budget={"staff": "100000"}),
            )
        ),
        "below the minimum of EUR 750,000",
        "inférieur au minimum de 750\xa0000",
    ),
    "territory_share": (
        {"rule": "territory_share", "params": {"min": "0.5"}},
        BASE,
        _with(
            **_parts(
                participation("lead", role="lead", territory_share="0.2"),
                participation("b", territory_share="0.2"),
                participation("lab", "hei", territory_share="0.9"),
            )
        ),
        "43.3 % of the R&D",
        "43,3 % de la R&D",
    ),
    "lead_cluster_share": (
        {"rule": "lead_cluster_share", "params": {"min": "0.25"}},
        BASE,
        _with(
            **_parts(
                participation("lead", role="lead", lead_cluster_share="0.1"),
                participation("b", lead_cluster_share="0.1"),
                participation("lab", "hei", lead_cluster_share="0.3"),
            )
        ),
        "below the minimum of 25.0 %",
        "inférieure au minimum de 25,0 %",
    ),
    "lab_aid_share": (
        {"rule": "lab_aid_share", "params": {"max": "0.4"}},
        _with(
            **_parts(
                participation("lead", role="lead", aid_requested={"state": "200000"}),
                participation("b", aid_requested={"state": "100000"}),
                participation("lab", "hei", aid_requested={"state": "100000"}),
            )
        ),
        _with(
            **_parts(
                participation("lead", role="lead", aid_requested={"state": "100000"}),
                participation("b", aid_requested={"state": "0"}),
                participation("lab", "hei", aid_requested={"state": "150000", "region": "50000"}),
            )
        ),
        "66.7 % of the aid",
        "66,7 % de l'aide",
    ),
    "no_duplicate": (
        {"rule": "no_duplicate"},
        _with(
            other_submissions=(
                SubmissionFingerprint("p2", "fui25", "lead", "other title", frozenset({"lead"})),
            )
        ),
        _with(
            other_submissions=(
                SubmissionFingerprint("p2", "fui25", "lead", "capteurs eco concus", frozenset({"lead", "x"})),
            )
        ),
        "duplicates submission(s) p2",
        "fait doublon avec",
    ),
}


def test_every_registered_rule_has_a_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_passes(code):
    spec, passing, _failing, _en, _fr = CASES[code]
    [result] = evaluate([spec], passing)
    assert result.status == "pass", result.message.render("en")
    assert result.passed
    en, fr = result.message.render("en"), result.message.render("fr")
    assert en and fr and en != fr


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fails_with_reason_in_both_languages(code):
    spec, _passing, failing, en_words, fr_words = CASES[code]
    [result] = evaluate([spec], failing)
    assert result.status == "fail"
    assert result.severity == "fail"
    assert en_words in result.message.render("en")
    assert fr_words in result.message.render("fr")
    assert result.figures  # the figures used are reported
    json.dumps(result.as_dict())  # storable in a JSON field


@pytest.mark.parametrize("code", sorted(CASES))
def test_failed_warning_rule_reports_a_warning(code):
    spec, _passing, failing, _en, _fr = CASES[code]
    [result] = evaluate([{**spec, "severity": "warning"}], failing)
    assert result.status == "warning"
    assert can_override(result)
    assert check_override(result, "Budget justified by the pilot line") == []


def test_failure_cannot_be_overridden_and_reason_is_required():
    spec, _passing, failing, _en, _fr = CASES["min_companies"]
    [failure] = evaluate([spec], failing)
    assert not can_override(failure)
    problems = check_override(failure, "please")
    assert len(problems) == 1
    assert "cannot be overridden" in problems[0].render("en")
    assert "ne peut pas être levé" in problems[0].render("fr")
    [warning] = evaluate([{**spec, "severity": "warning"}], failing)
    assert [p.render("fr") for p in check_override(warning, "  ")] == [
        "Indiquez le motif de la levée de l'alerte."
    ]
    [passed] = evaluate([spec], BASE)
    assert not can_override(passed)
    assert check_override(passed, "reason")


def test_figures_carry_the_numbers_used():
    [companies, share] = evaluate(
        [
            {"rule": "min_companies", "params": {"min": 3}},
            {"rule": "territory_share", "params": {"min": "0.5"}},
        ],
        _with(
            **_parts(
                participation("lead", role="lead", budget={"staff": "300000"}, territory_share="1"),
                participation("b", budget={"staff": "100000"}, territory_share="0"),
                participation("lab", "hei", budget={"staff": "100000"}, territory_share="0"),
            )
        ),
    )
    assert companies.figures == {"count": 2, "min": 3, "orgs": ["lead", "b"]}
    assert share.figures["share"] == Decimal("0.6")  # budget-weighted: 300k of 500k
    assert share.status == "pass"


def test_lead_rule_fails_without_lead_or_with_two_leads():
    no_lead = _with(**_parts(participation("a"), participation("b")))
    two_leads = _with(**_parts(participation("a", role="lead"), participation("b", role="lead")))
    [r1] = evaluate([{"rule": "lead_is_company"}], no_lead)
    [r2] = evaluate([{"rule": "lead_is_company"}], two_leads)
    assert (r1.status, r2.status) == ("fail", "fail")
    assert "has no lead" in r1.message.render("en")
    assert "n'a pas de chef de file" in r1.message.render("fr")
    assert "exactly one" in r2.message.render("en")


def test_categories_are_parameters():
    facts = _with(
        **_parts(participation("lead", role="lead"), participation("b"), participation("t", "training"))
    )
    [default] = evaluate([{"rule": "min_research_bodies"}], facts)
    [narrow] = evaluate(
        [{"rule": "min_research_bodies", "params": {"research_categories": ["public_research"]}}], facts
    )
    assert default.status == "pass"
    assert narrow.status == "fail"
    consultancy_lead = _with(**_parts(participation("c", "consultancy", role="lead"), participation("b")))
    [strict] = evaluate([{"rule": "lead_is_company"}], consultancy_lead)
    [broad] = evaluate(
        [{"rule": "lead_is_company", "params": {"company_categories": ["company", "consultancy"]}}],
        consultancy_lead,
    )
    assert (strict.status, broad.status) == ("fail", "pass")


def test_ntbf_counts_as_company_and_public_controlled_firm_is_not_an_sme():
    facts = _with(
        **_parts(
            participation("lead", "ntbf", role="lead", size_class="micro"),
            participation("b", size_class="small", public_controlled=True),
        )
    )
    [companies, smes] = evaluate(
        [{"rule": "min_companies"}, {"rule": "sme_required", "params": {"min": 2}}], facts
    )
    assert companies.status == "pass"
    assert smes.status == "fail"
    assert smes.figures["orgs"] == ["lead"]


def test_labels_after_deadline_or_undated_do_not_count():
    late = _with(
        labels=(ClusterLabel("a", "labelled", datetime(2018, 3, 2)), ClusterLabel("b", "labelled", None))
    )
    [result] = evaluate([{"rule": "min_labels"}], late)
    assert result.status == "fail"
    assert result.figures["late"] == ["a"] and result.figures["undated"] == ["b"]
    [relaxed] = evaluate([{"rule": "min_labels", "params": {"before_deadline": False}}], late)
    assert relaxed.status == "pass" and relaxed.figures["count"] == 2
    on_time = _with(labels=(ClusterLabel("a", "labelled", DEADLINE),))
    assert evaluate([{"rule": "min_labels"}], on_time)[0].status == "pass"
    two = _with(labels=(ClusterLabel("a", "labelled", DEADLINE), ClusterLabel("b", "pending")))
    assert evaluate([{"rule": "min_labels", "params": {"min": 2}}], two)[0].status == "fail"


def test_budget_above_maximum():
    big = _with(**_parts(participation("lead", role="lead", budget={"staff": "6000000"})))
    [result] = evaluate([{"rule": "budget_bounds", "params": {"max": 5_000_000}}], big)
    assert result.status == "fail"
    assert "above the maximum of EUR 5,000,000" in result.message.render("en")
    assert "supérieur au maximum de 5\xa0000\xa0000" in result.message.render("fr")


def test_most_of_rd_is_strict_at_exactly_half():
    half = _with(
        **_parts(
            participation("lead", role="lead", territory_share="1"), participation("b", territory_share="0")
        )
    )
    [strict] = evaluate([{"rule": "territory_share", "params": {"min": "0.5", "strict": True}}], half)
    [at_least] = evaluate([{"rule": "territory_share", "params": {"min": "0.5"}}], half)
    assert (strict.status, at_least.status) == ("fail", "pass")
    assert "more than 50.0 %" in strict.message.render("en")


def test_territory_rule_fails_without_budget_and_lead_cluster_rule_without_lead_cluster():
    empty = _with(**_parts(participation("lead", role="lead", budget={})))
    [share] = evaluate([{"rule": "territory_share", "params": {"min": "0.5"}}], empty)
    assert share.status == "fail" and share.figures["share"] is None
    no_lead_cluster = _with(lead_cluster_id=None)
    [lead_share] = evaluate([{"rule": "lead_cluster_share", "params": {"min": "0.25"}}], no_lead_cluster)
    assert lead_share.status == "fail"
    assert "ne désigne pas de pôle chef de file" in lead_share.message.render("fr")


def test_duplicates():
    mine = BASE.fingerprint()
    assert mine.title_key == "capteurs eco concus"
    other_call_same_lead = SubmissionFingerprint(
        "p2", "other", "lead", mine.title_key, frozenset({"lead", "zz"})
    )
    other_call_same_consortium = SubmissionFingerprint("p3", "other", "big", mine.title_key, mine.consortium)
    itself = replace(mine)
    rule = [{"rule": "no_duplicate"}]
    assert evaluate(rule, _with(other_submissions=(other_call_same_lead, itself)))[0].status == "pass"
    [dup] = evaluate(rule, _with(other_submissions=(other_call_same_consortium,)))
    assert dup.status == "fail"
    assert dup.figures["duplicates"] == [
        {"submission": "p3", "call": "other", "reason": "same_consortium_title"}
    ]


def test_results_follow_rule_order_and_verdict():
    rules = [
        {"rule": "min_companies", "params": {"min": 5}, "severity": "warning"},
        {"rule": "lead_is_company"},
    ]
    results = evaluate(rules, BASE)
    assert [(r.index, r.rule, r.status) for r in results] == [
        (0, "min_companies", "warning"),
        (1, "lead_is_company", "pass"),
    ]
    assert verdict(results) == "warnings"
    assert verdict(results, overridden=[0]) == "eligible"
    results = evaluate([*rules, {"rule": "min_companies", "params": {"min": 5}}], BASE)
    assert verdict(results, overridden=[0]) == "ineligible"


@pytest.mark.parametrize("preset", [FUI_CLASSIC, FUI_25], ids=["classic", "fui25"])
def test_presets_accept_an_eligible_proposal(preset):
    results = evaluate(preset["rules"], BASE)
    assert [r.rule for r in results if not r.passed] == []
    assert verdict(results) == "eligible"


def test_fui25_needs_a_quarter_in_the_lead_cluster_territory_classic_does_not():
    facts = _with(
        **_parts(
            participation("lead", role="lead", lead_cluster_share="0.2"),
            participation("big", size_class="large", lead_cluster_share="0.2"),
            participation("lab", "public_research", lead_cluster_share="0.2"),
        )
    )
    assert verdict(evaluate(FUI_CLASSIC["rules"], facts)) == "eligible"
    assert [r.rule for r in evaluate(FUI_25["rules"], facts) if not r.passed] == ["lead_cluster_share"]


# --------------------------------------------------------------------------- rule-set validation


def test_valid_rule_sets_have_no_errors():
    assert validate_rules(FUI_CLASSIC["rules"]) == []
    assert validate_rules([{"rule": "min_companies"}]) == []  # params and severity have defaults


@pytest.mark.parametrize(
    ("rules", "en_words", "fr_words"),
    [
        ({"rule": "min_companies"}, "must be a list", "doit être une liste"),
        ([{"rule": "nope"}], 'unknown rule code "nope"', "code de règle inconnu « nope »"),
        ([{"rule": "min_companies", "severity": "blocking"}], "severity must be", "la gravité doit être"),
        (
            [{"rule": "territory_share"}],
            'parameter "min" is required',
            "le paramètre « min » est obligatoire",
        ),
        (
            [{"rule": "territory_share", "params": {"min": "1.5"}}],
            "a fraction between 0 and 1",
            "une fraction entre 0 et 1",
        ),
        ([{"rule": "min_companies", "params": {"min": -1}}], "a whole number", "un nombre entier"),
        ([{"rule": "min_companies", "params": {"min": True}}], "a whole number", "un nombre entier"),
        (
            [{"rule": "min_companies", "params": {"minimum": 2}}],
            'unknown parameter "minimum"',
            "paramètre inconnu « minimum »",
        ),
        (
            [{"rule": "min_companies", "params": {"company_categories": ["firm"]}}],
            "category codes",
            "codes de catégorie",
        ),
        (
            [{"rule": "budget_bounds", "params": {"min": 5, "max": 1}}],
            "minimum exceeds the maximum",
            "le minimum dépasse le maximum",
        ),
        (
            [{"rule": "budget_bounds", "params": {}}],
            "give a minimum, a maximum or both",
            "indiquez un minimum",
        ),
        ([{"rule": "min_companies", "extra": 1}], "unknown keys: extra", "clés inconnues : extra"),
        (["min_companies"], "is not an object", "n'est pas un objet"),
        ([{"rule": "min_companies", "params": [2]}], "params must be an object", "params doit être un objet"),
    ],
)
def test_invalid_rule_sets_are_explained_in_both_languages(rules, en_words, fr_words):
    errors = validate_rules(rules)
    assert len(errors) >= 1
    assert any(en_words in e.render("en") for e in errors), [e.render("en") for e in errors]
    assert any(fr_words in e.render("fr") for e in errors), [e.render("fr") for e in errors]
    with pytest.raises(InvalidRuleSet) as caught:
        evaluate(rules, BASE)
    assert caught.value.errors


def test_json_numbers_and_strings_are_both_accepted():
    as_string = evaluate([{"rule": "territory_share", "params": {"min": "0.5"}}], BASE)[0]
    as_number = evaluate([{"rule": "territory_share", "params": {"min": 0.5}}], BASE)[0]
    assert as_string.figures["min"] == as_number.figures["min"] == Decimal("0.5")
