"""Writing one page of the site to HTML, in this process or in worker processes.

A page's file depends only on the page, its value and the warehouse, so any process can write
it. What a page adds to the build (the templated pages it links to, in the order it first links
to them; its broken links; the statements it ran; its markdown copy, written by the same process
from the same cached results) comes back as a `PageResult`, which
`render_site` merges in page order: the files, the page order and the broken links of a build
are the same however many processes wrote it. Each process keeps its own query cache and makes
its own source tables, so with several the statement log holds repeats.
"""

from __future__ import annotations

import atexit
import html
import multiprocessing
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_atlas.environment import leave, usable_cores
from mlops_atlas.render.component_data import dropdown_input
from mlops_atlas.render.context import MAX_VARIANTS, PageContext, text_expressions
from mlops_atlas.render.html_blocks import HtmlRenderer
from mlops_atlas.render.layout import NavItem, page_html
from mlops_atlas.render.links import LinkResolver, Route, discover_routes
from mlops_atlas.render.markdown_copy import MarkdownRenderer
from mlops_atlas.render.page import Page, parse_page
from mlops_atlas.render.queries import PageQueries, QueryRunner, Sources

#: The folder of the site that holds the markdown copies (and their figures).
MARKDOWN_DIR = "markdown"


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
    for comp in page.dropdowns:
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


@dataclass(frozen=True)
class SiteSpec:
    """Everything a process needs to write pages of one build (sent to each worker)."""

    pages_dir: Path
    warehouse_path: Path
    sources_dir: Path
    out_dir: Path  # the build's staging folder
    nav: list[NavItem]
    site_title: str
    max_variants: int
    log_sql: bool
    duckdb_threads: int | None = None  # of a worker's session (worker_duckdb_threads)
    markdown_pages: frozenset[str] = frozenset()  # pages also written as markdown copies
    lookups: bool = True  # QueryRunner's: False runs each page's lookup queries as written


#: A page to write: its route and, for a template, its value.
PageToWrite = tuple[Route, str | None]


@dataclass
class PageResult:
    """One written page and what it adds to the build."""

    target: str  # its output folder, relative to the site
    links: list[tuple[Path, str]]  # (template, value) of the pages it links to, first link first
    broken: list[str] = field(default_factory=list)
    has_charts: bool = False
    statements: list[str] = field(default_factory=list)
    queries_run: int = 0
    markdown: str | None = None  # its markdown copy, relative to the site, if it has one


