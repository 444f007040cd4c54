"""Check a firm-year panel once, up front, and turn it into the canonical form every estimator uses.

Impact estimates are only as good as the panel behind them, and analysts bring their own files. Every
problem that would otherwise surface as a library traceback (or worse, a silently wrong number) is caught
here and reported as a `PanelError` naming the column, the row or the unit at fault. Fixable-by-rule facts
(rows with a missing outcome, units missing some years, treatment after the panel ends) are applied the way
the R `did` package applies them, and reported as `Notice`s so that the result says what was dropped.

The canonical panel has fixed column names (`unit`, `time`, `y`, `g`, `x1`...), integer unit codes, integer
years, float outcomes and covariates, `g = 0` for never-treated units, one row per unit and year, sorted.
Its fingerprint (`panel_fingerprint`) identifies the data of a stored run so that it can be re-run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import Notice, PanelError
from .i18n import _

UNIT, TIME, OUTCOME, GROUP = "unit", "time", "y", "g"
CONTROLS = ("never", "notyet")
FINGERPRINT_VERSION = 1
SMALL_COHORT = 5

ControlGroup = Literal["never", "notyet"]


@dataclass(frozen=True)
class PanelSpec:
    """Which columns of the analyst's table hold the unit, the year, the outcome, the first-treated year
    (0 = never treated) and the baseline covariates."""

    unit: str
    time: str
    outcome: str
    first_treated: str
    covariates: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "covariates", tuple(self.covariates or ()))

    @property
    def columns(self) -> list[str]:
        """The analyst's column names, in role order."""
        return [self.unit, self.time, self.outcome, self.first_treated, *self.covariates]

    @property
    def covariate_keys(self) -> list[str]:
        """Canonical names of the covariates in the canonical panel (`x1`, `x2`...)."""
        return [f"x{i}" for i in range(1, len(self.covariates) + 1)]

    def covariate_names(self) -> dict[str, str]:
        """Canonical covariate name -> the analyst's column name."""
        return dict(zip(self.covariate_keys, self.covariates, strict=True))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, stored with every run."""
        return {
            "unit": self.unit,
            "time": self.time,
            "outcome": self.outcome,
            "first_treated": self.first_treated,
            "covariates": list(self.covariates),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PanelSpec:
        """Rebuild a spec stored by `to_dict`."""
        return cls(
            unit=data["unit"],
            time=data["time"],
            outcome=data["outcome"],
            first_treated=data["first_treated"],
            covariates=tuple(data.get("covariates") or ()),
        )


@dataclass
class PanelDiagnostics:
    """What validation found and did: sizes before and after, cohorts, and every row or unit dropped."""

    n_rows_input: int
    n_units_input: int
    n_rows: int = 0
    n_units: int = 0
    periods: list[int] = field(default_factory=list)
    cohorts: dict[int, int] = field(default_factory=dict)
    dropped_rows_missing: dict[str, int] = field(default_factory=dict)
    dropped_units_unbalanced: int = 0
    dropped_units_early_treated: int = 0
    recoded_units_late_treated: int = 0
    notices: list[Notice] = field(default_factory=list)

    def to_dict(self, language: str | None = "en") -> dict[str, Any]:
        """JSON-safe form (cohort keys become strings, as JSON requires)."""
        return {
            "n_rows_input": self.n_rows_input,
            "n_units_input": self.n_units_input,
            "n_rows": self.n_rows,
            "n_units": self.n_units,
            "periods": list(self.periods),
            "cohorts": {str(g): n for g, n in sorted(self.cohorts.items())},
            "dropped_rows_missing": dict(self.dropped_rows_missing),
            "dropped_units_unbalanced": self.dropped_units_unbalanced,
            "dropped_units_early_treated": self.dropped_units_early_treated,
            "recoded_units_late_treated": self.recoded_units_late_treated,
            "notices": [notice.to_dict(language) for notice in self.notices],
        }


@dataclass
class ValidatedPanel:
    """A balanced, typed, sorted panel in canonical columns, ready for any estimator."""

    data: pd.DataFrame
    spec: PanelSpec
    unit_labels: np.ndarray
    fingerprint: str
    control: str
    diagnostics: PanelDiagnostics

    @property
    def n_units(self) -> int:
        """Units kept for estimation."""
        return self.diagnostics.n_units

    @property
    def n_obs(self) -> int:
        """Unit-year rows kept for estimation."""
        return self.diagnostics.n_rows

    @property
    def periods(self) -> list[int]:
        """Years of the balanced panel, ascending."""
        return list(self.diagnostics.periods)

    @property
    def cohorts(self) -> list[int]:
        """First-treated years of the treated cohorts, ascending."""
        return sorted(g for g in self.diagnostics.cohorts if g != 0)

    @property
    def n_never_treated(self) -> int:
        """Units never treated within the panel window."""
        return self.diagnostics.cohorts.get(0, 0)

    def unit_frame(self) -> pd.DataFrame:
        """One row per unit: canonical code, original id, first-treated year and covariates."""
        first = self.data.drop_duplicates(UNIT)
        out = first[[UNIT, GROUP, *self.spec.covariate_keys]].reset_index(drop=True)
        out.insert(1, "label", self.unit_labels[out[UNIT].to_numpy()])
        return out


@dataclass
class _Coerced:
    """The needed columns as typed numpy arrays, in input order, before any row is dropped."""

    unit_codes: np.ndarray
    unit_labels: np.ndarray
    time: np.ndarray
    outcome: np.ndarray
    group: np.ndarray
    covariates: list[np.ndarray]


def validate_panel(
    frame: pd.DataFrame,
    spec: PanelSpec,
    *,
    control: ControlGroup = "never",
    early_treated: Literal["error", "drop"] = "error",
    unbalanced: Literal["drop", "error"] = "drop",
    min_units: int = 2,
) -> ValidatedPanel:
    """Check `frame` against `spec` and return the canonical panel, or raise a `PanelError` naming the problem.

    Rules (each error has a code, each fix a notice):
    - every named column must exist; unit, year and first-treated must be filled in, numeric and integer
      (years), outcome and covariates numeric and finite — otherwise an error naming the column and row;
    - one row per unit and year (`duplicate_rows`), one first-treated year per unit (`first_treated_varies`);
    - units treated before the panel starts (`treatment_before_panel`) or in its first year
      (`treated_in_first_period`) have no pre-treatment year: an error, or dropped when
      `early_treated="drop"`;
    - first-treated years after the last panel year are untreated within the window: recoded to 0;
    - rows with a missing outcome or covariate are dropped, then units not observed in every year
      (the estimators need a balanced panel, as R `did` does by default) — or an error if
      `unbalanced="error"`;
    - there must be treated units, and comparison units for the chosen `control` group: never-treated ones
      for `"never"` (`no_never_treated`), never- or not-yet-treated ones for `"notyet"`; at least
      `min_units` of each.
    """
    if control not in CONTROLS:
        raise ValueError(f"control must be one of {CONTROLS}, not {control!r}")
    _check_columns(frame, spec)
    n_input = len(frame)
    if n_input == 0:
        raise PanelError("empty_panel", _("The panel has no rows."))

    coerced = _coerce(frame, spec)
    fingerprint = _fingerprint(coerced, spec)
    diagnostics = PanelDiagnostics(n_rows_input=n_input, n_units_input=len(coerced.unit_labels))

    order = np.lexsort((coerced.time, coerced.unit_codes))
    codes = coerced.unit_codes[order]
    time = coerced.time[order]
    group = coerced.group[order]
    labels = coerced.unit_labels
    _check_duplicates(codes, time, order, labels, spec)
    _check_group_constant(codes, group, labels, spec)

    periods_all = np.unique(time)
    if len(periods_all) < 2:
        raise PanelError(
            "too_few_periods",
            _(
                "The panel covers a single period (%(period)s) in column '%(column)s'; at least two are needed."
            ),
            period=int(periods_all[0]),
            column=spec.time,
        )
    first_period, last_period = int(periods_all[0]), int(periods_all[-1])

    eligible = _handle_early_treated(codes, group, labels, spec, first_period, early_treated, diagnostics)
    group = _recode_late_treated(codes, group, spec, last_period, diagnostics)

    values = {OUTCOME: coerced.outcome[order]}
    for key, column in zip(spec.covariate_keys, coerced.covariates, strict=True):
        values[key] = column[order]
    keep = eligible & _drop_missing_rows(values, spec, eligible, diagnostics)
    keep &= _drop_unbalanced(codes, keep, eligible, periods_all, unbalanced, labels, diagnostics)

    if not keep.any():
        raise PanelError(
            "no_units_left",
            _("No unit is left once rows with missing values and incomplete units are removed."),
        )
    data = pd.DataFrame({UNIT: codes[keep], TIME: time[keep], GROUP: group[keep]})
    for key, column in values.items():
        data[key] = column[keep]
    data = data[[UNIT, TIME, OUTCOME, GROUP, *spec.covariate_keys]].reset_index(drop=True)

    units = data.drop_duplicates(UNIT)
    cohort_sizes = units[GROUP].value_counts().sort_index()
    diagnostics.cohorts = {int(g): int(n) for g, n in cohort_sizes.items()}
    diagnostics.periods = [int(t) for t in np.unique(data[TIME].to_numpy())]
    diagnostics.n_units = len(units)
    diagnostics.n_rows = len(data)

    _check_groups(diagnostics, control, min_units, spec)
    _check_covariates(data, spec, diagnostics)
    return ValidatedPanel(
        data=data,
        spec=spec,
        unit_labels=labels,
        fingerprint=fingerprint,
        control=control,
        diagnostics=diagnostics,
    )


def panel_fingerprint(frame: pd.DataFrame, spec: PanelSpec) -> str:
    """A deterministic hash of the panel's used columns, independent of row order and of other columns.

    The canonical panel behind the hash: ids as text (integral numbers written without decimals), years
    and first-treated years as 64-bit integers, outcome and covariates as 64-bit floats (missing values and
    negative zeros normalised), sorted by id then year, with the column names of `spec`. The same data read
    from a CSV, an Excel export or the database gives the same fingerprint.
    """
    _check_columns(frame, spec)
    if len(frame) == 0:
        raise PanelError("empty_panel", _("The panel has no rows."))
    return _fingerprint(_coerce(frame, spec), spec)


def _check_columns(frame: pd.DataFrame, spec: PanelSpec) -> None:
    repeated = sorted({c for c in spec.columns if spec.columns.count(c) > 1})
    if repeated:
        raise PanelError(
            "column_used_twice",
            _("Column(s) %(columns)s are given for two different roles; each role needs its own column."),
            columns=_quoted(repeated),
        )
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        raise PanelError(
            "missing_column",
            _("Column(s) %(columns)s not found in the panel. Available columns: %(available)s."),
            columns=_quoted(missing),
            available=_quoted([str(c) for c in frame.columns][:30]),
        )


def _quoted(names: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _coerce(frame: pd.DataFrame, spec: PanelSpec) -> _Coerced:
    codes, labels = _unit_codes(frame[spec.unit], spec.unit)
    time, time_missing = _numeric(frame[spec.time], spec.time, integer=True)
    _refuse_missing(time_missing, spec.time)
    group, group_missing = _numeric(frame[spec.first_treated], spec.first_treated, integer=True)
    _refuse_missing(group_missing, spec.first_treated)
    negative = group < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise PanelError(
            "negative_first_treated",
            _(
                "Column '%(column)s' must hold the first treated year, or 0 for never-treated units; "
                "data row %(row)s holds %(value)s."
            ),
            column=spec.first_treated,
            row=row + 1,
            value=int(group[row]),
        )
    outcome, _missing = _numeric(frame[spec.outcome], spec.outcome)
    covariates = [_numeric(frame[name], name)[0] for name in spec.covariates]
    return _Coerced(
        unit_codes=codes,
        unit_labels=labels,
        time=time.astype(np.int64),
        outcome=outcome,
        group=group.astype(np.int64),
        covariates=covariates,
    )


def _unit_codes(series: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    if pd.api.types.is_bool_dtype(series.dtype):
        text = series.astype(str)
    elif pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        _refuse_missing(np.isnan(values), column)
        if np.all(values == np.round(values)) and np.all(np.abs(values) < 2**53):
            text = pd.Series(values.astype(np.int64), index=series.index).astype(str)
        else:
            text = pd.Series(values, index=series.index).astype(str)
    else:
        text = series.astype("string").str.strip()
        _refuse_missing((text.isna() | (text == "")).to_numpy(dtype=bool), column)
        text = text.astype(str)
    codes, labels = pd.factorize(text, sort=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


def _numeric(series: pd.Series, column: str, *, integer: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Float values and the missing mask; an error naming the first non-numeric or non-finite cell."""
    if pd.api.types.is_bool_dtype(series.dtype):
        series = series.astype(float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
    else:
        text = series.astype("string").str.strip()
        blank = (text.isna() | (text == "")).to_numpy(dtype=bool)
        parsed = pd.to_numeric(text.mask(blank), errors="coerce")
        values = parsed.to_numpy(dtype=float, na_value=np.nan)
        missing = np.isnan(values)
        bad = missing & ~blank
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise PanelError(
                "non_numeric_column",
                _(
                    "Column '%(column)s' must be numeric, but data row %(row)s holds '%(value)s' "
                    "(%(count)s non-numeric value(s) in this column)."
                ),
                column=column,
                row=row + 1,
                value=str(series.iloc[row])[:40],
                count=int(bad.sum()),
            )
    infinite = np.isinf(values)
    if infinite.any():
        row = int(np.flatnonzero(infinite)[0])
        raise PanelError(
            "non_finite_value",
            _("Column '%(column)s' holds an infinite value at data row %(row)s."),
            column=column,
            row=row + 1,
        )
    if integer:
        fractional = ~missing & (values != np.round(values))
        if fractional.any():
            row = int(np.flatnonzero(fractional)[0])
            raise PanelError(
                "non_integer_column",
                _("Column '%(column)s' must hold whole years, but data row %(row)s holds %(value)s."),
                column=column,
                row=row + 1,
                value=values[row],
            )
    return values, missing


def _refuse_missing(missing: np.ndarray, column: str) -> None:
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise PanelError(
            "missing_value",
            _(
                "Column '%(column)s' has %(count)s empty cell(s), the first at data row %(row)s; it must be filled in."
            ),
            column=column,
            count=int(missing.sum()),
            row=row + 1,
        )


def _fingerprint(coerced: _Coerced, spec: PanelSpec) -> str:
    order = np.lexsort((coerced.time, coerced.unit_codes))
    digest = hashlib.sha256()
    header = {"version": FINGERPRINT_VERSION, "spec": spec.to_dict(), "rows": int(len(order))}
    digest.update(json.dumps(header, sort_keys=True).encode())
    digest.update("\x1f".join(map(str, coerced.unit_labels)).encode("utf-8"))
    for array in (coerced.unit_codes, coerced.time, coerced.group):
        digest.update(np.ascontiguousarray(array[order], dtype="<i8").tobytes())
    for array in (coerced.outcome, *coerced.covariates):
        canonical = np.where(np.isnan(array), np.nan, array + 0.0)[order]
        digest.update(np.ascontiguousarray(canonical, dtype="<f8").tobytes())
    return "sha256:" + digest.hexdigest()


def _check_duplicates(codes, time, order, labels, spec: PanelSpec) -> None:
    same = (codes[1:] == codes[:-1]) & (time[1:] == time[:-1])
    if same.any():
        first = int(np.flatnonzero(same)[0])
        raise PanelError(
            "duplicate_rows",
            _(
                "%(count)s duplicate unit-year row(s): unit '%(unit)s' appears more than once in %(column)s "
                "%(year)s (data rows %(row_a)s and %(row_b)s). Keep one row per unit and year."
            ),
            count=int(same.sum()),
            unit=labels[codes[first]],
            column=spec.time,
            year=int(time[first]),
            row_a=int(min(order[first], order[first + 1])) + 1,
            row_b=int(max(order[first], order[first + 1])) + 1,
        )


def _check_group_constant(codes, group, labels, spec: PanelSpec) -> None:
    differs = (codes[1:] == codes[:-1]) & (group[1:] != group[:-1])
    if differs.any():
        first = int(np.flatnonzero(differs)[0])
        n_units = len(np.unique(codes[1:][differs]))
        raise PanelError(
            "first_treated_varies",
            _(
                "Column '%(column)s' must hold one first-treated year per unit, but unit '%(unit)s' has both "
                "%(value_a)s and %(value_b)s (%(count)s unit(s) affected)."
            ),
            column=spec.first_treated,
            unit=labels[codes[first]],
            value_a=int(group[first]),
            value_b=int(group[first + 1]),
            count=n_units,
        )


def _handle_early_treated(codes, group, labels, spec, first_period, policy, diagnostics) -> np.ndarray:
    early = (group != 0) & (group <= first_period)
    if not early.any():
        return np.ones(len(codes), dtype=bool)
    before = early & (group < first_period)
    early_units = np.unique(codes[early])
    if policy != "drop":
        if before.any():
            row = int(np.flatnonzero(before)[0])
            raise PanelError(
                "treatment_before_panel",
                _(
                    "Treatment before the panel starts: %(count)s unit(s) have a first-treated year before %(first)s, "
                    "the first year of the panel (e.g. unit '%(unit)s', %(column)s = %(value)s). They have no "
                    "untreated year to compare with: remove them or extend the panel back in time."
                ),
                count=len(np.unique(codes[before])),
                first=first_period,
                unit=labels[codes[row]],
                column=spec.first_treated,
                value=int(group[row]),
            )
        row = int(np.flatnonzero(early)[0])
        raise PanelError(
            "treated_in_first_period",
            _(
                "%(count)s unit(s) are treated in %(first)s, the first year of the panel (e.g. unit '%(unit)s'), "
                "so they have no untreated year to compare with: remove them or extend the panel back in time."
            ),
            count=len(early_units),
            first=first_period,
            unit=labels[codes[row]],
        )
    diagnostics.dropped_units_early_treated = len(early_units)
    diagnostics.notices.append(
        Notice(
            "dropped_early_treated",
            _("%(count)s unit(s) treated in or before %(first)s, the first year of the panel, were removed."),
            {"count": len(early_units), "first": first_period},
        )
    )
    return ~np.isin(codes, early_units)


def _recode_late_treated(codes, group, spec, last_period, diagnostics) -> np.ndarray:
    late = group > last_period
    if not late.any():
        return group
    count = len(np.unique(codes[late]))
    diagnostics.recoded_units_late_treated = count
    diagnostics.notices.append(
        Notice(
            "recoded_late_treated",
            _(
                "%(count)s unit(s) are first treated after %(last)s, the last year of the panel; they are "
                "untreated throughout the window and count as never treated."
            ),
            {"count": count, "last": last_period},
        )
    )
    return np.where(late, 0, group)


def _drop_missing_rows(values: dict[str, np.ndarray], spec: PanelSpec, keep, diagnostics) -> np.ndarray:
    names = {OUTCOME: spec.outcome, **spec.covariate_names()}
    complete = np.ones(len(keep), dtype=bool)
    for key, array in values.items():
        missing = np.isnan(array) & keep
        if missing.any():
            diagnostics.dropped_rows_missing[names[key]] = int(missing.sum())
            diagnostics.notices.append(
                Notice(
                    "dropped_missing_rows",
                    _("%(count)s row(s) with an empty '%(column)s' were left out."),
                    {"count": int(missing.sum()), "column": names[key]},
                )
            )
        complete &= ~np.isnan(array)
    return complete


def _drop_unbalanced(codes, keep, eligible, periods, policy, labels, diagnostics) -> np.ndarray:
    n_units = int(codes.max()) + 1
    complete_rows = np.bincount(codes[keep], minlength=n_units)
    present = np.bincount(codes[eligible], minlength=n_units) > 0
    incomplete = present & (complete_rows < len(periods))
    if not incomplete.any():
        return np.ones(len(codes), dtype=bool)
    count = int(incomplete.sum())
    if policy == "error":
        unit = int(np.flatnonzero(incomplete)[0])
        raise PanelError(
            "unbalanced_panel",
            _(
                "%(count)s unit(s) are not observed with a complete row in every year %(first)s-%(last)s "
                "(e.g. unit '%(unit)s'); the estimators need a balanced panel."
            ),
            count=count,
            first=int(periods[0]),
            last=int(periods[-1]),
            unit=labels[unit],
        )
    diagnostics.dropped_units_unbalanced = count
    diagnostics.notices.append(
        Notice(
            "dropped_unbalanced_units",
            _(
                "%(count)s unit(s) not observed in every year %(first)s-%(last)s were left out, "
                "to keep a balanced panel."
            ),
            {"count": count, "first": int(periods[0]), "last": int(periods[-1])},
        )
    )
    return ~incomplete[codes]


def _check_groups(diagnostics: PanelDiagnostics, control: str, min_units: int, spec: PanelSpec) -> None:
    cohorts = {g: n for g, n in diagnostics.cohorts.items() if g != 0}
    n_treated = sum(cohorts.values())
    n_never = diagnostics.cohorts.get(0, 0)
    if n_treated == 0:
        raise PanelError(
            "no_treated_units",
            _(
                "No unit is treated within the panel: column '%(column)s' is 0 (never treated) for every unit."
            ),
            column=spec.first_treated,
        )
    if control == "never" and n_never == 0:
        raise PanelError(
            "no_never_treated",
            _(
                "No never-treated unit (first-treated year 0 in column '%(column)s') to serve as the comparison "
                "group. Use not-yet-treated units as controls instead (--control notyet)."
            ),
            column=spec.first_treated,
        )
    if control == "never":
        n_comparison = n_never
    else:
        earliest = min(cohorts)
        n_comparison = n_never + sum(n for g, n in cohorts.items() if g > earliest)
        if n_never == 0 and len(cohorts) < 2:
            raise PanelError(
                "no_notyet_controls",
                _(
                    "No comparison unit: every unit is treated in %(year)s and none is never treated, so no "
                    "unit is still untreated when the others start."
                ),
                year=earliest,
            )
        if n_never == 0:
            diagnostics.notices.append(
                Notice(
                    "last_cohort_as_control",
                    _(
                        "No unit is never treated: years from %(year)s on, when every unit is treated, cannot be "
                        "evaluated, and the cohort treated in %(year)s serves only as a comparison group."
                    ),
                    {"year": max(cohorts)},
                )
            )
    if n_treated < min_units or n_comparison < min_units:
        raise PanelError(
            "too_few_units",
            _(
                "Too few units to estimate an effect: %(treated)s treated and %(comparison)s comparison unit(s) "
                "after cleaning; at least %(minimum)s of each are needed."
            ),
            treated=n_treated,
            comparison=n_comparison,
            minimum=min_units,
        )
    for g, n in sorted(cohorts.items()):
        if n < SMALL_COHORT:
            diagnostics.notices.append(
                Notice(
                    "small_cohort",
                    _(
                        "Only %(count)s unit(s) are first treated in %(year)s: the estimates for this cohort are fragile."
                    ),
                    {"count": n, "year": g},
                )
            )


def _check_covariates(data: pd.DataFrame, spec: PanelSpec, diagnostics: PanelDiagnostics) -> None:
    if not spec.covariates:
        return
    codes = data[UNIT].to_numpy()
    same_unit = codes[1:] == codes[:-1]
    for key, name in spec.covariate_names().items():
        values = data[key].to_numpy()
        if np.all(values == values[0]):
            raise PanelError(
                "constant_covariate",
                _("Covariate '%(column)s' takes a single value (%(value)s) in the whole panel; remove it."),
                column=name,
                value=float(values[0]),
            )
        if np.any(same_unit & (values[1:] != values[:-1])):
            diagnostics.notices.append(
                Notice(
                    "covariate_varies",
                    _(
                        "Covariate '%(column)s' changes over time within units; each comparison uses its value in "
                        "the comparison's base (pre-treatment) year. Baseline values are safer."
                    ),
                    {"column": name},
                )
            )
