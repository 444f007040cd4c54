"""Synthetic staggered firm panels with a known, heterogeneous, dynamic effect.

An estimator can only be trusted on real data if it recovers a known truth on data built like them. This
generator draws firms that join (or are funded) in different years, with an effect that differs by cohort
(early joiners gain more) and grows with years since treatment, and with selection on levels (larger firms
join more often, as Fontagné et al. found for the French clusters). Parallel trends hold unconditionally by
default, so Callaway & Sant'Anna should cover the truth while the static two-way fixed effects regression is
biased. The benchmark uses it for coverage; the demo generator uses it to plant an effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .panel import PanelSpec

SPEC = PanelSpec(
    unit="firm_id",
    time="year",
    outcome="log_turnover",
    first_treated="first_treated",
    covariates=("size_0", "rd_intensive"),
)


@dataclass
class SyntheticPanel:
    """A generated long panel, the spec that reads it, and the true effects for every aggregation.

    `truth` keys: `att_gt` {(g, t): effect}, `simple` float, `group` {g: effect} (+ `group_overall`),
    `dynamic` {e: effect} (+ `dynamic_overall`), `calendar` {t: effect} (+ `calendar_overall`). They are the
    population estimands of Callaway & Sant'Anna (cohort shares at their expected values).
    """

    panel: pd.DataFrame
    spec: PanelSpec
    truth: dict[str, Any]
    cohorts: list[int]
    cohort_shares: dict[int, float]

    def truth_dict(self) -> dict[str, Any]:
        """The truth with JSON-safe keys (strings), e.g. for a demo's stored 'planted effect'."""
        return {
            "att_gt": [
                {"group": g, "period": t, "att": v} for (g, t), v in sorted(self.truth["att_gt"].items())
            ],
            "simple": self.truth["simple"],
            "group": {str(k): v for k, v in self.truth["group"].items()},
            "group_overall": self.truth["group_overall"],
            "dynamic": {str(k): v for k, v in self.truth["dynamic"].items()},
            "dynamic_overall": self.truth["dynamic_overall"],
            "calendar": {str(k): v for k, v in self.truth["calendar"].items()},
            "calendar_overall": self.truth["calendar_overall"],
        }


def default_cohorts(first_year: int, n_periods: int, n_cohorts: int = 4) -> list[int]:
    """Up to `n_cohorts` first-treated years spread over the panel, each with at least two earlier years."""
    if n_periods < 4:
        raise ValueError("a staggered panel needs at least 4 periods")
    offsets = np.unique(
        np.round(np.linspace(2, n_periods - 2, num=min(n_cohorts, n_periods - 3))).astype(int)
    )
    return [first_year + int(k) for k in offsets]


def effect_of(cohorts: list[int], base: float, growth: float, gradient: float):
    """tau(g, e): the effect of cohort g, e years after treatment — larger for early cohorts, growing in e."""
    rank = {g: i for i, g in enumerate(sorted(cohorts))}
    last = max(len(cohorts) - 1, 1)

    def tau(g: int, e: int) -> float:
        if e < 0:
            return 0.0
        return base * (1 + gradient * (last - rank[g]) / last) + growth * e

    return tau


