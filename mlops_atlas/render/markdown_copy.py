"""A GitHub-readable markdown copy of a page, with charts saved as SVG beside it.

Dropdowns show their default option; tables show their first page of rows.
Values are escaped for markdown and HTML, since GitHub renders both.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from mlops_atlas.render import component_data as cd
from mlops_atlas.render.context import PageContext, text_expressions
from mlops_atlas.render.links import fill_url, safe_url
from mlops_atlas.render.page import INLINE_COMPONENTS, Component, EachBlock, IfBlock, Node, Text
from mlops_atlas.render.slots import fill_slots, slot_token
from mlops_atlas.render.svg_chart import svg

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def md_escape(value: object) -> str:
    text = " ".join(("" if value is None else str(value)).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


class MarkdownRenderer:
    """Renders one page to markdown, writing figures as `<figures_dir>/<stem>-<n>.svg`."""

    def __init__(self, figures_dir: Path, stem: str, link_prefix: str) -> None:
        self.figures_dir = figures_dir
        self.stem = stem
        self.link_prefix = link_prefix  # relative path from the markdown file to figures
        self.figures: list[Path] = []
        self.counter = 0

    def render(self, nodes: list[Node], ctx: PageContext) -> str:
        parts: list[str] = []
        slots: dict[str, tuple[str, str]] = {}
        self._emit(nodes, ctx, parts, slots)
        out = "".join(parts)

        raws = {token: raw for token, (raw, _) in slots.items()}

        def dest(m: re.Match[str]) -> str:
            return f"]({ctx.links.href(fill_url(m.group(1), raws))}"

        out = re.sub(r"\]\(([^)\s]*)", dest, out)
        out = fill_slots(out, {token: shown for token, (_, shown) in slots.items()})
        return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"

    def _emit(
        self,
        nodes: list[Node],
        ctx: PageContext,
        parts: list[str],
        slots: dict[str, tuple[str, str]],
    ) -> None:
        for node in nodes:
            if isinstance(node, Text):
                last = 0
                for start, end, text in text_expressions(node.markdown):
                    line = node.line + node.markdown.count("\n", 0, start)
                    parts.append(node.markdown[last:start])
                    shown = ctx.show(text, line)
                    self.counter += 1
                    token = slot_token(self.counter)
                    slots[token] = (shown, md_escape(shown))
                    parts.append(token)
                    last = end
                parts.append(node.markdown[last:])
            elif isinstance(node, IfBlock):
                self._emit(ctx.branch(node), ctx, parts, slots)
            elif isinstance(node, EachBlock):
                for row_ctx in ctx.each(node):
                    self._emit(node.body, row_ctx, parts, slots)
            else:
                # held by a token too: the component's text is final, not searched again
                self.counter += 1
                token = slot_token(self.counter)
                slots[token] = ("", self.component(node, ctx))
                inline = node.name in INLINE_COMPONENTS
                parts.append(token if inline else f"\n\n{token}\n\n")

    def component(self, comp: Component, ctx: PageContext) -> str:
        name = comp.name
        if name == "Value":
            return f"**{md_escape(cd.single_value(comp, ctx, 'column'))}**"
        if name == "BigValue":
            title = ctx.prop(comp, "title") or cd.title_case(str(ctx.prop(comp, "value") or ""))
            return f"**{md_escape(title)}:** {md_escape(cd.single_value(comp, ctx, 'value'))}"
        if name == "DataTable":
            data = cd.table_data(comp, ctx)
            head = "| " + " | ".join(md_escape(t) for t in data.titles) + " |"
            rule = "| " + " | ".join("---:" if n else "---" for n in data.numeric) + " |"
            rows = []
            for cells, link in zip(data.cells[: data.page_size], data.links, strict=False):
                shown = [md_escape(c) for c in cells]
                if link and shown:
                    shown[0] = f"[{shown[0]}]({ctx.links.href(safe_url(link))})"
                rows.append("| " + " | ".join(shown) + " |")
            note = ""
            if len(data.cells) > data.page_size:
                note = f"\n\n_First {data.page_size} of {len(data.cells)} rows._"
            return "\n".join([head, rule, *rows]) + note
        if name in cd.CHART_KINDS:
            chart = cd.chart_data(comp, ctx)
            if not any(t.x for t in chart.traces):
                return f"_{md_escape(chart.title or comp.name)}: no data to chart._"
            self.figures_dir.mkdir(parents=True, exist_ok=True)
            path = self.figures_dir / f"{self.stem}-{len(self.figures) + 1}.svg"
            path.write_text(svg(chart), encoding="utf-8")
            self.figures.append(path)
            alt = md_escape(chart.title or f"{comp.name} of {comp.props.get('data')}")
            return f"![{alt}]({self.link_prefix}{path.name})"
        if name == "Dropdown":
            spec = ctx.inputs[str(ctx.prop(comp, "name"))]
            label = spec.options[ctx.choice(spec.name)][1] if spec.options else ""
            return f"_Showing {md_escape(spec.title or spec.name)}: {md_escape(label)}_"
        if name == "Details":
            title = ctx.prop(comp, "title") or "Details"
            inner = self.render(comp.children, ctx)
            return f"<details><summary>{html.escape(str(title))}</summary>\n\n{inner}\n</details>"
        if name == "Alert":
            status = cd.alert_status(comp, ctx)
            inner = self.render(comp.children, ctx).strip()
            return "\n".join(
                f"> {line}".rstrip() for line in f"**{status.title()}:** {inner}".splitlines()
            )
        raise ctx.fail(comp.line, f"<{name}> cannot be used here")
