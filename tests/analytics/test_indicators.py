"""The indicator engine on hand-made frames: every figure checked against a sum done by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.analytics import indicators as ind

COMPANIES = {"company", "ntbf"}
RESEARCH = {"public_research", "hei_research", "hei"}


def kind(category, size, public=False):
    return ind.partner_kind(category, size, public, companies=COMPANIES, research=RESEARCH)


def test_partner_kind_follows_the_sme_definition():
    assert kind("company", "micro") == ind.SME
    assert kind("ntbf", "medium") == ind.SME
    # 25 % or more held by public bodies: not an SME, whatever its size
    assert kind("company", "small", public=True) == ind.COMPANY
    assert kind("company", "mid") == ind.MID
    assert kind("company", "large") == ind.LARGE
    assert kind("company", "") == ind.COMPANY
    assert kind("hei", "") == ind.RESEARCH
    assert kind("training", "") == ind.OTHER


def sample_data() -> ind.DashboardData:
    """Three funded projects and one rejected one, with four funders' decisions."""
    projects = pd.DataFrame(
        [
            (1, 2008, 10, True, True, True),
            (2, 2008, 10, True, True, True),
            (3, 2009, 11, True, True, True),
            (4, 2009, 11, True, False, False),
            (5, 2009, 11, False, False, False),  # a draft: never submitted
        ],
        columns=ind.PROJECT_COLUMNS,
    )
    participations = pd.DataFrame(
        [
            (101, 1, 1001, ind.SME, True, 1_000_000.0, "84", "38"),
            (102, 1, 1002, ind.RESEARCH, False, 500_000.0, "84", "38"),
            (103, 1, 1003, ind.LARGE, True, 2_000_000.0, "11", "75"),
            (201, 2, 1001, ind.SME, True, 400_000.0, "84", "38"),
            (202, 2, 1004, ind.MID, True, 600_000.0, "84", "69"),
            (301, 3, 1005, ind.RESEARCH, False, 300_000.0, "11", "91"),
            (302, 3, 1006, ind.SME, True, 200_000.0, "11", "91"),
            (401, 4, 1007, ind.SME, True, 999_999.0, "84", "38"),
        ],
        columns=ind.PARTICIPATION_COLUMNS,
    )
    decisions = pd.DataFrame(
        [
            (101, 1, 1, 450_000.0),
            (101, 1, 2, 100_000.0),
            (102, 1, 1, 200_000.0),
            (103, 1, 1, 500_000.0),
            (201, 2, 1, 180_000.0),
            (202, 2, 1, 180_000.0),
            (301, 3, 3, 120_000.0),
            (302, 3, 3, 90_000.0),
            (401, 4, 1, 7_777.0),  # on a rejected project: never counted
        ],
        columns=ind.DECISION_COLUMNS,
    )
    return ind.DashboardData(projects, participations, decisions)


def test_aid_by_funder_year_kind_and_territory():
    rows = ind.aid_rows(sample_data())
    assert rows["amount"].sum() == 1_820_000
    assert ind.aid_by(rows, "funder_id").to_dict() == {1: 1_510_000, 3: 210_000, 2: 100_000}
    assert ind.aid_by(rows, "year").to_dict() == {2008: 1_610_000, 2009: 210_000}
    assert list(ind.aid_by(rows, "year").index) == [2008, 2009]
    by_kind = ind.aid_by(rows, "kind").to_dict()
    assert by_kind == {ind.SME: 820_000, ind.LARGE: 500_000, ind.RESEARCH: 320_000, ind.MID: 180_000}
    assert ind.aid_by(rows, "region").to_dict() == {"84": 1_110_000, "11": 710_000}
    table = ind.aid_by_year_and_kind(rows)
    assert table.loc[2008, ind.SME] == 730_000 and table.loc[2009, ind.SME] == 90_000
    assert table.to_numpy().sum() == 1_820_000


def test_sme_share_and_consortium_mix():
    data = sample_data()
    rows = ind.aid_rows(data)
    assert ind.sme_share(rows) == pytest.approx(820_000 / 1_820_000)
    mix = ind.consortium_mix(data)
    # project 1 has research + SME + large; project 3 research + SME; project 2 no research
    assert (mix.projects, mix.research_sme_large, mix.research_sme) == (3, 1, 2)
    assert mix.triple_share == pytest.approx(1 / 3)
    assert mix.research_sme_share == pytest.approx(2 / 3)


