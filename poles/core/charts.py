"""Charts as data: a plotly figure (plain data and layout dicts) plus the same numbers as a table.

Pages never run inline scripts: the figure travels in a `<script type="application/json">`
block and `static/poles/charts.js` draws it with the locally served plotly bundle. Every chart
has its table view, so the numbers are readable without JavaScript and by screen readers.
Figures are written as plain dicts (plotly.js's own schema) rather than through
plotly.graph_objects, whose validation costs tens of milliseconds per trace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# The DSFR illustrative palette, in an order where neighbours contrast.
PALETTE = [
    "#000091",
    "#E1000F",
    "#009081",
    "#A558A0",
    "#C3992A",
    "#417DC4",
    "#CE614A",
    "#68A532",
    "#7D4E5B",
    "#5770BE",
]

BASE_LAYOUT = {
    "margin": {"l": 50, "r": 20, "t": 30, "b": 40},
    "font": {"family": "Marianne, arial, sans-serif"},
    "paper_bgcolor": "rgba(0,0,0,0)",
}


@dataclass
class Chart:
    """A figure and the table it is drawn from."""

    id: str
    title: str
    figure: dict | None
    columns: list[str]
    rows: list[list[Any]]
    notice: str = ""
    csv_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def json(self) -> str:
        # Cached: templates read it up to three times, and a map's figure is a few hundred kilobytes.
        if self.figure is None:
            return ""
        figure = {"data": self.figure["data"], "layout": {**BASE_LAYOUT, **self.figure.get("layout", {})}}
        # Escaped like Django's json_script so that data can never close the <script> element.
        return json.dumps(figure, separators=(",", ":"), default=str).translate(_JSON_ESCAPES)


def bar(
    chart_id: str, title: str, labels: list[str], values: list[float], *, value_label: str, horizontal=False
) -> Chart:
    trace = {"type": "bar", "marker": {"color": PALETTE[0]}, "name": value_label}
    trace.update({"y": labels, "x": values, "orientation": "h"} if horizontal else {"x": labels, "y": values})
    rows = [[label, v] for label, v in zip(labels, values, strict=True)]
    return Chart(chart_id, title, {"data": [trace]}, [title, value_label], rows)


def line(chart_id: str, title: str, x: list, series: dict[str, list[float]], *, x_label: str) -> Chart:
    data = [
        {"type": "scatter", "mode": "lines+markers", "x": x, "y": values, "name": name,
         "line": {"color": PALETTE[i % len(PALETTE)]}}
        for i, (name, values) in enumerate(series.items())
    ]  # fmt: skip
    rows = [[xv, *[series[name][i] for name in series]] for i, xv in enumerate(x)]
    return Chart(
        chart_id,
        title,
        {"data": data, "layout": {"xaxis": {"title": {"text": x_label}}}},
        [x_label, *series],
        rows,
    )


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


@lru_cache(maxsize=16)
def _outlines(layer_id: int, geojson_json: str) -> tuple[tuple[str, str, tuple, tuple], ...]:
    """(code, name, xs, ys) per feature, rounded to ~100 m; cached per boundaries file."""
    geojson = json.loads(geojson_json)
    out = []
    for feature in geojson["features"]:
        xs, ys = [], []
        for ring in _rings(feature["geometry"]):
            xs += [round(point[0], 3) for point in ring] + [None]
            ys += [round(point[1], 3) for point in ring] + [None]
        props = feature["properties"]
        out.append((str(props.get("code")), str(props.get("nom", props.get("code"))), tuple(xs), tuple(ys)))
    return tuple(out)


_OUTLINE_KEYS: dict[int, str] = {}


def _shade(value: float, low: float, high: float) -> str:
    """A colour between light blue and the State blue (#000091), by value."""
    share = 0.0 if high <= low else (value - low) / (high - low)
    start, end = (0xE3, 0xE3, 0xFD), (0x00, 0x00, 0x91)
    return "#" + "".join(f"{round(a + (b - a) * share):02X}" for a, b in zip(start, end, strict=True))


def choropleth(
    chart_id: str, title: str, geojson: dict | None, codes: list[str], names: list[str], values: list[float],
    *, value_label: str, notice: str,
) -> Chart:  # fmt: skip
    """A map of values per territory; without the boundaries file, only the table (and why).

    Territories are drawn as filled polygons on plain axes (latitude stretched by 1/cos 46°),
    so the map needs no base-map tiles or topojson from the internet.
    """
    rows = [[name, value] for name, value in zip(names, values, strict=True)]
    if geojson is None:
        return Chart(chart_id, title, None, [title, value_label], rows, notice=notice)
    key = id(geojson)
    if key not in _OUTLINE_KEYS:
        _OUTLINE_KEYS[key] = json.dumps(geojson)
    by_code = dict(zip(codes, zip(names, values, strict=True), strict=True))
    low, high = (min(values), max(values)) if values else (0, 1)
    data = []
    for code, default_name, xs, ys in _outlines(key, _OUTLINE_KEYS[key]):
        name, value = by_code.get(code, (default_name, None))
        data.append({
            "type": "scatter", "x": xs, "y": ys, "fill": "toself", "mode": "lines",
            "line": {"color": "white", "width": 1},
            "fillcolor": _shade(value, low, high) if value is not None else "#F6F6F6",
            "hoverinfo": "text", "text": f"{name}: {value if value is not None else 0}", "hoveron": "fills",
            "showlegend": False, "name": name,
        })  # fmt: skip
    data.append({
        "type": "scatter", "x": [None], "y": [None], "mode": "markers", "showlegend": False, "hoverinfo": "skip",
        "marker": {"colorscale": [[0, "#E3E3FD"], [1, "#000091"]], "cmin": low, "cmax": high, "color": [low],
                   "showscale": True, "colorbar": {"title": {"text": value_label}}},
    })  # fmt: skip
    layout = {
        "height": 460,
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "scaleanchor": "x", "scaleratio": 1 / 0.69},
    }
    return Chart(chart_id, title, {"data": data, "layout": layout}, [title, value_label], rows)
