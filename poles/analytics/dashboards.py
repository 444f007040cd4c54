"""The five dashboards (programme, funder, cluster, region, call): their subject, reader, charts and tables.

A dashboard is a subject (whose projects it counts), a reader (who may open it, whether they see figures
about unfunded proposals) and the same charts for all five: aid by funder, by year and partner category,
by category, maps by region and département, selection rates, outputs per million euros. The numbers come
from `indicators` over the frames of `selectors`; this module only turns them into labelled charts and
tables (core.charts), each with its CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from poles.calls.models import Call, Funder
from poles.core import charts
from poles.core.permissions import can
from poles.territories import geometry
from poles.territories.models import Departement, Region

from . import indicators, selectors
from .filters import cluster_projects

KIND_LABELS = {
    indicators.SME: gettext_lazy("SMEs"),
    indicators.MID: gettext_lazy("Mid-size companies (ETI)"),
    indicators.LARGE: gettext_lazy("Large companies"),
    indicators.COMPANY: gettext_lazy("Other companies (size unknown, or publicly controlled)"),
    indicators.RESEARCH: gettext_lazy("Public research and higher education"),
    indicators.OTHER: gettext_lazy("Other organisations"),
}
OUTPUT_LABELS = {
    "jobs": gettext_lazy("Jobs created (FTE)"),
    "patent_filed": gettext_lazy("Patents filed"),
    "patent_granted": gettext_lazy("Patents granted"),
    "publication": gettext_lazy("Publications"),
    "product": gettext_lazy("Products or services launched"),
    "licence": gettext_lazy("Licences granted"),
    "spin_off": gettext_lazy("Spin-offs created"),
    "follow_up": gettext_lazy("Follow-up projects"),
    "private_funding": gettext_lazy("Private funding raised (EUR)"),
}
KINDS = ("programme", "funder", "cluster", "region", "call")


@dataclass
class Subject:
    """What a dashboard is about: its kind, the object, its projects and the aid it counts."""

    kind: str
    obj: Any
    projects: QuerySet
    aid: Q | None = None
    fixed_filter: str = ""  # the filter this dashboard's own subject makes pointless
    proposals: QuerySet | None = None  # what selection rates count, when not `projects`

    @property
    def title(self) -> str:
        titles = {
            "programme": _("Dashboard of the programme %(name)s"),
            "funder": _("Dashboard of the funder %(name)s"),
            "cluster": _("Dashboard of the cluster %(name)s"),
            "region": _("Dashboard of the region %(name)s"),
            "call": _("Dashboard of the call %(name)s"),
        }
        return titles[self.kind] % {"name": self.obj}


def subject(kind: str, obj) -> Subject:
    """The projects and aid of a dashboard about `obj`."""
    projects = selectors.programme_projects()
    if kind == "programme":
        return Subject(kind, obj, projects.filter(Q(programme=obj) | Q(call__programme=obj)))
    if kind == "funder":
        return Subject(
            kind, obj, projects.filter(pk__in=obj.decisions.values("project_id")), fixed_filter="funder"
        )
    if kind == "cluster":
        return Subject(kind, obj, projects.filter(cluster_projects(obj)), fixed_filter="cluster")
    if kind == "region":
        in_region = Q(participations__organisation__departement__region=obj)
        ids = selectors.programme_projects().filter(in_region).values("pk")
        return Subject(
            kind, obj, projects.filter(pk__in=ids),
            aid=Q(participation__organisation__departement__region=obj), fixed_filter="region",
        )  # fmt: skip
    if kind == "call":
        return Subject(kind, obj, projects.filter(call=obj), fixed_filter="call")
    raise ValueError(kind)


def may_open(user, kind: str, obj) -> bool:
    """Whether `user` may open this dashboard (funder and cluster dashboards are restricted)."""
    if kind == "funder":
        return can(user, "analytics.view_funder_dashboard", obj)
    if kind == "cluster":
        return can(user, "analytics.view_cluster_dashboard", obj)
    return True


def sees_proposals(user, kind: str, obj) -> bool:
    """Whether `user` sees figures computed from unfunded proposals on this dashboard."""
    return can(user, "analytics.view_proposal_figures", obj)


@dataclass
class Built:
    """Everything a dashboard page shows."""

    figures: indicators.Figures
    charts: list[charts.Chart]
    outputs_recorded: bool
    sees_proposals: bool
    notes: list[str] = field(default_factory=list)
    own_aid: float | None = None  # a funder dashboard: that funder's part of the aid

    def chart(self, chart_id: str) -> charts.Chart | None:
        return next((c for c in self.charts if c.id == chart_id), None)


def build(
    subject_: Subject, projects: QuerySet, aid: Q | None, *, sees: bool, proposals: QuerySet | None = None
) -> Built:
    """Compute the dashboard of `projects` (already filtered) for a reader who does or does not see proposals;
    `proposals` (filtered the same way) are what its selection rates count when the subject has its own."""
    restriction = subject_.aid
    if aid is not None:
        restriction = aid if restriction is None else restriction & aid
    data = selectors.load_dashboard(
        projects, public_only=not sees, decisions=restriction, proposals=proposals
    )
    rows = indicators.aid_rows(data)
    figures = indicators.headline(data, rows)
    if not sees:
        figures.selection_rate = None
    built = [
        _aid_by_funder(rows),
        _aid_by_year_and_kind(rows),
        _aid_by_kind(rows),
        *_maps(rows, subject_),
    ]
    if sees:
        built.append(_selection(data.submissions, subject_))
    per_million = indicators.outputs_per_million(data.outputs, figures.aid)
    if per_million is not None:
        built.append(_outputs(per_million))
    built.append(_money(figures.leverage))
    result = Built(figures, built, data.outputs is not None, sees)
    if subject_.kind == "funder":
        result.own_aid = (
            float(rows.loc[rows["funder_id"] == subject_.obj.pk, "amount"].sum()) if not rows.empty else 0.0
        )
    return result


def _euros(value: float) -> int:
    return int(round(value))


def _aid_by_funder(rows: pd.DataFrame) -> charts.Chart:
    totals = indicators.aid_by(rows, "funder_id")
    labels = selectors.names(Funder, "pk", totals.index)
    chart = charts.bar(
        "aid-by-funder", _("Aid by funder (EUR)"), [labels.get(k, str(k)) for k in totals.index],
        [_euros(v) for v in totals.to_numpy()], value_label=_("Aid (EUR)"), horizontal=True,
    )  # fmt: skip
    chart.columns = [_("Funder"), _("Aid (EUR)")]
    _readable_categories(chart)
    return _or_empty(chart)


def _readable_categories(chart: charts.Chart) -> None:
    """Horizontal bars: long category names stay whole on the left, the largest on top."""
    if chart.figure is not None:
        chart.figure["layout"] = {"yaxis": {"autorange": "reversed", "automargin": True}, "margin": {"l": 10}}


def _aid_by_year_and_kind(rows: pd.DataFrame) -> charts.Chart:
    table = indicators.aid_by_year_and_kind(rows)
    years = [int(y) for y in table.index]
    data = [
        {"type": "bar", "name": str(KIND_LABELS[kind]), "x": years, "y": [_euros(v) for v in table[kind]],
         "marker": {"color": charts.PALETTE[i % len(charts.PALETTE)]}}
        for i, kind in enumerate(table.columns)
    ]  # fmt: skip
    columns = [_("Year"), *[str(KIND_LABELS[k]) for k in table.columns], _("Total")]
    out_rows = [[y, *[_euros(v) for v in table.loc[y]], _euros(table.loc[y].sum())] for y in table.index]
    layout = {
        "barmode": "stack",
        "xaxis": {"title": {"text": _("Year")}, "dtick": 1},
        "legend": {"orientation": "h", "x": 0, "y": 1.2},
    }
    chart = charts.Chart("aid-by-year", _("Aid by year and partner category (EUR)"), {"data": data, "layout": layout},
                         columns, [[int(r[0]), *r[1:]] for r in out_rows])  # fmt: skip
    return _or_empty(chart)


def _aid_by_kind(rows: pd.DataFrame) -> charts.Chart:
    totals = indicators.aid_by(rows, "kind")
    total = float(totals.sum()) or 1.0
    chart = charts.bar(
        "aid-by-category", _("Aid by partner category (EUR)"), [str(KIND_LABELS.get(k, k)) for k in totals.index],
        [_euros(v) for v in totals.to_numpy()], value_label=_("Aid (EUR)"), horizontal=True,
    )  # fmt: skip
    _readable_categories(chart)
    chart.columns = [_("Partner category"), _("Aid (EUR)"), _("Share of the aid (%)")]
    chart.rows = [[label, value, round(100 * value / total, 1)] for label, value in chart.rows]
    return _or_empty(chart)


def _maps(rows: pd.DataFrame, subject_: Subject) -> list[charts.Chart]:
    missing = _("The map needs the boundaries file %(file)s; the table below gives the same figures.")
    out = []
    if subject_.kind != "region":
        by_region = (
            indicators.aid_by(rows[rows["region"] != ""], "region")
            if not rows.empty
            else pd.Series(dtype=float)
        )
        regions = dict(Region.objects.filter(kind=Region.Kind.CURRENT).values_list("code", "name"))
        codes = [c for c in by_region.index if c in regions]
        out.append(_or_empty(charts.choropleth(
            "aid-map-regions", _("Aid received by partners, by region (EUR)"), geometry.geojson("regions"), codes,
            [regions[c] for c in codes], [_euros(by_region[c]) for c in codes], value_label=_("Aid (EUR)"),
            notice=missing % {"file": geometry.FILES["regions"]},
        )))  # fmt: skip
    by_dept = (
        indicators.aid_by(rows[rows["departement"] != ""], "departement")
        if not rows.empty
        else pd.Series(dtype=float)
    )
    departements = dict(Departement.objects.values_list("code", "name"))
    codes = [c for c in by_dept.index if c in departements]
    layer = (
        _region_departements(subject_.obj.code)
        if subject_.kind == "region"
        else geometry.geojson("departements")
    )
    out.append(_or_empty(charts.choropleth(
        "aid-map-departements", _("Aid received by partners, by département (EUR)"), layer, codes,
        [departements[c] for c in codes], [_euros(by_dept[c]) for c in codes], value_label=_("Aid (EUR)"),
        notice=missing % {"file": geometry.FILES["departements"]},
    )))  # fmt: skip
    return out


@lru_cache(maxsize=32)
def _region_departements_cached(code: str, mtime: float) -> dict | None:
    layer = geometry.geojson("departements")
    if layer is None:
        return None
    inside = set(
        Departement.objects.filter(region__code=code, region__kind=Region.Kind.CURRENT).values_list(
            "code", flat=True
        )
    )
    return {"type": "FeatureCollection", "features": [f for f in layer["features"] if str(f["properties"].get("code")) in inside]}  # fmt: skip


def _region_departements(code: str) -> dict | None:
    """The départements of one region (kept in memory: charts caches outlines per layer object)."""
    path = geometry.path_of("departements")
    if not path.exists():
        return None
    return _region_departements_cached(code, path.stat().st_mtime)


def _selection(projects: pd.DataFrame, subject_: Subject) -> charts.Chart:
    by_call = indicators.selection_rates(projects, "call_id")
    calls = {c.pk: c for c in Call.objects.filter(pk__in=list(by_call["call_id"].dropna()))}
    labels = [str(calls[c].reference) if c in calls else _("No call") for c in by_call["call_id"]]
    rates = [round(100 * r, 1) for r in by_call["rate"]]
    chart = charts.bar("selection-rates", _("Selection rate by call (funded ÷ submitted, %)"), labels, rates,
                       value_label=_("Selection rate (%)"))  # fmt: skip
    chart.columns = [_("Call"), _("Submitted"), _("Selected"), _("Funded"), _("Selection rate (%)")]
    chart.rows = [
        [label, int(s), int(sel), int(f), rate]
        for label, s, sel, f, rate in zip(labels, by_call["submitted"], by_call["selected"], by_call["funded"], rates, strict=True)
    ]  # fmt: skip
    return _or_empty(chart)


def _outputs(per_million: pd.DataFrame) -> charts.Chart:
    labels = [str(OUTPUT_LABELS.get(k, k)) for k in per_million["kind"]]
    values = [round(float(v), 2) for v in per_million["per_million"]]
    chart = charts.bar("outputs-per-million", _("Outputs per million euros of aid"), labels, values,
                       value_label=_("Per million euros of aid"), horizontal=True)  # fmt: skip
    _readable_categories(chart)
    chart.columns = [_("Output"), _("Count"), _("Quantity (FTE or EUR)"), _("Per million euros of aid")]
    chart.rows = [
        [label, int(n), round(float(q), 1), value]
        for label, n, q, value in zip(labels, per_million["count"], per_million["quantity"], values, strict=True)
    ]  # fmt: skip
    return _or_empty(chart)


def _money(lev: indicators.Leverage) -> charts.Chart:
    rows = [
        [_("Public aid decided"), _euros(lev.public)],
        [_("Companies' own share of their budgets"), _euros(lev.private_own)],
    ]
    if lev.private_raised is not None:
        rows.append([_("Private funding raised (validated outputs)"), _euros(lev.private_raised)])
    rows.append(
        [_("Private money per euro of public aid"), round(lev.ratio, 2) if lev.ratio is not None else "—"]
    )
    labels = [str(r[0]) for r in rows[:-1]]
    chart = charts.bar("money", _("Public and private money of the funded projects (EUR)"), labels,
                       [r[1] for r in rows[:-1]], value_label=_("EUR"), horizontal=True)  # fmt: skip
    _readable_categories(chart)
    chart.columns = [_("Money"), _("EUR")]
    chart.rows = rows
    return (
        _or_empty(chart)
        if lev.public > 0
        else _or_empty(charts.Chart("money", chart.title, None, chart.columns, []))
    )


def _or_empty(chart: charts.Chart) -> charts.Chart:
    """A chart without rows becomes a notice instead of an empty plot."""
    if not chart.rows:
        chart.figure = None
        chart.notice = _("No funded project with decided aid matches these filters yet.")
    return chart


def csv_response(chart: charts.Chart, filename: str) -> HttpResponse:
    """One chart's table as a CSV download (UTF-8 with BOM, so spreadsheet programs read accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(c) for c in chart.columns])
    for row in chart.rows:
        writer.writerow([str(v) if not isinstance(v, int | float) else v for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def with_csv_links(built: Built, query) -> None:
    """Give every chart the address of its CSV: the page's own filters plus `csv=<chart id>`."""
    for chart in built.charts:
        params = query.copy()
        params["csv"] = chart.id
        chart.csv_url = "?" + params.urlencode()