def test_leverage_counts_companies_own_share_only():
    data = sample_data()
    lev = ind.leverage(data)
    # companies: 101 1.0M - 550k; 103 2.0M - 500k; 201 400k - 180k; 202 600k - 180k; 302 200k - 90k
    assert lev.private_own == 450_000 + 1_500_000 + 220_000 + 420_000 + 110_000
    assert lev.public == 1_820_000
    assert lev.private_raised is None
    assert lev.ratio == pytest.approx(2_700_000 / 1_820_000)
    data.private_raised = 300_000.0
    assert ind.leverage(data).ratio == pytest.approx(3_000_000 / 1_820_000)


def test_selection_rates_exclude_drafts():
    data = sample_data()
    by_call = ind.selection_rates(data.projects, "call_id").set_index("call_id")
    assert by_call.loc[10, ["submitted", "selected", "funded"]].tolist() == [2, 2, 2]
    assert by_call.loc[11, ["submitted", "selected", "funded"]].tolist() == [2, 1, 1]
    assert by_call.loc[11, "rate"] == pytest.approx(0.5)
    assert ind.overall_selection_rate(data.projects) == pytest.approx(3 / 4)


def test_outputs_per_million_use_quantities_for_jobs_and_money():
    outputs = pd.DataFrame(
        [(1, "patent_filed", None), (1, "patent_filed", None), (2, "jobs", 2.5), (3, "jobs", 1.5),
         (3, "private_funding", 400_000.0)],
        columns=ind.OUTPUT_COLUMNS,
    )  # fmt: skip
    table = ind.outputs_per_million(outputs, 2_000_000.0).set_index("kind")
    assert table.loc["patent_filed", "per_million"] == pytest.approx(1.0)
    assert table.loc["jobs", "per_million"] == pytest.approx(2.0)
    assert table.loc["private_funding", "per_million"] == pytest.approx(200_000.0)
    assert ind.outputs_per_million(None, 1.0) is None
    assert ind.outputs_per_million(outputs, 0.0) is None


def test_nothing_to_count_gives_none_not_zero():
    empty = ind.DashboardData.empty()
    figures = ind.headline(empty)
    assert figures.aid == 0 and figures.funded_projects == 0
    assert figures.sme_share is None
    assert figures.mix.triple_share is None
    assert figures.leverage.ratio is None
    assert figures.selection_rate is None


amounts = st.lists(
    st.tuples(
        st.sampled_from(list(ind.PARTNER_KINDS)),
        st.integers(1, 5),
        st.floats(0, 5e6, allow_nan=False, allow_subnormal=False),
        st.floats(0, 5e6, allow_nan=False, allow_subnormal=False),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(amounts)
def test_aid_totals_agree_whatever_the_rows(rows):
    participations = pd.DataFrame(
        [(i, project, i, k, k in (ind.SME, ind.MID, ind.LARGE, ind.COMPANY), cost, "84", "38")
         for i, (k, project, cost, _aid) in enumerate(rows)],
        columns=ind.PARTICIPATION_COLUMNS,
    )  # fmt: skip
    decisions = pd.DataFrame(
        [(i, project, 1 + i % 3, aid) for i, (_k, project, _c, aid) in enumerate(rows)],
        columns=ind.DECISION_COLUMNS,
    )
    projects = pd.DataFrame(
        [(p, 2000 + p, 1, True, True, True) for p in range(1, 6)], columns=ind.PROJECT_COLUMNS
    )
    data = ind.DashboardData(projects, participations, decisions)
    aid = ind.aid_rows(data)
    total = sum(r[3] for r in rows)
    for key in ("funder_id", "year", "kind", "region"):
        assert ind.aid_by(aid, key).sum() == pytest.approx(total)
    share = ind.sme_share(aid)
    assert share is None or 0 <= share <= 1 + 1e-12
    lev = ind.leverage(data, aid)
    assert lev.private_own >= 0
    assert lev.ratio is None or (lev.ratio >= 0 and math.isfinite(lev.ratio))
