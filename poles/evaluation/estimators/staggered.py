"""Callaway & Sant'Anna (2021) staggered difference-in-differences, through moderndid.

Firms join clusters, and win funded projects, in different years, and the effect of doing so may differ by
cohort and grow over time. Two-way fixed effects regressions then compare late joiners with early joiners
already treated and can be badly biased; Callaway & Sant'Anna estimate one clean 2x2 comparison per cohort
g and year t, ATT(g, t), against never-treated (or not-yet-treated) firms, and aggregate them.

We wrap moderndid 0.2 (a port of the R `did` package, checked against it) rather than re-implement it: this
module feeds it a validated canonical panel, gathers every aggregation into plain, JSON-safe results with
confidence intervals, and turns the library's warnings into notices. Defaults follow the original paper and
the R package: doubly robust estimation, never-treated controls, varying base period, no anticipation.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats

from .common import json_safe
from .errors import EvaluationError, Notice, PanelError
from .i18n import _
from .panel import GROUP, OUTCOME, TIME, UNIT, ValidatedPanel

AGGREGATIONS = ("simple", "group", "dynamic", "calendar")
EST_METHODS = ("dr", "ipw", "reg")
SE_METHODS = ("analytic", "bootstrap")
ESTIMATE_KEY = {"group": "group", "dynamic": "event_time", "calendar": "period"}
_CONTROL_GROUP = {"never": "nevertreated", "notyet": "notyettreated"}

Aggregation = Literal["simple", "group", "dynamic", "calendar"]


@dataclass
class CSResult:
    """One aggregation of Callaway & Sant'Anna group-time effects, with intervals, pre-test and sample sizes.

    `estimates` holds the per-group (`group`), per-event-time (`dynamic`) or per-period (`calendar`)
    values; it is empty for `simple`. `group_time` holds every ATT(g, t), pre-treatment ones included.
    """

    aggregation: str
    control: str
    est_method: str
    se_method: str
    alpha: float
    uniform_bands: bool
    att: float
    se: float
    ci_low: float
    ci_high: float
    estimates: list[dict[str, Any]]
    group_time: list[dict[str, Any]]
    pretest: dict[str, Any]
    n_units: int
    n_obs: int
    periods: list[int]
    cohorts: dict[int, int]
    covariates: list[str]
    critical_value: float
    notices: list[Notice] = field(default_factory=list)

    @property
    def method(self) -> str:
        """Stable name of the estimator, for stored runs and summaries."""
        return "callaway_santanna"

    def to_dict(self, language: str | None = "en") -> dict[str, Any]:
        """Everything, JSON-safe (NaN becomes None)."""
        return json_safe(
            {
                "method": self.method,
                "aggregation": self.aggregation,
                "control": self.control,
                "est_method": self.est_method,
                "se_method": self.se_method,
                "alpha": self.alpha,
                "uniform_bands": self.uniform_bands,
                "att": self.att,
                "se": self.se,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "estimates": self.estimates,
                "group_time": self.group_time,
                "pretest": self.pretest,
                "n_units": self.n_units,
                "n_obs": self.n_obs,
                "periods": self.periods,
                "cohorts": {str(g): n for g, n in sorted(self.cohorts.items())},
                "covariates": self.covariates,
                "critical_value": self.critical_value,
                "notices": [notice.to_dict(language) for notice in self.notices],
            }
        )

    def cli_dict(self) -> dict[str, Any]:
        """The analyst CLI's `--json` answer: att, se, ci_low, ci_high, n_units, n_obs, estimates."""
        full = self.to_dict()
        return {key: full[key] for key in ("att", "se", "ci_low", "ci_high", "n_units", "n_obs", "estimates")}


@dataclass
class GroupTimeEffects:
    """The fitted ATT(g, t) of one panel, kept so that several aggregations reuse a single estimation."""

    panel: ValidatedPanel
    control: str
    est_method: str
    se_method: str
    alpha: float
    biters: int
    seed: int
    uniform_bands: bool
    anticipation: int
    covariates: list[str]
    mp: Any
    notices: list[Notice]


