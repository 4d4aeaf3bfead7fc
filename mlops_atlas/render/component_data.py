"""Data behind each component, shared by the HTML page and the markdown copy.

Reading props, checking columns and formatting values happen here once, so both
outputs show the same numbers and fail on the same mistakes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlops_atlas.render.charts import ChartData, build_chart
from mlops_atlas.render.context import InputDef, PageContext
from mlops_atlas.render.formats import FormatError, column_formatter, title_case
from mlops_atlas.render.hype_cycle import cycle_chart
from mlops_atlas.render.page import Component, Expr
from mlops_atlas.render.queries import QueryResult, Row, jsonable

ALERT_STATUSES = {"info", "positive", "warning", "negative", "success", "error"}
DEFAULT_TABLE_ROWS = 10


@dataclass
class TableData:
    titles: list[str]
    numeric: list[bool]
    cells: list[list[str]]  # formatted text
    keys: list[list[Any]]  # raw values for sorting
    links: list[str | None]  # raw URL per row (not yet rewritten)
    page_size: int
    search: bool
    query: str
    download: dict[str, Any] | None = None  # what the CSV download needs (see table_data)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def table_data(comp: Component, ctx: PageContext) -> TableData:
    query, result = ctx.data(comp)  # type: ignore[misc]
    specs: list[tuple[str, str, Callable[[Any], str]]] = []  # column, title, its formatter
    for child in comp.children:
        if not isinstance(child, Component) or child.name != "Column":
            continue
        col_id = ctx.prop(child, "id")
        if not col_id or col_id is True:
            raise ctx.fail(child.line, "<Column> needs id=<column>", query=query)
        ctx.check_column(child.line, str(col_id), query, result)
        title = ctx.prop(child, "title") or title_case(str(col_id))
        fmt = ctx.prop(child, "fmt")
        try:  # found once for the column, not for each of its cells
            show = column_formatter(None if fmt is None else str(fmt), str(col_id))
        except FormatError as exc:
            raise ctx.fail(child.line, str(exc), query=query) from exc
        specs.append((str(col_id), str(title), show))
    link = ctx.prop(comp, "link")
    if link:
        ctx.check_column(comp.line, str(link), query, result)
    if not specs:
        specs = [(c, title_case(c), column_formatter(None, c)) for c in result.columns if c != link]
    rows_prop = ctx.prop(comp, "rows", DEFAULT_TABLE_ROWS)
    if str(rows_prop).lower() == "all":
        page_size = max(1, len(result.rows))
    else:
        try:
            page_size = max(1, int(rows_prop))
        except (TypeError, ValueError):
            raise ctx.fail(comp.line, f"rows={rows_prop!r} is not a number", query=query) from None
    cells, keys, links = [], [], []
    for row in result.rows:
        cells.append([show(row[c]) for c, _, show in specs])
        keys.append([jsonable(row[c]) for c, _, _ in specs])
        links.append(str(row[link]) if link and row[link] is not None else None)
    numeric = [
        any(_is_number(r[c]) for r in result.rows)
        and all(r[c] is None or _is_number(r[c]) for r in result.rows)
        for c, _, _ in specs
    ]
    return TableData(
        [t for _, t, _ in specs],
        numeric,
        cells,
        keys,
        links,
        page_size,
        ctx.flag(comp, "search"),
        query,
        _download(result, [c for c, _, _ in specs])
        if ctx.flag(comp, "downloadable", True)
        else None,
    )


def _download(result: QueryResult, shown: list[str]) -> dict[str, Any]:
    """The CSV download of a table: every column of its query (as Evidence's DataTable
    downloads), in the query's order. A shown column's values are the table's own sort keys
    (`shown`: its position among them); the others' raw values are added (`extra`)."""
    position = {}
    for i, column in enumerate(shown):
        position.setdefault(column, i)
    return {
        "columns": list(result.columns),
        "shown": [position.get(c) for c in result.columns],
        "extra": [
            None if c in position else [jsonable(v) for v in result.column_values(c)]
            for c in result.columns
        ],
    }


