"""The naive comparison shows the head start of selected units; the planted truth is computed exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from poles.evaluation.estimators import PanelSpec, validate_panel
from poles.evaluation.estimators.naive import (
    naive_comparison,
    naive_paragraph,
    planted_truth,
    truth_paragraph,
)

SPEC = PanelSpec(unit="firm", time="year", outcome="y", first_treated="g")


def selected_panel(head_start=0.3, effect=0.07, seed=1) -> pd.DataFrame:
    """Firms treated in 2008 or 2010 already had `head_start` more; treatment adds `effect`."""
    rng = np.random.default_rng(seed)
    rows = []
    for firm in range(600):
        g = [0, 0, 2008, 2010][firm % 4]
        level = rng.normal(0, 0.5) + (head_start if g else 0.0)
        for year in range(2005, 2013):
            y = level + 0.02 * (year - 2005) + rng.normal(0, 0.05) + (effect if g and year >= g else 0.0)
            rows.append((firm, year, y, g))
    return pd.DataFrame(rows, columns=["firm", "year", "y", "g"])


def test_naive_gap_mixes_the_head_start_into_the_effect():
    panel = validate_panel(selected_panel(), SPEC)
    naive = naive_comparison(panel)
    assert naive["before"]["gap"] == pytest.approx(0.3, abs=0.08)
    assert naive["after"]["gap"] == pytest.approx(0.37, abs=0.08)
    assert naive["after"]["ci_low"] < naive["after"]["gap"] < naive["after"]["ci_high"]
    assert naive["after"]["n_units"] == 300
    english = naive_paragraph(naive, 0.07, "en")
    assert "before treatment already finds" in english and "0.070" in english
    french = naive_paragraph(naive, 0.07, "fr")
    assert "avant" in french and "0,070" in french


def test_without_selection_the_naive_gap_before_treatment_is_zero():
    naive = naive_comparison(validate_panel(selected_panel(head_start=0.0), SPEC))
    assert naive["before"]["ci_low"] < 0 < naive["before"]["ci_high"]


def test_planted_truth_on_log_and_level_scales():
    frame = pd.DataFrame(
        [(1, 2005, 100.0, 2006), (1, 2006, 103.65, 2006), (1, 2007, 107.3, 2006), (2, 2005, 50.0, 0),
         (2, 2006, 50.0, 0), (2, 2007, 50.0, 0), (4, 2005, 5.0, 0), (4, 2006, 5.5, 0), (4, 2007, 6.0, 0),
         (5, 2005, 9.0, 2006), (5, 2006, 9.0, 2006), (5, 2007, 9.0, 2006), (3, 2005, 10.0, 2007), (3, 2006, 10.0, 2007),
         (3, 2007, 10.365, 2007)],
        columns=["firm", "year", "y", "g"],
    )  # fmt: skip
    panel = validate_panel(frame, SPEC)
    effect = {"joining_year": 0.0365, "later_years": 0.073}
    log = planted_truth(panel, effect, "log")
    # treated post unit-years: firms 1 and 5 in 2006 (e=0) and 2007 (e=1), firm 3 in 2007 (e=0)
    assert log["simple"] == pytest.approx((3 * np.log1p(0.0365) + 2 * np.log1p(0.073)) / 5)
    assert log["dynamic"] == pytest.approx({"0": np.log1p(0.0365), "1": np.log1p(0.073)})
    level = planted_truth(panel, effect, "none")
    # in euros, y × r / (1 + r): firm 1 grew from 100 by the planted effect exactly
    assert level["dynamic"]["1"] == pytest.approx(((107.3 - 100.0) + 9.0 * 0.073 / 1.073) / 2)
    assert level["dynamic"]["0"] == pytest.approx(
        ((103.65 - 100.0) + (10.365 - 10.0) + 9.0 * 0.0365 / 1.0365) / 3
    )
    assert planted_truth(panel, effect, "log1p")["simple"] is None
    inside = truth_paragraph(log, {"att": 0.05, "ci_low": 0.01, "ci_high": 0.09}, "en")
    assert "contains it" in inside and "+3.65%" in inside
    outside = truth_paragraph(log, {"att": 0.5, "ci_low": 0.4, "ci_high": 0.6}, "fr")
    assert "ne le contient pas" in outside
