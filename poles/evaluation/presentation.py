"""A stored run's results as the page shows them: comparison of estimates, event study, tables.

The stored record is plain JSON (estimators.report); this module labels it in the reader's language and
turns it into charts with table views (core.charts), so the page template stays simple. The comparison
puts the naive member/non-member gap, before and after treatment, beside the difference-in-differences
estimates — and, on the demo data, beside the planted truth.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from poles.core import charts

from . import services
from .models import EvaluationRun

ESTIMATOR_LABELS = {
    "callaway_santanna": "Callaway & Sant'Anna",
    "twfe": "TWFE",
    "matched_did": "DiD",
}


def _r(value, digits: int):
    return None if value is None else round(float(value), digits)


def digits_for(run: EvaluationRun) -> int:
    """Decimals worth showing: effects on a log scale are small numbers, effects in euros are not."""
    return 4 if run.parameters["options"].get("transform", "log") != "none" else 1


def parameter_rows(run: EvaluationRun) -> list[tuple[str, str]]:
    """The run's choices, labelled."""
    o = run.parameters["options"]
    covariates = ", ".join(str(services.COVARIATES.get(c, c)) for c in o.get("covariates") or []) or _("none")
    years = (
        _("all years")
        if not (o.get("first_year") or o.get("last_year"))
        else f"{o.get('first_year') or '…'}–{o.get('last_year') or '…'}"
    )
    rows = [
        (_("Outcome"), services.OUTCOMES.get(o["outcome"], o["outcome"])),
        (_("Scale of the outcome"), services.TRANSFORMS.get(o["transform"], o["transform"])),
        (_("Treatment"), services.TREATMENTS.get(o["treatment"], o["treatment"])),
        (_("Comparison group"), services.CONTROLS.get(o["control"], o["control"])),
        (_("Headline aggregation"), services.AGGREGATIONS.get(o["aggregation"], o["aggregation"])),
        (_("Baseline covariates"), covariates),
        (_("Years"), years),
        (_("Standard errors"), services.STANDARD_ERRORS.get(o["se"], o["se"])),
        (_("Matched difference-in-differences"), services.MATCHING.get(o["matching"], o["matching"])),
    ]
    return [(str(a), str(b)) for a, b in rows]


def comparison(run: EvaluationRun) -> charts.Chart:
    """Naive gaps, staggered DiD, TWFE, matched DiD and (demo) the truth, with their intervals."""
    digits = digits_for(run)
    results = run.results or {}
    report = results.get("report", {}).get("results", {})
    naive = results.get("naive") or {}
    aggregation = run.parameters["options"]["aggregation"]
    rows: list[list[Any]] = []
    colours: list[str] = []

    def add(label, estimate, low=None, high=None, colour=charts.PALETTE[0]):
        if estimate is not None:
            rows.append([label, _r(estimate, digits), _r(low, digits), _r(high, digits)])
            colours.append(colour)

    for key, label in (
        ("before", _("Naive gap before treatment: treated minus never-treated firms (head start)")),
        ("after", _("Naive gap after treatment: treated minus never-treated firms")),
    ):
        entry = naive.get(key) or {}
        add(label, entry.get("gap"), entry.get("ci_low"), entry.get("ci_high"), colour=charts.PALETTE[4])
    staggered = report.get("staggered") or {}
    for name in dict.fromkeys([aggregation, "simple"]):
        entry = staggered.get(name) or {}
        add(_("Callaway & Sant'Anna, %(aggregation)s") % {"aggregation": services.AGGREGATIONS[name]},
            entry.get("att"), entry.get("ci_low"), entry.get("ci_high"))  # fmt: skip
    twfe = (report.get("twfe") or {}).get("static") or {}
    add(_("Two-way fixed effects (static; biased when effects vary across cohorts)"), twfe.get("coef"),
        twfe.get("ci_low"), twfe.get("ci_high"))  # fmt: skip
    matched = report.get("matched") or {}
    add(_("Matched difference-in-differences, %(horizon)s year(s) after treatment") % {"horizon": matched.get("horizon", 0)},
        matched.get("att"), matched.get("ci_low"), matched.get("ci_high"))  # fmt: skip
    truth = results.get("truth") or {}
    add(_("Planted truth (demo data)"), truth.get("simple"), colour=charts.PALETTE[1])
    labels = [str(r[0]) for r in rows]
    estimates = [r[1] for r in rows]
    plus = [None if r[3] is None else r[3] - r[1] for r in rows]
    minus = [None if r[2] is None else r[1] - r[2] for r in rows]
    figure = {
        "data": [{
            "type": "scatter", "mode": "markers", "x": estimates, "y": labels, "name": _("Estimate"),
            "marker": {"size": 11, "color": colours},
            "error_x": {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "color": charts.PALETTE[0]},
        }],
        "layout": {
            "height": 120 + 45 * len(rows), "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"zeroline": True, "zerolinewidth": 2, "title": {"text": _("Effect on the outcome")}},
            "margin": {"l": 20, "r": 20, "t": 10, "b": 50},
        },
    }  # fmt: skip
    return charts.Chart(
        "estimates", _("Estimates compared (95 % confidence intervals)"), figure if rows else None,
        [_("Estimate"), _("Value"), _("Low"), _("High")], rows,
    )  # fmt: skip


