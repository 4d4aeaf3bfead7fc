"""Charts: one neutral description per chart, drawn by plotly (HTML) or as SVG
(`svg_chart`, for the markdown copy).

Strings from the database are HTML-escaped (`<`, `>`, `&`) before they reach plotly,
which renders a subset of HTML in labels and decodes those entities back for display.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from mlops_atlas.render.formats import title_case
from mlops_atlas.render.queries import QueryResult, jsonable

# Series colours, in order. Each has at least 3:1 contrast on white (WCAG's minimum for
# graphics), and the first seven stay apart for deuteranopia and protanopia too. The first
# is Evidence's blue, so single-series charts look as in Evidence.
PALETTE = [
    "#236aa4",  # blue
    "#d06a00",  # orange
    "#168a72",  # teal green
    "#8f3d56",  # wine
    "#8d6bd6",  # violet
    "#c0392b",  # red
    "#2b3f8c",  # navy
    "#e0487a",  # pink
    "#3197d0",  # sky blue
    "#4f9a3a",  # green
]
# Scatter markers are filled at this opacity, so overlapping points show, and outlined in
# the full colour, so each keeps its contrast.
MARKER_FILL_OPACITY = 0.7


@dataclass
class Trace:
    name: str
    x: list[Any]
    y: list[Any]
    text: list[str] | None = None  # the tooltip's title per point
    labels: list[str] | None = None  # text drawn beside each point ("" for none)
    label_positions: list[str] | None = None  # where each label sits (plotly textposition)
    links: list[str | None] | None = None  # where clicking each point goes


@dataclass
class ChartData:
    kind: str  # "bar", "line", "scatter" or "cycle" (hype_cycle.py)
    traces: list[Trace]
    title: str | None = None
    x_title: str | None = None
    y_title: str | None = None
    horizontal: bool = False
    stacked: bool = True
    colors: dict[str, str] = field(default_factory=dict)  # series name -> colour
    legend: bool | None = None  # None: a legend when there are several series
    phases: list[str] = field(default_factory=list)  # a cycle's phases, in order

    def color(self, index: int, trace: Trace) -> str:
        """A series' colour: as `seriesColors` names it, else the palette's by position."""
        return self.colors.get(trace.name) or PALETTE[index % len(PALETTE)]


def _texts(values: list[Any]) -> list[str]:
    return ["" if v is None else str(v) for v in values]


def build_chart(
    kind: str,
    result: QueryResult,
    x: str,
    ys: list[str],
    series: str | None = None,
    tooltip: str | None = None,
    label: str | None = None,
    link: str | None = None,
) -> list[Trace]:
    """Traces for a result: one per series value (first y) or one per y column. `tooltip`,
    `label` and `link` name columns giving each point's tooltip title, the text drawn beside it
    and the page a click opens (scatter plots)."""
    values = {c: [jsonable(v) for v in result.column_values(c)] for c in result.columns}
    per_point = {
        "text": _texts(values[tooltip]) if tooltip else None,
        "labels": _texts(values[label]) if label else None,
        "links": [None if v is None else str(v) for v in values[link]] if link else None,
    }
    if series:
        return group_traces(values[series], values[x], values[ys[0]], per_point)
    # One trace per y column, named as Evidence names it in the legend (`active_authors` ->
    # `Active Authors`).
    return [Trace(title_case(y), list(values[x]), list(values[y]), **per_point) for y in ys]


def group_traces(
    series: list[Any], xs: list[Any], ys: list[Any], per_point: dict[str, list[Any] | None]
) -> list[Trace]:
    """One trace per series value, in order of first appearance, with each point's extras
    (`per_point`: Trace field -> one value per point, or None)."""
    traces: dict[str, Trace] = {}
    for i, key in enumerate(series):
        name = "" if key is None else str(key)
        trace = traces.get(name)
        if trace is None:
            extras = {k: [] for k, v in per_point.items() if v is not None}
            trace = traces[name] = Trace(name, [], [], **extras)
        trace.x.append(xs[i])
        trace.y.append(ys[i])
        for field_name, point_values in per_point.items():
            if point_values is not None:
                getattr(trace, field_name).append(point_values[i])
    return list(traces.values())


def escape_text(value: Any) -> Any:
    return html.escape(value, quote=False) if isinstance(value, str) else value


#: A horizontal legend at the foot of the figure (container coordinates).
BOTTOM_LEGEND = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
}


def plotly_figure(chart: ChartData) -> dict[str, Any]:
    """The figure for Plotly.newPlot, with the page's look, as plain data.

    Written as the dict plotly.js reads rather than through plotly's graph objects, whose
    validation cost ~10 ms a chart; every value is already JSON data (see `build_chart`).
    """
    if chart.kind == "cycle":
        from mlops_atlas.render.hype_cycle import cycle_figure

        return cycle_figure(chart)
    data: list[dict[str, Any]] = []
    for i, t in enumerate(chart.traces):
        color = chart.color(i, t)
        xs, ys = [escape_text(v) for v in t.x], [escape_text(v) for v in t.y]
        if chart.horizontal:
            xs, ys = ys, xs
        trace: dict[str, Any] = {"name": escape_text(t.name), "x": xs, "y": ys}
        if chart.kind == "bar":
            trace |= {
                "type": "bar",
                "marker": {"color": color},
                "orientation": "h" if chart.horizontal else "v",
            }
        elif chart.kind == "line":
            trace |= {"type": "scatter", "mode": "lines", "line": {"color": color, "width": 2}}
        else:
            trace |= scatter_style(t, color, "%{x}, %{y}")
        data.append(trace)
    x_title, y_title = chart.x_title, chart.y_title
    if chart.horizontal:
        x_title, y_title = y_title, x_title
    layout: dict[str, Any] = {
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "margin": {"l": 56, "r": 16, "t": 48 if chart.title else 16, "b": 48},
        # The legend sits at the bottom of the figure (container coordinates), where plotly
        # reserves its height before placing tick labels and the x-axis title above it, so
        # it never overlaps them, however many rows it wraps to.
        "legend": dict(BOTTOM_LEGEND),
        "xaxis": {"automargin": True, "gridcolor": "#eee"},
        "yaxis": {
            "automargin": True,
            "gridcolor": "#eee",
            # Horizontal bars read top-down in query order, as in Evidence.
            **({"autorange": "reversed"} if chart.horizontal else {}),
        },
        "barmode": "stack" if chart.stacked else "group",
        "showlegend": show_legend(chart),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": 360,
    }
    if chart.title:
        layout["title"] = {"text": escape_text(chart.title), "x": 0, "xanchor": "left"}
    for axis, title in (("xaxis", x_title), ("yaxis", y_title)):
        if title:
            layout[axis]["title"] = {"text": escape_text(title)}
    return {"data": data, "layout": layout}


def show_legend(chart: ChartData) -> bool:
    """As the `legend` prop says (Evidence's), else when the chart has several series."""
    return len(chart.traces) > 1 if chart.legend is None else chart.legend


def scatter_style(trace: Trace, color: str, position: str) -> dict[str, Any]:
    """A scatter trace's markers, tooltip (`position` under its title), the labels drawn
    beside its points and the links a click follows (`customdata`, read by the page script)."""
    style: dict[str, Any] = {
        "type": "scatter",
        "mode": "markers+text" if trace.labels is not None else "markers",
        "marker": {
            "color": _rgba(color, MARKER_FILL_OPACITY),
            "size": 8,
            "line": {"color": color, "width": 1},
        },
        "hovertemplate": f"{position}<extra></extra>",
    }
    if trace.text is not None:
        style["hovertext"] = [escape_text(v) for v in trace.text]
        style["hovertemplate"] = f"<b>%{{hovertext}}</b><br>{position}<extra></extra>"
    if trace.labels is not None:
        style["text"] = [escape_text(v) for v in trace.labels]
        style["textposition"] = trace.label_positions or "top center"
        style["textfont"] = {"size": 11, "color": "#1f2933"}
    if trace.links is not None:
        style["customdata"] = trace.links
    return style


def _rgba(color: str, alpha: float) -> str:
    """`#rrggbb` and an opacity as CSS `rgba(r,g,b,a)`."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def plotly_json(chart: ChartData) -> str:
    """`plotly_figure` as compact JSON."""
    return json.dumps(plotly_figure(chart), ensure_ascii=False, separators=(",", ":"))
