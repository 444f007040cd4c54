"""Impact evaluation on the platform's own data: build the firm panel, run, store, re-run.

An officer or analyst chooses the outcome (R&D spending, R&D staff, headcount, turnover, patents), what
"treated" means (first year of cluster membership, or first year of a funded project), the comparison
group (never or not-yet treated), the headline aggregation and baseline covariates. `start_run` stores the
request and hands it to a background worker (django-tasks); `execute` builds the panel from the yearly
figures, runs the estimators of `estimators`, adds the naive member/non-member comparison (and, on the demo
data, the planted truth) and stores everything. `rerun` repeats a stored run on the same data and refuses
if the data changed (fingerprint); `repeat` runs the same parameters on today's data.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from poles.clusters.models import Membership
from poles.core import audit
from poles.core.permissions import can
from poles.instruments.models import Programme
from poles.organisations.models import COMPANY_CATEGORIES, YearlyFigures
from poles.projects.models import Participation, Project

from .estimators import (
    EvaluationError,
    EvaluationParams,
    MatchingParams,
    build_firm_panel,
    rerun,
    run_evaluation,
)
from .estimators.i18n import SUPPORTED_LANGUAGES
from .estimators.naive import naive_comparison, naive_paragraph, planted_truth, truth_paragraph
from .models import EvaluationRun

logger = logging.getLogger(__name__)

OUTCOMES = {
    "rd_spending": _("R&D spending (EUR)"),
    "rd_staff": _("R&D staff (FTE)"),
    "headcount": _("Headcount"),
    "turnover": _("Turnover (EUR)"),
    "patents_filed": _("Patents filed"),
}
COVARIATES = OUTCOMES
TREATMENTS = {
    "membership": _("First year of membership of a cluster"),
    "funding": _("First year of a funded project"),
}
CONTROLS = {"never": _("Never-treated firms"), "notyet": _("Firms not yet treated")}
AGGREGATIONS = {
    "simple": _("Simple: all treated firm-years"),
    "group": _("By cohort (first treatment year)"),
    "dynamic": _("By years since treatment (event study)"),
    "calendar": _("By calendar year"),
}
TRANSFORMS = {
    "log": _("Logarithm (effects in per cent)"),
    "none": _("Levels (effects in the outcome's unit)"),
    "log1p": _("Logarithm of 1 + value (counts with zeros)"),
}
STANDARD_ERRORS = {"analytic": _("Analytic"), "bootstrap": _("Multiplier bootstrap (999 draws)")}
MATCHING = {
    "none": _("No matched comparison"),
    "propensity": _("Propensity-score matching"),
    "nearest": _("Nearest-neighbour matching on the covariates"),
}


@dataclass(frozen=True)
class RunOptions:
    """What the analyst chose; stored with the run and enough to rebuild its panel and parameters."""

    outcome: str = "rd_spending"
    treatment: str = "membership"
    control: str = "never"
    aggregation: str = "simple"
    covariates: tuple[str, ...] = ()
    transform: str = "log"
    first_year: int | None = None
    last_year: int | None = None
    se: str = "analytic"
    matching: str = "none"
    horizon: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "covariates", tuple(self.covariates or ()))

    def validate(self) -> None:
        """Refuse unknown choices with a message naming the field (forms and the API show it)."""
        choices = {
            "outcome": OUTCOMES, "treatment": TREATMENTS, "control": CONTROLS, "aggregation": AGGREGATIONS,
            "transform": TRANSFORMS, "se": STANDARD_ERRORS, "matching": MATCHING,
        }  # fmt: skip
        errors: dict[str, Any] = {}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                errors[name] = _("“%(value)s” is not one of the choices.") % {"value": getattr(self, name)}
        unknown = [c for c in self.covariates if c not in COVARIATES]
        if unknown:
            errors["covariates"] = _("Unknown covariate(s): %(names)s.") % {"names": ", ".join(unknown)}
        if self.first_year and self.last_year and self.first_year >= self.last_year:
            errors["last_year"] = _("The last year must come after the first year.")
        if not 0 <= self.horizon <= 10:
            errors["horizon"] = _("The horizon must lie between 0 and 10 years.")
        if errors:
            raise ValidationError(errors)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["covariates"] = list(self.covariates)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunOptions:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)


@dataclass
class PlatformPanel:
    """The firm-year panel built from the platform's data, and how it was built."""

    frame: pd.DataFrame
    spec: Any
    firms: int
    treated: int
    years: tuple[int, int]
    notes: list[str] = field(default_factory=list)


