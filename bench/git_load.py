"""Benchmark the git loader on the mirror: raw `git log` floor, our extraction, full dlt load.

    uv run python bench/git_load.py

All three are measured in the same run, over the same repositories, and printed as ratios to
the floor (a). Needs the data mirror (`$ATLAS_MIRROR` or ../shared/data); writes only to a
temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dlt_pipeline.git.gitcmd import run_git
from dlt_pipeline.git.history import IdentityHasher, extract_history
from dlt_pipeline.git.load import load_git_histories
from dlt_pipeline.git.manifest import read_manifest
from dlt_pipeline.git.settings import EXTRACT_WORKERS, LOG_DATE_ARG, LOG_FORMAT
from mlops_atlas.paths import mirror_root


def raw_git_log(path: Path) -> int:
    """The floor: the same `git log` over HEAD and all tags, output discarded."""
    out = run_git(
        path, ["log", "-z", f"--format={LOG_FORMAT}", LOG_DATE_ARG, "HEAD", "--tags"]
    ).stdout
    return out.count(b"\x00")


def main() -> int:
    mirror = mirror_root()
    if mirror is None:
        print("no data mirror: set ATLAS_MIRROR", file=sys.stderr)
        return 2
    specs = [s for s in read_manifest(mirror) if s.path is not None]

    t0 = time.perf_counter()
    with ThreadPoolExecutor(EXTRACT_WORKERS) as pool:
        floor_commits = sum(pool.map(raw_git_log, [s.path for s in specs]))
    floor = time.perf_counter() - t0

    hasher = IdentityHasher("benchmark-salt")
    t0 = time.perf_counter()
    with ThreadPoolExecutor(EXTRACT_WORKERS) as pool:
        results = list(pool.map(lambda s: extract_history(s, hasher), specs))
    extract = time.perf_counter() - t0
    ours = sum(r.commit_rows for r in results)

    with tempfile.TemporaryDirectory(prefix="git_load_bench_") as tmp:
        t0 = time.perf_counter()
        summary = load_git_histories(
            Path(tmp) / "bench.duckdb",
            mirror=mirror,
            pipelines_dir=Path(tmp) / "p",
            progress=False,
        )
        full = time.perf_counter() - t0

    print(
        f"{len(specs)} repositories, {floor_commits:,} commits (git log), {ours:,} (ours), "
        f"{summary.warehouse_rows['commits']:,} loaded; {EXTRACT_WORKERS} threads"
    )
    print(f"{'step':<34}{'seconds':>9}{'x floor':>9}")
    for name, secs in (
        ("(a) raw git log (floor)", floor),
        ("(b) our extraction (git + parse)", extract),
        ("(c) full dlt load into DuckDB", full),
    ):
        print(f"{name:<34}{secs:>9.2f}{secs / floor:>9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