def event_study(run: EvaluationRun) -> charts.Chart:
    """Effects by years since treatment: Callaway & Sant'Anna and TWFE with intervals, and the demo truth."""
    digits = digits_for(run)
    results = run.results or {}
    plot = results.get("report", {}).get("results", {}).get("event_study_plot") or {}
    truth = (results.get("truth") or {}).get("dynamic") or {}
    data, by_event = [], {}
    names = {"callaway_santanna": _("Callaway & Sant'Anna"), "twfe": _("Two-way fixed effects")}
    series_names = []
    for i, series in enumerate(plot.get("series", [])):
        points = [p for p in series["points"] if p.get("estimate") is not None]
        offset = -0.12 if i == 0 else 0.12
        name = str(names.get(series["name"], series.get("label", series["name"])))
        series_names.append(name)
        data.append({
            "type": "scatter", "mode": "markers", "name": name,
            "x": [p["event_time"] + offset for p in points], "y": [p["estimate"] for p in points],
            "error_y": {"type": "data", "symmetric": False,
                        "array": [None if p["ci_high"] is None else p["ci_high"] - p["estimate"] for p in points],
                        "arrayminus": [None if p["ci_low"] is None else p["estimate"] - p["ci_low"] for p in points]},
            "marker": {"color": charts.PALETTE[2 * i % len(charts.PALETTE)], "size": 7},
        })  # fmt: skip
        for p in series["points"]:
            by_event.setdefault(int(p["event_time"]), {})[name] = (p["estimate"], p["ci_low"], p["ci_high"])
    if truth:
        events = sorted(int(e) for e in truth)
        data.append({"type": "scatter", "mode": "lines+markers", "name": _("Planted truth (demo data)"),
                     "x": events, "y": [truth[str(e)] for e in events],
                     "line": {"color": charts.PALETTE[1], "dash": "dot"}})  # fmt: skip
    layout = {
        "xaxis": {"title": {"text": _("Years since treatment")}, "zeroline": False},
        "yaxis": {"title": {"text": _("Effect on the outcome")}, "zeroline": True, "zerolinewidth": 2},
        "shapes": [{"type": "line", "x0": -0.5, "x1": -0.5, "yref": "paper", "y0": 0, "y1": 1,
                    "line": {"dash": "dash", "color": "#929292"}}],
        "legend": {"orientation": "h", "x": 0, "y": 1.15},
    }  # fmt: skip
    columns = [_("Years since treatment")]
    for name in series_names:
        columns += [name, _("low"), _("high")]
    if truth:
        columns.append(_("Planted truth (demo data)"))
    rows = []
    for event in sorted(by_event):
        row: list[Any] = [event]
        for name in series_names:
            estimate, low, high = by_event[event].get(name, (None, None, None))
            row += [_r(estimate, digits), _r(low, digits), _r(high, digits)]
        if truth:
            row.append(_r(truth.get(str(event)), digits))
        rows.append(row)
    return charts.Chart(
        "event-study", _("Effect by years since treatment (event study)"), {"data": data, "layout": layout} if data else None,
        [str(c) for c in columns], rows,
    )  # fmt: skip


