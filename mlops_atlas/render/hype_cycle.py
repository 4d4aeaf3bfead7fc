"""The `<HypeCycle>` figure: the classic hype-cycle curve with each row placed on it.

The curve is a drawing, not data: a rise to a peak, a fall to a trough, a slope up and a plateau,
over as many equal phases as the page names (`phases={query}`, in order; five for Gartner's
cycle). A row is placed by its phase (`stage` column) and its position within it (`position`
column, 0 entering the phase, 1 about to leave it; missing: the middle), at that point of the
curve, so only the x position carries measured information. Rows whose phase is not one of the
phases (dormant, archived, no stage) are not drawn; the page says how many in words.
"""

from __future__ import annotations

import math
from typing import Any

from mlops_atlas.render.charts import (
    BOTTOM_LEGEND,
    ChartData,
    escape_text,
    group_traces,
    scatter_style,
    show_legend,
)
from mlops_atlas.render.queries import QueryResult, jsonable

#: Points along the drawn curve per phase.
CURVE_STEPS = 24
CURVE_COLOR = "#9aa5b1"


def curve(t: float, phases: int = 5) -> float:
    """Height of the curve at t in [0, phases]: on five phases, rising through the first, its
    peak in the middle of the second, its lowest in the third, rising through the fourth, level
    in the fifth. Other phase counts stretch the same shape."""
    u = t * 5.0 / phases
    peak = math.exp(-(((u - 1.5) / 0.6) ** 2))
    recovery = 0.5 / (1.0 + math.exp(-2.6 * (u - 3.6)))
    return round(0.04 + 0.92 * peak + recovery, 4)


def place(stage: Any, position: Any, phases: list[str]) -> tuple[float, float] | None:
    """(x, y) of a row on the curve, or None when its stage is not a phase."""
    if stage not in phases:
        return None
    within = 0.5 if position is None else min(max(float(position), 0.0), 1.0)
    # keep the ends of neighbouring phases apart by a hair, so a point sits inside its phase
    x = phases.index(stage) + 0.02 + 0.96 * within
    return round(x, 4), curve(x, len(phases))


def cycle_chart(
    result: QueryResult,
    stage: str,
    position: str,
    phases: list[str],
    series: str | None,
    tooltip: str | None,
    label: str | None,
    link: str | None,
) -> ChartData:
    """The chart's traces (one per series value, or one) with each placeable row's (x, y)."""
    per_point: dict[str, list[Any] | None] = {"text": [], "labels": [], "links": []}
    keys, xs, ys = [], [], []
    for row in result.rows:
        placed = place(row[stage], row[position], phases)
        if placed is None:
            continue
        xs.append(placed[0])
        ys.append(placed[1])
        keys.append(row[series] if series else "")
        phase = str(row[stage])
        title = "" if tooltip is None or row[tooltip] is None else str(row[tooltip])
        per_point["text"].append(f"{title} ({phase})" if title else phase)  # type: ignore[union-attr]
        per_point["labels"].append("" if label is None or row[label] is None else str(row[label]))  # type: ignore[union-attr]
        link_value = None if link is None else jsonable(row[link])
        per_point["links"].append(None if link_value is None else str(link_value))  # type: ignore[union-attr]
    if label is None:
        per_point["labels"] = None
    else:
        per_point["label_positions"] = _alternating(xs, per_point["labels"])  # type: ignore[arg-type]
    if link is None:
        per_point["links"] = None
    return ChartData(kind="cycle", traces=group_traces(keys, xs, ys, per_point), phases=phases)


def _alternating(xs: list[float], labels: list[str]) -> list[str]:
    """Labels above and below their points in turn, from left to right, so neighbours along
    the curve do not print over each other."""
    positions = ["top center"] * len(xs)
    labelled = sorted((x, i) for i, (x, text) in enumerate(zip(xs, labels, strict=True)) if text)
    for turn, (_, i) in enumerate(labelled):
        positions[i] = "top center" if turn % 2 == 0 else "bottom center"
    return positions


def curve_points(phases: int) -> tuple[list[float], list[float]]:
    """The drawn curve as (x, y) points, CURVE_STEPS per phase."""
    xs = [i / CURVE_STEPS for i in range(phases * CURVE_STEPS + 1)]
    return xs, [curve(x, phases) for x in xs]


def cycle_figure(chart: ChartData) -> dict[str, Any]:
    """The plotly figure: the curve, the phases' names under it, dotted phase boundaries, and
    the points (labels beside the best-known, links on click, the legend at the foot)."""
    n = len(chart.phases)
    curve_x, curve_y = curve_points(n)
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": curve_x,
            "y": curve_y,
            "line": {"color": CURVE_COLOR, "width": 3, "shape": "spline"},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    for i, t in enumerate(chart.traces):
        trace = {"name": escape_text(t.name), "x": t.x, "y": t.y}
        trace |= scatter_style(t, chart.color(i, t), "")
        trace["hovertemplate"] = trace["hovertemplate"].replace("<br><extra>", "<extra>")
        trace["marker"]["size"] = 10
        trace["cliponaxis"] = False
        data.append(trace)
    top = max(curve_y) + 0.18
    layout: dict[str, Any] = {
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "margin": {"l": 16, "r": 16, "t": 48 if chart.title else 16, "b": 48},
        "xaxis": {
            "range": [-0.05, n + 0.05],
            "tickvals": [i + 0.5 for i in range(n)],
            "ticktext": [escape_text(p).replace(" of ", "<br>of ") for p in chart.phases],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
            "automargin": True,
        },
        "yaxis": {"visible": False, "range": [0, top], "fixedrange": True},
        "shapes": [
            {
                "type": "line",
                "x0": i,
                "x1": i,
                "y0": 0,
                "y1": top,
                "line": {"color": "#e4e7eb", "width": 1, "dash": "dot"},
            }
            for i in range(1, n)
        ],
        "legend": dict(BOTTOM_LEGEND),
        "showlegend": show_legend(chart),
        "hovermode": "closest",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": 460,
    }
    if chart.title:
        layout["title"] = {"text": escape_text(chart.title), "x": 0, "xanchor": "left"}
    return {"data": data, "layout": layout}