def make_staggered_panel(
    n_units: int = 1000,
    n_periods: int = 10,
    seed: int = 0,
    *,
    first_year: int = 2010,
    cohorts: list[int] | None = None,
    never_share: float = 0.35,
    effect_base: float = 0.10,
    effect_growth: float = 0.05,
    cohort_gradient: float = 1.0,
    effect_sd: float = 0.05,
    selection: float = 1.0,
    noise_sd: float = 0.2,
    covariate_trend: float = 0.0,
) -> SyntheticPanel:
    """Draw a balanced firm-year panel with staggered treatment and a known heterogeneous effect.

    Model: log_turnover_it = a_i + l_t + covariate_trend * size_0_i * (t - t0) + tau_i(g, t - g) + e_it,
    with a_i = 14 + size_0_i + 0.3 rd_intensive_i + N(0, 0.5^2), common year effects l_t, idiosyncratic
    effects tau_i = tau(g, e) + N(0, effect_sd^2) and e_it ~ N(0, noise_sd^2). Treated firms are drawn with
    a probability rising with size_0 (slope `selection` on the logit scale; about 1 - never_share of firms),
    then spread evenly over `cohorts`. With `covariate_trend` != 0, parallel trends hold only given size_0.
    """
    if n_units < 10:
        raise ValueError("n_units must be at least 10")
    rng = np.random.default_rng(seed)
    years = np.arange(first_year, first_year + n_periods)
    cohorts = sorted(cohorts or default_cohorts(first_year, n_periods))
    if cohorts[0] <= years[0] or cohorts[-1] > years[-1]:
        raise ValueError("cohorts must fall after the first year and within the panel")
    tau = effect_of(cohorts, effect_base, effect_growth, cohort_gradient)

    size_0 = rng.normal(size=n_units)
    rd_intensive = (rng.random(n_units) < 1 / (1 + np.exp(-size_0))).astype(float)
    intercept = np.log((1 - never_share) / never_share)
    p_treated = 1 / (1 + np.exp(-(intercept + selection * size_0)))
    treated = rng.random(n_units) < p_treated
    group = np.where(treated, rng.choice(np.asarray(cohorts), size=n_units), 0)

    level = 14 + size_0 + 0.3 * rd_intensive + rng.normal(scale=0.5, size=n_units)
    year_effect = 0.03 * (years - first_year) + rng.normal(scale=0.05, size=n_periods)
    unit_effect_shift = rng.normal(scale=effect_sd, size=n_units)

    g_long = np.repeat(group, n_periods)
    t_long = np.tile(years, n_units)
    event = t_long - g_long
    treated_now = (g_long > 0) & (event >= 0)
    table = np.array([[tau(g, e) for e in range(-n_periods, n_periods)] for g in cohorts])
    cohort_index = np.searchsorted(np.asarray(cohorts), g_long)
    effect = np.zeros(len(g_long))
    effect[treated_now] = table[cohort_index[treated_now], event[treated_now] + n_periods]
    effect[treated_now] += np.repeat(unit_effect_shift, n_periods)[treated_now]

    outcome = (
        np.repeat(level, n_periods)
        + np.tile(year_effect, n_units)
        + covariate_trend * np.repeat(size_0, n_periods) * (t_long - first_year)
        + effect
        + rng.normal(scale=noise_sd, size=n_units * n_periods)
    )
    panel = pd.DataFrame(
        {
            SPEC.unit: np.repeat(np.arange(1, n_units + 1), n_periods),
            SPEC.time: t_long,
            SPEC.outcome: outcome,
            SPEC.first_treated: g_long,
            "size_0": np.repeat(size_0, n_periods),
            "rd_intensive": np.repeat(rd_intensive, n_periods),
        }
    )
    shares = {g: 1 / len(cohorts) for g in cohorts}
    return SyntheticPanel(
        panel=panel,
        spec=SPEC,
        truth=true_effects(cohorts, shares, [int(t) for t in years], tau),
        cohorts=cohorts,
        cohort_shares=shares,
    )


def true_effects(cohorts: list[int], shares: dict[int, float], years: list[int], tau) -> dict[str, Any]:
    """The Callaway & Sant'Anna aggregations of tau under cohort shares `shares` (see `aggte`)."""
    last = years[-1]
    att_gt = {(g, t): tau(g, t - g) for g in cohorts for t in years if t >= g}
    post = [(g, t) for (g, t) in att_gt]
    simple = sum(shares[g] * att_gt[g, t] for g, t in post) / sum(shares[g] for g, _t in post)
    group = {g: float(np.mean([att_gt[g, t] for t in years if t >= g])) for g in cohorts}
    group_overall = sum(shares[g] * group[g] for g in cohorts) / sum(shares.values())
    events = range(min(years) - max(cohorts), last - min(cohorts) + 1)
    dynamic = {}
    for e in events:
        members = [g for g in cohorts if years[0] <= g + e <= last]
        if members:
            dynamic[e] = sum(shares[g] * tau(g, e) for g in members) / sum(shares[g] for g in members)
    calendar = {}
    for t in years:
        members = [g for g in cohorts if g <= t]
        if members:
            calendar[t] = sum(shares[g] * tau(g, t - g) for g in members) / sum(shares[g] for g in members)
    return {
        "att_gt": att_gt,
        "simple": float(simple),
        "group": group,
        "group_overall": float(group_overall),
        "dynamic": dynamic,
        "dynamic_overall": float(np.mean([v for e, v in dynamic.items() if e >= 0])),
        "calendar": calendar,
        "calendar_overall": float(np.mean(list(calendar.values()))),
    }