class PageWriter:
    """Writes pages of one build from one DuckDB session (`runner`, else one of its own)."""

    def __init__(
        self,
        spec: SiteSpec,
        *,
        parsed: dict[Path, Page] | None = None,
        queries: dict[Path, PageQueries] | None = None,
        runner: QueryRunner | None = None,
    ) -> None:
        static, templates = discover_routes(spec.pages_dir)
        self.spec = spec
        self.parsed = parsed or {r.source: parse_page(r.source) for r in [*static, *templates]}
        self.queries = queries or {source: PageQueries(p) for source, p in self.parsed.items()}
        self.drawn: dict[Path, dict[int, Any]] = {r.source: {} for r in templates}
        self.runner = runner or QueryRunner(
            spec.warehouse_path,
            Sources.load(spec.sources_dir),
            [] if spec.log_sql else None,
            threads=spec.duckdb_threads,
            lookups=spec.lookups,
        )
        self.links = LinkResolver(static, templates)

    def write(self, route: Route, value: str | None) -> PageResult:
        """Write the page of `route` (for `value`, when it is a template) under the spec's
        output folder. Raises RenderError naming page, line and query for any page mistake."""
        page = self.parsed[route.source]
        params = {route.param: value} if route.param and value is not None else {}
        links = self.links
        links.wanted, links.broken = {}, set()
        target = links.output_dir(route, value)
        links.current_dir = target
        queries_before = self.runner.queries_run
        ctx = page_context(
            page,
            self.runner,
            links,
            params,
            queries=self.queries[route.source],
            max_variants=self.spec.max_variants,
        )
        # kept across a template's pages; a page of its own keeps it for itself only
        renderer = HtmlRenderer(self.drawn[route.source] if route.param else None)
        body = renderer.render(page.nodes, ctx) + renderer.filter_scripts()
        title = _title(ctx, route.path.rsplit("/", 1)[-1].replace("-", " ").title() or "Home")
        if page.title is not None:
            body = f"<h1>{html.escape(title)}</h1>\n{body}"
        doc = page_html(
            title=title,
            body=body,
            out_dir=target,
            nav=self.spec.nav,
            site_title=self.spec.site_title,
            charts=renderer.has_charts,
        )
        path = self.spec.out_dir / target / "index.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc, encoding="utf-8")
        wanted = list(links.wanted)  # the page's links, not its markdown copy's
        markdown = None
        if value is None and route.name in self.spec.markdown_pages:
            # here, where the page's results are cached: another session would run them again
            markdown = self._markdown_copy(route, page)
        statements: list[str] = []
        if self.runner.log is not None:
            statements = list(self.runner.log)
            self.runner.log.clear()
        return PageResult(
            target=target,
            links=wanted,
            broken=sorted(links.broken),
            has_charts=renderer.has_charts,
            statements=statements,
            queries_run=self.runner.queries_run - queries_before,
            markdown=markdown,
        )

    def _markdown_copy(self, route: Route, page: Page) -> str:
        """The page's markdown copy at `markdown/<name>.md`, its charts as SVG figures beside
        it; its path in the site."""
        out_dir, name = self.spec.out_dir, route.name
        md_path = out_dir / MARKDOWN_DIR / f"{name}.md"
        md_path.parent.mkdir(parents=True, exist_ok=True)
        self.links.current_dir = md_path.parent.relative_to(out_dir).as_posix()
        figures = out_dir / MARKDOWN_DIR / "figures"
        prefix = (
            Path("../" * name.count("/")).as_posix() + "/figures/" if "/" in name else "figures/"
        )
        ctx = page_context(
            page,
            self.runner,
            self.links,
            queries=self.queries[route.source],
            max_variants=self.spec.max_variants,
        )
        renderer = MarkdownRenderer(figures, re.sub(r"[^\w-]", "-", name), prefix)
        body = renderer.render(page.nodes, ctx)
        if page.title:
            body = f"# {page.title}\n\n{body}"
        md_path.write_text(body, encoding="utf-8")
        return md_path.relative_to(out_dir).as_posix()


_WORKER: PageWriter | None = None  # the page writer of a worker process


def worker_duckdb_threads(workers: int) -> int:
    """DuckDB threads for each of `workers` processes: their share of the cores. A session's
    default, a thread per core, oversubscribes them (two workers on two cores rendered the site
    in 18.3 s that way, 15.8 s with one thread each)."""
    return max(1, usable_cores() // workers)


def start_worker(spec: SiteSpec) -> None:
    """A worker process's initializer: its own read-only session on the warehouse. In a child
    process it also makes the worker's end quick (`_leave`)."""
    global _WORKER
    _WORKER = PageWriter(spec)
    if multiprocessing.parent_process() is not None:
        atexit.register(_leave)


def _leave() -> None:
    """A worker's last exit step: close its session and end the process at once (`leave`; the
    build waits for its end)."""
    if _WORKER is not None:
        _WORKER.runner.close()
    leave(0, exit_steps=False)


def write_in_worker(pages: list[PageToWrite]) -> list[PageResult | Exception]:
    """Write `pages` in this worker, in one call: each page's result, or the error it raised in
    its place (the other pages are still written), so a page fails as it would on its own."""
    assert _WORKER is not None, "start_worker was not called in this process"
    results: list[PageResult | Exception] = []
    for route, value in pages:
        try:
            results.append(_WORKER.write(route, value))
        except Exception as exc:  # handed back in the page's place
            results.append(exc)
    return results
