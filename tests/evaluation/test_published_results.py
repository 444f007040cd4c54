"""The estimators reproduce published results on public benchmark data shipped in PyPI packages.

Tolerances: point estimates to the printed precision of the publication (half a unit of the last printed
digit); standard errors within 10 % where the publication used a bootstrap (1,000 multiplier draws in R
`did`), to the printed precision where it used the same analytic formula.
"""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from poles.evaluation.estimators import (
    PanelSpec,
    aggregate,
    estimate_group_time,
    matched_did,
    twfe_event_study,
    validate_panel,
)

from .conftest import MPDTA_SPEC

# R `did` README (bcallaway11/did, "A short example"): att_gt(yname="lemp", gname="first.treat",
# idname="countyreal", tname="year", xformla=~1, data=mpdta, est_method="reg"); without covariates the
# regression and doubly robust estimators coincide. Columns: group, year, ATT(g,t), bootstrap std. error.
R_DID_ATT_GT = [
    (2004, 2004, -0.0105, 0.0241),
    (2004, 2005, -0.0704, 0.0313),
    (2004, 2006, -0.1373, 0.0380),
    (2004, 2007, -0.1008, 0.0337),
    (2006, 2004, 0.0065, 0.0223),
    (2006, 2005, -0.0028, 0.0196),
    (2006, 2006, -0.0046, 0.0188),
    (2006, 2007, -0.0412, 0.0202),
    (2007, 2004, 0.0305, 0.0154),
    (2007, 2005, -0.0027, 0.0168),
    (2007, 2006, -0.0311, 0.0190),
    (2007, 2007, -0.0261, 0.0182),
]
R_DID_PRETEST_P = 0.16812
R_DID_DYNAMIC = {-3: 0.0305, -2: -0.0006, -1: -0.0245, 0: -0.0199, 1: -0.0510, 2: -0.1373, 3: -0.1008}
R_DID_DYNAMIC_OVERALL = (-0.0772, 0.0196)
R_DID_GROUP = {2004: -0.0797, 2006: -0.0229, 2007: -0.0261}
R_DID_GROUP_OVERALL = (-0.031, 0.0123)
HALF_DIGIT = 0.5e-4


@pytest.fixture(scope="module")
def mpdta_effects(mpdta):
    return estimate_group_time(validate_panel(mpdta, MPDTA_SPEC))


@pytest.mark.parametrize("est_method", ["dr", "reg"])
def test_group_time_effects_match_the_r_did_readme(mpdta, est_method):
    effects = estimate_group_time(validate_panel(mpdta, MPDTA_SPEC), est_method=est_method)
    result = aggregate(effects, "simple")
    rows = {(r["group"], r["period"]): r for r in result.group_time}
    assert len(rows) == len(R_DID_ATT_GT)
    for group, year, att, se in R_DID_ATT_GT:
        assert rows[group, year]["att"] == pytest.approx(att, abs=HALF_DIGIT)
        assert rows[group, year]["se"] == pytest.approx(se, rel=0.10)
    assert result.pretest["p_value"] == pytest.approx(R_DID_PRETEST_P, abs=1e-5)
    assert result.pretest["df"] == 5


def test_event_study_and_group_aggregations_match_the_r_did_readme(mpdta_effects):
    dynamic = aggregate(mpdta_effects, "dynamic")
    assert {e["event_time"]: e["att"] for e in dynamic.estimates} == pytest.approx(
        R_DID_DYNAMIC, abs=HALF_DIGIT
    )
    assert dynamic.att == pytest.approx(R_DID_DYNAMIC_OVERALL[0], abs=HALF_DIGIT)
    assert dynamic.se == pytest.approx(R_DID_DYNAMIC_OVERALL[1], rel=0.10)

    group = aggregate(mpdta_effects, "group")
    assert {e["group"]: e["att"] for e in group.estimates} == pytest.approx(R_DID_GROUP, abs=HALF_DIGIT)
    assert group.att == pytest.approx(R_DID_GROUP_OVERALL[0], abs=0.5e-3)
    assert group.se == pytest.approx(R_DID_GROUP_OVERALL[1], rel=0.10)


