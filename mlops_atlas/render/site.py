"""Build the whole report site: every page to HTML, templated pages on demand, markdown copies.

`render_site` is what `mlops-atlas report` calls. Templated pages (`repos/[repo].md`)
are built once for each value some built page links to, following links from those
pages too, until no new link appears.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from queue import SimpleQueue
from typing import Protocol

import plotly.offline

from mlops_atlas.render.context import MAX_VARIANTS
from mlops_atlas.render.data_export import DATA_DIR, ExportedTable, export_tables
from mlops_atlas.render.errors import RenderError
from mlops_atlas.render.layout import PLOTLY_ASSET, SHARED_ASSETS, NavItem
from mlops_atlas.render.links import Route, discover_routes
from mlops_atlas.render.page import parse_page
from mlops_atlas.render.queries import PageQueries, QueryRunner, Sources
from mlops_atlas.render.writer import (
    PageResult,
    PageToWrite,
    PageWriter,
    SiteSpec,
    page_context,
    start_worker,
    worker_duckdb_threads,
    write_in_worker,
)

BUILD_MARKER = ".atlas-build"
# Templated pages found through a written page's links go to a worker this many at a time: one
# round trip between processes per page cost about a quarter of a millisecond of each worker's
# time, as much as an eighth of a repository page's.
PAGES_PER_TASK = 8


@dataclass
class RenderSummary:
    """What a build wrote and how long it took; `broken_links` lists links to no page."""

    pages: list[Path] = field(default_factory=list)
    markdown: list[Path] = field(default_factory=list)
    queries_run: int = 0
    seconds: float = 0.0
    broken_links: list[str] = field(default_factory=list)
    data_tables: list[ExportedTable] = field(default_factory=list)


def _value(wanted: tuple[Path, str]) -> str:
    return wanted[1]


class _Pending(Protocol):
    """A page being written: one of a worker's batch (`_Part`), or `_Later` in this process."""

    def done(self) -> bool: ...
    def exception(self) -> BaseException | None: ...
    def result(self) -> PageResult: ...


class _Later:
    """A page written in this process when its result is asked for."""

    def __init__(self, writer: PageWriter, route: Route, value: str | None) -> None:
        self._write = lambda: writer.write(route, value)

    def done(self) -> bool:
        return True

    def exception(self) -> BaseException | None:
        return None

    def result(self) -> PageResult:
        return self._write()


class _Part:
    """One page of a batch a worker writes in one call (`write_in_worker`)."""

    def __init__(self, batch: Future[list[PageResult | Exception]], index: int) -> None:
        self._batch = batch
        self._index = index

    def done(self) -> bool:
        return self._batch.done()

    def exception(self) -> BaseException | None:
        error = self._batch.exception()
        if error is not None:
            return error
        own = self._batch.result()[self._index]
        return own if isinstance(own, Exception) else None

    def result(self) -> PageResult:
        own = self._batch.result()[self._index]
        if isinstance(own, Exception):
            raise own
        return own