def estimate_group_time(
    panel: ValidatedPanel,
    *,
    control: str | None = None,
    covariates: bool = True,
    est_method: str = "dr",
    se: str = "analytic",
    biters: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
    uniform_bands: bool = False,
    anticipation: int = 0,
) -> GroupTimeEffects:
    """Estimate every ATT(g, t) of a validated panel (moderndid `att_gt`), ready for `aggregate`.

    `control` defaults to the control group the panel was validated for; `covariates=False` ignores the
    panel's covariates (unconditional parallel trends). Bootstrap draws use `seed`, so a run is repeatable.
    """
    control = control or panel.control
    _check_choice("control", control, tuple(_CONTROL_GROUP))
    _check_choice("est_method", est_method, EST_METHODS)
    _check_choice("se", se, SE_METHODS)
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie strictly between 0 and 1")
    if control == "never" and panel.n_never_treated == 0:
        # moderndid would silently turn the last cohort into controls; the analyst must choose that.
        raise PanelError(
            "no_never_treated",
            _(
                "No never-treated unit (first-treated year 0 in column '%(column)s') to serve as the comparison "
                "group. Use not-yet-treated units as controls instead (--control notyet)."
            ),
            column=panel.spec.first_treated,
        )
    from moderndid import att_gt

    keys = panel.spec.covariate_keys if covariates else []
    data = panel.data[[UNIT, TIME, OUTCOME, GROUP, *keys]]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            mp = att_gt(
                data,
                yname=OUTCOME,
                tname=TIME,
                idname=UNIT,
                gname=GROUP,
                xformla="~" + "+".join(keys) if keys else None,
                est_method=est_method,
                control_group=_CONTROL_GROUP[control],
                anticipation=anticipation,
                boot=se == "bootstrap",
                biters=biters,
                cband=uniform_bands,
                alp=alpha,
                random_state=seed,
            )
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise EvaluationError(
                "estimation_failed",
                _("The staggered difference-in-differences estimation failed: %(reason)s"),
                reason=str(exc),
            ) from exc
    return GroupTimeEffects(
        panel=panel,
        control=control,
        est_method=est_method,
        se_method=se,
        alpha=alpha,
        biters=biters,
        seed=seed,
        uniform_bands=uniform_bands,
        anticipation=anticipation,
        covariates=list(panel.spec.covariates) if covariates else [],
        mp=mp,
        # The panel's own notices (rows and units left out) travel with every result built on it.
        notices=list(panel.diagnostics.notices) + _library_notices(caught),
    )


