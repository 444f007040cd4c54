"""Every bad panel gets an error naming the problem; fixable facts become notices; fingerprints are stable."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.evaluation.estimators import PanelError, PanelSpec, panel_fingerprint, validate_panel

SPEC = PanelSpec("firm", "year", "y", "g", ("x",))


def panel(n_firms: int = 12, years=(2010, 2011, 2012, 2013), seed: int = 0) -> pd.DataFrame:
    """Firms 1..n: a third never treated, the rest treated in 2012 or 2013."""
    rng = np.random.default_rng(seed)
    rows = []
    for firm in range(1, n_firms + 1):
        g = (0, 2012, 2013)[firm % 3]
        x = float(rng.normal())
        for year in years:
            rows.append({"firm": firm, "year": year, "y": float(rng.normal()), "g": g, "x": x})
    return pd.DataFrame(rows)


def error_of(frame, spec=SPEC, **kwargs) -> PanelError:
    with pytest.raises(PanelError) as caught:
        validate_panel(frame, spec, **kwargs)
    return caught.value


def test_a_clean_panel_is_canonicalised():
    result = validate_panel(panel(), SPEC)
    assert list(result.data.columns) == ["unit", "time", "y", "g", "x1"]
    assert result.n_units == 12 and result.n_obs == 48
    assert result.periods == [2010, 2011, 2012, 2013]
    assert result.diagnostics.cohorts == {0: 4, 2012: 4, 2013: 4}
    assert result.fingerprint.startswith("sha256:")
    assert result.diagnostics.notices[0].code == "small_cohort"


def test_missing_column_names_it_and_lists_the_others():
    error = error_of(panel().drop(columns="y"))
    assert error.code == "missing_column"
    assert "'y'" in error.message("en") and "'firm'" in error.message("en")
    assert "absente" in error.message("fr")


def test_duplicate_unit_year_rows_name_the_unit_year_and_rows():
    frame = pd.concat([panel(), panel().iloc[[5]]], ignore_index=True)
    error = error_of(frame)
    assert error.code == "duplicate_rows"
    assert error.params["unit"] == "2" and error.params["year"] == 2011
    assert error.params["row_b"] == len(frame)


def test_treatment_before_the_panel_starts_is_refused():
    frame = panel()
    frame.loc[frame["firm"] == 3, "g"] = 2005
    error = error_of(frame)
    assert error.code == "treatment_before_panel"
    assert error.params == {"count": 1, "first": 2010, "unit": "3", "column": "g", "value": 2005}
    assert "before the panel starts" in error.message("en")
    assert "antérieur au début du panel" in error.message("fr")


def test_units_treated_in_the_first_year_are_refused_or_dropped_on_request():
    frame = panel()
    frame.loc[frame["firm"].isin([3, 6]), "g"] = 2010
    assert error_of(frame).code == "treated_in_first_period"
    kept = validate_panel(frame, SPEC, early_treated="drop")
    assert kept.n_units == 10 and kept.diagnostics.dropped_units_early_treated == 2
    assert "dropped_early_treated" in [n.code for n in kept.diagnostics.notices]


def test_no_never_treated_unit_with_never_control():
    frame = panel()
    frame.loc[frame["g"] == 0, "g"] = 2013
    error = error_of(frame, control="never")
    assert error.code == "no_never_treated"
    assert "--control notyet" in error.message("en")
    result = validate_panel(frame, SPEC, control="notyet")
    assert "last_cohort_as_control" in [n.code for n in result.diagnostics.notices]


def test_single_cohort_without_never_treated_has_no_not_yet_controls():
    frame = panel()
    frame["g"] = 2012
    assert error_of(frame, control="notyet").code == "no_notyet_controls"


@pytest.mark.parametrize("bad", ["abc", "12,5 €", "-"])
def test_non_numeric_outcome_names_column_row_and_value(bad):
    frame = panel()
    frame["y"] = frame["y"].astype(object)
    frame.loc[7, "y"] = bad
    error = error_of(frame)
    assert error.code == "non_numeric_column"
    assert error.params["column"] == "y" and error.params["row"] == 8 and error.params["value"] == bad


def test_text_numbers_and_blanks_are_read_not_refused():
    frame = panel()
    frame["y"] = frame["y"].map(lambda v: f" {v:.6f} ")
    frame.loc[0, "y"] = "  "
    result = validate_panel(frame, SPEC)
    assert result.diagnostics.dropped_rows_missing == {"y": 1}
    assert result.diagnostics.dropped_units_unbalanced == 1
    assert result.n_units == 11


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("year", 2011.5, "non_integer_column"),
        ("year", np.nan, "missing_value"),
        ("g", np.nan, "missing_value"),
        ("g", -1, "negative_first_treated"),
        ("y", np.inf, "non_finite_value"),
        ("firm", None, "missing_value"),
    ],
)
def test_bad_cells(column, value, code):
    frame = panel()
    frame[column] = frame[column].astype(object if value is None else float)
    frame.loc[4, column] = value
    assert error_of(frame).code == code


def test_first_treated_must_be_constant_within_a_unit():
    frame = panel()
    frame.loc[(frame["firm"] == 4) & (frame["year"] == 2013), "g"] = 2013
    error = error_of(frame)
    assert error.code == "first_treated_varies" and error.params["unit"] == "4"


def test_unbalanced_units_are_dropped_with_a_notice_or_refused():
    frame = panel().drop(index=[0, 1])
    result = validate_panel(frame, SPEC)
    assert result.diagnostics.dropped_units_unbalanced == 1 and result.n_units == 11
    assert error_of(frame, unbalanced="error").code == "unbalanced_panel"


def test_treated_after_the_panel_counts_as_never_treated():
    frame = panel()
    frame.loc[frame["firm"] == 1, "g"] = 2030
    result = validate_panel(frame, SPEC)
    assert result.diagnostics.recoded_units_late_treated == 1
    assert result.diagnostics.cohorts[0] == 5


def test_too_few_units_empty_panel_single_period_and_no_treated():
    assert error_of(panel(n_firms=3)).code == "too_few_units"
    assert error_of(panel().iloc[0:0]).code == "empty_panel"
    assert error_of(panel(years=(2012,))).code == "too_few_periods"
    frame = panel()
    frame["g"] = 0
    assert error_of(frame).code == "no_treated_units"


def test_covariate_rules():
    frame = panel()
    frame["x"] = 1.0
    assert error_of(frame).code == "constant_covariate"
    frame = panel()
    frame["x"] = frame["year"] * 0.1 + frame["firm"]
    notices = [n.code for n in validate_panel(frame, SPEC).diagnostics.notices]
    assert "covariate_varies" in notices


def test_same_column_for_two_roles():
    assert error_of(panel(), PanelSpec("firm", "year", "y", "y")).code == "column_used_twice"


def test_fingerprint_ignores_row_order_id_type_and_other_columns():
    frame = panel()
    base = panel_fingerprint(frame, SPEC)
    shuffled = frame.sample(frac=1, random_state=1).assign(extra=1)
    as_text = frame.assign(firm=frame["firm"].astype(str), year=frame["year"].astype(float))
    assert panel_fingerprint(shuffled, SPEC) == base == panel_fingerprint(as_text, SPEC)
    assert validate_panel(frame, SPEC).fingerprint == base


def test_fingerprint_changes_with_the_data_and_the_spec():
    frame = panel()
    base = panel_fingerprint(frame, SPEC)
    changed = frame.copy()
    changed.loc[3, "y"] += 1e-12
    assert panel_fingerprint(changed, SPEC) != base
    assert panel_fingerprint(frame, PanelSpec("firm", "year", "y", "g")) != base


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    permutation_seed=st.integers(0, 10_000),
    cell=st.integers(0, 47),
    delta=st.floats(min_value=1e-9, max_value=1e6),
)
def test_fingerprint_property(seed, permutation_seed, cell, delta):
    frame = panel(seed=seed)
    fingerprint = panel_fingerprint(frame, SPEC)
    permuted = frame.sample(frac=1, random_state=permutation_seed)
    assert panel_fingerprint(permuted, SPEC) == fingerprint
    changed = frame.copy()
    changed.loc[cell, "y"] = changed.loc[cell, "y"] + delta
    assert panel_fingerprint(changed, SPEC) != fingerprint
