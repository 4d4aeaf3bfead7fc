"""Charts: one neutral description per chart, drawn by plotly (HTML) or as SVG
(`svg_chart`, for the markdown copy).

Strings from the database are HTML-escaped (`<`, `>`, `&`) before they reach plotly,
which renders a subset of HTML in labels and decodes those entities back for display.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
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
    text: list[str] | None = None


@dataclass
class ChartData:
    kind: str  # "bar", "line" or "scatter"
    traces: list[Trace]
    title: str | None = None
    x_title: str | None = None
    y_title: str | None = None
    horizontal: bool = False
    stacked: bool = True


def build_chart(
    kind: str,
    result: QueryResult,
    x: str,
    ys: list[str],
    series: str | None = None,
    tooltip: str | None = None,
) -> list[Trace]:
    """Traces for a result: one per series value (first y) or one per y column."""
    values = {c: [jsonable(v) for v in result.column_values(c)] for c in result.columns}
    text = [str(v) if v is not None else "" for v in values[tooltip]] if tooltip else None
    if series:
        traces: dict[str, Trace] = {}
        for i, key in enumerate(values[series]):
            name = "" if key is None else str(key)
            trace = traces.setdefault(name, Trace(name, [], [], [] if text else None))
            trace.x.append(values[x][i])
            trace.y.append(values[ys[0]][i])
            if text is not None and trace.text is not None:
                trace.text.append(text[i])
        return list(traces.values())
    # One trace per y column, named as Evidence names it in the legend (`active_authors` ->
    # `Active Authors`).
    return [Trace(title_case(y), list(values[x]), list(values[y]), text) for y in ys]


def _esc(value: Any) -> Any:
    return html.escape(value, quote=False) if isinstance(value, str) else value


def plotly_figure(chart: ChartData) -> dict[str, Any]:
    """The figure for Plotly.newPlot, with the page's look, as plain data.

    Written as the dict plotly.js reads rather than through plotly's graph objects, whose
    validation cost ~10 ms a chart; every value is already JSON data (see `build_chart`).
    """
    data: list[dict[str, Any]] = []
    for i, t in enumerate(chart.traces):
        color = PALETTE[i % len(PALETTE)]
        xs, ys = [_esc(v) for v in t.x], [_esc(v) for v in t.y]
        if chart.horizontal:
            xs, ys = ys, xs
        trace: dict[str, Any] = {"name": _esc(t.name), "x": xs, "y": ys}
        if chart.kind == "bar":
            trace |= {
                "type": "bar",
                "marker": {"color": color},
                "orientation": "h" if chart.horizontal else "v",
            }
        elif chart.kind == "line":
            trace |= {"type": "scatter", "mode": "lines", "line": {"color": color, "width": 2}}
        else:
            trace |= {
                "type": "scatter",
                "mode": "markers",
                "marker": {
                    "color": _rgba(color, MARKER_FILL_OPACITY),
                    "size": 8,
                    "line": {"color": color, "width": 1},
                },
            }
            if t.text is not None:
                trace["text"] = [_esc(v) for v in t.text]
                trace["hovertemplate"] = "<b>%{text}</b><br>%{x}, %{y}<extra></extra>"
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
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
        },
        "xaxis": {"automargin": True, "gridcolor": "#eee"},
        "yaxis": {
            "automargin": True,
            "gridcolor": "#eee",
            # Horizontal bars read top-down in query order, as in Evidence.
            **({"autorange": "reversed"} if chart.horizontal else {}),
        },
        "barmode": "stack" if chart.stacked else "group",
        "showlegend": len(chart.traces) > 1,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": 360,
    }
    if chart.title:
        layout["title"] = {"text": _esc(chart.title), "x": 0, "xanchor": "left"}
    for axis, title in (("xaxis", x_title), ("yaxis", y_title)):
        if title:
            layout[axis]["title"] = {"text": _esc(title)}
    return {"data": data, "layout": layout}


def _hex_rgba(color: str, alpha: float) -> tuple[float, float, float, float]:
    """`#rrggbb` and an opacity as (r, g, b, a) fractions."""
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return r, g, b, alpha


def _rgba(color: str, alpha: float) -> str:
    r, g, b, a = _hex_rgba(color, alpha)
    return f"rgba({round(r * 255)},{round(g * 255)},{round(b * 255)},{a})"


def plotly_json(chart: ChartData) -> str:
    """`plotly_figure` as compact JSON."""
    return json.dumps(plotly_figure(chart), ensure_ascii=False, separators=(",", ":"))
