"""Benchmark the report renderer: the site's SQL run straight in DuckDB (floor), full build.

    uv run python bench/render_site.py [--warehouse PATH] [--runs N] [--workers N]

Measured in the same run, on the same warehouse, and printed as ratios to the floors:
(a) every statement a one-process build runs (source tables, then each distinct page query,
a templated page's lookup once for all its pages: render/lookups.py) executed and fetched in
one read-only DuckDB session set up as the renderer's; (b) the full one-process `render_site`
of reports/pages (pages, charts, dropdown variants, markdown copy);
(c) the statements of (a) dealt in turn to `--workers` processes (default: as the main job
renders), each a session of its own making the source tables it needs, timed from a common
start to the last one's end; (d) the full `render_site` with that many worker processes,
process start included. (a), (b) and (f) each run in a fresh process (timed once it has
imported what it needs), so no cache of an earlier build helps them, as none helps a real
build or (d)'s workers; (b) and (d) write into a new folder, as a first main job does
(replacing an earlier site adds its removal). Two first, untimed builds record the
statements (with lookups and without); then (a) to (f) alternate `--runs` times and the
fastest of each is kept; the renderer's own work, (b) - (a), is also printed per page. (e),
the site's files (as the first build wrote them) written again from memory, folders
included, is the floor of writing: (b) is also printed against (a) + (e), the least any
renderer of these pages does. (f) is (a) for the statements the pages declare: a build with
lookups off (`render_site(lookups=False)`) records them, each templated page's lookup
queries run for its own value, as every build ran them before a lookup ran once for all its
pages (the statements this benchmark's floor replayed then); (b) is printed against it too,
and takes less, as it runs fewer statements. Without `--warehouse` the warehouse is built as
the main job builds it (zimmerman-2023 archive, the mirror's git histories, `dbt build`),
which needs the data mirror and takes a few minutes.
Figures go to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from mlops_atlas import pipeline
from mlops_atlas.checks import render_workers
from mlops_atlas.environment import prepare_process
from mlops_atlas.paths import PROJECT_ROOT, REPORTS_PAGES_DIR, REPORTS_SOURCES_DIR, mirror_root
from mlops_atlas.render import render_site
from mlops_atlas.render.queries import QueryRunner, Sources, makes_source_table
from mlops_atlas.render.writer import worker_duckdb_threads

PAGES = REPORTS_PAGES_DIR
SOURCES = REPORTS_SOURCES_DIR
RESULTS = PROJECT_ROOT / "bench" / "results"


def build_warehouse(scratch: Path) -> Path:
    """The main job's warehouse from the mirror, built by the main job's own stages."""
    mirror = mirror_root()
    if mirror is None:
        raise SystemExit("no data mirror: set ATLAS_MIRROR or pass --warehouse")
    warehouse = scratch / "atlas.duckdb"
    pipeline.load(warehouse, archive=pipeline.DEFAULT_ARCHIVE, mirror=mirror)
    pipeline.build(warehouse)
    return warehouse


def floor(warehouse: Path, statements: list[str]) -> float:
    """Seconds to run and fetch every statement in a fresh session set up as the renderer's."""
    runner = QueryRunner(warehouse, Sources.load(SOURCES))
    try:
        started = time.perf_counter()
        for sql in statements:
            runner.con.execute(sql).fetchall()
        return time.perf_counter() - started
    finally:
        runner.close()


def _floor_share(
    warehouse: Path, statements: list[str], start: Any, seconds: Any, slot: int, workers: int
) -> None:
    """One process of the parallel floor: a session like a worker's, made before the start;
    source tables made as its statements need them (as a worker does), inside the timing."""
    runner = QueryRunner(warehouse, Sources.load(SOURCES), threads=worker_duckdb_threads(workers))
    try:
        start.wait()
        started = time.perf_counter()
        for sql in statements:
            runner.records(sql)
        seconds[slot] = time.perf_counter() - started
    finally:
        runner.close()


def parallel_floor(warehouse: Path, statements: list[str], workers: int) -> float:
    """Seconds for `workers` processes to run the page statements dealt to them in turn."""
    queries = [sql for sql in statements if not makes_source_table(sql)]
    context = multiprocessing.get_context("spawn")
    # a process that fails before the start breaks the barrier after this long, not never
    start = context.Barrier(workers + 1, timeout=600)
    seconds = context.Array("d", workers)
    processes = [
        context.Process(
            target=_floor_share,
            args=(warehouse, queries[slot::workers], start, seconds, slot, workers),
        )
        for slot in range(workers)
    ]
    for process in processes:
        process.start()
    start.wait()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a floor process failed (exit {process.exitcode})")
    return max(seconds)


def site_files(site: Path) -> list[tuple[Path, bytes]]:
    """Every file of a built site: its path in the site and its bytes."""
    return [(p.relative_to(site), p.read_bytes()) for p in sorted(site.rglob("*")) if p.is_file()]