def test_simple_aggregation_is_the_published_minus_four_percent(mpdta_effects):
    # The did vignettes report an overall effect of the minimum wage on teen employment of about -0.04.
    simple = aggregate(mpdta_effects, "simple")
    assert simple.att == pytest.approx(-0.0400, abs=HALF_DIGIT)
    assert simple.ci_low < simple.att < simple.ci_high < 0


def test_the_wrapper_returns_exactly_what_moderndid_returns(mpdta):
    """Validation against the library called directly, to 1e-10 on point estimates and standard errors."""
    from moderndid import aggte, att_gt

    spec = PanelSpec("countyreal", "year", "lemp", "first.treat", ("lpop",))
    direct = att_gt(
        mpdta,
        yname="lemp",
        tname="year",
        idname="countyreal",
        gname="first.treat",
        xformla="~lpop",
        cband=False,
    )
    effects = estimate_group_time(validate_panel(mpdta, spec))
    np.testing.assert_allclose(effects.mp.att_gt, direct.att_gt, rtol=0, atol=1e-10)
    for kind in ("simple", "group", "dynamic", "calendar"):
        ours = aggregate(effects, kind)
        theirs = aggte(direct, type=kind, cband=False)
        assert ours.att == pytest.approx(theirs.overall_att, abs=1e-10)
        assert ours.se == pytest.approx(theirs.overall_se, abs=1e-10)
        if kind != "simple":
            np.testing.assert_allclose([e["att"] for e in ours.estimates], theirs.att_by_event, atol=1e-10)


@pytest.fixture(scope="module")
def jtrain_panel(jtrain):
    # Example 14.1's sample: the 54 firms with a scrap rate in all three years (validation balances the panel).
    return validate_panel(jtrain, PanelSpec("fcode", "year", "lscrap", "first_grant"), control="notyet")


def test_jtrain_panel_is_the_textbook_sample(jtrain_panel):
    assert jtrain_panel.n_units == 54
    assert jtrain_panel.n_obs == 162
    assert jtrain_panel.diagnostics.cohorts == {0: 25, 1988: 19, 1989: 10}


def test_two_by_two_did_reproduces_wooldridge_first_difference(jtrain_panel, jtrain):
    """Wooldridge, Introductory Econometrics ch. 13: d log(scrap) on d grant, 1987-88: -.317 (.164), n = 54."""
    result = matched_did(jtrain_panel, method="none", control="notyet", cohorts=[1988], vcov="iid")
    assert round(result.att, 3) == -0.317
    assert round(result.se, 3) == 0.164
    assert result.n_treated + result.cohorts[0]["n_controls_used"] == 54

    # Same number from statsmodels OLS on first differences (library cross-check to 1e-10).
    wide = jtrain_panel.data.pivot(index="unit", columns="time", values="y")
    group = jtrain_panel.data.groupby("unit")["g"].first()
    frame = pd.DataFrame({"dy": wide[1988] - wide[1987], "dgrant": (group == 1988).astype(float)})
    ols = smf.ols("dy ~ dgrant", data=frame).fit()
    assert result.att == pytest.approx(ols.params["dgrant"], abs=1e-10)
    assert result.se == pytest.approx(ols.bse["dgrant"], abs=1e-10)


def test_twfe_reproduces_wooldridge_example_14_1(jtrain_panel):
    """Example 14.1, fixed effects 1987-89: grant -.252 (.151), grant_1 -.422 (.210), n = 54, T = 3."""
    result = twfe_event_study(jtrain_panel, min_event=0, vcov="iid")
    coefficients = {row["event_time"]: row for row in result.event_study}
    assert set(coefficients) == {0, 1}
    assert round(coefficients[0]["coef"], 3) == -0.252
    assert round(coefficients[0]["se"], 3) == 0.151
    assert round(coefficients[1]["coef"], 3) == -0.422
    assert round(coefficients[1]["se"], 3) == 0.210
    assert result.n_obs == 162