def value_source(
    comp: Component, ctx: PageContext, column_prop: str
) -> tuple[QueryResult, str, int]:
    """A <Value>/<BigValue>'s result, the column it shows and the index of the row."""
    query, result = ctx.data(comp)  # type: ignore[misc]
    column = ctx.prop(comp, column_prop)
    if column is None and result.columns:
        column = result.columns[0]
    column = str(column)
    ctx.check_column(comp.line, column, query, result)
    return result, column, int(ctx.prop(comp, "row", 0) or 0)


def shown_value(comp: Component, ctx: PageContext, row: Row, column: str) -> str:
    """One row's value as a <Value>/<BigValue> shows it; `-` for empty."""
    text = ctx.format(row[column], ctx.prop(comp, "fmt"), comp.line, column)
    return text if text != "" else "-"


def single_value(comp: Component, ctx: PageContext, column_prop: str) -> str:
    """The formatted first-row value of a <Value>/<BigValue>; `-` for none."""
    result, column, row_index = value_source(comp, ctx, column_prop)
    if row_index >= len(result.rows):
        return "-"
    return shown_value(comp, ctx, result.rows[row_index], column)


def _columns(comp: Component, ctx: PageContext, prop: str, query: str, result: Any) -> list[str]:
    value = comp.props.get(prop)
    if value is None:
        raise ctx.fail(comp.line, f"<{comp.name}> needs {prop}=<column>", query=query)
    if isinstance(value, Expr):
        evaluated = ctx.evaluate(value.text, comp.line)
        names = [str(v) for v in (evaluated if isinstance(evaluated, list) else [evaluated])]
    else:
        names = [str(value)]
    for name in names:
        ctx.check_column(comp.line, name, query, result)
    return names


CHART_KINDS = {
    "BarChart": "bar",
    "LineChart": "line",
    "ScatterPlot": "scatter",
    "HypeCycle": "cycle",
}


def _axis_title(comp: Component, ctx: PageContext, prop: str, column: str | None) -> str | None:
    """An axis title as written; none for `""` or `false` (as in Evidence); the column's
    name, title-cased, for `true` or when the prop is not given."""
    value = ctx.prop(comp, prop)
    text = value.strip().lower() if isinstance(value, str) else None
    if value is None or value is True or text == "true":
        return title_case(column) if column else None
    if value is False or text in ("", "false"):
        return None
    return str(value)


def _query_rows(comp: Component, ctx: PageContext, prop: str) -> QueryResult | None:
    """The result of the query a prop names (`phases={q}`), or None when it names none."""
    value = comp.props.get(prop)
    if isinstance(value, Expr) and value.text in ctx.page.queries:
        return ctx.result(value.text, comp.line)
    return None


def series_colors(comp: Component, ctx: PageContext) -> dict[str, str]:
    """`seriesColors`: an object (`{{'serving': '#c0392b'}}`, as in Evidence) or a query whose
    first two columns are a series and its colour, so one table can colour every page."""
    rows = _query_rows(comp, ctx, "seriesColors")
    if rows is not None:
        if len(rows.columns) < 2:
            raise ctx.fail(comp.line, "seriesColors={query} needs two columns: series, colour")
        first, second = rows.columns[:2]
        return {str(r[first]): str(r[second]) for r in rows.rows if r[first] is not None}
    value = ctx.prop(comp, "seriesColors")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ctx.fail(
            comp.line, "seriesColors must be an object {{'series': '#rrggbb'}} or a query"
        )
    return {str(k): str(v) for k, v in value.items()}


def _point_columns(comp: Component, ctx: PageContext, query: str, result: QueryResult) -> dict:
    """The optional per-point columns of a chart, each checked: series, tooltip, label, link."""
    found = {}
    for prop, key in (
        ("series", "series"),
        ("tooltipTitle", "tooltip"),
        ("label", "label"),
        ("link", "link"),
    ):
        value = ctx.prop(comp, prop)
        if value:
            ctx.check_column(comp.line, str(value), query, result)
        found[key] = str(value) if value else None
    return found