def write_floor(files: list[tuple[Path, bytes]], out: Path) -> float:
    """Seconds to write `files` under the new folder `out`, making their folders as the
    renderer does (one `mkdir` per file's folder); `out` is removed afterwards, untimed."""
    started = time.perf_counter()
    out.mkdir()
    for relative, data in files:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    seconds = time.perf_counter() - started
    shutil.rmtree(out)
    return seconds


def render(
    warehouse: Path,
    out: Path,
    log: list[str] | None = None,
    workers: int = 1,
    *,
    lookups: bool = True,
) -> tuple[float, int]:
    """Seconds for the full site build into `out` (removed first, untimed, if a previous run
    left it), and the number of pages it wrote."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    summary = render_site(PAGES, warehouse, out, sql_log=log, workers=workers, lookups=lookups)
    return time.perf_counter() - started, len(summary.pages)


def in_fresh_process(func: Callable[..., Any], *args: Any) -> Any:
    """`func(*args)` in a new process (spawned: it shares no module state, so no cache of this
    process's builds), whose imports are done before `func` starts its clock."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(func, *args).result()


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    return done.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="a built warehouse (opened read-only)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument(
        "--workers", type=int, help="processes of (c) and (d) (default: as the main job)"
    )
    args = parser.parse_args()
    prepare_process()
    workers = args.workers or render_workers()

    with tempfile.TemporaryDirectory(prefix="render_site_bench_") as tmp:
        scratch = Path(tmp)
        if args.warehouse is not None:
            warehouse = args.warehouse.resolve()
        else:
            print("building the warehouse from the mirror (a few minutes) ...", file=sys.stderr)
            warehouse = build_warehouse(scratch)
        statements: list[str] = []
        warm_up, pages = render(warehouse, scratch / "site", statements)
        files = site_files(scratch / "site")
        declared: list[str] = []
        render(warehouse, scratch / "site", declared, lookups=False)
        if site_files(scratch / "site") != files:
            raise SystemExit("the site built with lookups off differs from the first build")
        floors, renders, parallel_floors, parallel_renders = [], [], [], []
        writes: list[float] = []
        declared_floors: list[float] = []
        for _ in range(max(1, args.runs)):
            floors.append(in_fresh_process(floor, warehouse, statements))
            declared_floors.append(in_fresh_process(floor, warehouse, declared))
            writes.append(write_floor(files, scratch / "written"))
            renders.append(in_fresh_process(render, warehouse, scratch / "site")[0])
            parallel_floors.append(parallel_floor(warehouse, statements, workers))
            parallel_renders.append(render(warehouse, scratch / "site", workers=workers)[0])

    base, full = min(floors), min(renders)
    parallel_base, parallel_full = min(parallel_floors), min(parallel_renders)
    written, as_declared = min(writes), min(declared_floors)
    rows = [
        ("(a) the site's SQL in DuckDB (floor)", base, base),
        ("(b) full render_site, one process", full, base),
        ("    of which outside DuckDB: (b) - (a)", full - base, base),
        (f"(c) the SQL in {workers} processes (floor)", parallel_base, parallel_base),
        (f"(d) full render_site, {workers} workers", parallel_full, parallel_base),
        ("(e) the site's files written from memory", written, written),
        ("(b) against (a) + (e)", full, base + written),
        ("(f) the SQL as the pages declare it", as_declared, as_declared),
        ("(b) against (f)", full, as_declared),
    ]
    print(
        f"{pages:,} pages, {len(statements):,} statements ({len(declared):,} as the pages"
        f" declare them), duckdb {duckdb.__version__};"
        f" fastest of {len(renders)} runs (first build, untimed: {warm_up:.1f} s)"
    )
    print(f"{len(files):,} files, {sum(len(d) for _, d in files) / 1e6:.1f} MB")
    print(f"{'step':<42}{'seconds':>9}{'x its floor':>13}")
    for name, secs, against in rows:
        print(f"{name:<42}{secs:>9.2f}{secs / against:>13.2f}")
    # the renderer's own work, page by page: now that the SQL is cheap, the larger part
    own_ms = 1000 * (full - base) / pages
    print(f"the renderer's own work, (b) - (a), per page: {own_ms:.2f} ms")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result = RESULTS / f"render_site-{stamp}.json"
    result.write_text(
        json.dumps(
            {
                "benchmark": "render_site",
                "commit": _commit(),
                "when": stamp,
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "duckdb": duckdb.__version__,
                "warehouse": str(args.warehouse) if args.warehouse else "built from the mirror",
                "pages": pages,
                "statements": len(statements),
                "floor_seconds": floors,
                "render_seconds": renders,
                "warm_up_seconds": warm_up,
                "ratio": full / base,
                "own_work_ms_per_page": own_ms,
                "workers": workers,
                "parallel_floor_seconds": parallel_floors,
                "parallel_render_seconds": parallel_renders,
                "parallel_ratio": parallel_full / parallel_base,
                "files": len(files),
                "write_floor_seconds": writes,
                "ratio_to_sql_and_write_floor": full / (base + written),
                "declared_statements": len(declared),
                "declared_floor_seconds": declared_floors,
                "ratio_to_declared_floor": full / as_declared,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written to {result.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
