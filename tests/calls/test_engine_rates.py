"""Aid-rate tables and aid decisions: lookups, caps, rounding, reconciliation (with hypothesis)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poles.calls.engine import FUI_25, FUI_CLASSIC
from poles.calls.engine.facts import ProposalFacts
from poles.calls.engine.rates import (
    DecisionError,
    RateError,
    compute_aid,
    decide,
    funder_totals,
    lookup_rate,
    partner_groups,
    reconcile,
    validate_rate_table,
)
from tests.calls.conftest import participation


def _rate(preset, **kwargs):
    return lookup_rate(preset["rates"], "state", participation("x", **kwargs)).rate


@pytest.mark.parametrize(
    ("kwargs", "classic", "fui25"),
    [
        ({"size_class": "small"}, "0.45", "0.50"),
        ({"size_class": "micro", "in_territory": False}, "0.30", "0.35"),
        ({"category": "ntbf", "size_class": "medium"}, "0.45", "0.50"),
        ({"size_class": "mid"}, "0.30", "0.35"),
        ({"size_class": "mid", "in_territory": False}, "0.30", "0.35"),
        ({"size_class": "large"}, "0.25", "0.30"),
        ({"size_class": "small", "public_controlled": True}, "0.30", "0.35"),  # not an SME: ETI
        ({"category": "public_research"}, "0.40", "0.40"),
        ({"category": "hei_research", "cost_basis": "additional"}, "1.00", "1.00"),
        ({"category": "training", "cost_basis": "full"}, "0.40", "0.40"),
    ],
)
def test_preset_rates_follow_policy(kwargs, classic, fui25):
    assert _rate(FUI_CLASSIC, **kwargs) == Decimal(classic)
    assert _rate(FUI_25, **kwargs) == Decimal(fui25)


def test_partner_groups():
    assert partner_groups(participation("a", size_class="small")) == {"company", "sme"}
    assert partner_groups(participation("a", size_class=None)) == {"company"}
    assert partner_groups(participation("a", "hei")) == {"lab"}
    assert partner_groups(participation("a", "local_authority")) == {"other"}


def test_no_matching_row_is_an_error_in_both_languages():
    with pytest.raises(RateError) as caught:
        lookup_rate(FUI_CLASSIC["rates"], "state", participation("cci", "business_org", name="CCI Grenoble"))
    assert "no rate from state for CCI Grenoble" in caught.value.message.render("en")
    assert (
        "aucun taux de state pour CCI Grenoble (organisation professionnelle"
        in caught.value.message.render("fr")
    )
    with pytest.raises(RateError):
        lookup_rate(FUI_CLASSIC["rates"], "region", participation("a"))


def test_most_specific_row_wins_and_ties_are_errors():
    table = [
        {"funder": "region", "group": "company", "rate": "0.20"},
        {"funder": "region", "group": "sme", "rate": "0.30"},
        {"funder": "region", "category": "ntbf", "rate": "0.40", "form": "advance"},
        {"funder": "region", "group": "sme", "territory": "outside", "rate": "0.10"},
    ]
    assert lookup_rate(table, "region", participation("a", size_class="large")).rate == Decimal("0.20")
    assert lookup_rate(table, "region", participation("a", size_class="small")).rate == Decimal("0.30")
    assert lookup_rate(
        table, "region", participation("a", size_class="small", in_territory=False)
    ).rate == Decimal("0.10")
    row = lookup_rate(table, "region", participation("a", "ntbf", size_class="small", in_territory=False))
    assert (row.rate, row.form, row.index) == (
        Decimal("0.40"),
        "advance",
        2,
    )  # category beats group + territory
    territory_then_basis = [
        {"funder": "region", "territory": "inside", "rate": "0.2"},
        {"funder": "region", "cost_basis": "full", "rate": "0.3"},
    ]
    assert lookup_rate(territory_then_basis, "region", participation("a", "hei")).rate == Decimal("0.2")


def test_equally_specific_rows_are_ambiguous():
    # Only duplicates can tie; validation refuses them, and a lookup on an unvalidated table says so.
    from poles.calls.engine.rates import RateRow

    rows = [
        RateRow(index=0, funder="region", rate=Decimal("0.2"), group="lab"),
        RateRow(index=1, funder="region", rate=Decimal("0.3"), group="lab"),
    ]
    with pytest.raises(RateError) as caught:
        lookup_rate(rows, "region", participation("a", "hei", name="Lab"))
    assert "Rate rows 1, 2 give different rates from region for Lab" in caught.value.message.render("en")
    assert "Les lignes de taux 1, 2 donnent des taux différents" in caught.value.message.render("fr")


@pytest.mark.parametrize(
    ("table", "en_words", "fr_words"),
    [
        ({"funder": "state"}, "must be a list", "doit être une liste"),
        ([{"funder": "state", "rate": "45"}], "a fraction between 0 and 1", "une fraction entre 0 et 1"),
        ([{"funder": "state", "rate": True}], "a fraction between 0 and 1", "une fraction entre 0 et 1"),
        ([{"rate": "0.4"}], "names no funder", "ne désigne aucun financeur"),
        (
            [{"funder": "state", "rate": "0.4", "group": "pme"}],
            '"pme" is not a valid group',
            "« pme » n'est pas",
        ),
        ([{"funder": "state", "rate": "0.4", "form": "loan"}], 'not "loan"', "et non « loan »"),
        (
            [{"funder": "state", "rate": "0.4", "colour": 1}],
            "unknown keys: colour",
            "clés inconnues : colour",
        ),
        (
            [
                {"funder": "state", "rate": "0.4", "group": "sme"},
                {"funder": "state", "rate": "0.5", "group": "sme"},
            ],
            "Rate rows 1 and 2 apply to the same partners",
            "visent les mêmes partenaires",
        ),
    ],
)
def test_invalid_rate_tables(table, en_words, fr_words):
    errors = validate_rate_table(table)
    assert any(en_words in e.render("en") for e in errors), [e.render("en") for e in errors]
    assert any(fr_words in e.render("fr") for e in errors), [e.render("fr") for e in errors]


def test_presets_rate_tables_are_valid():
    assert validate_rate_table(FUI_CLASSIC["rates"]) == []
    assert validate_rate_table(FUI_25["rates"]) == []


def test_compute_aid_rounds_down_and_applies_caps():
    aid = compute_aid(Decimal("1001"), Decimal("0.45"))
    assert (aid.uncapped, aid.amount, aid.capped_by) == (Decimal("450.45"), 450, "rate")
    assert compute_aid(Decimal("3"), Decimal("0.25")).amount == 0  # 0.75 EUR never rounds up to 1
    capped = compute_aid(
        Decimal("1000000"), Decimal("0.45"), {"per_partner": Decimal("300000"), "requested": None}
    )
    assert (capped.amount, capped.capped_by) == (300000, "per_partner")
    asked = compute_aid(
        Decimal("1000000"), Decimal("0.45"), {"per_partner": 400000, "requested": "350000.60"}
    )
    assert (asked.amount, asked.capped_by) == (350000, "requested")
    with pytest.raises(ValueError):
        compute_aid(Decimal("-1"), Decimal("0.45"))


def _project(pid: str, *parts) -> ProposalFacts:
    return ProposalFacts(proposal_id=pid, call_id="c", title=pid, participations=parts)


def test_decide_per_funder_and_partner_with_totals():
    table = [
        *FUI_CLASSIC["rates"],
        {"funder": "region", "group": "company", "rate": "0.10", "form": "advance"},
        {"funder": "region", "group": "lab", "rate": "0.05"},
    ]
    p1 = _project(
        "p1",
        participation(
            "sme",
            role="lead",
            budget={"staff": "600000", "equipment": "33333.33"},
            aid_requested={"state": "400000", "region": "80000"},
        ),
        participation(
            "lab",
            "public_research",
            budget={"staff": "300000"},
            aid_requested={"state": "120000", "region": "0"},
        ),
    )
    p2 = _project(
        "p2",
        participation(
            "big",
            role="lead",
            size_class="large",
            budget={"staff": "1000000"},
            aid_requested={"state": "250000"},
        ),
    )
    result = decide([p1, p2], table, eligible_costs={("p2", "big", "state"): Decimal("800000")})
    got = {(d.proposal_id, d.org_id, d.funder): (d.amount, d.form) for d in result.decisions}
    assert got == {
        ("p1", "sme", "state"): (284999, "grant"),  # 45 % of 633,333.33 = 284,999.9985, rounded down
        ("p1", "sme", "region"): (63333, "advance"),
        ("p1", "lab", "state"): (120000, "grant"),  # region: nothing requested, no decision
        ("p2", "big", "state"): (200000, "grant"),  # officer cut the eligible cost to 800,000
    }
    assert result.totals == {"region": 63333, "state": 604999}
    assert result.project_totals == {
        ("p1", "state"): 404999,
        ("p1", "region"): 63333,
        ("p2", "state"): 200000,
    }
    assert reconcile(result.decisions, result.totals) == []
    json.dumps([d.as_dict() for d in result.decisions])
    [explained] = [d.explain() for d in result.decisions if (d.org_id, d.funder) == ("sme", "state")]
    assert "45.0 % of EUR 633,333.33 of eligible cost gives EUR 284,999 as a grant" in explained.render("en")
    assert (
        "45,0 % de 633\xa0333,33 EUR de coûts éligibles donnent 284\xa0999 EUR sous forme de subvention"
        in (explained.render("fr"))
    )


def test_project_cap_is_shared_pro_rata_in_whole_euros():
    parts = [
        participation(
            f"o{i}",
            role="lead" if i == 0 else "partner",
            budget={"staff": str(100000 + i * 33333)},
            aid_requested={"state": "1000000"},
        )
        for i in range(3)
    ]
    result = decide([_project("p", *parts)], FUI_CLASSIC["rates"], caps={"state": {"per_project": "100000"}})
    assert result.project_totals[("p", "state")] == 100000
    for decision in result.decisions:
        assert "per_project" in decision.capped_by
        assert decision.amount <= decision.uncapped
        assert abs(decision.amount - decision.exact) < 1


def test_decide_lists_every_partner_without_a_rate():
    project = _project(
        "p",
        participation("cci", "business_org", aid_requested={"state": "1000"}),
        participation("city", "local_authority", aid_requested={"state": "1000"}),
    )
    with pytest.raises(DecisionError) as caught:
        decide([project], FUI_25["rates"])
    assert len(caught.value.errors) == 2
    with pytest.raises(DecisionError):
        decide([project], FUI_25["rates"], caps={"state": {"per_partner": "-5"}})


def test_reconcile_reports_a_mismatch_in_both_languages():
    project = _project("p", participation("a", aid_requested={"state": "1000"}))
    result = decide([project], FUI_25["rates"])
    [problem] = reconcile(result.decisions, {"state": result.totals["state"] + 1})
    assert "is EUR 1,001 but its decisions add up to EUR 1,000" in problem.render("en")
    assert "est de 1\xa0001 EUR mais ses décisions totalisent 1\xa0000 EUR" in problem.render("fr")


# --------------------------------------------------------------------------- properties

money = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def selections(draw):
    """Random selections: projects of random partners, two funders with random rate tables and caps."""
    funders = ["state", "region"]
    table = []
    for funder in funders:
        for group in ("sme", "mid", "large", "lab", "other"):
            for territory in ("inside", "outside"):
                table.append(
                    {
                        "funder": funder,
                        "group": group,
                        "territory": territory,
                        "rate": str(draw(rates)),
                        "form": draw(st.sampled_from(["grant", "advance"])),
                    }
                )
    caps = {
        funder: {
            "per_partner": draw(st.none() | money.map(str)),
            "per_project": draw(st.none() | money.map(str)),
        }
        for funder in funders
    }
    projects = []
    for p in range(draw(st.integers(1, 4))):
        parts = []
        for i in range(draw(st.integers(1, 5))):
            category = draw(st.sampled_from(["company", "ntbf", "hei", "public_research", "consultancy"]))
            size = (
                draw(st.sampled_from(["micro", "small", "medium", "mid", "large"]))
                if category in ("company", "ntbf")
                else None
            )
            requested = {funder: draw(money) for funder in draw(st.sets(st.sampled_from(funders)))}
            parts.append(
                participation(
                    f"o{i}",
                    category,
                    role="lead" if i == 0 else "partner",
                    size_class=size,
                    budget={"staff": draw(money), "other": draw(money)},
                    in_territory=draw(st.booleans()),
                    public_controlled=draw(st.booleans()),
                    aid_requested=requested,
                )
            )
        projects.append(_project(f"p{p}", *parts))
    return projects, table, caps


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(selections())
def test_aid_properties(selection):
    projects, table, caps = selection
    result = decide(projects, table, caps=caps)
    requested = {
        (p.proposal_id, part.org_id, f): amount
        for p in projects
        for part in p.participations
        for f, amount in part.aid_requested.items()
    }
    for d in result.decisions:
        assert d.amount >= 0 and d.exact >= 0  # no negative amount
        assert d.amount <= d.rate * d.eligible_cost  # never above rate x eligible cost
        assert abs(d.amount - d.exact) < 1  # rounding moves less than 1 EUR
        assert d.amount <= requested[(d.proposal_id, d.org_id, d.funder)]
        limit = caps[d.funder]["per_partner"]
        assert limit is None or d.amount <= Decimal(limit)
    # Per-funder totals are exactly the sums of the decisions ...
    assert result.totals == funder_totals(result.decisions)
    for funder in ("state", "region"):
        assert result.totals.get(funder, 0) == sum(d.amount for d in result.decisions if d.funder == funder)
    # ... and so are per-project totals, which stay within the project cap.
    for (pid, funder), total in result.project_totals.items():
        assert total == sum(d.amount for d in result.decisions if (d.proposal_id, d.funder) == (pid, funder))
        limit = caps[funder]["per_project"]
        assert limit is None or total <= Decimal(limit)
    assert sum(result.totals.values()) == sum(result.project_totals.values())
    assert reconcile(result.decisions, result.totals) == []


@settings(max_examples=300, deadline=None)
@given(money, rates, st.none() | money, st.none() | money)
def test_compute_aid_properties(cost, rate, cap, requested):
    aid = compute_aid(cost, rate, {"per_partner": cap, "requested": requested})
    assert 0 <= aid.amount <= rate * cost
    assert 0 <= aid.exact - aid.amount < 1
    bounds = [rate * cost] + [c for c in (cap, requested) if c is not None]
    assert aid.exact == min(bounds)
