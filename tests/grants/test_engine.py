"""The follow-up engine on plain data: schedules, splits, conditions, payment checks (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.grants import engine

shares_strategy = st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=6).filter(
    lambda xs: sum(xs) > 0
)


@given(amount=st.integers(min_value=0, max_value=10**10), weights=shares_strategy)
@settings(max_examples=300, deadline=None)
def test_split_adds_up_exactly_and_stays_within_a_euro(amount, weights):
    shares = [Decimal(w) / Decimal(sum(weights)) for w in weights]
    parts = engine.split(amount, shares)
    assert sum(parts) == amount
    for share, part in zip(shares, parts, strict=True):
        assert part == part.to_integral_value() and part >= 0
        assert abs(part - share * amount) < 1
        if share == 0:
            assert part == 0


def test_schedule_parsing_and_its_errors():
    tranches = engine.parse_schedule(
        {"advance": 0.3, "intermediate": [0.2, 0.2], "balance": 0.3, "per_partner": True}
    )
    assert [(t.kind, t.progress_reports_needed) for t in tranches] == [
        ("advance", 0), ("intermediate", 1), ("intermediate", 2), ("balance", 0),
    ]  # fmt: skip
    assert [t.kind for t in engine.parse_schedule({})] == ["advance", "intermediate", "balance"]
    for bad, code in [
        ({"advance": 0.5, "balance": 0.4}, "shares_do_not_add_up"),
        ({"advance": 1.0}, "no_balance"),
        ({"advance": -0.1, "balance": 1.1}, "share_out_of_range"),
        ({"advance": "x", "balance": 1}, "not_a_number"),
    ]:
        with pytest.raises(engine.ScheduleError) as exc:
            engine.parse_schedule(bad)
        assert exc.value.code == code


@pytest.mark.parametrize(
    "kind, needed, facts, expected",
    [
        ("advance", 0, engine.Conditions(signed=False), "agreement_not_signed"),
        ("advance", 0, engine.Conditions(signed=True), None),
        ("intermediate", 1, engine.Conditions(signed=True), "progress_report_not_approved"),
        ("intermediate", 1, engine.Conditions(signed=True, approved_progress_reports=1), None),
        (
            "intermediate",
            2,
            engine.Conditions(signed=True, approved_progress_reports=1),
            "progress_report_not_approved",
        ),
        ("intermediate", 2, engine.Conditions(signed=True, final_report_approved=True), None),
        (
            "balance",
            0,
            engine.Conditions(signed=True, approved_progress_reports=3),
            "final_report_not_approved",
        ),
        ("balance", 0, engine.Conditions(signed=True, final_report_approved=True), None),
        (
            "balance",
            0,
            engine.Conditions(signed=True, final_report_approved=True, terminated=True),
            "agreement_terminated",
        ),
    ],
)
def test_conditions(kind, needed, facts, expected):
    assert engine.unmet_condition(kind, needed, facts) == expected


def test_payment_refusals():
    kw = {"instalment_amount": Decimal(300), "instalment_paid": Decimal(0), "decision_amount": Decimal(1000)}
    assert engine.payment_refusal(Decimal(300), decision_paid=Decimal(0), **kw) is None
    assert engine.payment_refusal(Decimal(0), decision_paid=Decimal(0), **kw) == "not_positive"
    assert engine.payment_refusal(Decimal("0.001"), decision_paid=Decimal(0), **kw) == "below_cent"
    assert engine.payment_refusal(Decimal(301), decision_paid=Decimal(0), **kw) == "exceeds_instalment"
    assert engine.payment_refusal(Decimal(300), decision_paid=Decimal(800), **kw) == "exceeds_decision"


def test_report_schedule_yearly_and_at_least_one_per_intermediate():
    slots = engine.report_schedule(dt.date(2011, 1, 1), 36, 1)
    assert [(s.kind, s.number) for s in slots] == [("progress", 1), ("progress", 2), ("final", 1)]
    assert slots[0].period_end == dt.date(2011, 12, 31) and slots[0].due_on == dt.date(2012, 2, 29)
    assert slots[-1].period_end == dt.date(2013, 12, 31) and slots[-1].due_on == dt.date(2014, 3, 31)
    short = engine.report_schedule(dt.date(2011, 1, 31), 12, 2)
    assert [s.kind for s in short] == ["progress", "progress", "final"]
    assert short[0].period_start == dt.date(2011, 1, 31)
    assert all(a.period_end < b.period_end for a, b in zip(short, short[1:], strict=False))


@given(
    decided=st.integers(min_value=0, max_value=5_000_000),
    weights=shares_strategy,
    attempts=st.lists(
        st.tuples(st.integers(0, 10), st.decimals(min_value=-5, max_value=6_000_000, places=2)), max_size=40
    ),
)
@settings(max_examples=300, deadline=None)
def test_engine_checks_keep_every_decision_reconciled(decided, weights, attempts):
    """Apply the engine's payment check to random attempts: what it accepts never breaks the books."""
    amounts = engine.split(decided, [Decimal(w) for w in weights])
    paid = [Decimal(0)] * len(amounts)
    for index, amount in attempts:
        i = index % len(amounts)
        refusal = engine.payment_refusal(
            amount, instalment_amount=amounts[i], instalment_paid=paid[i], decision_amount=Decimal(decided),
            decision_paid=sum(paid),
        )  # fmt: skip
        if refusal is None:
            paid[i] += amount
        else:
            assert refusal in {"not_positive", "below_cent", "exceeds_decision", "exceeds_instalment"}
        rec = engine.reconcile(Decimal(decided), [(a, p, False) for a, p in zip(amounts, paid, strict=True)])
        assert (
            rec.balanced and rec.paid <= decided and all(p <= a for a, p in zip(amounts, paid, strict=True))
        )
