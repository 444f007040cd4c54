"""Charts as data: a plotly figure serialised to JSON plus the same numbers as a table.

Pages never run inline scripts: the figure travels in a `<script type="application/json">`
block and `static/poles/charts.js` draws it with the locally served plotly bundle. Every chart
has its table view, so the numbers are readable without JavaScript and by screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go


@dataclass
class Chart:
    """A figure and the table it is drawn from."""

    id: str
    title: str
    figure: go.Figure | None
    columns: list[str]
    rows: list[list[Any]]
    notice: str = ""
    csv_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def json(self) -> str:
        if self.figure is None:
            return ""
        self.figure.update_layout(
            margin={"l": 40, "r": 20, "t": 30, "b": 40},
            font={"family": "Marianne, arial, sans-serif"},
            paper_bgcolor="rgba(0,0,0,0)",
        )
        # Escaped like Django's json_script so that data can never close the <script> element.
        return self.figure.to_json().translate(_JSON_ESCAPES)


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


def bar(
    chart_id: str, title: str, labels: list[str], values: list[float], *, value_label: str, horizontal=False
) -> Chart:
    if horizontal:
        trace = go.Bar(y=labels, x=values, orientation="h", marker_color=PALETTE[0])
    else:
        trace = go.Bar(x=labels, y=values, marker_color=PALETTE[0])
    figure = go.Figure(trace)
    return Chart(
        chart_id,
        title,
        figure,
        [title, value_label],
        [[label, v] for label, v in zip(labels, values, strict=True)],
    )


def line(chart_id: str, title: str, x: list, series: dict[str, list[float]], *, x_label: str) -> Chart:
    figure = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        figure.add_trace(
            go.Scatter(x=x, y=values, mode="lines+markers", name=name, line_color=PALETTE[i % len(PALETTE)])
        )
    rows = [[xv, *[series[name][i] for name in series]] for i, xv in enumerate(x)]
    return Chart(chart_id, title, figure, [x_label, *series.keys()], rows)


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry["type"] == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


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

    Territories are drawn as filled polygons on plain axes (longitude scaled by the cosine of
    France's latitude), so the map needs no base-map tiles or topojson from the internet.
    """
    rows = [[name, value] for name, value in zip(names, values, strict=True)]
    if geojson is None:
        return Chart(chart_id, title, None, [title, value_label], rows, notice=notice)
    by_code = dict(zip(codes, zip(names, values, strict=True), strict=True))
    low, high = (min(values), max(values)) if values else (0, 1)
    figure = go.Figure()
    for feature in geojson["features"]:
        code = str(feature["properties"].get("code"))
        name, value = by_code.get(code, (feature["properties"].get("nom", code), None))
        xs, ys = [], []
        for ring in _rings(feature["geometry"]):
            xs += [round(point[0], 3) for point in ring] + [None]
            ys += [round(point[1], 3) for point in ring] + [None]
        label = f"{name}: {value}" if value is not None else f"{name}: 0"
        figure.add_trace(
            go.Scatter(
                x=xs, y=ys, fill="toself", mode="lines", line={"color": "white", "width": 1},
                fillcolor=_shade(value, low, high) if value is not None else "#F6F6F6",
                hoverinfo="text", text=label, hoveron="fills", showlegend=False, name=name,
            )
        )  # fmt: skip
    figure.add_trace(
        go.Scatter(
            x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
            marker={"colorscale": [[0, "#E3E3FD"], [1, "#000091"]], "cmin": low, "cmax": high, "color": [low],
                    "showscale": True, "colorbar": {"title": {"text": value_label}}},
        )
    )  # fmt: skip
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / 0.69)
    figure.update_layout(height=460, plot_bgcolor="rgba(0,0,0,0)")
    return Chart(chart_id, title, figure, [title, value_label], rows)
