"""Build the firm-year evaluation panel from organisations' yearly figures and their treatment events.

The analyst decides what "treated" means: the first year a firm became a cluster member, or the first year
one of its projects was funded. Either way the input is a list of (organisation, year) events; the first
event year becomes the firm's first-treated year (0 when it has none). Covariates are taken at baseline,
in the first year of the panel window, so that they cannot be affected by treatment (which, after
validation, always starts later). The Django layer turns memberships, participations and yearly figures
into these plain tables; this function holds the rules, so that pages, API, CLI and tests share them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .errors import PanelError
from .i18n import _
from .panel import PanelSpec

FIRST_TREATED = "first_treated"


def build_firm_panel(
    figures: pd.DataFrame,
    events: pd.DataFrame,
    *,
    outcome: str,
    covariates: Sequence[str] = (),
    unit: str = "organisation_id",
    time: str = "year",
    event_year: str = "year",
    years: tuple[int, int] | None = None,
    transform: Literal["none", "log", "log1p"] = "none",
) -> tuple[pd.DataFrame, PanelSpec]:
    """A long panel (unit, year, outcome, first_treated, baseline covariates) and the spec that reads it.

    - `figures`: one row per organisation and year, with the `outcome` and `covariates` columns;
    - `events`: treatment events, one row per (organisation, year) — membership starts or funded projects;
    - `years`: inclusive window; by default the years present in `figures`;
    - `transform`: apply log or log(1 + x) to the outcome (e.g. turnover, headcount); non-positive values
      become missing (and are then left out by validation, with a notice).
    Baseline covariates are named `<covariate>_baseline`; organisations without a value in the first year
    get a missing baseline.
    """
    for frame, columns in ((figures, [unit, time, outcome, *covariates]), (events, [unit, event_year])):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise PanelError(
                "missing_column",
                _("Column(s) %(columns)s not found in the panel. Available columns: %(available)s."),
                columns=", ".join(f"'{c}'" for c in missing),
                available=", ".join(f"'{c}'" for c in frame.columns),
            )
    panel = figures[[unit, time, outcome, *covariates]].copy()
    if years is not None:
        panel = panel[(panel[time] >= years[0]) & (panel[time] <= years[1])]
    if panel.empty:
        raise PanelError("empty_panel", _("The panel has no rows."))
    first_year = int(panel[time].min())

    first_event = events.groupby(unit)[event_year].min()
    panel[FIRST_TREATED] = panel[unit].map(first_event).fillna(0).astype(np.int64)

    if transform != "none":
        values = pd.to_numeric(panel[outcome], errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if transform == "log":
                values = np.where(values > 0, np.log(values), np.nan)
            else:
                values = np.where(values > -1, np.log1p(values), np.nan)
        panel[outcome] = values

    baseline_names = []
    for name in covariates:
        base = panel.loc[panel[time] == first_year].drop_duplicates(unit).set_index(unit)[name]
        baseline = f"{name}_baseline"
        panel[baseline] = panel[unit].map(base)
        baseline_names.append(baseline)
    panel = panel.drop(columns=list(covariates)).sort_values([unit, time]).reset_index(drop=True)
    spec = PanelSpec(
        unit=unit, time=time, outcome=outcome, first_treated=FIRST_TREATED, covariates=tuple(baseline_names)
    )
    return panel, spec
