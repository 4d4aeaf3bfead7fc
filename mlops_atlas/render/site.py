"""Build the whole report site: every page to HTML, templated pages on demand, markdown copies.

`render_site` is what `mlops-atlas report` calls. Templated pages (`repos/[repo].md`)
are built once for each value some built page links to, following links from those
pages too, until no new link appears.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import shutil
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.offline

from mlops_atlas.render.component_data import dropdown_input
from mlops_atlas.render.context import MAX_VARIANTS, PageContext, text_expressions
from mlops_atlas.render.data_export import DATA_DIR, ExportedTable, export_tables
from mlops_atlas.render.errors import RenderError
from mlops_atlas.render.html_blocks import HtmlRenderer
from mlops_atlas.render.layout import PLOTLY_ASSET, NavItem, page_html
from mlops_atlas.render.links import LinkResolver, Route, discover_routes
from mlops_atlas.render.markdown_copy import MarkdownRenderer
from mlops_atlas.render.page import Component, EachBlock, IfBlock, Node, Page, parse_page
from mlops_atlas.render.queries import PageQueries, QueryRunner, Sources

BUILD_MARKER = ".atlas-build"
MARKDOWN_DIR = "markdown"


@dataclass
class RenderSummary:
    """What a build wrote and how long it took; `broken_links` lists links to no page."""

    pages: list[Path] = field(default_factory=list)
    markdown: list[Path] = field(default_factory=list)
    queries_run: int = 0
    seconds: float = 0.0
    broken_links: list[str] = field(default_factory=list)
    data_tables: list[ExportedTable] = field(default_factory=list)


def _dropdowns(nodes: list[Node]) -> list[Component]:
    found: list[Component] = []
    for node in nodes:
        if isinstance(node, Component):
            if node.name == "Dropdown":
                found.append(node)
            found += _dropdowns(node.children)
        elif isinstance(node, IfBlock):
            for _, body in node.branches:
                found += _dropdowns(body)
        elif isinstance(node, EachBlock):
            found += _dropdowns(node.body)
    return found


def _value(wanted: tuple[Path, str]) -> str:
    return wanted[1]


class OutDirNotReplaceable(FileExistsError):
    """The output folder holds files this renderer did not write; nothing is deleted."""


def check_out_dir(out_dir: Path) -> None:
    """A build replaces `out_dir` whole: only when it is absent, empty or a previous build."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutDirNotReplaceable(f"{out_dir} is a file, not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / BUILD_MARKER).exists():
        raise OutDirNotReplaceable(
            f"{out_dir} is not empty and was not written by the renderer (no {BUILD_MARKER}): "
            "choose an empty or new folder, so no other files are deleted"
        )


