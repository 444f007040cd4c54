"""A complete, storable, re-runnable impact evaluation: parameters, data fingerprint, code version, results.

Every evaluation run must be reproducible: an officer who reads a stored result months later must be able
to re-run it on the same data with the same code and get the same numbers. `run_evaluation` validates the
panel, runs Callaway & Sant'Anna (all four aggregations from one estimation), the two-way fixed effects
comparison and optionally the matched DiD, and returns an `EvaluationReport` whose `to_dict()` is plain
JSON: the Django layer stores it as is. `rerun` takes that stored dict and the panel, refuses data whose
fingerprint differs, and computes the report again. Nothing here depends on the clock or on randomness
without a seed, so a re-run gives identical results.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from typing import Any, Literal

import pandas as pd

from .common import json_safe
from .errors import EvaluationError, Notice
from .i18n import SUPPORTED_LANGUAGES, _
from .matched import MatchedDiDResult, matched_did
from .panel import PanelSpec, ValidatedPanel, panel_fingerprint, validate_panel
from .staggered import AGGREGATIONS, CSResult, aggregate, estimate_group_time
from .twfe import TWFEResult, twfe_event_study

ENGINE_VERSION = "1"
REPORT_SCHEMA = 1
LIBRARIES = ("moderndid", "pyfixest", "statsmodels", "numpy", "pandas", "scipy")


@dataclass(frozen=True)
class MatchingParams:
    """Options of the matched difference-in-differences (see `matched_did`)."""

    method: Literal["propensity", "nearest", "none"] = "propensity"
    horizon: int = 0
    match_on_outcome: bool = True
    caliper: float | None = None
    n_neighbours: int = 1


@dataclass(frozen=True)
class EvaluationParams:
    """Everything that, with the data, determines a run's results; stored with it and used to re-run it.

    `treatment` is a free label of how the analyst defined treatment when building the panel (e.g.
    "membership" for the first membership year, "funding" for the first funded project year).
    """

    spec: PanelSpec
    control: Literal["never", "notyet"] = "never"
    aggregation: Literal["simple", "group", "dynamic", "calendar"] = "simple"
    use_covariates: bool = True
    est_method: Literal["dr", "ipw", "reg"] = "dr"
    se: Literal["analytic", "bootstrap"] = "analytic"
    biters: int = 999
    alpha: float = 0.05
    seed: int = 0
    uniform_bands: bool = False
    anticipation: int = 0
    early_treated: Literal["error", "drop"] = "error"
    twfe: bool = True
    matching: MatchingParams | None = None
    treatment: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        data = asdict(self)
        data["spec"] = self.spec.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EvaluationParams:
        """Rebuild parameters stored by `to_dict` (unknown keys are refused, to catch schema drift)."""
        data = dict(data)
        spec = PanelSpec.from_dict(data.pop("spec"))
        matching = data.pop("matching", None)
        return cls(spec=spec, matching=MatchingParams(**matching) if matching else None, **data)


@dataclass
class EvaluationReport:
    """The outcome of one evaluation run: what was asked, on which data, with which code, and the results."""

    params: EvaluationParams
    fingerprint: str
    code_version: dict[str, str]
    panel: ValidatedPanel
    aggregations: dict[str, CSResult]
    twfe: TWFEResult | None
    matched: MatchedDiDResult | None
    notices: list[Notice] = field(default_factory=list)

    @property
    def staggered(self) -> CSResult:
        """The headline Callaway & Sant'Anna result (the aggregation chosen in the parameters)."""
        return self.aggregations[self.params.aggregation]

    def att_table(self) -> list[dict[str, Any]]:
        """One row per estimate: estimator, aggregation, ATT, standard error and confidence interval."""
        rows = [
            {
                "estimator": "callaway_santanna",
                "aggregation": name,
                "att": r.att,
                "se": r.se,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
            }
            for name, r in self.aggregations.items()
        ]
        if self.twfe is not None:
            s = self.twfe.static
            rows.append(
                {
                    "estimator": "twfe",
                    "aggregation": "static",
                    "att": s["coef"],
                    "se": s["se"],
                    "ci_low": s["ci_low"],
                    "ci_high": s["ci_high"],
                }
            )
        if self.matched is not None:
            m = self.matched
            rows.append(
                {
                    "estimator": "matched_did",
                    "aggregation": f"horizon_{m.horizon}",
                    "att": m.att,
                    "se": m.se,
                    "ci_low": m.ci_low,
                    "ci_high": m.ci_high,
                }
            )
        return rows

    def summary(self, language: str | None = "fr") -> str:
        """The plain-language summary of the whole run."""
        from .summary import summary

        return summary(self, language)

    def to_dict(self) -> dict[str, Any]:
        """The storable record: parameters, data fingerprint, code version, diagnostics and results."""
        return json_safe(
            {
                "schema": REPORT_SCHEMA,
                "parameters": self.params.to_dict(),
                "data_fingerprint": self.fingerprint,
                "code_version": self.code_version,
                "diagnostics": self.panel.diagnostics.to_dict(),
                "notices": [notice.to_dict() for notice in self.notices],
                "results": {
                    "att_table": self.att_table(),
                    "staggered": {name: r.to_dict() for name, r in self.aggregations.items()},
                    "twfe": None if self.twfe is None else self.twfe.to_dict(),
                    "matched": None if self.matched is None else self.matched.to_dict(),
                    "event_study_plot": event_study_plot_data(self.aggregations["dynamic"], self.twfe),
                },
                "summary": {lang: self.summary(lang) for lang in SUPPORTED_LANGUAGES},
            }
        )


