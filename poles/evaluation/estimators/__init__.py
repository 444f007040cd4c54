"""Firm-level counterfactual impact evaluation: the engines behind the evaluation pages, API and CLI.

Plain Python over pandas/numpy, no Django import: the CLI, the pages, background workers and the tests all
call these same functions.

- `validate_panel`, `panel_fingerprint`, `PanelSpec`: check an analyst's panel once, canonicalise it, hash it;
- `build_firm_panel`: yearly figures + treatment events (membership or funding) -> panel;
- `callaway_santanna`, `estimate_group_time`, `aggregate`: staggered DiD (Callaway & Sant'Anna 2021);
- `matched_did`: 2x2 DiD on propensity-score or nearest-neighbour matched controls, with a balance table;
- `twfe_event_study`: two-way fixed effects static estimate and event study, with a lead test;
- `run_evaluation`, `rerun`, `EvaluationParams`: a storable, re-runnable run; `summary` in French/English;
- `make_staggered_panel`: synthetic panels with a known heterogeneous effect (benchmarks, demo).
"""

from .errors import EvaluationError, Notice, PanelError
from .firm_panel import build_firm_panel
from .matched import MatchedDiDResult, matched_did
from .panel import PanelSpec, ValidatedPanel, panel_fingerprint, validate_panel
from .report import (
    EvaluationParams,
    EvaluationReport,
    MatchingParams,
    code_version,
    event_study_plot_data,
    rerun,
    run_evaluation,
)
from .staggered import AGGREGATIONS, CSResult, aggregate, callaway_santanna, estimate_group_time
from .summary import summary
from .synthetic import SyntheticPanel, make_staggered_panel
from .twfe import TWFEResult, twfe_event_study

__all__ = [
    "AGGREGATIONS",
    "CSResult",
    "EvaluationError",
    "EvaluationParams",
    "EvaluationReport",
    "MatchedDiDResult",
    "MatchingParams",
    "Notice",
    "PanelError",
    "PanelSpec",
    "SyntheticPanel",
    "TWFEResult",
    "ValidatedPanel",
    "aggregate",
    "build_firm_panel",
    "callaway_santanna",
    "code_version",
    "estimate_group_time",
    "event_study_plot_data",
    "make_staggered_panel",
    "matched_did",
    "panel_fingerprint",
    "rerun",
    "run_evaluation",
    "summary",
    "twfe_event_study",
    "validate_panel",
]
