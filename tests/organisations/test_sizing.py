from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.organisations import sizing
from poles.organisations.sizing import Figures, Stake

M = Decimal(1_000_000)


def fig(head, turnover, balance=None):
    return Figures(Decimal(head), Decimal(turnover), None if balance is None else Decimal(balance))


def test_eu_and_french_classes_on_the_ceilings():
    assert sizing.eu_class_of_year(fig(9, 2 * M)) == "micro"
    assert sizing.eu_class_of_year(fig(10, 2 * M)) == "small"  # headcount is "strictly below"
    assert sizing.eu_class_of_year(fig(49, 10 * M)) == "small"
    assert sizing.eu_class_of_year(fig(49, 11 * M, 9 * M)) == "small"  # balance sheet within ceiling
    assert sizing.eu_class_of_year(fig(249, 60 * M, 44 * M)) == "large"  # both money ceilings exceeded
    assert sizing.eu_class_of_year(fig(249, 60 * M, 43 * M)) == "medium"
    assert sizing.fr_class_of_year(fig(4999, 1500 * M)) == "eti"
    assert sizing.fr_class_of_year(fig(5000, 100 * M)) == "ge"
    assert sizing.eu_class_of_year(Figures(None, Decimal(1), None)) is None


def test_public_control_makes_a_firm_not_an_sme():
    assert sizing.eu_class_of_year(fig(20, 3 * M), Decimal(25)) == "large"
    assert sizing.eu_class_of_year(fig(20, 3 * M), Decimal("24.99")) == "small"
    assert sizing.unified_class("large", sizing.fr_class_of_year(fig(20, 3 * M), Decimal(30))) == "mid"


def test_linked_count_in_full_and_partners_pro_rata():
    own = fig(30, 5 * M, 5 * M)
    linked = Stake(fig(100, 20 * M, 20 * M), Decimal(60))
    partner = Stake(fig(100, 20 * M, 20 * M), Decimal(30))
    below = Stake(fig(1000, 200 * M, 200 * M), Decimal(20))
    total = sizing.consolidate(own, [linked, partner, below])
    assert total.headcount == Decimal(30 + 100 + 30)
    assert total.turnover == 5 * M + 20 * M + 6 * M


def test_two_consecutive_years_rule():
    raw = {2010: "small", 2011: "medium", 2012: "small", 2013: "medium", 2014: "medium", 2015: "small"}
    assert sizing.apply_two_year_rule(raw, sizing.EU_ORDER) == {
        2010: "small", 2011: "small", 2012: "small", 2013: "small", 2014: "medium", 2015: "medium",
    }  # fmt: skip
    # Two years above, by different margins: moves to the nearer class.
    assert sizing.apply_two_year_rule({1: "micro", 2: "large", 3: "medium"}, sizing.EU_ORDER)[3] == "medium"


def test_classify_years_unified():
    years = {2020: fig(300, 80 * M, 80 * M), 2021: fig(300, 80 * M, 80 * M)}
    assert sizing.classify_years(years)[2021] == ("large", "eti", "mid")


headcounts = st.one_of(st.none(), st.integers(0, 8000))
money = st.one_of(st.none(), st.integers(0, 3_000_000_000))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(headcounts, money, money), min_size=1, max_size=8), st.sampled_from([0, 10, 30]))
def test_vectorised_classification_equals_the_scalar_one(rows, public):
    expected = sizing.classify_years(
        {
            year: Figures(
                None if h is None else Decimal(h),
                None if t is None else Decimal(t),
                None if b is None else Decimal(b),
            )
            for year, (h, t, b) in enumerate(rows)
        },
        Decimal(public),
    )
    as_array = lambda i: np.array([[np.nan if r[i] is None else r[i] for r in rows]], dtype=float)  # noqa: E731
    eu, fr, unified = sizing.classify_arrays(as_array(0), as_array(1), as_array(2), [public])
    for year in range(len(rows)):
        assert (eu[0, year] or None, fr[0, year] or None, unified[0, year] or None) == expected[year]
