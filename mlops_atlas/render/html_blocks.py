"""Render a page's node tree to HTML.

Markdown and Evidence syntax are combined by rendering markdown once per run of
nodes, with each value or component first replaced by a placeholder word that
markdown leaves alone; placeholders are swapped for escaped HTML afterwards. So a
database value can never become markup, and `{#each}` rows still form one list.

Anything that depends on a dropdown is rendered once per option (a "region") and the
other options' HTML, with their data, is embedded as JSON for the page script to swap in.
When a region's inputs give too many combinations for that, a table or value over one
query is filtered in the browser instead (see row_filter.py), and anything else is an error.
"""

from __future__ import annotations

import functools
import html
import json
import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt

from mlops_atlas.render import component_data as cd
from mlops_atlas.render.charts import plotly_json
from mlops_atlas.render.context import PageContext, text_expressions
from mlops_atlas.render.expressions import row_reference
from mlops_atlas.render.links import fill_url, safe_url
from mlops_atlas.render.page import (
    INLINE_COMPONENTS,
    Component,
    EachBlock,
    Expr,
    IfBlock,
    Node,
    Text,
)
from mlops_atlas.render.row_filter import RowFilter, row_filter
from mlops_atlas.render.slots import fill_slots, slot_token

# Components that can follow inputs with too many combinations to pre-render.
BROWSER_FILTERED = ("DataTable", "Value", "BigValue")

_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
# Values and components reach markdown as numbered placeholders, numbered afresh for each
# page, so every page of a template with the same blocks and row counts gives the same
# markdown: the real site's 2,769 renders are 31 distinct texts.
_markdown = functools.lru_cache(maxsize=512)(_MD.render)
_HREF = re.compile(r'\bhref="([^"]*)"')
_VALUE_PROP = {"Value": "column", "BigValue": "value"}


def script_json(data: Any) -> str:
    """JSON safe inside <script>: `<`, `>` and `&` become \\u escapes, so no value ends it."""
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


@dataclass
class _Slot:
    html: str
    raw: str | None = None  # the plain value, for use inside a link's URL
    block: bool = False


@dataclass
class _Drawn:
    """A component drawn once for all pages of its template: its HTML, the links it made (each
    link and its result, to make them again) and whether it holds a chart."""

    html: str
    links: list[tuple[str, str]]
    charts: bool


