"""The markdown copy's SVG charts: well-formed, escaped, and drawn to the data's scale."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from mlops_atlas.render.charts import ChartData, Trace
from mlops_atlas.render.svg_chart import nice_ticks, svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(chart: ChartData) -> ET.Element:
    return ET.fromstring(svg(chart).encode())


def test_hostile_names_stay_text() -> None:
    hostile = '<script>alert(1)</script> & "q"'
    root = _parse(
        ChartData(
            "bar",
            [Trace(hostile, ["<img onerror=x>"], [1]), Trace("b", ["<img onerror=x>"], [2])],
            title=hostile,
        )
    )
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert hostile in texts and "<img onerror=x>" in texts
    assert not list(root.iter(f"{NS}script")) and not list(root.iter(f"{NS}img"))


def test_stacked_bars_are_proportional_to_their_values() -> None:
    root = _parse(
        ChartData("bar", [Trace("a", ["x", "y"], [3, 6]), Trace("b", ["x", "y"], [1, 0])])
    )
    bars = [r for r in root.iter(f"{NS}rect") if r.get("fill") not in ("white", None)]
    heights = [float(r.get("height")) for r in bars if float(r.get("width")) > 10]
    # x: 3 then 1 stacked; y: 6 then 0
    assert heights[1] == 2 * heights[0] != 0
    assert abs(heights[2] - heights[0] / 3) < 0.2 and heights[3] == 0


def test_lines_break_at_missing_values_and_dates_make_a_time_axis() -> None:
    chart = ChartData(
        "line",
        [
            Trace(
                "n",
                ["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01"],
                [1, 2, None, 4, 5],
            )
        ],
        x_title="Month Date",
    )
    root = _parse(chart)
    lines = list(root.iter(f"{NS}polyline"))
    assert [len(p.get("points").split()) for p in lines] == [2, 2]
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "Month Date" in texts and "2020-01" in texts


def test_nice_ticks_cover_the_range_in_round_steps() -> None:
    ticks = nice_ticks(0, 937)
    assert ticks[0] <= 0 and ticks[-1] >= 937
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and steps.pop() in (100, 200, 250, 500)


def test_the_cycle_draws_its_points_on_the_curve_with_their_labels() -> None:
    from mlops_atlas.render.hype_cycle import place

    phases = ["trigger", "peak", "trough", "slope", "plateau"]
    placed = [place(stage, 0.5, phases) for stage in ("peak", "plateau")]
    chart = ChartData(
        "cycle",
        [Trace("tools", [p[0] for p in placed], [p[1] for p in placed], labels=["<a>", ""])],
        phases=phases,
    )
    root = _parse(chart)
    circles = list(root.iter(f"{NS}circle"))
    assert len(circles) == 2
    # the peak sits higher on the page (smaller y) than the plateau
    assert float(circles[0].get("cy")) < float(circles[1].get("cy"))
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert "<a>" in texts and "trough" in texts and len(list(root.iter(f"{NS}polyline"))) == 1
