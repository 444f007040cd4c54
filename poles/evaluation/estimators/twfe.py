"""Two-way fixed effects: the static regression and the event study, shown beside Callaway & Sant'Anna.

Most published policy evaluations still report a regression of the outcome on a treated-after indicator
with firm and year fixed effects. With staggered adoption and effects that change over time, that number is
a weighted mix of comparisons in which already-treated firms serve as controls, with weights that can be
negative (Goodman-Bacon 2021; de Chaisemartin & D'Haultfoeuille 2020). We compute it (with pyfixest, the
Python port of R fixest) so that analysts see how far it lies from the heterogeneity-robust estimate, and
the event-study version of it, whose leads give a second pre-trend test.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .common import json_safe
from .errors import EvaluationError, Notice
from .i18n import _
from .panel import GROUP, OUTCOME, TIME, UNIT, ValidatedPanel

VCOV_CHOICES = ("cluster", "hetero", "iid")


@dataclass
class TWFEResult:
    """Static TWFE effect, TWFE event-study coefficients (reference year has coefficient 0) and lead test."""

    static: dict[str, Any]
    event_study: list[dict[str, Any]]
    reference_event_time: int
    pretest: dict[str, Any]
    vcov: str
    alpha: float
    n_units: int
    n_obs: int
    notices: list[Notice] = field(default_factory=list)

    @property
    def method(self) -> str:
        """Stable name of the estimator."""
        return "twfe"

    def to_dict(self, language: str | None = "en") -> dict[str, Any]:
        """Everything, JSON-safe."""
        return json_safe(
            {
                "method": self.method,
                "static": self.static,
                "event_study": self.event_study,
                "reference_event_time": self.reference_event_time,
                "pretest": self.pretest,
                "vcov": self.vcov,
                "alpha": self.alpha,
                "n_units": self.n_units,
                "n_obs": self.n_obs,
                "notices": [notice.to_dict(language) for notice in self.notices],
            }
        )


def twfe_event_study(
    panel: ValidatedPanel,
    *,
    min_event: int | None = None,
    max_event: int | None = None,
    bin_endpoints: bool = False,
    reference: int = -1,
    vcov: Literal["cluster", "hetero", "iid"] = "cluster",
    alpha: float = 0.05,
) -> TWFEResult:
    """Fit y = unit FE + year FE + b * treated_after (static) and y = FE + sum_e b_e 1{t - g = e} (event study).

    Event times outside [min_event, max_event] are pooled with the reference year, or, with
    `bin_endpoints=True`, binned into the end dummies. Never-treated units get no event dummy. Standard
    errors are clustered by unit by default. The lead test is a joint Wald test that every event-time
    coefficient before `reference` is zero (chi-squared and F forms).
    """
    if vcov not in VCOV_CHOICES:
        raise ValueError(f"vcov must be one of {VCOV_CHOICES}, not {vcov!r}")
    import pyfixest as pf

    data = panel.data[[UNIT, TIME, OUTCOME, GROUP]].copy()
    treated = data[GROUP].to_numpy() > 0
    event = np.where(treated, data[TIME].to_numpy() - data[GROUP].to_numpy(), np.iinfo(np.int64).min)
    data["treated_after"] = (treated & (event >= 0)).astype(np.float64)
    observed = np.unique(event[treated])
    low = int(observed.min()) if min_event is None else int(min_event)
    high = int(observed.max()) if max_event is None else int(max_event)
    if low > high:
        raise ValueError("min_event must not exceed max_event")
    if bin_endpoints:
        event = np.where(treated, np.clip(event, low, high), event)
    terms: dict[str, int] = {}
    for e in range(low, high + 1):
        if e == reference or not np.any(treated & (event == e)):
            continue
        name = f"e_m{-e}" if e < 0 else f"e_p{e}"
        data[name] = (treated & (event == e)).astype(np.float64)
        terms[name] = e
    notices: list[Notice] = list(panel.diagnostics.notices)
    vcov_arg: Any = {"CRV1": UNIT} if vcov == "cluster" else vcov

    static_fit = _feols(pf, f"{OUTCOME} ~ treated_after | {UNIT} + {TIME}", data, vcov_arg, notices)
    static = _coefficients(static_fit, alpha)["treated_after"]

    if not terms:
        raise EvaluationError(
            "no_event_terms",
            _("No treated unit-year falls in the event window %(low)s to %(high)s."),
            low=low,
            high=high,
        )
    fit = _feols(pf, f"{OUTCOME} ~ {' + '.join(terms)} | {UNIT} + {TIME}", data, vcov_arg, notices)
    coefficients = _coefficients(fit, alpha)
    dropped = [terms[name] for name in terms if name not in coefficients]
    if dropped:
        notices.append(
            Notice(
                "collinear_event_terms",
                _(
                    "Event time(s) %(events)s cannot be told apart from the fixed effects (collinear) and were "
                    "left out of the event study."
                ),
                {"events": ", ".join(str(e) for e in sorted(dropped))},
            )
        )
    rows = [{"event_time": terms[name], **values} for name, values in coefficients.items()]
    if low <= reference <= high:
        rows.append(
            {
                "event_time": reference,
                "coef": 0.0,
                "se": 0.0,
                "ci_low": 0.0,
                "ci_high": 0.0,
                "reference": True,
            }
        )
    rows.sort(key=lambda row: row["event_time"])
    return TWFEResult(
        static=static,
        event_study=rows,
        reference_event_time=reference,
        pretest=_lead_test(fit, {name: terms[name] for name in coefficients}, reference, panel.n_units, vcov),
        vcov="cluster(unit)" if vcov == "cluster" else vcov,
        alpha=alpha,
        n_units=panel.n_units,
        n_obs=int(fit._N),
        notices=notices,
    )


def _feols(pf, formula: str, data: pd.DataFrame, vcov, notices: list[Notice]):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = pf.feols(formula, data=data, vcov=vcov)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise EvaluationError(
                "estimation_failed",
                _("The two-way fixed effects regression failed: %(reason)s"),
                reason=str(exc),
            ) from exc
    for item in caught:
        if issubclass(item.category, DeprecationWarning | FutureWarning):
            continue
        notices.append(
            Notice(
                "estimator_warning", _("The estimation library warned: %(text)s"), {"text": str(item.message)}
            )
        )
    return fit


def _coefficients(fit, alpha: float) -> dict[str, dict[str, float]]:
    coef, se = fit.coef(), fit.se()
    bounds = fit.confint(alpha=alpha)
    out = {}
    for name in coef.index:
        out[str(name)] = {
            "coef": float(coef[name]),
            "se": float(se[name]),
            "ci_low": float(bounds.loc[name].iloc[0]),
            "ci_high": float(bounds.loc[name].iloc[1]),
        }
    return out


def _lead_test(fit, terms: dict[str, int], reference: int, n_units: int, vcov: str) -> dict[str, Any]:
    names = [str(n) for n in fit.coef().index]
    leads = [i for i, name in enumerate(names) if terms.get(name, reference) < reference]
    result: dict[str, Any] = {
        "test": "twfe_leads_joint_wald",
        "df": len(leads),
        "statistic": None,
        "p_value": None,
    }
    if not leads:
        return result
    b = fit.coef().to_numpy()[leads]
    v = np.asarray(fit._vcov)[np.ix_(leads, leads)]
    try:
        statistic = float(b @ np.linalg.solve(v, b))
    except np.linalg.LinAlgError:
        return result
    q = len(leads)
    df_denominator = (n_units - 1) if vcov == "cluster" else max(int(fit._N) - len(names), 1)
    result.update(
        statistic=statistic,
        p_value=float(stats.chi2.sf(statistic, q)),
        f_statistic=statistic / q,
        f_p_value=float(stats.f.sf(statistic / q, q, df_denominator)),
    )
    return result