class HtmlRenderer:
    """Renders nodes for one page; records whether the page needs plotly.

    `drawn` is kept across the pages of one template (by node): a component that reads
    nothing that differs between them (`PageContext.same_on_every_page`) is drawn for the
    first and its HTML reused, after its links are made again with the same results.
    """

    def __init__(self, drawn: dict[int, _Drawn | None] | None = None) -> None:
        self.counter = 0
        self.has_charts = False
        self.filters: dict[tuple[str, tuple[tuple[str, int], ...]], RowFilter] = {}
        self.drawn = {} if drawn is None else drawn

    def _token(self) -> str:
        self.counter += 1
        return slot_token(self.counter)

    # --- runs of nodes --------------------------------------------------------
    def render(self, nodes: list[Node], ctx: PageContext) -> str:
        parts: list[str] = []
        slots: dict[str, _Slot] = {}
        self._emit(nodes, ctx, parts, slots)
        out = _markdown("".join(parts))
        out = _HREF.sub(lambda m: self._href(m.group(1), slots, ctx), out)
        blocks = {token for token, slot in slots.items() if slot.block}
        return fill_slots(out, {token: slot.html for token, slot in slots.items()}, blocks)

    def _href(self, value: str, slots: dict[str, _Slot], ctx: PageContext) -> str:
        url = fill_url(html.unescape(value), {t: s.raw or "" for t, s in slots.items()})
        return f'href="{esc(ctx.links.href(url))}"'

    def _emit(
        self, nodes: list[Node], ctx: PageContext, parts: list[str], slots: dict[str, _Slot]
    ) -> None:
        for node in nodes:
            inline = isinstance(node, Component) and node.name in INLINE_COMPONENTS
            needs = ctx.node_inputs(node) if not isinstance(node, Text) else set()
            if needs:
                token = self._token()
                slots[token] = _Slot(self._region(node, ctx, needs, inline), block=not inline)
                parts.append(token if inline else f"\n\n{token}\n\n")
            elif isinstance(node, Text):
                parts.append(self._text(node, ctx, slots))
            elif isinstance(node, IfBlock):
                self._emit(ctx.branch(node), ctx, parts, slots)
            elif isinstance(node, EachBlock):
                for row_ctx in ctx.each(node):
                    self._emit(node.body, row_ctx, parts, slots)
            else:
                token = self._token()
                slots[token] = _Slot(self._component_once(node, ctx), block=not inline)
                parts.append(token if inline else f"\n\n{token}\n\n")

    def _component_once(self, comp: Component, ctx: PageContext) -> str:
        """`component`, drawn once per template when it is the same on every page."""
        key = id(comp)  # the parsed page keeps its nodes, and so their ids, for the build
        if key not in self.drawn:
            self.drawn[key] = None
            if ctx.same_on_every_page(comp):
                drawn = self.drawn[key] = self._record(comp, ctx)
                return drawn.html
        drawn = self.drawn[key]
        if drawn is not None and all(ctx.links.href(url) == rel for url, rel in drawn.links):
            self.has_charts |= drawn.charts
            return drawn.html
        return self.component(comp, ctx)

    def _record(self, comp: Component, ctx: PageContext) -> _Drawn:
        """Draw a component, recording its links (also for a part around it being recorded)
        and whether it holds a chart."""
        outer, links = ctx.links.drawn_links, []
        page_charts, self.has_charts = self.has_charts, False
        ctx.links.drawn_links = links
        try:
            out = self.component(comp, ctx)
        finally:
            ctx.links.drawn_links = outer
        if outer is not None:
            outer += links
        drawn = _Drawn(out, links, self.has_charts)
        self.has_charts |= page_charts
        return drawn

    def _text(self, node: Text, ctx: PageContext, slots: dict[str, _Slot]) -> str:
        out: list[str] = []
        last = 0
        for start, end, text in text_expressions(node.markdown):
            line = node.line + node.markdown.count("\n", 0, start)
            out.append(node.markdown[last:start])
            token = self._token()
            needs = ctx.expr_inputs(text, line) & set(ctx.inputs)
            needs -= set(ctx.bound)
            if needs:
                expr_node = Text("{" + text + "}", line)
                slots[token] = _Slot(self._region(expr_node, ctx, needs, True))
            else:
                shown = ctx.show(text, line)
                slots[token] = _Slot(esc(shown), raw=shown)
            out.append(token)
            last = end
        out.append(node.markdown[last:])
        return "".join(out)

    def _region(self, node: Node, ctx: PageContext, needs: set[str], inline: bool) -> str:
        if ctx.too_many(needs):
            return self._filtered(node, ctx, needs)
        variants: dict[str, str] = {}
        for key, binding in ctx.variants(needs, node.line):
            bound = ctx.with_bindings(binding)
            if inline:
                body = self.render([node], bound).strip()
                body = re.sub(r"^<p>(.*)</p>$", r"\1", body, flags=re.S)
            else:
                body = self.render([node], bound)
            variants[key] = body
        tag = "span" if inline else "div"
        default = variants[ctx.variant_key(needs)]
        return (
            f'<{tag} class="atlas-region" data-inputs="{esc(",".join(sorted(needs)))}" '
            f'data-key="{esc(ctx.variant_key(needs))}">'
            f'<{tag} class="atlas-variant">{default}</{tag}>'
            f'<script type="application/json" class="atlas-variants">'
            f"{script_json(variants)}</script>"
            f"</{tag}>"
        )

    # --- regions filtered in the browser ---------------------------------------------
    def filter_scripts(self) -> str:
        """The row sets of every browser-filtered query on the page, once each."""
        return "".join(
            f'<script type="application/json" class="atlas-filter" id="{f.id}">'
            f"{script_json(json.dumps(f.payload(), separators=(',', ':')))}</script>"
            for f in self.filters.values()
        )

    def _row_filter(self, query: str, ctx: PageContext, line: int) -> RowFilter:
        names = ctx.queries.inputs_of(query)
        key = (query, tuple(sorted((n, i) for n, i in ctx.bound.items() if n in names)))
        if key not in self.filters:
            self.filters[key] = row_filter(
                ctx, query, names - set(ctx.bound), line, f"atlas-filter-{len(self.filters) + 1}"
            )
        return self.filters[key]

    def _filtered(self, node: Node, ctx: PageContext, needs: set[str]) -> str:
        """A node following too many combinations: filtered in the browser, or refused."""
        reason = ctx.too_many(needs)
        if isinstance(node, IfBlock):
            what = f"`{{#if {node.branches[0][0]}}}`"
        elif isinstance(node, EachBlock):
            what = f"`{{#each {node.source}}}`"
        elif isinstance(node, Text):
            text = node.markdown[1:-1]
            what = f"`{{{text}}}`"
            ref = row_reference(text)
            if ref and ref[0] in ctx.page.queries:
                query, row, column = ref
                live = self._row_filter(query, ctx, node.line)
                if row is None or column is None:
                    return self._live(live, ctx.show(text, node.line))
                result = ctx.result(query, node.line)
                ctx.check_column(node.line, column, query, result)
                values = [ctx.shown(r[column], node.line) for r in result.rows]
                return self._live(live, ctx.show(text, node.line), row, values, "")
        elif isinstance(node, Component):
            what = f"<{node.name}>"
            own = {k: v for k, v in node.props.items() if k != "data" and isinstance(v, Expr)}
            own_inputs = set().union(*(ctx.expr_inputs(v.text, node.line) for v in own.values()))
            if node.name in BROWSER_FILTERED:
                for child in node.children:
                    own_inputs |= ctx.node_inputs(child)
            if own_inputs & set(ctx.inputs):
                what += " whose props (other than data) depend on inputs"
            elif node.name in ("Details", "Alert"):
                return self.component(node, ctx)  # its children follow the inputs on their own
            elif node.name in BROWSER_FILTERED:
                query, _ = ctx.data(node)  # type: ignore[misc]
                live = self._row_filter(query, ctx, node.line)
                if node.name == "DataTable":
                    return self._table(node, ctx, live.id)
                result, column, row = cd.value_source(node, ctx, _VALUE_PROP[node.name])
                values = [cd.shown_value(node, ctx, r, column) for r in result.rows]
                default = cd.single_value(node, ctx, _VALUE_PROP[node.name])
                return self._value(node, ctx, self._live(live, default, row, values, "-"))
        raise ctx.fail(
            node.line,
            f"{reason}, too many to pre-render, so only a <DataTable>, <Value> or <BigValue>"
            " over one query, or text `{q.length}` or `{q[0].column}`, can follow them"
            f" (filtered in the browser); not {what}. Give it fewer inputs",
        )

    @staticmethod
    def _live(
        live: RowFilter,
        default: str,
        row: int | None = None,
        values: list[str] | None = None,
        missing: str = "",
    ) -> str:
        """Text the page script recomputes from the filtered rows: their count or one value."""
        if values is None:
            return (
                f'<span class="atlas-live" data-filter="{live.id}" data-live="count">'
                f"{esc(default)}</span>"
            )
        data = {"row": row, "values": values, "missing": missing}
        return (
            f'<span class="atlas-live" data-filter="{live.id}" data-live="row">'
            f'<span class="atlas-live-text">{esc(default)}</span>'
            f'<script type="application/json" class="atlas-live-data">{script_json(data)}</script>'
            "</span>"
        )

    # --- components -------------------------------------------------------------
    def _value(self, comp: Component, ctx: PageContext, shown: str) -> str:
        """A <Value> or <BigValue> around already escaped HTML."""
        if comp.name == "Value":
            return f'<span class="atlas-value">{shown}</span>'
        title = ctx.prop(comp, "title") or cd.title_case(str(ctx.prop(comp, "value") or ""))
        return (
            f'<div class="atlas-bigvalue"><div class="atlas-bigvalue-title">{esc(title)}</div>'
            f'<div class="atlas-bigvalue-value">{shown}</div></div>'
        )

    def component(self, comp: Component, ctx: PageContext) -> str:
        name = comp.name
        if name == "DataTable":
            return self._table(comp, ctx)
        if name in cd.CHART_KINDS:
            chart = cd.chart_data(comp, ctx)
            if not any(t.x for t in chart.traces):
                title = f"{esc(chart.title)}: " if chart.title else ""
                return f'<p class="atlas-empty">{title}no data to chart.</p>'
            self.has_charts = True
            linked = False
            for trace in chart.traces:
                if trace.links is not None:
                    # a point's page, relative to this page (and built, if templated)
                    trace.links = [ctx.links.href(safe_url(u)) if u else None for u in trace.links]
                    linked = linked or any(trace.links)
            kind = f" atlas-chart-{chart.kind}" + (" atlas-linked" if linked else "")
            return (
                f'<figure class="atlas-chart{kind}"><div class="atlas-plot"></div>'
                f'<script type="application/json" class="atlas-figure">'
                f"{script_json(plotly_json(chart))}</script></figure>"
            )
        if name in _VALUE_PROP:
            return self._value(comp, ctx, esc(cd.single_value(comp, ctx, _VALUE_PROP[name])))
        if name == "Dropdown":
            spec = ctx.inputs[str(ctx.prop(comp, "name"))]
            options = "".join(
                f'<option value="{i}"{" selected" if i == ctx.choice(spec.name) else ""}>'
                f"{esc(label)}</option>"
                for i, (_, label) in enumerate(spec.options)
            )
            title = (
                f'<span class="atlas-dropdown-title">{esc(spec.title)}</span>' if spec.title else ""
            )
            return (
                f'<label class="atlas-dropdown">{title}'
                f'<select data-input="{esc(spec.name)}" name="{esc(spec.name)}">{options}</select>'
                "</label>"
            )
        if name == "Details":
            title = ctx.prop(comp, "title") or "Details"
            inner = self.render(comp.children, ctx)
            return (
                f'<details class="atlas-details"><summary>{esc(title)}</summary>{inner}</details>'
            )
        if name == "Alert":
            status = cd.alert_status(comp, ctx)
            inner = self.render(comp.children, ctx)
            return f'<div class="atlas-alert atlas-alert-{status}" role="note">{inner}</div>'
        raise ctx.fail(comp.line, f"<{name}> cannot be used here")

    def _table(self, comp: Component, ctx: PageContext, filter_id: str | None = None) -> str:
        data = cd.table_data(comp, ctx)
        links = [esc(ctx.links.href(safe_url(u))) if u else None for u in data.links]
        head = "".join(
            f'<th data-col="{i}"{" class=num" if num else ""} aria-sort="none">'
            f'<button type="button">{esc(t)}</button></th>'
            for i, (t, num) in enumerate(zip(data.titles, data.numeric, strict=True))
        )
        body = []
        for cells, link in zip(data.cells[: data.page_size], links, strict=False):
            tds = []
            for i, (cell, num) in enumerate(zip(cells, data.numeric, strict=True)):
                content = esc(cell)
                if link and i == 0:
                    content = f'<a href="{link}">{content}</a>'
                tds.append(f"<td{' class=num' if num else ''}>{content}</td>")
            row_attr = f' data-href="{link}" class="atlas-link-row"' if link else ""
            body.append(f"<tr{row_attr}>{''.join(tds)}</tr>")
        payload: dict[str, Any] = {
            "cells": data.cells,
            "keys": data.keys,
            "links": [html.unescape(x) if x else None for x in links],
            "numeric": data.numeric,
        }
        if data.download is not None:
            payload["download"] = data.download
        if filter_id:
            # The universe is written once: a column whose sort keys are its text gets none.
            del payload["keys"]
            payload["columnKeys"] = []
            for c in range(len(data.titles)):
                keys = [row[c] for row in data.keys]
                same = keys == [row[c] for row in data.cells]
                payload["columnKeys"].append(None if same else keys)
        search = (
            '<input type="search" class="atlas-search" placeholder="Search…"'
            ' aria-label="Search table">'
            if data.search
            else ""
        )
        if data.download is not None:
            search += (
                '<button type="button" class="atlas-download" '
                f'title="Every row of query {esc(data.query)} as CSV">Download CSV</button>'
            )
        tools = f'<div class="atlas-table-tools">{search}</div>' if search else ""
        filtered = f' data-filter="{filter_id}"' if filter_id else ""
        return (
            f'<div class="atlas-table" data-rows="{data.page_size}" data-query="{esc(data.query)}"'
            f"{filtered}>"
            f"{tools}"
            f'<div class="atlas-table-scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>"
            f'<div class="atlas-pager" aria-live="polite">{len(data.cells)} rows</div>'
            f'<script type="application/json" class="atlas-table-data">'
            f"{script_json(payload)}</script>"
            "</div>"
        )