def chart_data(comp: Component, ctx: PageContext) -> ChartData:
    query, result = ctx.data(comp)  # type: ignore[misc]
    kind = CHART_KINDS[comp.name]
    points = _point_columns(comp, ctx, query, result)
    if (points["label"] or points["link"]) and kind not in ("scatter", "cycle"):
        raise ctx.fail(comp.line, f"<{comp.name}> takes label= and link= on scatter plots only")
    if kind == "cycle":
        chart = _cycle_data(comp, ctx, query, result, points)
    else:
        x = _columns(comp, ctx, "x", query, result)[0]
        ys = _columns(comp, ctx, "y", query, result)
        traces = build_chart(kind, result, x, ys, **points)
        if kind == "line":
            # Lines join points in x order; SQL without `order by` must not zig-zag.
            for t in traces:
                pairs = sorted(zip(t.x, t.y, strict=True), key=lambda p: (p[0] is None, str(p[0])))
                t.x, t.y = [p[0] for p in pairs], [p[1] for p in pairs]
        chart_type = str(ctx.prop(comp, "type", "stacked"))
        chart = ChartData(
            kind=kind,
            traces=traces,
            x_title=_axis_title(comp, ctx, "xAxisTitle", x),
            y_title=_axis_title(comp, ctx, "yAxisTitle", ys[0] if len(ys) == 1 else None),
            horizontal=ctx.flag(comp, "swapAxes"),
            stacked=chart_type != "grouped",
        )
    chart.title = ctx.prop(comp, "title")
    chart.colors = series_colors(comp, ctx)
    if comp.props.get("legend") is not None:
        chart.legend = ctx.flag(comp, "legend")
    return chart


def _cycle_data(
    comp: Component, ctx: PageContext, query: str, result: QueryResult, points: dict
) -> ChartData:
    """<HypeCycle data={q} stage=col position=col phases={q2}/>: the rows placed on the curve."""
    stage = ctx.column(comp, "stage", query, result)
    position = ctx.column(comp, "position", query, result)
    phases = _query_rows(comp, ctx, "phases")
    if phases is None or not phases.columns:
        raise ctx.fail(comp.line, "<HypeCycle> needs phases={query} listing its phases in order")
    names = [str(v) for v in phases.column_values(phases.columns[0]) if v is not None]
    if len(names) < 2:
        raise ctx.fail(comp.line, "<HypeCycle> needs at least two phases", query=query)
    return cycle_chart(result, stage, position, names, **points)


def dropdown_input(comp: Component, ctx: PageContext) -> InputDef:
    """A dropdown's options: its <DropdownOption>s first, then its query's rows."""
    name = ctx.prop(comp, "name")
    if not name or name is True or not re.fullmatch(r"[A-Za-z_]\w*", str(name)):
        raise ctx.fail(comp.line, "<Dropdown> needs name=<identifier>")
    options: list[tuple[Any, str]] = []
    for child in comp.children:
        if isinstance(child, Component) and child.name == "DropdownOption":
            value = ctx.prop(child, "value")
            if value is None:
                raise ctx.fail(child.line, "<DropdownOption> needs value=...")
            label = ctx.prop(child, "valueLabel", value)
            options.append((value, str(label)))
    found = ctx.data(comp, required=not options)
    if found:
        query, result = found
        if ctx.queries.inputs_of(query):
            raise ctx.fail(comp.line, "a dropdown's options cannot depend on inputs", query=query)
        value_col = str(ctx.prop(comp, "value") or (result.columns[0] if result.columns else ""))
        ctx.check_column(comp.line, value_col, query, result)
        label_col = str(ctx.prop(comp, "label") or value_col)
        ctx.check_column(comp.line, label_col, query, result)
        seen = {v for v, _ in options}
        for row in result.rows:
            value = row[value_col]
            if isinstance(value, dt.date):
                value = value.isoformat()
            if value in seen:
                continue
            seen.add(value)
            options.append((value, ctx.format(row[label_col], None, comp.line, label_col)))
    default = 0
    wanted = ctx.prop(comp, "defaultValue")
    if wanted is not None:
        matches = [i for i, (v, _) in enumerate(options) if str(v) == str(wanted)]
        if not matches:
            raise ctx.fail(comp.line, f"defaultValue {wanted!r} is not among the options")
        default = matches[0]
    title = ctx.prop(comp, "title")
    return InputDef(str(name), options, default, comp.line, str(title) if title else None)


def alert_status(comp: Component, ctx: PageContext) -> str:
    status = str(ctx.prop(comp, "status", "info")).lower()
    if status not in ALERT_STATUSES:
        raise ctx.fail(comp.line, f"<Alert status={status}> is not one of {sorted(ALERT_STATUSES)}")
    return {"success": "positive", "error": "negative"}.get(status, status)