def _staging_dir(out_dir: Path) -> Path:
    """A fresh folder beside `out_dir` (same file system, so the swap is a rename)."""
    staging = out_dir.parent / f".{out_dir.name}.rendering-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    (staging / BUILD_MARKER).write_text("written by mlops_atlas.render; safe to delete\n")
    return staging


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Replace `out_dir` by the finished build: two renames, so an interrupted build never
    leaves a half-written site in its place."""
    previous = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    if out_dir.exists():
        out_dir.rename(previous)
    staging.rename(out_dir)
    if previous.exists():
        shutil.rmtree(previous)


def page_context(
    page: Page,
    runner: QueryRunner,
    links: LinkResolver | None = None,
    params: Mapping[str, str] | None = None,
    *,
    queries: PageQueries | None = None,
    max_variants: int = MAX_VARIANTS,
) -> PageContext:
    """The context a page renders in: its queries, `params` (a templated page's value, e.g.
    `{"repo": "owner/name"}`) and its dropdowns as inputs, each at its default option.

    `ctx.result(query, line)` runs a query as the page would; `ctx.with_bindings({input:
    option index})` picks other options. `links` defaults to a resolver that knows no pages;
    `queries` to a fresh `PageQueries(page)` (pass one to share its SQL cache across calls).
    Raises RenderError for a dropdown the renderer would refuse.
    """
    ctx = PageContext(
        page,
        PageQueries(page) if queries is None else queries,
        runner,
        LinkResolver([], []) if links is None else links,
        params=dict(params or {}),
        max_variants=max_variants,
    )
    for comp in _dropdowns(page.nodes):
        spec = dropdown_input(comp, ctx)
        if spec.name in ctx.inputs:
            raise ctx.fail(comp.line, f"a second <Dropdown name={spec.name}>")
        ctx.inputs[spec.name] = spec
    return ctx


def _title(ctx: PageContext, fallback: str) -> str:
    title = ctx.page.title
    if title is None:
        return fallback
    out, last = [], 0
    for start, end, text in text_expressions(title):
        out += [title[last:start], ctx.show(text, 2)]
        last = end
    return "".join([*out, title[last:]])


def render_site(
    pages_dir: Path,
    warehouse_path: Path,
    out_dir: Path,
    *,
    markdown_pages: Sequence[str] = ("index",),
    sources_dir: Path | None = None,
    site_title: str = "MLOps Atlas",
    max_variants: int = MAX_VARIANTS,
    sql_log: list[str] | None = None,
    on_page: Callable[[int, int], None] | None = None,
    data_schemas: Sequence[str] = (),
    manifest: Path | None = None,
) -> RenderSummary:
    """Render every page under pages_dir to `out_dir/<route>/index.html`.

    Queries run against `warehouse_path`, opened read-only; `sources_dir` (default
    `pages_dir.parent / "sources"`) holds the Evidence source tables. `markdown_pages`
    names pages (`index`, `about`, `repos`) also written to `out_dir/markdown/<name>.md`.
    A region whose dropdowns give more than `max_variants` option combinations is
    filtered in the browser instead of pre-rendered per combination (README: Dropdowns).
    Every statement run against DuckDB is appended to `sql_log` if given (a benchmark's
    floor); `on_page(written, known)` is called after each page (templated pages become known
    as links to them appear). Raises RenderError naming page, line and query for any page
    mistake. The tables of `data_schemas` are written as Parquet to `out_dir/data/` with a
    README of their columns from dbt's `manifest` (`data_export.py`).
    """
    started = time.perf_counter()
    pages_dir, out_dir = Path(pages_dir), Path(out_dir)
    static, templates = discover_routes(pages_dir)
    if not static:
        raise FileNotFoundError(f"no pages (*.md) under {pages_dir}")
    by_name = {r.name: r for r in static}
    unknown = [n for n in markdown_pages if n not in by_name]
    if unknown:
        raise ValueError(f"markdown_pages {unknown} are not pages; pages are {sorted(by_name)}")
    parsed = {r.source: parse_page(r.source) for r in [*static, *templates]}
    queries = {source: PageQueries(page) for source, page in parsed.items()}
    runner = QueryRunner(
        Path(warehouse_path), Sources.load(sources_dir or pages_dir.parent / "sources"), sql_log
    )
    links = LinkResolver(static, templates)
    top = sorted(
        (r for r in static if "/" not in r.path),
        key=lambda r: (r.path != "", parsed[r.source].meta.get("sidebar_position", 999), r.path),
    )
    nav = [
        NavItem(parsed[r.source].title or r.path.replace("-", " ").title() or "Home", r.path)
        for r in top
    ]
    check_out_dir(out_dir)
    final_dir, out_dir = out_dir, _staging_dir(out_dir)
    summary = RenderSummary()
    any_charts = False
    try:
        # Static pages first, then each templated page the first time a built page links to
        # it; the links a page adds are queued in value order.
        queue: deque[tuple[Route, str | None]] = deque((r, None) for r in static)
        template_of = {t.source: t for t in templates}
        seen = 0  # links.wanted entries already queued (it only grows, in insertion order)
        while queue:
            route, value = queue.popleft()
            page = parsed[route.source]
            params = {route.param: value} if route.param and value is not None else {}
            target = links.output_dir(route, value)
            links.current_dir = target
            ctx = page_context(
                page,
                runner,
                links,
                params,
                queries=queries[route.source],
                max_variants=max_variants,
            )
            renderer = HtmlRenderer()
            body = renderer.render(page.nodes, ctx) + renderer.filter_scripts()
            title = _title(ctx, route.path.rsplit("/", 1)[-1].replace("-", " ").title() or "Home")
            if page.title is not None:
                body = f"<h1>{html.escape(title)}</h1>\n{body}"
            doc = page_html(
                title=title,
                body=body,
                out_dir=target,
                nav=nav,
                site_title=site_title,
                charts=renderer.has_charts,
            )
            any_charts |= renderer.has_charts
            path = out_dir / target / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(doc, encoding="utf-8")
            summary.pages.append(final_dir / target / "index.html")
            added = list(itertools.islice(links.wanted, seen, None))
            seen += len(added)
            queue.extend((template_of[source], v) for source, v in sorted(added, key=_value))
            if on_page is not None:
                on_page(len(summary.pages), len(summary.pages) + len(queue))
        if any_charts:
            asset = out_dir / PLOTLY_ASSET
            asset.parent.mkdir(parents=True, exist_ok=True)
            asset.write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
        for name in markdown_pages:
            written = _markdown_copy(by_name[name], parsed, queries, runner, links, out_dir)
            summary.markdown.append(final_dir / written.relative_to(out_dir))
        if data_schemas:
            summary.data_tables = export_tables(
                runner.con,
                runner.catalog,
                out_dir / DATA_DIR,
                manifest=manifest,
                schemas=data_schemas,
            )
        _swap_in(out_dir, final_dir)
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    finally:
        runner.close()
    summary.queries_run = runner.queries_run
    summary.broken_links = sorted(links.broken)
    summary.seconds = time.perf_counter() - started
    return summary


def _markdown_copy(
    route: Route,
    parsed: dict[Path, Page],
    queries: dict[Path, PageQueries],
    runner: QueryRunner,
    links: LinkResolver,
    out_dir: Path,
) -> Path:
    name = route.name
    md_path = out_dir / MARKDOWN_DIR / f"{name}.md"
    md_path.parent.mkdir(parents=True, exist_ok=True)
    rel_dir = md_path.parent.relative_to(out_dir).as_posix()
    links.current_dir = rel_dir
    figures = out_dir / MARKDOWN_DIR / "figures"
    prefix = Path("../" * name.count("/")).as_posix() + "/figures/" if "/" in name else "figures/"
    page = parsed[route.source]
    ctx = page_context(page, runner, links, queries=queries[route.source])
    renderer = MarkdownRenderer(figures, re.sub(r"[^\w-]", "-", name), prefix)
    body = renderer.render(page.nodes, ctx)
    if page.title:
        body = f"# {page.title}\n\n{body}"
    md_path.write_text(body, encoding="utf-8")
    return md_path


__all__ = ["RenderError", "RenderSummary", "page_context", "render_site"]
