"""Difference-in-differences on matched controls, as in the INSEE evaluation of the cluster policy.

Bellégo & Dortet-Bernadet (Économie et Statistique 471, 2014) and Ben Hassine & Mathieu (France Stratégie,
2017) compared member firms with non-member firms that looked alike before membership, then compared
their before/after changes. Matching removes observable selection (members were already larger and more
R&D-intensive), the before/after difference removes fixed unobserved gaps. This module reproduces that
design for each treatment cohort g: pre-treatment year g-1, post year g+horizon, treated firms of cohort g,
candidate controls never treated (or not yet treated by the post year), matched on pre-treatment
covariates (and, by default, the pre-treatment outcome), by propensity score or by nearest neighbour.

Standard errors are computed conditional on the matched sample (weights held fixed), clustered by unit:
they ignore the uncertainty of the matching step itself, which the summary states as a limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import stats
from scipy.spatial import cKDTree

from .common import json_safe
from .errors import EvaluationError, Notice
from .i18n import _
from .panel import GROUP, OUTCOME, ValidatedPanel

MATCH_METHODS = ("propensity", "nearest", "none")
DEFAULT_CALIPER = {"propensity": 0.2, "nearest": None, "none": None}
VCOV_CHOICES = ("cluster", "hetero", "iid")
OUTCOME_LABEL = _("pre-treatment outcome")
PSCORE_LABEL = _("propensity score (logit)")


@dataclass
class MatchedDiDResult:
    """The 2x2 difference-in-differences on matched controls, per cohort and overall, with a balance table."""

    method: str
    control: str
    horizon: int
    caliper: float | None
    n_neighbours: int
    vcov: str
    alpha: float
    att: float
    se: float
    ci_low: float
    ci_high: float
    cohorts: list[dict[str, Any]]
    balance: list[dict[str, Any]]
    matched_on: list[str]
    n_treated: int
    n_treated_unmatched: int
    n_controls: int
    notices: list[Notice] = field(default_factory=list)

    @property
    def method_name(self) -> str:
        """Stable name of the estimator."""
        return "matched_did"

    def to_dict(self, language: str | None = "en") -> dict[str, Any]:
        """Everything, JSON-safe."""
        return json_safe(
            {
                "method": self.method_name,
                "matching": self.method,
                "control": self.control,
                "horizon": self.horizon,
                "caliper": self.caliper,
                "n_neighbours": self.n_neighbours,
                "vcov": self.vcov,
                "alpha": self.alpha,
                "att": self.att,
                "se": self.se,
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "cohorts": self.cohorts,
                "balance": self.balance,
                "matched_on": self.matched_on,
                "n_treated": self.n_treated,
                "n_treated_unmatched": self.n_treated_unmatched,
                "n_controls": self.n_controls,
                "notices": [notice.to_dict(language) for notice in self.notices],
            }
        )


@dataclass
class _Stack:
    """Stacked (cohort, unit) observations of all cohorts, with the weights of the DiD estimator."""

    unit: list[np.ndarray] = field(default_factory=list)
    treated: list[np.ndarray] = field(default_factory=list)
    change: list[np.ndarray] = field(default_factory=list)
    weight: list[np.ndarray] = field(default_factory=list)
    frequency: list[np.ndarray] = field(default_factory=list)
    cohort: list[np.ndarray] = field(default_factory=list)
    features: list[np.ndarray] = field(default_factory=list)
    before_treated: list[np.ndarray] = field(default_factory=list)
    before_control: list[np.ndarray] = field(default_factory=list)

    def concat(self, name: str) -> np.ndarray:
        return np.concatenate(getattr(self, name))


def matched_did(
    panel: ValidatedPanel,
    *,
    method: Literal["propensity", "nearest", "none"] = "propensity",
    control: Literal["never", "notyet"] | None = None,
    horizon: int = 0,
    cohorts: list[int] | None = None,
    match_on_outcome: bool = True,
    caliper: float | None = None,
    n_neighbours: int = 1,
    vcov: Literal["cluster", "hetero", "iid"] = "cluster",
    alpha: float = 0.05,
) -> MatchedDiDResult:
    """Estimate the ATT `horizon` years after treatment by 2x2 DiD on matched controls, cohort by cohort.

    For cohort g: change = y(g + horizon) - y(g - 1). Treated: units first treated in g. Controls: never
    treated (`control="never"`) or also units first treated after g + horizon (`"notyet"`). Matching, with
    replacement, on the covariates in year g-1 (plus y(g-1) when `match_on_outcome`):
    - `propensity`: logit propensity score (statsmodels), nearest neighbours on its logit within
      `caliper` standard deviations (default 0.2, Austin 2011); treated units without a match are dropped;
    - `nearest`: nearest neighbours in Mahalanobis distance (optional `caliper` on that distance);
    - `none`: every candidate control, equally weighted (the plain 2x2 DiD).
    The overall ATT weights cohorts by their number of matched treated units.
    """
    if method not in MATCH_METHODS:
        raise ValueError(f"method must be one of {MATCH_METHODS}, not {method!r}")
    if vcov not in VCOV_CHOICES:
        raise ValueError(f"vcov must be one of {VCOV_CHOICES}, not {vcov!r}")
    if horizon < 0 or n_neighbours < 1:
        raise ValueError("horizon must be >= 0 and n_neighbours >= 1")
    control = control or panel.control
    caliper = DEFAULT_CALIPER[method] if caliper is None else caliper
    periods = np.asarray(panel.periods)
    n_units, n_periods = panel.n_units, len(periods)
    data = panel.data
    keys = panel.spec.covariate_keys
    outcome = data[OUTCOME].to_numpy().reshape(n_units, n_periods)
    covariates = [data[k].to_numpy().reshape(n_units, n_periods) for k in keys]
    group = data[GROUP].to_numpy().reshape(n_units, n_periods)[:, 0]
    unit_ids = np.arange(n_units)
    matched_on = list(panel.spec.covariates) + ([OUTCOME_LABEL] if match_on_outcome else [])
    if method != "none" and not matched_on:
        raise EvaluationError(
            "nothing_to_match_on",
            _(
                "Matching needs pre-treatment variables: give covariates or match on the pre-treatment outcome."
            ),
        )

    wanted = sorted(set(panel.cohorts) if cohorts is None else set(cohorts))
    unknown = [g for g in wanted if g not in panel.cohorts]
    if unknown:
        raise EvaluationError(
            "unknown_cohort",
            _("No unit is first treated in %(years)s."),
            years=", ".join(str(g) for g in unknown),
        )
    notices: list[Notice] = list(panel.diagnostics.notices)
    stack = _Stack()
    cohort_rows = []
    unmatched = 0
    for g in wanted:
        pre, post = g - 1, g + horizon
        if post > periods[-1] or pre < periods[0]:
            notices.append(
                Notice(
                    "cohort_out_of_window",
                    _(
                        "Cohort %(year)s is left out: year %(post)s, %(horizon)s year(s) after treatment, is not in the panel."
                    ),
                    {"year": g, "post": post, "horizon": horizon},
                )
            )
            continue
        i_pre, i_post = int(np.searchsorted(periods, pre)), int(np.searchsorted(periods, post))
        treated = unit_ids[group == g]
        eligible = (group == 0) | ((group > post) if control == "notyet" else False)
        candidates = unit_ids[eligible]
        if len(candidates) == 0:
            notices.append(
                Notice(
                    "cohort_without_controls",
                    _("Cohort %(year)s is left out: no comparison unit is untreated through %(post)s."),
                    {"year": g, "post": post},
                )
            )
            continue
        columns = [c[:, i_pre] for c in covariates] + ([outcome[:, i_pre]] if match_on_outcome else [])
        features = np.column_stack(columns) if columns else np.empty((n_units, 0))
        score = None
        if method == "propensity":
            score = _logit_propensity(features[treated], features[candidates], g)
            pairs = _match_on_score(score[0], score[1], n_neighbours, caliper)
        elif method == "nearest":
            pairs = _match_mahalanobis(features[treated], features[candidates], n_neighbours, caliper, g)
        else:
            pairs = None

        change = outcome[:, i_post] - outcome[:, i_pre]
        if pairs is None:
            kept_treated = treated
            control_units = candidates
            control_weight = np.full(len(candidates), len(treated) / len(candidates))
        else:
            rows, cols, row_weight = pairs
            kept_mask = np.zeros(len(treated), dtype=bool)
            kept_mask[rows] = True
            kept_treated = treated[kept_mask]
            control_weight_all = np.bincount(cols, weights=row_weight, minlength=len(candidates))
            used = control_weight_all > 0
            control_units = candidates[used]
            control_weight = control_weight_all[used]
        n_unmatched = len(treated) - len(kept_treated)
        unmatched += n_unmatched
        if len(kept_treated) == 0:
            notices.append(
                Notice(
                    "cohort_unmatched",
                    _(
                        "Cohort %(year)s is left out: no treated unit found a comparison unit within the caliper."
                    ),
                    {"year": g},
                )
            )
            continue
        att_g = change[kept_treated].mean() - np.average(change[control_units], weights=control_weight)
        cohort_rows.append(
            {
                "group": int(g),
                "pre_period": int(pre),
                "post_period": int(post),
                "n_treated": int(len(treated)),
                "n_treated_matched": int(len(kept_treated)),
                "n_controls_available": int(len(candidates)),
                "n_controls_used": int(len(control_units)),
                "att": float(att_g),
            }
        )
        stack.unit += [kept_treated, control_units]
        stack.treated += [np.ones(len(kept_treated), bool), np.zeros(len(control_units), bool)]
        stack.change += [change[kept_treated], change[control_units]]
        stack.weight += [np.ones(len(kept_treated)), control_weight]
        # Frequency weights (how many times each control is used) give the textbook OLS variance for `none`.
        stack.frequency += [
            np.ones(len(kept_treated)),
            np.ones(len(control_units)) if pairs is None else control_weight,
        ]
        stack.cohort += [np.full(len(kept_treated), g), np.full(len(control_units), g)]
        extra = [] if score is None else [score]
        stack.features.append(_with_score(features, treated, candidates, kept_treated, control_units, extra))
        stack.before_treated.append(_with_score_before(features, treated, extra, side=0))
        stack.before_control.append(_with_score_before(features, candidates, extra, side=1))

    if not cohort_rows:
        raise EvaluationError(
            "no_cohort_estimable",
            _(
                "No cohort could be evaluated %(horizon)s year(s) after treatment with the chosen comparison group."
            ),
            horizon=horizon,
        )
    if unmatched:
        notices.append(
            Notice(
                "treated_unmatched",
                _("%(count)s treated unit(s) found no comparison unit within the caliper and were left out."),
                {"count": unmatched},
            )
        )
    att, se, cohort_se = _did_variance(stack, vcov)
    for row in cohort_rows:
        row["se"] = cohort_se[row["group"]]
    z = float(stats.norm.ppf(1 - alpha / 2))
    labels = matched_on + ([PSCORE_LABEL] if method == "propensity" else [])
    unit_all = stack.concat("unit")
    return MatchedDiDResult(
        method=method,
        control=control,
        horizon=horizon,
        caliper=caliper,
        n_neighbours=n_neighbours,
        vcov="cluster(unit)" if vcov == "cluster" else vcov,
        alpha=alpha,
        att=att,
        se=se,
        ci_low=att - z * se,
        ci_high=att + z * se,
        cohorts=cohort_rows,
        balance=_balance_table(stack, labels),
        matched_on=matched_on,
        n_treated=int(sum(r["n_treated_matched"] for r in cohort_rows)),
        n_treated_unmatched=unmatched,
        n_controls=int(len(np.unique(unit_all[~stack.concat("treated")]))),
        notices=notices,
    )


def _logit_propensity(
    x_treated: np.ndarray, x_control: np.ndarray, cohort: int
) -> tuple[np.ndarray, np.ndarray]:
    """Logit of the fitted propensity score for treated and candidate controls."""
    import statsmodels.api as sm

    x = np.vstack([x_treated, x_control])
    d = np.r_[np.ones(len(x_treated)), np.zeros(len(x_control))]
    mean, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    design = sm.add_constant((x - mean) / sd, has_constant="add")
    try:
        with np.errstate(all="ignore"):
            fit = sm.GLM(d, design, family=sm.families.Binomial()).fit(maxiter=100)
        linear = design @ fit.params
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise EvaluationError(
            "propensity_failed",
            _("The propensity score model failed for cohort %(year)s: %(reason)s"),
            year=cohort,
            reason=str(exc),
        ) from exc
    if not np.all(np.isfinite(linear)):
        raise EvaluationError(
            "propensity_failed",
            _("The propensity score model failed for cohort %(year)s: %(reason)s"),
            year=cohort,
            reason="non-finite scores (perfect separation?)",
        )
    linear = np.clip(linear, -30, 30)
    return linear[: len(x_treated)], linear[len(x_treated) :]


def _match_on_score(treated: np.ndarray, control: np.ndarray, k: int, caliper: float | None):
    """Nearest controls on a one-dimensional score, with replacement; caliper in score standard deviations."""
    width = None
    if caliper is not None:
        width = caliper * float(np.std(np.r_[treated, control]))
    return _knn(control[:, None], treated[:, None], k, width)


def _match_mahalanobis(x_treated, x_control, k: int, caliper: float | None, cohort: int):
    x = np.vstack([x_treated, x_control])
    covariance = np.atleast_2d(np.cov(x, rowvar=False))
    try:
        whitening = np.linalg.cholesky(np.linalg.inv(covariance))
    except np.linalg.LinAlgError as exc:
        raise EvaluationError(
            "matching_singular",
            _(
                "Nearest-neighbour matching failed for cohort %(year)s: the matching variables are collinear "
                "or constant."
            ),
            year=cohort,
        ) from exc
    return _knn(x_control @ whitening, x_treated @ whitening, k, caliper)


def _knn(control: np.ndarray, treated: np.ndarray, k: int, width: float | None):
    """(treated row, control column, weight) triples: each kept treated unit spreads weight 1 over its matches."""
    k = min(k, len(control))
    distance, index = cKDTree(control).query(treated, k=k)
    distance, index = distance.reshape(len(treated), k), index.reshape(len(treated), k)
    within = np.ones_like(distance, dtype=bool) if width is None else distance <= width
    per_row = within.sum(axis=1)
    rows, cols = np.nonzero(within)
    weight = 1.0 / per_row[rows]
    return rows, index[rows, cols], weight


def _with_score(features, treated, candidates, kept_treated, control_units, extra):
    """Matching variables of the matched sample (treated then controls), the propensity logit last."""
    block = np.vstack([features[kept_treated], features[control_units]])
    if extra:
        t_score, c_score = extra[0]
        position_t = np.searchsorted(treated, kept_treated)
        position_c = np.searchsorted(candidates, control_units)
        block = np.column_stack([block, np.r_[t_score[position_t], c_score[position_c]]])
    return block


def _with_score_before(features, units, extra, side: int):
    block = features[units]
    if extra:
        block = np.column_stack([block, extra[0][side]])
    return block


def _did_variance(stack: _Stack, vcov: str) -> tuple[float, float, dict[int, float]]:
    """Treated-weighted ATT over cohorts and its standard error, holding the matching weights fixed."""
    unit, treated = stack.concat("unit"), stack.concat("treated")
    change, weight, cohort = stack.concat("change"), stack.concat("weight"), stack.concat("cohort")
    frequency = stack.concat("frequency")
    cohorts = np.unique(cohort)
    position = np.searchsorted(cohorts, cohort)
    n_treated = np.array([((cohort == g) & treated).sum() for g in cohorts], dtype=float)
    share = n_treated / n_treated.sum()
    coefficient = np.empty(len(change))
    residual = np.empty(len(change))
    ssr, arm_total = 0.0, {}
    for i, g in enumerate(cohorts):
        for arm in (True, False):
            mask = (cohort == g) & (treated == arm)
            residual[mask] = change[mask] - np.average(change[mask], weights=weight[mask])
            coefficient[mask] = (1.0 if arm else -1.0) * weight[mask] / n_treated[i]
            ssr += float(np.sum(frequency[mask] * residual[mask] ** 2))
            arm_total[(i, arm)] = float(frequency[mask].sum())
    cohort_att = np.bincount(position, weights=coefficient * change, minlength=len(cohorts))
    att = float(share @ cohort_att)
    n_params = 2 * len(cohorts)
    if vcov == "iid":
        sigma2 = ssr / max(float(frequency.sum()) - n_params, 1.0)
        per_cohort = np.array(
            [sigma2 * (1 / arm_total[(i, True)] + 1 / arm_total[(i, False)]) for i in range(len(cohorts))]
        )
        return (
            att,
            math.sqrt(float(share**2 @ per_cohort)),
            {int(g): math.sqrt(v) for g, v in zip(cohorts, per_cohort, strict=True)},
        )

    contribution = coefficient * residual

    def variance(values: np.ndarray, mask: np.ndarray, k: int) -> float:
        if vcov == "hetero":
            n = int(mask.sum())
            return float(np.sum(values[mask] ** 2)) * n / max(n - k, 1)
        by_unit = np.bincount(unit[mask], weights=values[mask])
        clusters = int(np.count_nonzero(np.bincount(unit[mask])))
        return float(np.sum(by_unit**2)) * clusters / max(clusters - 1, 1)

    cohort_se = {int(g): math.sqrt(variance(contribution, cohort == g, 2)) for g in cohorts}
    total = variance(contribution * share[position], np.ones(len(change), dtype=bool), n_params)
    return att, math.sqrt(total), cohort_se


def _balance_table(stack: _Stack, labels: list[str]) -> list[dict[str, Any]]:
    """Standardised mean differences before and after matching (pooled pre-matching standard deviation)."""
    treated = stack.concat("treated")
    weight = stack.concat("weight")
    after = np.vstack(stack.features)
    before_t = np.vstack(stack.before_treated)
    before_c = np.vstack(stack.before_control)
    rows = []
    for j, label in enumerate(labels):
        t_before, c_before = before_t[:, j], before_c[:, j]
        t_after, c_after, c_weight = after[treated, j], after[~treated, j], weight[~treated]
        scale = (
            math.sqrt((np.var(t_before, ddof=1) + np.var(c_before, ddof=1)) / 2)
            if len(t_before) > 1
            else math.nan
        )
        mean_c_after = float(np.average(c_after, weights=c_weight))
        var_c_after = float(np.average((c_after - mean_c_after) ** 2, weights=c_weight))
        rows.append(
            {
                "variable": label,
                "mean_treated_before": float(t_before.mean()),
                "mean_control_before": float(c_before.mean()),
                "mean_treated_after": float(t_after.mean()),
                "mean_control_after": mean_c_after,
                "smd_before": _ratio(t_before.mean() - c_before.mean(), scale),
                "smd_after": _ratio(t_after.mean() - mean_c_after, scale),
                "variance_ratio_before": _ratio(np.var(t_before, ddof=1), np.var(c_before, ddof=1)),
                "variance_ratio_after": _ratio(
                    np.var(t_after, ddof=1) if len(t_after) > 1 else math.nan, var_c_after
                ),
            }
        )
    return rows


def _ratio(numerator: float, denominator: float) -> float:
    if not math.isfinite(denominator) or denominator == 0:
        return math.nan
    return float(numerator / denominator)
