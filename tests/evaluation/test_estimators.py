"""Estimators on synthetic panels with a known effect; stored runs; summaries; the firm panel builder."""

import json

import numpy as np
import pandas as pd
import pytest

from poles.evaluation.estimators import (
    EvaluationError,
    EvaluationParams,
    MatchingParams,
    PanelError,
    aggregate,
    build_firm_panel,
    callaway_santanna,
    estimate_group_time,
    matched_did,
    rerun,
    run_evaluation,
    summary,
    twfe_event_study,
    validate_panel,
)


@pytest.fixture(scope="module")
def validated(synthetic):
    return validate_panel(synthetic.panel, synthetic.spec)


@pytest.fixture(scope="module")
def effects(validated):
    return estimate_group_time(validated, covariates=False)


@pytest.mark.parametrize("kind", ["simple", "group", "dynamic", "calendar"])
def test_callaway_santanna_recovers_the_planted_effect(effects, synthetic, kind):
    result = aggregate(effects, kind)
    truth = synthetic.truth["simple" if kind == "simple" else f"{kind}_overall"]
    assert abs(result.att - truth) < 4 * result.se
    if kind != "simple":
        key = {"group": "group", "dynamic": "event_time", "calendar": "period"}[kind]
        for estimate in result.estimates:
            true_value = synthetic.truth[kind][estimate[key]]
            assert abs(estimate["att"] - true_value) < 5 * estimate["se"] + 1e-9


def test_synthetic_truth_is_heterogeneous_and_dynamic(synthetic):
    group = synthetic.truth["group"]
    dynamic = synthetic.truth["dynamic"]
    assert group[min(group)] > group[max(group)]  # early joiners gain more
    assert dynamic[0] < dynamic[1] < dynamic[2]  # effects grow with time since treatment
    assert all(v == 0 for e, v in dynamic.items() if e < 0)
    json.dumps(synthetic.truth_dict())


def test_static_twfe_is_biased_where_callaway_santanna_is_not(validated, effects, synthetic):
    truth = synthetic.truth["simple"]
    twfe = twfe_event_study(validated)
    cs = aggregate(effects, "simple")
    assert twfe.static["coef"] < truth - 3 * twfe.static["se"]
    assert abs(cs.att - truth) < abs(twfe.static["coef"] - truth)
    assert [r for r in twfe.event_study if r.get("reference")][0]["event_time"] == -1
    assert twfe.pretest["df"] == len([r for r in twfe.event_study if r["event_time"] < -1])


def test_matching_balances_the_covariates_and_recovers_the_horizon_effect(validated, synthetic):
    horizon = 1
    result = matched_did(validated, method="propensity", horizon=horizon)
    rows = {row["variable"]: row for row in result.balance}
    assert rows["size_0"]["smd_before"] > 0.3  # selection on levels
    assert all(abs(row["smd_after"]) < 0.1 for row in result.balance)
    truth = np.mean(
        [synthetic.truth["att_gt"][g, g + horizon] for g in synthetic.cohorts if g + horizon <= 2017]
    )
    assert abs(result.att - truth) < 4 * result.se
    nearest = matched_did(validated, method="nearest", horizon=horizon, n_neighbours=3)
    assert abs(nearest.att - truth) < 4 * nearest.se
    assert nearest.n_controls > result.n_controls


def test_no_matching_is_the_plain_difference_in_means(validated):
    result = matched_did(validated, method="none", horizon=0, cohorts=[validated.cohorts[0]])
    g = validated.cohorts[0]
    wide = validated.data.pivot(index="unit", columns="time", values="y")
    group = validated.data.groupby("unit")["g"].first()
    change = wide[g] - wide[g - 1]
    expected = change[group == g].mean() - change[group == 0].mean()
    assert result.att == pytest.approx(expected, abs=1e-12)


def test_matching_errors_are_named(validated):
    with pytest.raises(EvaluationError) as caught:
        matched_did(validated, cohorts=[1999])
    assert caught.value.code == "unknown_cohort"
    with pytest.raises(EvaluationError) as caught:
        matched_did(validated, horizon=30)
    assert caught.value.code == "no_cohort_estimable"