def aggregate(effects: GroupTimeEffects, aggregation: Aggregation = "simple") -> CSResult:
    """Aggregate ATT(g, t) as in Callaway & Sant'Anna section 3 (moderndid `aggte`), with intervals.

    simple: average of post-treatment ATT(g, t) weighted by cohort size; group: average effect of each
    cohort, and their size-weighted mean; dynamic: effect by years since treatment (event study), overall
    = mean over post-treatment event times; calendar: effect by calendar year, overall = their mean.
    Cells whose ATT(g, t) cannot be estimated are left out with a notice.
    """
    _check_choice("aggregation", aggregation, AGGREGATIONS)
    from moderndid import aggte

    mp = effects.mp
    notices = list(effects.notices)
    n_missing = int(np.isnan(mp.att_gt).sum())
    if n_missing:
        notices.append(
            Notice(
                "missing_group_time",
                _(
                    "%(count)s group-time effect(s) could not be estimated and were left out of the aggregation."
                ),
                {"count": n_missing},
            )
        )
    bootstrap = effects.se_method == "bootstrap"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            agg = aggte(
                mp,
                type=aggregation,
                na_rm=n_missing > 0,
                boot=bootstrap,
                biters=effects.biters,
                cband=effects.uniform_bands,
                alp=effects.alpha,
                random_state=effects.seed,
            )
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise EvaluationError(
                "aggregation_failed",
                _("The aggregation of group-time effects failed: %(reason)s"),
                reason=str(exc),
            ) from exc
    notices.extend(_library_notices(caught))

    z = float(stats.norm.ppf(1 - effects.alpha / 2))
    att, se = float(agg.overall_att), _float(agg.overall_se)
    estimates = []
    critical = z
    if aggregation != "simple":
        crit_values = np.asarray(agg.critical_values, dtype=float)
        critical = float(crit_values[0]) if len(crit_values) and np.isfinite(crit_values[0]) else z
        missing = []
        for key, value, std in zip(agg.event_times, agg.att_by_event, agg.se_by_event, strict=True):
            if not np.isfinite(value):
                missing.append(str(int(key)))
                continue
            estimates.append(_interval({ESTIMATE_KEY[aggregation]: int(key)}, value, std, critical))
        if missing:
            notices.append(
                Notice(
                    "unestimable_estimates",
                    _("No estimate for %(keys)s: no post-treatment year can be compared there."),
                    {"keys": ", ".join(missing)},
                )
            )
    panel = effects.panel
    result = CSResult(
        aggregation=aggregation,
        control=effects.control,
        est_method=effects.est_method,
        se_method=effects.se_method,
        alpha=effects.alpha,
        uniform_bands=effects.uniform_bands,
        att=att,
        se=se,
        ci_low=att - z * se,
        ci_high=att + z * se,
        estimates=estimates,
        group_time=_group_time(mp, z),
        pretest=_pretest(mp),
        n_units=int(mp.n_units),
        n_obs=int(mp.estimation_params.get("n_obs", panel.n_obs)),
        periods=panel.periods,
        cohorts=dict(panel.diagnostics.cohorts),
        covariates=list(effects.covariates),
        critical_value=critical,
        notices=notices,
    )
    return result


def callaway_santanna(
    panel: ValidatedPanel,
    *,
    aggregation: Aggregation = "simple",
    control: str | None = None,
    covariates: bool = True,
    est_method: str = "dr",
    se: str = "analytic",
    biters: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
    uniform_bands: bool = False,
    anticipation: int = 0,
) -> CSResult:
    """One-call Callaway & Sant'Anna: estimate ATT(g, t) on a validated panel and aggregate them."""
    effects = estimate_group_time(
        panel,
        control=control,
        covariates=covariates,
        est_method=est_method,
        se=se,
        biters=biters,
        alpha=alpha,
        seed=seed,
        uniform_bands=uniform_bands,
        anticipation=anticipation,
    )
    return aggregate(effects, aggregation)


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, not {value!r}")


def _float(value) -> float:
    value = float(value) if value is not None else math.nan
    return value


def _interval(key: dict[str, Any], att, se, critical: float) -> dict[str, Any]:
    att, se = float(att), _float(se)
    return {**key, "att": att, "se": se, "ci_low": att - critical * se, "ci_high": att + critical * se}


def _group_time(mp, z: float) -> list[dict[str, Any]]:
    critical = (
        float(mp.critical_value) if mp.critical_value is not None and np.isfinite(mp.critical_value) else z
    )
    rows = []
    for g, t, att, se in zip(mp.groups, mp.times, mp.att_gt, mp.se_gt, strict=True):
        row = _interval({"group": int(g), "period": int(t), "event_time": int(t) - int(g)}, att, se, critical)
        row["post"] = bool(t >= g)
        rows.append(row)
    return rows


def _pretest(mp) -> dict[str, Any]:
    pre = int(np.sum((mp.groups > mp.times) & ~np.isnan(mp.att_gt)))
    statistic = None if mp.wald_stat is None else float(mp.wald_stat)
    p_value = None if mp.wald_pvalue is None else float(mp.wald_pvalue)
    return {
        "test": "wald_pre_treatment_att_gt",
        "statistic": statistic,
        "df": pre,
        "p_value": p_value,
    }


def _library_notices(caught) -> list[Notice]:
    seen: set[str] = set()
    notices = []
    for item in caught:
        text = str(item.message)
        if text in seen or issubclass(item.category, DeprecationWarning | FutureWarning):
            continue
        seen.add(text)
        notices.append(
            Notice(
                "estimator_warning",
                _("The estimation library warned: %(text)s"),
                {"text": text},
            )
        )
    return notices
