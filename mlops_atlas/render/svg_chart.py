"""A chart as a standalone SVG for the markdown copy (read on GitHub), drawn directly.

Bars (stacked, grouped, horizontal), lines and scatter points on linear, date or category
axes, and the hype cycle's curve with its points: what the pages' charts use. Drawing the few shapes a chart needs costs well under a
millisecond, where a plotting library took a second or more per figure to import and lay out.
Every string from the database is XML-escaped before it reaches the document.
"""

from __future__ import annotations

import datetime as dt
import math
from html import escape
from typing import Any

from mlops_atlas.render.charts import MARKER_FILL_OPACITY, ChartData, Trace, show_legend
from mlops_atlas.render.hype_cycle import CURVE_COLOR, curve_points

WIDTH, HEIGHT = 720, 360
FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
LABEL_CHARS = 28  # longer category labels are shortened with an ellipsis
TICKS = 6


def svg(chart: ChartData) -> str:
    """The chart as an SVG document."""
    return _Drawing(chart).document()


def _text(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _wrap(text: Any, chars: int) -> list[str]:
    """Words in lines of at most `chars` characters (a longer word gets a line of its own)."""
    lines: list[str] = []
    for word in ("" if text is None else str(text)).split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _category_label(value: Any) -> str:
    """A category as its tick reads: dates without a time of day, long names shortened."""
    day = _date(value)
    return day.date().isoformat() if day is not None else _short(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return None


def _date(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            return None
    return None


def nice_ticks(low: float, high: float, count: int = TICKS) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _tick_label(value: float) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


class _Axis:
    """Maps data values to pixels: numbers, dates (as seconds) or categories (bands)."""

    def __init__(self, values: list[Any], start: float, end: float, band: bool) -> None:
        self.start, self.end = start, end
        present = [v for v in values if v is not None]
        dates = [_date(v) for v in present]
        numbers = [_number(v) for v in present]
        if band or not present:
            self.kind = "band"
        elif all(d is not None for d in dates):
            self.kind = "date"
        elif all(n is not None for n in numbers):
            self.kind = "number"
        else:
            self.kind = "band"
        if self.kind == "band":
            self.categories: list[Any] = []
            for v in values:
                if v not in self.categories:
                    self.categories.append(v)
            self.step = (end - start) / max(1, len(self.categories))
        elif self.kind == "date":
            seconds = [d.timestamp() for d in dates if d is not None]
            self.low, self.high = min(seconds), max(seconds)
            if self.high == self.low:
                self.low, self.high = self.low - 86400, self.high + 86400
        else:
            found = [n for n in numbers if n is not None]
            self.ticks = nice_ticks(min(found), max(found))
            self.low, self.high = self.ticks[0], self.ticks[-1]

    def position(self, value: Any) -> float | None:
        if self.kind == "band":
            return self.start + self.step * (self.categories.index(value) + 0.5)
        if self.kind == "date":
            d = _date(value)
            if d is None:
                return None
            x = d.timestamp()
        else:
            n = _number(value)
            if n is None:
                return None
            x = n
        return self.start + (x - self.low) / (self.high - self.low) * (self.end - self.start)

    def labelled_ticks(self) -> list[tuple[float, str]]:
        if self.kind == "band":
            return [(self.position(c) or 0.0, _category_label(c)) for c in self.categories]
        if self.kind == "number":
            return [(self.position(t) or 0.0, _tick_label(t)) for t in self.ticks]
        low = dt.datetime.fromtimestamp(self.low, dt.UTC)
        high = dt.datetime.fromtimestamp(self.high, dt.UTC)
        years = high.year - low.year
        if years >= 2:
            step = max(1, math.ceil(years / TICKS))
            marks = [
                dt.datetime(y, 1, 1, tzinfo=dt.UTC)
                for y in range(low.year + 1, high.year + 1, step)
            ]
            fmt = "%Y"
        else:
            months = (high.year - low.year) * 12 + high.month - low.month
            step = max(1, math.ceil(months / TICKS))
            marks = []
            year, month = low.year, low.month
            while (year, month) <= (high.year, high.month):
                marks.append(dt.datetime(year, month, 1, tzinfo=dt.UTC))
                month += step
                year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
            fmt = "%Y-%m"
        inside = [m for m in marks if self.low <= m.timestamp() <= self.high]
        return [(self._seconds(m.timestamp()), m.strftime(fmt)) for m in inside]

    def _seconds(self, x: float) -> float:
        return self.start + (x - self.low) / (self.high - self.low) * (self.end - self.start)


class _Drawing:
    def __init__(self, chart: ChartData) -> None:
        self.chart = chart
        self.parts: list[str] = []
        self.legend = show_legend(chart)
        self.left, self.right = 72.0, WIDTH - 16.0
        self.top = 40.0 if chart.title else 16.0
        self.bottom = HEIGHT - (48.0 + (28.0 if self.legend else 0.0))
        self.colors = [chart.color(i, t) for i, t in enumerate(chart.traces)]

    def document(self) -> str:
        chart = self.chart
        if chart.kind == "bar":
            self._bars()
        elif chart.kind == "cycle":
            self._cycle()
        else:
            self._points()
        if chart.title:
            self._label(self.left, 22, chart.title, size=14, weight="600")
        if self.legend:
            self._legend()
        body = "\n".join(self.parts)
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}" font-size="11">\n'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n{body}\n</svg>\n'
        )

    # ---- pieces -------------------------------------------------------------------------
    def _label(
        self,
        x: float,
        y: float,
        text: Any,
        anchor: str = "start",
        size: int = 11,
        weight: str = "normal",
        rotate: float | None = None,
    ) -> None:
        turn = f' transform="rotate({rotate:g} {x:.1f} {y:.1f})"' if rotate else ""
        self.parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'font-weight="{weight}" fill="#333"{turn}>{_text(text)}</text>'
        )

    def _grid_and_ticks(self, axis: _Axis, vertical_values: bool) -> None:
        """Ticks of the value axis with grid lines (`vertical_values`: values run up the y axis)."""
        for pos, label in axis.labelled_ticks():
            if vertical_values:
                self.parts.append(
                    f'<line x1="{self.left:.1f}" x2="{self.right:.1f}" y1="{pos:.1f}" '
                    f'y2="{pos:.1f}" stroke="#eee"/>'
                )
                self._label(self.left - 6, pos + 4, label, anchor="end")
            else:
                self.parts.append(
                    f'<line x1="{pos:.1f}" x2="{pos:.1f}" y1="{self.top:.1f}" '
                    f'y2="{self.bottom:.1f}" stroke="#eee"/>'
                )
                self._label(pos, self.bottom + 16, label, anchor="middle")

    def _category_ticks(self, axis: _Axis, on_x: bool) -> None:
        ticks = axis.labelled_ticks()
        rotate = on_x and len(ticks) > 6
        for pos, label in ticks:
            if on_x:
                if rotate:
                    self._label(pos, self.bottom + 12, label, anchor="end", rotate=-45)
                else:
                    self._label(pos, self.bottom + 16, label, anchor="middle")
            else:
                self._label(self.left - 6, pos + 4, label, anchor="end")

    def _axis_titles(self, x_title: str | None, y_title: str | None) -> None:
        if x_title:
            self._label((self.left + self.right) / 2, self.bottom + 40, x_title, anchor="middle")
        if y_title:
            middle = (self.top + self.bottom) / 2
            self._label(16, middle, y_title, anchor="middle", rotate=-90)
        self.parts.append(
            f'<line x1="{self.left:.1f}" x2="{self.right:.1f}" y1="{self.bottom:.1f}" '
            f'y2="{self.bottom:.1f}" stroke="#999"/>'
        )

    def _legend(self) -> None:
        x, y = self.left, HEIGHT - 12.0
        for trace, color in zip(self.chart.traces, self.colors, strict=True):
            name = _short(trace.name)
            self.parts.append(
                f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{color}"/>'
            )
            self._label(x + 14, y, name)
            x += 24 + 6.5 * len(name)
            if x > self.right - 60:
                break

    # ---- chart kinds --------------------------------------------------------------------
    def _bars(self) -> None:
        chart = self.chart
        categories: list[Any] = []
        for t in chart.traces:
            for x in t.x:
                if x not in categories:
                    categories.append(x)
        heights = []
        for t in chart.traces:
            by_category = dict.fromkeys(categories, 0.0)
            for x, y in zip(t.x, t.y, strict=False):
                by_category[x] += _number(y) or 0.0
            heights.append([by_category[c] for c in categories])
        if chart.stacked:
            tops = [sum(h[i] for h in heights) for i in range(len(categories))]
        else:
            tops = [max(h[i] for h in heights) for i in range(len(categories))] if heights else []
        lows = [0.0, *[min(0.0, v) for h in heights for v in h]]
        ticks = nice_ticks(min(lows), max([0.0, *tops]))
        if chart.horizontal:
            longest = max((len(_category_label(c)) for c in categories), default=0)
            self.left = max(self.left, 12.0 + 6.5 * longest)
            band = _Axis(categories, self.top, self.bottom, band=True)
            value = _Axis(ticks, self.left, self.right, band=False)
        else:
            band = _Axis(categories, self.left, self.right, band=True)
            value = _Axis(ticks, self.bottom, self.top, band=False)
        self._grid_and_ticks(value, vertical_values=not chart.horizontal)
        width = band.step * 0.8 / (1 if chart.stacked else max(1, len(heights)))
        base = [0.0] * len(categories)
        zero = value.position(0.0) or 0.0
        for i, (h, color) in enumerate(zip(heights, self.colors, strict=True)):
            for k, category in enumerate(categories):
                centre = band.position(category) or 0.0
                offset = -band.step * 0.4 if chart.stacked else -band.step * 0.4 + i * width
                start = base[k] if chart.stacked else 0.0
                a = value.position(start) or zero
                b = value.position(start + h[k]) or zero
                if chart.horizontal:
                    self.parts.append(
                        f'<rect x="{min(a, b):.1f}" y="{centre + offset:.1f}" '
                        f'width="{abs(b - a):.1f}" height="{width:.1f}" fill="{color}"/>'
                    )
                else:
                    self.parts.append(
                        f'<rect x="{centre + offset:.1f}" y="{min(a, b):.1f}" '
                        f'width="{width:.1f}" height="{abs(b - a):.1f}" fill="{color}"/>'
                    )
                if chart.stacked:
                    base[k] += h[k]
        self._category_ticks(band, on_x=not chart.horizontal)
        x_title, y_title = chart.x_title, chart.y_title
        if chart.horizontal:
            x_title, y_title = y_title, x_title
        self._axis_titles(x_title, y_title)

    def _points(self) -> None:
        chart = self.chart
        xs = [x for t in chart.traces for x in t.x]
        ys = [_number(y) for t in chart.traces for y in t.y]
        found = [y for y in ys if y is not None] or [0.0]
        x_axis = _Axis(xs, self.left, self.right, band=False)
        ticks = nice_ticks(min(0.0, *found) if chart.kind == "line" else min(found), max(found))
        y_axis = _Axis(ticks, self.bottom, self.top, band=False)
        self._grid_and_ticks(y_axis, vertical_values=True)
        if x_axis.kind == "band":
            self._category_ticks(x_axis, on_x=True)
        else:
            self._grid_and_ticks(x_axis, vertical_values=False)
        for t, color in zip(chart.traces, self.colors, strict=True):
            points = [
                (x_axis.position(x), y_axis.position(y)) for x, y in zip(t.x, t.y, strict=False)
            ]
            if chart.kind == "line":
                runs: list[list[str]] = [[]]
                for px, py in points:
                    if px is None or py is None:
                        runs.append([])
                    else:
                        runs[-1].append(f"{px:.1f},{py:.1f}")
                for run in runs:
                    if len(run) > 1:
                        self.parts.append(
                            f'<polyline points="{" ".join(run)}" fill="none" '
                            f'stroke="{color}" stroke-width="2"/>'
                        )
            else:
                self._markers(t, points, color)
        self._axis_titles(chart.x_title, chart.y_title)

    def _markers(
        self, trace: Trace, points: list[tuple[float | None, float | None]], color: str
    ) -> None:
        """Scatter points, and the labels beside them (above, or below where the trace says)."""
        labels = trace.labels or [""] * len(points)
        positions = trace.label_positions or ["top center"] * len(points)
        for (px, py), label, where in zip(points, labels, positions, strict=False):
            if px is None or py is None:
                continue
            self.parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{color}" '
                f'fill-opacity="{MARKER_FILL_OPACITY}" stroke="{color}" stroke-width="0.8"/>'
            )
            if label:
                below = where.startswith("bottom")
                self._label(px, py + (14 if below else -7), _short(label), anchor="middle", size=9)

    def _cycle(self) -> None:
        """The curve over its phases, dotted boundaries, the phases named under it, the points."""
        chart = self.chart
        phases = len(chart.phases)
        xs, ys = curve_points(phases)
        top = max(ys) + 0.18
        self.top += 8

        def at(x: float, y: float) -> tuple[float, float]:
            return (
                self.left + x / phases * (self.right - self.left),
                self.bottom - y / top * (self.bottom - self.top),
            )

        for i in range(1, phases):
            x, _ = at(i, 0)
            self.parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{self.top:.1f}" y2="{self.bottom:.1f}" '
                'stroke="#e4e7eb" stroke-dasharray="2 3"/>'
            )
        path = " ".join(
            f"{px:.1f},{py:.1f}" for px, py in (at(x, y) for x, y in zip(xs, ys, strict=True))
        )
        self.parts.append(
            f'<polyline points="{path}" fill="none" stroke="{CURVE_COLOR}" stroke-width="2.5"/>'
        )
        width = (self.right - self.left) / max(1, phases)
        for i, phase in enumerate(chart.phases):
            x, _ = at(i + 0.5, 0)
            for row, line in enumerate(_wrap(phase, int(width / 6.2))):
                self._label(x, self.bottom + 16 + 13 * row, line, anchor="middle")
        for trace, color in zip(chart.traces, self.colors, strict=True):
            points = [at(float(x), float(y)) for x, y in zip(trace.x, trace.y, strict=True)]
            self._markers(trace, points, color)
        self.parts.append(
            f'<line x1="{self.left:.1f}" x2="{self.right:.1f}" y1="{self.bottom:.1f}" '
            f'y2="{self.bottom:.1f}" stroke="#999"/>'
        )
