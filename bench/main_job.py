"""Benchmark the main job as a user runs it: cold, then again over the same folders.

    uv run python bench/main_job.py [--before /path/to/an/older/checkout]

Runs `uv run mlops-atlas run` (the zimmerman-2023 archive and the mirror's git histories) into
a fresh temporary folder and prints the seconds of every stage from the run's own summary and
the command's wall-clock time; then runs it again over the same warehouse and reports folder (an
unchanged re-run) and prints the re-run's time as a share of the cold run's. With `--before`, the
same cold run of another checkout of the project (e.g. `git worktree add /tmp/before main`, its
environment synced) is measured first, in the same run, so both face the same machine.
Needs the data mirror; writes only to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mlops_atlas.paths import PROJECT_ROOT, mirror_root

#: "Seconds per stage: <name> 1.2, <name> 3.4; 5.6 in all." as the command prints it.
STAGES_LINE = re.compile(r"Seconds per stage: (.*); ([\d.]+) in all\.")
STAGE = re.compile(r"(.+?) ([\d.]+)(?:, |$)")


def run_main_job(project: Path, folder: Path) -> tuple[float, dict[str, float]]:
    """(wall-clock seconds, seconds per stage) of `mlops-atlas run` in `project` into `folder`."""
    # One summary line however long; the mirror named, since another checkout may not sit
    # beside it.
    env = {**os.environ, "COLUMNS": "10000", "ATLAS_MIRROR": str(mirror_root())}
    env.pop("GITHUB_TOKEN", None)
    env.pop("VIRTUAL_ENV", None)
    args = ["uv", "run", "--project", str(project), "mlops-atlas", "run"]
    args += ["-w", str(folder / "atlas.duckdb"), "--out", str(folder / "site")]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"{project}: mlops-atlas run failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        )
    match = STAGES_LINE.search((done.stdout + done.stderr).replace("\n", " "))
    if match is None:
        raise SystemExit(f"{project}: no 'Seconds per stage' line in:\n{done.stdout[-2000:]}")
    return wall, {name: float(secs) for name, secs in STAGE.findall(match.group(1))}


def _print(title: str, wall: float, stages: dict[str, float]) -> None:
    print(f"\n{title}: {wall:.1f} s wall-clock ({sum(stages.values()):.1f} s in the stages)")
    for name, seconds in stages.items():
        print(f"  {name:<60}{seconds:>8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure first")
    args = parser.parse_args()
    if mirror_root() is None:
        print("no data mirror: set ATLAS_MIRROR", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="main_job_bench_") as tmp:
        if args.before is not None:
            wall, stages = run_main_job(args.before.resolve(), Path(tmp) / "before")
            _print(f"before ({args.before})", wall, stages)
        cold_wall, cold = run_main_job(PROJECT_ROOT, Path(tmp) / "after")
        _print("cold run", cold_wall, cold)
        again_wall, again = run_main_job(PROJECT_ROOT, Path(tmp) / "after")
        _print("unchanged re-run", again_wall, again)
        print(
            f"\nre-run / cold: {again_wall / cold_wall:.2f} wall-clock, "
            f"{sum(again.values()) / sum(cold.values()):.2f} in the stages"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