def _batches(pages: list[PageToWrite], workers: int) -> list[list[PageToWrite]]:
    """`pages` in order, cut into batches of at most PAGES_PER_TASK, and smaller when there
    are too few to give every worker one."""
    size = max(1, min(PAGES_PER_TASK, -(-len(pages) // workers)))
    return [pages[i : i + size] for i in range(0, len(pages), size)]


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
    workers: int = 1,
    lookups: bool = True,
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
    README of their columns from dbt's `manifest` (`data_export.py`). With `workers` > 1 the
    pages are written by that many processes, each with its own read-only session; the site
    is the same file for file (writer.py), while `sql_log` and `queries_run` count every
    session's statements, repeats included. `lookups=False` runs a templated page's lookup
    queries (lookups.py) for each of its pages as written instead of once for all
    (QueryRunner): the same site, from the statements its pages declare.
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
    sources_dir = Path(sources_dir or pages_dir.parent / "sources")
    runner = QueryRunner(
        Path(warehouse_path),
        Sources.load(sources_dir),
        [] if sql_log is not None else None,
        lookups=lookups,
    )
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
    spec = SiteSpec(
        pages_dir=pages_dir,
        warehouse_path=Path(warehouse_path),
        sources_dir=sources_dir,
        out_dir=out_dir,
        nav=nav,
        site_title=site_title,
        max_variants=max_variants,
        log_sql=sql_log is not None,
        duckdb_threads=worker_duckdb_threads(workers),
        markdown_pages=frozenset(markdown_pages),
        lookups=lookups,
    )
    summary = RenderSummary()
    template_of = {t.source: t for t in templates}
    copies: dict[str, Path] = {}  # each markdown copy the pages' writers wrote, by page name

    def write_pages(
        begin: Callable[[list[PageToWrite]], list[_Pending]],
        finished: SimpleQueue[list[_Pending]] | None,
    ) -> bool:
        """Every page: static pages first, then each templated page the first time a written
        page links to it (the links a page adds queued in value order); results are taken in
        that order. With `finished` (batches of pages as their writing ends, in any order) the
        pages a finished page links to are begun at once, in batches, before their turn. True
        when a page has a chart."""
        order: list[PageToWrite] = [(r, None) for r in static]
        begun: dict[tuple[Path, str | None], _Pending] = {}

        def start(pages: list[PageToWrite]) -> None:
            for (route, value), pending in zip(pages, begin(pages), strict=True):
                begun[(route.source, value)] = pending

        for page in order:
            start([page])
        known: set[tuple[Path, str]] = set()
        any_charts = False
        index = 0
        while index < len(order):
            route, value = order[index]
            if (route.source, value) not in begun:
                start([(route, value)])
            pending = begun[(route.source, value)]
            if finished is not None and not pending.done():
                linked: dict[tuple[Path, str], None] = {}
                for ended in finished.get():
                    if ended.exception() is None:
                        linked.update(dict.fromkeys(ended.result().links))
                new = [(template_of[s], v) for s, v in linked if (s, v) not in begun]
                for batch in _batches(new, workers):
                    start(batch)
                continue
            result = pending.result()
            index += 1
            summary.pages.append(final_dir / result.target / "index.html")
            summary.queries_run += result.queries_run
            summary.broken_links += result.broken
            if sql_log is not None:
                sql_log.extend(result.statements)
            if result.markdown is not None:
                copies[route.name] = final_dir / result.markdown
            any_charts |= result.has_charts
            added = [key for key in result.links if key not in known]
            known.update(added)
            order.extend((template_of[source], v) for source, v in sorted(added, key=_value))
            if on_page is not None:
                on_page(len(summary.pages), len(order))
        return any_charts

    def export_data() -> int:
        """The Parquet tables, from this process's session; the number of statements run."""
        before = runner.queries_run
        if data_schemas:
            summary.data_tables = export_tables(
                runner.con,
                runner.catalog,
                out_dir / DATA_DIR,
                manifest=manifest,
                schemas=data_schemas,
            )
        return runner.queries_run - before

    try:
        if workers <= 1:
            writer = PageWriter(spec, parsed=parsed, queries=queries, runner=runner)
            any_charts = write_pages(lambda pages: [_Later(writer, *p) for p in pages], None)
            summary.queries_run += export_data()
        else:
            # Worker processes start fresh (spawn): a fork would copy this process's DuckDB
            # and thread state. The tables are exported here meanwhile, by this process's DuckDB.
            finished: SimpleQueue[list[_Pending]] = SimpleQueue()
            with (
                ProcessPoolExecutor(
                    workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=start_worker,
                    initargs=(spec,),
                ) as pool,
                ThreadPoolExecutor(1) as side,
            ):

                def begin(pages: list[PageToWrite]) -> list[_Pending]:
                    batch = pool.submit(write_in_worker, pages)
                    parts: list[_Pending] = [_Part(batch, i) for i in range(len(pages))]
                    batch.add_done_callback(lambda _: finished.put(parts))
                    return parts

                exported = side.submit(export_data)
                try:
                    any_charts = write_pages(begin, finished)
                except BaseException:
                    pool.shutdown(cancel_futures=True)
                    raise
                finally:
                    exported.exception()  # wait: the export writes into the staging folder
                summary.queries_run += exported.result()
        if sql_log is not None:
            sql_log.extend(runner.log or [])
        summary.markdown = [copies[name] for name in markdown_pages]
        assets = dict(SHARED_ASSETS)
        if any_charts:
            assets[PLOTLY_ASSET] = plotly.offline.get_plotlyjs()
        for name, text in assets.items():
            asset = out_dir / name
            asset.parent.mkdir(parents=True, exist_ok=True)
            asset.write_text(text, encoding="utf-8")
        _swap_in(out_dir, final_dir)
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    finally:
        runner.close()
    summary.broken_links = sorted(set(summary.broken_links))
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["RenderError", "RenderSummary", "page_context", "render_site"]
