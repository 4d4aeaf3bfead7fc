"""Benchmark the git loader on the mirror: raw `git log` floor, our extraction, full dlt load.

    uv run python bench/git_load.py [--repeat 3]

All three are measured in the same run, over the same repositories, in `--repeat` rounds of
(a), (b), (c), and each one's fastest round is printed, with its ratio to the floor (a)'s
fastest: one round of each swung the full load's ratio between 1.9 and 2.3 on this machine.
Needs the data mirror (`$ATLAS_MIRROR` or ../shared/data); writes only to a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dlt_pipeline.git.gitcmd import run_git
from dlt_pipeline.git.history import IdentityHasher, extract_history
from dlt_pipeline.git.load import load_git_histories
from dlt_pipeline.git.manifest import HistorySpec, read_manifest
from dlt_pipeline.git.settings import EXTRACT_WORKERS, LOG_DATE_ARG, LOG_FORMAT
from mlops_atlas.paths import mirror_root


def raw_git_log(path: Path) -> int:
    """The floor: the same `git log` over HEAD and all tags, output discarded."""
    out = run_git(
        path, ["log", "-z", f"--format={LOG_FORMAT}", LOG_DATE_ARG, "HEAD", "--tags"]
    ).stdout
    return out.count(b"\x00")


def floor(specs: list[HistorySpec]) -> int:
    """(a): every history's `git log`, in the loader's thread pool; the commits it printed."""
    with ThreadPoolExecutor(EXTRACT_WORKERS) as pool:
        return sum(pool.map(raw_git_log, [s.path for s in specs]))


def extraction(specs: list[HistorySpec]) -> int:
    """(b): every history extracted into rows, in the loader's thread pool; the commit rows."""
    hasher = IdentityHasher("benchmark-salt")
    with ThreadPoolExecutor(EXTRACT_WORKERS) as pool:
        return sum(r.commit_rows for r in pool.map(lambda s: extract_history(s, hasher), specs))


def full_load(mirror: Path) -> int:
    """(c): the whole load into a new DuckDB file; the commits in the warehouse."""
    with tempfile.TemporaryDirectory(prefix="git_load_bench_") as tmp:
        summary = load_git_histories(
            Path(tmp) / "bench.duckdb",
            mirror=mirror,
            pipelines_dir=Path(tmp) / "p",
            progress=False,
        )
    return summary.warehouse_rows["commits"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (a), (b), (c)")
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    mirror = mirror_root()
    if mirror is None:
        print("no data mirror: set ATLAS_MIRROR", file=sys.stderr)
        return 2
    specs = [s for s in read_manifest(mirror) if s.path is not None]
    steps = (
        ("(a) raw git log (floor)", lambda: floor(specs)),
        ("(b) our extraction (git + parse)", lambda: extraction(specs)),
        ("(c) full dlt load into DuckDB", lambda: full_load(mirror)),
    )
    seconds: dict[str, list[float]] = {name: [] for name, _ in steps}
    counts: dict[str, int] = {}
    for _ in range(repeat):
        for name, step in steps:
            started = time.perf_counter()
            counts[name] = step()
            seconds[name].append(time.perf_counter() - started)

    a, b, c = (counts[name] for name, _ in steps)
    print(
        f"{len(specs)} repositories, {a:,} commits (git log), {b:,} (ours), {c:,} loaded; "
        f"{EXTRACT_WORKERS} threads; fastest of {repeat} rounds"
    )
    base = min(seconds[steps[0][0]])
    print(f"{'step':<34}{'seconds':>9}{'x floor':>9}  every round")
    for name, _ in steps:
        every = " ".join(f"{x:.2f}" for x in seconds[name])
        print(f"{name:<34}{min(seconds[name]):>9.2f}{min(seconds[name]) / base:>9.2f}  {every}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
