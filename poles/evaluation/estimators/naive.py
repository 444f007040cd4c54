"""The naive member-versus-non-member comparison, and the truth planted in a synthetic panel.

Cluster evaluations found that selected firms were already doing better before joining (Fontagné et al.
2010; POLICY.md): comparing members with non-members after the fact mixes that head start into the
"effect". We show the naive comparison beside the difference-in-differences estimates on purpose, with
the same comparison *before* treatment, so the reader sees the selection bias instead of being told
about it.

`planted_truth` computes, for a panel built from the demo programme, the average effect the generator
planted on exactly the treated firm-years the estimator used, so the estimate can be checked against it.
Plain numpy/pandas, no Django import.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .common import json_safe
from .i18n import _, format_number, translate
from .panel import GROUP, OUTCOME, TIME, UNIT, ValidatedPanel


def naive_comparison(panel: ValidatedPanel, alpha: float = 0.05) -> dict[str, Any]:
    """Mean outcome of treated units minus that of never-treated units in the same year.

    `after`: over treated units' post-treatment years (what a naive evaluation reports as the effect);
    `before`: over their pre-treatment years (the head start they already had: selection). Each is an
    average of per-year differences weighted by the number of treated units that year; its standard error
    treats units as independent (clustered by unit, by averaging each unit's differences first). Without
    never-treated units (all are treated some day), units not yet treated that year stand in for them.
    """
    data = panel.data[[UNIT, TIME, OUTCOME, GROUP]]
    treated_now = (data[GROUP] > 0) & (data[TIME] >= data[GROUP])
    never = data[GROUP] == 0
    comparison = data[never] if never.any() else data[~treated_now]
    year_mean = comparison.groupby(TIME)[OUTCOME].mean()
    result = {}
    for name, mask in (("after", treated_now), ("before", (data[GROUP] > 0) & (data[TIME] < data[GROUP]))):
        rows = data[mask]
        baseline = rows[TIME].map(year_mean)
        gaps = (rows[OUTCOME] - baseline).dropna()
        per_unit = gaps.groupby(rows.loc[gaps.index, UNIT]).mean()
        if per_unit.empty:
            result[name] = {
                "gap": None,
                "se": None,
                "ci_low": None,
                "ci_high": None,
                "relative": None,
                "n_units": 0,
            }
            continue
        gap = float(gaps.mean())
        se = float(per_unit.std(ddof=1) / math.sqrt(len(per_unit))) if len(per_unit) > 1 else float("nan")
        z = float(stats.norm.ppf(1 - alpha / 2))
        result[name] = {
            "gap": gap,
            "se": se,
            "ci_low": gap - z * se,
            "ci_high": gap + z * se,
            "n_units": int(len(per_unit)),
        }
    return json_safe({"alpha": alpha, **result})


def planted_truth(panel: ValidatedPanel, relative_effect: dict[str, float], transform: str) -> dict[str, Any]:
    """The effect planted by the demo generator, averaged over the treated unit-years of `panel`.

    The generator multiplies a member firm's R&D spending by (1 + r_e), r_0 in the joining year and r_1
    from the next year on (`relative_effect`: {"joining_year": r_0, "later_years": r_1}). On a log scale the
    effect of a firm-year is log(1 + r_e); in euros it is y × r_e / (1 + r_e), since y = y₀ (1 + r_e).
    Averaging over all treated post-treatment unit-years gives the truth for the `simple` aggregation;
    by years since treatment, for `dynamic`.
    """
    r0, r1 = float(relative_effect["joining_year"]), float(relative_effect["later_years"])
    data = panel.data
    post = data[(data[GROUP] > 0) & (data[TIME] >= data[GROUP])]
    if post.empty:
        return {"simple": None, "dynamic": {}}
    event = (post[TIME] - post[GROUP]).astype(int)
    rate = np.where(event == 0, r0, r1)
    if transform == "log":
        effect = np.log1p(rate)
    elif transform == "none":
        effect = post[OUTCOME].to_numpy(dtype=float) * rate / (1 + rate)
    else:
        return {"simple": None, "dynamic": {}}
    series = pd.Series(effect, index=post.index)
    by_event = series.groupby(event.to_numpy()).mean()
    return json_safe({
        "simple": float(series.mean()),
        "dynamic": {str(int(e)): float(v) for e, v in by_event.items()},
        "relative_effect": {"joining_year": r0, "later_years": r1},
        "transform": transform,
    })  # fmt: skip


def naive_paragraph(naive: dict[str, Any], staggered_att: float | None, language: str) -> str:
    """The summary's paragraph on the naive comparison and the selection bias it reveals."""
    after, before = naive.get("after") or {}, naive.get("before") or {}
    if after.get("gap") is None:
        return ""
    n = lambda v: format_number(v, language)  # noqa: E731
    text = translate(
        _(
            "A naive comparison of treated units with never-treated units, year by year, finds a gap of "
            "%(after)s after treatment; but the same comparison before treatment already finds %(before)s. "
            "Treated units were different before being treated (selection), so the naive gap is not an "
            "effect."
        ),
        language,
        {"after": n(after["gap"]), "before": n(before.get("gap"))},
    )
    if staggered_att is not None and math.isfinite(staggered_att):
        text += " " + translate(
            _("The difference-in-differences estimate, which removes the head start, is %(att)s."),
            language,
            {"att": n(staggered_att)},
        )
    return text


def truth_paragraph(truth: dict[str, Any], estimate: dict[str, Any] | None, language: str) -> str:
    """The summary's paragraph comparing the estimate with the effect planted in the demo data."""
    if not truth or truth.get("simple") is None or not estimate:
        return ""
    low, high = estimate.get("ci_low"), estimate.get("ci_high")
    covered = low is not None and high is not None and low <= truth["simple"] <= high
    verdict = (
        translate(_("the confidence interval contains it."), language)
        if covered
        else translate(_("the confidence interval does not contain it."), language)
    )
    return translate(
        _(
            "Demo data: the generator planted an effect of +%(joining)s%% in the joining year and "
            "+%(later)s%% afterwards, that is %(truth)s on average over these treated firm-years; "
            "the estimate is %(att)s and %(verdict)s"
        ),
        language,
        {
            "joining": format_number(100 * truth["relative_effect"]["joining_year"], language, 2),
            "later": format_number(100 * truth["relative_effect"]["later_years"], language, 2),
            "truth": format_number(truth["simple"], language),
            "att": format_number(estimate.get("att"), language),
            "verdict": verdict,
        },
    )