def platform_panel(programme: Programme, options: RunOptions) -> PlatformPanel:
    """Companies' yearly figures with their first treatment year (membership of one of the programme's
    clusters, or participation in one of its funded projects) and baseline covariates."""
    columns = list(dict.fromkeys([options.outcome, *options.covariates]))
    rows = YearlyFigures.objects.filter(organisation__category__in=list(COMPANY_CATEGORIES)).values_list(
        "organisation_id", "year", *columns
    )
    figures = pd.DataFrame(list(rows), columns=["organisation_id", "year", *columns])
    for name in columns:
        figures[name] = pd.to_numeric(figures[name], errors="coerce").astype(float)
    if options.treatment == "membership":
        starts = Membership.objects.filter(
            cluster__programme=programme, organisation__category__in=list(COMPANY_CATEGORIES)
        ).values_list("organisation_id", "start")
        events = pd.DataFrame(
            [(org, start.year) for org, start in starts], columns=["organisation_id", "year"]
        )
    else:
        funded = (
            Participation.objects.filter(project__status=Project.Status.FUNDED)
            .filter(project__call__programme=programme)
            .annotate(year=Coalesce(ExtractYear("project__call__submission_deadline"), ExtractYear("project__start_date")))
            .values_list("organisation_id", "year")
        )  # fmt: skip
        events = pd.DataFrame(list(funded), columns=["organisation_id", "year"]).dropna()
    window = None
    if options.first_year or options.last_year:
        low = options.first_year or int(figures["year"].min())
        high = options.last_year or int(figures["year"].max())
        window = (low, high)
    panel, spec = build_firm_panel(
        figures, events, outcome=options.outcome, covariates=options.covariates, years=window,
        transform=options.transform,
    )  # fmt: skip
    years = (int(panel["year"].min()), int(panel["year"].max()))
    treated = int((panel.drop_duplicates("organisation_id")["first_treated"] > 0).sum())
    return PlatformPanel(panel, spec, int(panel["organisation_id"].nunique()), treated, years)


def estimator_params(options: RunOptions, spec) -> EvaluationParams:
    """The estimators' parameters for these options (doubly robust, as the original paper)."""
    matching = None
    if options.matching != "none":
        matching = MatchingParams(method=options.matching, horizon=options.horizon)
    return EvaluationParams(
        spec=spec, control=options.control, aggregation=options.aggregation, use_covariates=bool(options.covariates),
        se=options.se, seed=options.seed, early_treated="drop", matching=matching, treatment=options.treatment,
    )  # fmt: skip


def start_run(
    user, programme: Programme, options: RunOptions, *, title: str = "", rerun_of: EvaluationRun | None = None
) -> EvaluationRun:
    """Store a run request and queue it for a background worker; returns the run (done already when the
    task backend runs tasks immediately, as in tests)."""
    if not can(user, "evaluation.run_evaluation", programme):
        raise PermissionDenied
    options.validate()
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            programme=programme, title=title[:200], author=user if user.is_authenticated else None,
            parameters={"options": options.to_dict(), "mode": "rerun" if rerun_of else "new"}, rerun_of=rerun_of,
        )  # fmt: skip
        audit.record(
            "evaluation.evaluationrun.create", run, actor=user, after={"parameters": run.parameters},
            reason=f"re-run of {rerun_of.pk}" if rerun_of else "",
        )  # fmt: skip
    from .tasks import run_evaluation_task

    # Queued after the run row exists: a database worker may pick the task up at once.
    run_evaluation_task.enqueue(run.pk)
    run.refresh_from_db()
    return run