def test_bootstrap_is_repeatable_with_a_seed_and_close_to_analytic(validated):
    analytic = callaway_santanna(validated, aggregation="dynamic", covariates=False)
    boot = [
        callaway_santanna(
            validated, aggregation="dynamic", covariates=False, se="bootstrap", biters=300, seed=s
        )
        for s in (1, 1, 2)
    ]
    assert boot[0].to_dict() == boot[1].to_dict() != boot[2].to_dict()
    assert boot[0].att == analytic.att
    assert boot[0].se == pytest.approx(analytic.se, rel=0.2)
    bands = callaway_santanna(
        validated, aggregation="dynamic", covariates=False, se="bootstrap", biters=300, uniform_bands=True
    )
    assert bands.critical_value > 1.96


def test_not_yet_treated_controls(synthetic):
    frame = synthetic.panel[synthetic.panel["first_treated"] > 0]
    panel = validate_panel(frame, synthetic.spec, control="notyet")
    result = callaway_santanna(panel, aggregation="group", covariates=False)
    last = max(synthetic.cohorts)
    assert last not in [e["group"] for e in result.estimates]
    assert "unestimable_estimates" in [n.code for n in result.notices]
    assert result.control == "notyet" and np.isfinite(result.att)
    assert result.n_obs == panel.n_units * (
        len(panel.periods) - 2
    )  # years from the last cohort on are unusable
    with pytest.raises(PanelError) as caught:
        callaway_santanna(panel, control="never")
    assert caught.value.code == "no_never_treated"


def test_run_is_stored_as_json_and_reruns_identically(synthetic):
    params = EvaluationParams(spec=synthetic.spec, matching=MatchingParams(horizon=1), treatment="membership")
    report = run_evaluation(synthetic.panel, params)
    stored = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert stored["parameters"]["treatment"] == "membership"
    assert stored["code_version"]["moderndid"] == "0.2.0"
    assert [row["estimator"] for row in stored["results"]["att_table"]] == ["callaway_santanna"] * 4 + [
        "twfe",
        "matched_did",
    ]
    plot = stored["results"]["event_study_plot"]
    assert [s["name"] for s in plot["series"]] == ["callaway_santanna", "twfe"]
    again = rerun(stored, synthetic.panel.sample(frac=1, random_state=5))
    assert json.loads(json.dumps(again.to_dict())) == stored
    changed = synthetic.panel.copy()
    changed.loc[0, "log_turnover"] += 0.01
    with pytest.raises(EvaluationError) as caught:
        rerun(stored, changed)
    assert caught.value.code == "fingerprint_mismatch"


def test_summary_states_estimate_assumptions_and_limits_in_both_languages(synthetic):
    report = run_evaluation(synthetic.panel, EvaluationParams(spec=synthetic.spec, use_covariates=False))
    att = report.staggered.att
    english, french = report.summary("en"), report.summary("fr")
    assert f"{att:.3f}" in english and f"{att:.3f}".replace(".", ",") in french
    for needle in ("parallel trends", "no anticipation", "spillovers", "overstate", "two-way fixed effects"):
        assert needle in english
    for needle in (
        "tendances parallèles",
        "absence d'anticipation",
        "débordements",
        "surestiment",
        "doubles effets fixes",
    ):
        assert needle in french
    assert summary(report.twfe, "en").startswith("For comparison")


def test_build_firm_panel_from_figures_and_membership_events():
    figures = pd.DataFrame(
        {
            "organisation_id": np.repeat([1, 2, 3, 4], 4),
            "year": np.tile([2015, 2016, 2017, 2018], 4),
            "turnover": [100, 110, 130, 150, 80, 82, 85, 86, 50, 0, 60, 61, 200, 210, 220, 240],
            "headcount": [10, 11, 12, 13, 8, 8, 9, 9, 5, 5, 6, 6, 20, 21, 22, 23],
        }
    )
    events = pd.DataFrame({"organisation_id": [1, 1, 3, 9], "year": [2017, 2018, 2016, 2016]})
    panel, spec = build_firm_panel(
        figures, events, outcome="turnover", covariates=["headcount"], transform="log"
    )
    units = panel.drop_duplicates("organisation_id").set_index("organisation_id")
    assert units["first_treated"].to_dict() == {1: 2017, 2: 0, 3: 2016, 4: 0}
    assert units["headcount_baseline"].to_dict() == {1: 10, 2: 8, 3: 5, 4: 20}
    assert spec.covariates == ("headcount_baseline",)
    assert np.isnan(panel.loc[(panel["organisation_id"] == 3) & (panel["year"] == 2016), "turnover"]).all()
    validated = validate_panel(panel, spec, min_units=1)
    assert validated.diagnostics.dropped_units_unbalanced == 1  # firm 3 lost its zero-turnover year