def att_rows(run: EvaluationRun) -> list[list[Any]]:
    """Every estimate of the run's ATT table, labelled."""
    digits = digits_for(run)
    table = (run.results or {}).get("report", {}).get("results", {}).get("att_table") or []
    out = []
    for row in table:
        aggregation = services.AGGREGATIONS.get(row["aggregation"], row["aggregation"])
        if row["estimator"] == "twfe":
            aggregation = _("static")
        elif row["estimator"] == "matched_did":
            aggregation = _("%(horizon)s year(s) after treatment") % {
                "horizon": row["aggregation"].split("_")[-1]
            }
        out.append([ESTIMATOR_LABELS.get(row["estimator"], row["estimator"]), str(aggregation),
                    _r(row["att"], digits), _r(row["se"], digits), _r(row["ci_low"], digits), _r(row["ci_high"], digits)])  # fmt: skip
    return out


def estimate_rows(run: EvaluationRun, aggregation: str, key: str) -> list[list[Any]]:
    """Per-cohort (`group`) or per-year (`calendar`) estimates."""
    digits = digits_for(run)
    entry = ((run.results or {}).get("report", {}).get("results", {}).get("staggered") or {}).get(
        aggregation
    ) or {}
    return [
        [row.get(key), _r(row.get("att"), digits), _r(row.get("se"), digits), _r(row.get("ci_low"), digits),
         _r(row.get("ci_high"), digits)]
        for row in entry.get("estimates", [])
    ]  # fmt: skip


def diagnostics(run: EvaluationRun) -> list[tuple[str, Any]]:
    """Sizes, what validation dropped, and the pre-treatment tests."""
    results = run.results or {}
    d = results.get("report", {}).get("diagnostics") or {}
    report = results.get("report", {}).get("results", {})
    simple = (report.get("staggered") or {}).get("simple") or {}
    twfe = report.get("twfe") or {}
    periods = d.get("periods") or []
    rows = [
        (_("Firms in the panel (before checks)"), d.get("n_units_input")),
        (_("Firms kept (balanced panel)"), d.get("n_units")),
        (_("Firm-years kept"), d.get("n_rows")),
        (_("Years"), f"{periods[0]}–{periods[-1]}" if periods else "—"),
        (_("Never-treated firms"), (d.get("cohorts") or {}).get("0", 0)),
        (_("Treated cohorts"), len([g for g in (d.get("cohorts") or {}) if g != "0"])),
        (_("Rows dropped: missing outcome or covariate"), sum((d.get("dropped_rows_missing") or {}).values())),
        (_("Firms dropped: not observed every year"), d.get("dropped_units_unbalanced")),
        (_("Firms dropped: treated in the first year"), d.get("dropped_units_early_treated")),
        (_("Firms treated after the last year (counted as not treated)"), d.get("recoded_units_late_treated")),
        (_("Parallel-trends test before treatment (Callaway & Sant'Anna), p-value"),
         _r((simple.get("pretest") or {}).get("p_value"), 4)),
        (_("Leads of the fixed-effects event study jointly zero, p-value"), _r((twfe.get("pretest") or {}).get("p_value"), 4)),
    ]  # fmt: skip
    return [(str(a), "—" if b is None else b) for a, b in rows]


def cohort_rows(run: EvaluationRun) -> list[tuple[Any, Any]]:
    d = (run.results or {}).get("report", {}).get("diagnostics") or {}
    return [(g, n) for g, n in (d.get("cohorts") or {}).items() if g != "0"]


def balance_rows(run: EvaluationRun) -> list[list[Any]]:
    matched = (run.results or {}).get("report", {}).get("results", {}).get("matched") or {}
    return [
        [row.get("variable"), _r(row.get("smd_before"), 3), _r(row.get("smd_after"), 3)]
        for row in matched.get("balance", [])
    ]


def error_message(run: EvaluationRun, language: str) -> str:
    """The stored error in the reader's language."""
    error = run.error or {}
    return error.get(language[:2]) or error.get("en") or ""