def code_version() -> dict[str, str]:
    """Versions of this engine, of poles and of the libraries that compute the numbers."""
    versions = {"engine": ENGINE_VERSION, "python": platform.python_version()}
    for name in ("poles", *LIBRARIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def run_evaluation(frame: pd.DataFrame, params: EvaluationParams) -> EvaluationReport:
    """Validate the panel and run every estimator the parameters ask for; raise `PanelError` on bad data.

    The two-way fixed effects and matched estimates are secondary: if one of them fails, the run keeps the
    Callaway & Sant'Anna results and records a notice instead of failing.
    """
    panel = validate_panel(frame, params.spec, control=params.control, early_treated=params.early_treated)
    effects = estimate_group_time(
        panel,
        control=params.control,
        covariates=params.use_covariates,
        est_method=params.est_method,
        se=params.se,
        biters=params.biters,
        alpha=params.alpha,
        seed=params.seed,
        uniform_bands=params.uniform_bands,
        anticipation=params.anticipation,
    )
    aggregations = {name: aggregate(effects, name) for name in AGGREGATIONS}
    notices: list[Notice] = []
    twfe = None
    if params.twfe:
        try:
            twfe = twfe_event_study(panel, alpha=params.alpha)
        except EvaluationError as exc:
            notices.append(_secondary_failure("twfe", exc))
    matched = None
    if params.matching is not None:
        m = params.matching
        try:
            matched = matched_did(
                panel,
                method=m.method,
                control=params.control,
                horizon=m.horizon,
                match_on_outcome=m.match_on_outcome,
                caliper=m.caliper,
                n_neighbours=m.n_neighbours,
                alpha=params.alpha,
            )
        except EvaluationError as exc:
            notices.append(_secondary_failure("matched_did", exc))
    return EvaluationReport(
        params=params,
        fingerprint=panel.fingerprint,
        code_version=code_version(),
        panel=panel,
        aggregations=aggregations,
        twfe=twfe,
        matched=matched,
        notices=notices,
    )


def rerun(stored: dict[str, Any], frame: pd.DataFrame) -> EvaluationReport:
    """Re-run a stored evaluation on `frame`; refuse data whose fingerprint differs from the stored one."""
    params = EvaluationParams.from_dict(stored["parameters"])
    fingerprint = panel_fingerprint(frame, params.spec)
    if fingerprint != stored["data_fingerprint"]:
        raise EvaluationError(
            "fingerprint_mismatch",
            _("The data differ from those of the stored run (fingerprint %(found)s, expected %(expected)s)."),
            found=fingerprint[:19],
            expected=str(stored["data_fingerprint"])[:19],
        )
    return run_evaluation(frame, params)


def event_study_plot_data(dynamic: CSResult, twfe: TWFEResult | None) -> dict[str, Any]:
    """Series for the event-study chart: Callaway & Sant'Anna by event time, and TWFE beside it."""
    series = [
        {
            "name": "callaway_santanna",
            "label": _("Callaway & Sant'Anna"),
            "points": [
                {
                    "event_time": e["event_time"],
                    "estimate": e["att"],
                    "ci_low": e["ci_low"],
                    "ci_high": e["ci_high"],
                }
                for e in dynamic.estimates
            ],
        }
    ]
    if twfe is not None:
        series.append(
            {
                "name": "twfe",
                "label": _("Two-way fixed effects"),
                "points": [
                    {
                        "event_time": e["event_time"],
                        "estimate": e["coef"],
                        "ci_low": e["ci_low"],
                        "ci_high": e["ci_high"],
                    }
                    for e in twfe.event_study
                ],
            }
        )
    return json_safe(
        {
            "x": "event_time",
            "x_label": _("Years since treatment"),
            "y_label": _("Effect on the outcome"),
            "reference_line": 0.0,
            "treatment_start": -0.5,
            "series": series,
        }
    )


def _secondary_failure(estimator: str, exc: EvaluationError) -> Notice:
    return Notice(
        "secondary_estimator_failed",
        _("The %(estimator)s estimate could not be computed: %(reason)s"),
        {"estimator": estimator, "reason": exc},
    )