def rerun_run(run: EvaluationRun, user) -> EvaluationRun:
    """Re-run `run` identically: same parameters, and the data must have the same fingerprint."""
    return start_run(
        user, run.programme, RunOptions.from_dict(run.parameters["options"]), title=run.title, rerun_of=run
    )


def repeat_run(run: EvaluationRun, user) -> EvaluationRun:
    """Run `run`'s parameters again on today's data (a new run, whatever the data now hold)."""
    return start_run(user, run.programme, RunOptions.from_dict(run.parameters["options"]), title=run.title)


def execute(run_id: int) -> str:
    """The background task's work: compute and store the run's results (or its error). Idempotent."""
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().get(pk=run_id)
        if run.status != EvaluationRun.Status.QUEUED:
            return run.status
        run.status = EvaluationRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at", "updated_at"])
    started = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = _compute(run)
        run.status = EvaluationRun.Status.DONE
    except EvaluationError as error:
        values = {
            "error": {"code": error.code, **{lang: error.message(lang) for lang in SUPPORTED_LANGUAGES}}
        }
        run.status = EvaluationRun.Status.FAILED
    except Exception as error:  # noqa: BLE001 — a failed run must say so, never stay "running"
        logger.exception("evaluation run %s failed", run_id)
        values = {"error": {"code": "internal", **_in_each_language(INTERNAL, kind=type(error).__name__)}}
        run.status = EvaluationRun.Status.FAILED
    for name, value in values.items():
        setattr(run, name, value)
    run.finished_at = timezone.now()
    run.duration = round(time.perf_counter() - started, 3)
    run.save()
    return run.status


INTERNAL = _(
    "The evaluation stopped on an unexpected error (%(kind)s); the administrators can read the details in the "
    "server log."
)


def _in_each_language(message, **params) -> dict[str, str]:
    """A message rendered in every supported language (stored runs are read in both)."""
    out = {}
    for lang in SUPPORTED_LANGUAGES:
        with translation.override(lang):
            out[lang] = str(message) % params
    return out


def _compute(run: EvaluationRun) -> dict[str, Any]:
    options = RunOptions.from_dict(run.parameters["options"])
    built = platform_panel(run.programme, options)
    if run.rerun_of_id and run.rerun_of and run.rerun_of.results:
        report = rerun(run.rerun_of.results["report"], built.frame)
    else:
        report = run_evaluation(built.frame, estimator_params(options, built.spec))
    stored = report.to_dict()
    naive = naive_comparison(report.panel, alpha=report.params.alpha)
    truth = _demo_truth(report, options)
    headline = report.staggered
    simple = report.aggregations["simple"]
    results = {
        "report": stored,
        "naive": naive,
        "truth": truth,
        "panel": {"firms": built.firms, "treated": built.treated, "years": list(built.years)},
    }
    summaries = {}
    for lang in SUPPORTED_LANGUAGES:
        paragraphs = [stored["summary"][lang], naive_paragraph(naive, headline.att, lang)]
        if truth:
            paragraphs.append(
                truth_paragraph(
                    truth, {"att": simple.att, "ci_low": simple.ci_low, "ci_high": simple.ci_high}, lang
                )
            )
        summaries[lang] = "\n\n".join(p for p in paragraphs if p)
    return {
        "results": results,
        "data_fingerprint": report.fingerprint,
        "code_version": report.code_version,
        "summary_fr": summaries["fr"],
        "summary_en": summaries["en"],
        "error": None,
    }


def _demo_truth(report, options: RunOptions) -> dict[str, Any] | None:
    """The effect the demo generator planted, when this run measures it (R&D spending, membership)."""
    if (
        options.outcome != "rd_spending"
        or options.treatment != "membership"
        or options.transform not in ("log", "none")
    ):
        return None
    try:
        dataset_model = apps.get_model("demo", "DemoDataset")
    except LookupError:
        return None
    dataset = dataset_model.objects.order_by("-pk").first()
    planted = (dataset.truth or {}).get("rd_effect") if dataset else None
    if not planted:
        return None
    truth = planted_truth(report.panel, planted["relative_effect"], options.transform)
    truth["dataset"] = {"scale": dataset.scale, "seed": dataset.seed}
    return truth
