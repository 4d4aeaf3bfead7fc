"""Run dbt over a warehouse: the same `dbt build` a user runs by hand with `profiles.yml`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_atlas.environment import TELEMETRY_OFF
from mlops_atlas.paths import (
    DBT_PROJECT_DIR,
    ML_CACHE_ENV,
    PROJECT_ROOT,
    dbt_logs_for,
    dbt_target_for,
    ml_cache_for,
)

_FAILED = ("error", "fail", "runtime error")

#: dbt's saved parse in a target folder, which a later command with the same project reuses.
PARTIAL_PARSE_FILE = "partial_parse.msgpack"


class DbtFailed(RuntimeError):
    """dbt failed; the message lists the failing nodes of this run."""


@dataclass
class DbtSummary:
    command: str
    nodes: int
    passed: int
    warned: int
    failed: int
    seconds: float
    target_dir: Path
    skipped: bool = False  # inputs as at the last successful build: not run (unchanged.py)


def dbt_available(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    return (project_dir / "dbt_project.yml").is_file()


def dbt_command(
    command: str,
    *,
    project_dir: Path = DBT_PROJECT_DIR,
    target_dir: Path,
    log_dir: Path,
    vars_: Mapping[str, Any] | None = None,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The dbt command line: this environment's dbt, the project's profile, the given folders."""
    args = [
        str(Path(sys.executable).parent / "dbt"),
        *command.split(),
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(target_dir),
        "--log-path",
        str(log_dir),
    ]
    if vars_:
        args += ["--vars", json.dumps(dict(vars_), default=str)]
    return args + list(extra_args)


#: What the warehouse's build leaves out: dbt's unit tests, which check the SQL models' logic on
#: fixed inputs, so they say nothing new about the data; dbt advises running them in development
#: and CI, not in production builds. The test suite runs them (tests/dbt/test_dbt_build.py), and
#: so does a hand-run `dbt build`. The data tests all run in every build.
WAREHOUSE_BUILD_ARGS: tuple[str, ...] = ("--exclude-resource-type", "unit_test")

#: Environment a dbt process gets unless the user set it (each is a default, not forced):
#: - DBT_LOG_LEVEL_FILE: dbt's log file (beside the warehouse) keeps what dbt prints, with its
#:   warnings and errors, not its debug lines: writing one for every event (each statement, each
#:   adapter call) took about 2 s of CPU in the process every node's Python runs in. `debug`
#:   brings them back.
#: - One BLAS and one OpenMP thread per process: a build already runs three dbt threads and the
#:   long ML computations in processes of their own, side by side on the machine's cores, so a
#:   pool per computation only oversubscribes them, and its threads spin while they wait (the
#:   tool clusters took 0.35 s of CPU with one thread, 0.9 s with two on two cores).
DBT_ENV_DEFAULTS: dict[str, str] = {
    "DBT_LOG_LEVEL_FILE": "info",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}

#: dbt's line for a node that finished: "  12 of 464 OK created sql view model ...".
NODE_DONE = re.compile(r"\b(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")


def node_counter(report: Callable[[int, int], None]) -> Callable[[str], None]:
    """A line handler for `run_dbt(on_line=...)` that reports (nodes done, nodes in all)."""
    done = 0

    def on_line(line: str) -> None:
        nonlocal done
        match = NODE_DONE.search(line)
        if match:
            done += 1
            report(done, int(match.group(2)))

    return on_line


#: Lines of dbt's output kept for an error message (its end).
OUTPUT_TAIL_LINES = 200
#: dbt's record of a run, read for failures and counts (removed before each run).
RUN_RESULTS_FILE = "run_results.json"


def read_output(
    process: subprocess.Popen[str], tail: deque[str], on_line: Callable[[str], None] | None
) -> int:
    """Read a dbt process's output to its end, keeping the last lines in `tail` and passing
    each to `on_line`; its exit code."""
    assert process.stdout is not None
    for line in process.stdout:
        tail.append(line)
        if on_line is not None:
            on_line(line)
    return process.wait()


def _run(
    args: list[str], env: dict[str, str], capture: bool, on_line: Callable[[str], None] | None
) -> tuple[int, str]:
    """Run dbt; with `capture`, read its output line by line (kept: the last lines)."""
    if not capture:
        return subprocess.run(args, env=env, cwd=PROJECT_ROOT, check=False).returncode, ""
    tail: deque[str] = deque(maxlen=OUTPUT_TAIL_LINES)
    with subprocess.Popen(
        args,
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    ) as process:
        returncode = read_output(process, tail, on_line)
    return returncode, "".join(tail)


def invocation(
    command: str,
    warehouse_path: Path,
    project_dir: Path,
    target_dir: Path | None,
    log_dir: Path | None,
    vars_: Mapping[str, Any] | None,
    extra_args: Sequence[str],
) -> tuple[list[str], dict[str, str], Path]:
    """dbt's command line, environment and target folder for a command over a warehouse."""
    warehouse_path = Path(warehouse_path).resolve()
    target_dir = Path(target_dir) if target_dir else dbt_target_for(warehouse_path)
    log_dir = Path(log_dir) if log_dir else dbt_logs_for(warehouse_path)
    target_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **DBT_ENV_DEFAULTS,
        **os.environ,
        **TELEMETRY_OFF,
        "ATLAS_WAREHOUSE": str(warehouse_path),
    }
    # The evaluations the ML models keep between builds (ml/memo.py), beside the warehouse.
    env.setdefault(ML_CACHE_ENV, str(ml_cache_for(Path(warehouse_path))))
    args = dbt_command(
        command,
        project_dir=project_dir,
        target_dir=target_dir,
        log_dir=log_dir,
        vars_=vars_,
        extra_args=extra_args,
    )
    return args, env, target_dir


def run_dbt(
    command: str,
    warehouse_path: Path,
    *,
    project_dir: Path = DBT_PROJECT_DIR,
    target_dir: Path | None = None,
    log_dir: Path | None = None,
    vars_: Mapping[str, Any] | None = None,
    extra_args: Sequence[str] = (),
    capture_output: bool = False,
    on_line: Callable[[str], None] | None = None,
) -> DbtSummary:
    """Run dbt in a child process against `warehouse_path` (passed as `ATLAS_WAREHOUSE`).

    A child process, not dbt's in-process runner: dbt-duckdb keeps its DuckDB connection open
    for the life of the process, which would lock the file for the steps that follow. Artifacts
    go to `target_dir` (default: beside the warehouse), and failures are read from this run's
    `run_results.json` only: the previous one is removed first. With `capture_output` or
    `on_line` (called with each line dbt prints, e.g. to count nodes) dbt's output is not shown,
    and its end is kept for the error message.
    """
    args, env, target_dir = invocation(
        command, warehouse_path, project_dir, target_dir, log_dir, vars_, extra_args
    )
    run_results = target_dir / RUN_RESULTS_FILE
    run_results.unlink(missing_ok=True)
    started = time.monotonic()
    returncode, output = _run(args, env, capture_output or on_line is not None, on_line)
    return summarize(
        command,
        target_dir,
        ok=returncode == 0,
        seconds=time.monotonic() - started,
        failure=f"exit {returncode}",
        output=output or None,
    )


def summarize(
    command: str,
    target_dir: Path,
    *,
    ok: bool,
    seconds: float,
    failure: str = "failed",
    output: str | None = None,
) -> DbtSummary:
    """The summary of the dbt run whose `run_results.json` is in `target_dir`; raises DbtFailed
    naming the failing nodes (and the end of dbt's `output`, when given) unless `ok`."""
    run_results = target_dir / RUN_RESULTS_FILE
    results: list[dict[str, Any]] = []
    if run_results.is_file():
        results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    statuses = [str(r.get("status")) for r in results]
    failed = [r.get("unique_id", "?") for r in results if r.get("status") in _FAILED]
    if not ok:
        detail = ", ".join(failed) or "see dbt's output"
        if output is not None:
            detail += "\n" + output[-4000:]
        raise DbtFailed(f"dbt {command} failed ({failure}): {detail}")
    return DbtSummary(
        command=command,
        nodes=len(statuses),
        passed=sum(s in ("success", "pass") for s in statuses),
        warned=sum(s == "warn" for s in statuses),
        failed=len(failed),
        seconds=seconds,
        target_dir=target_dir,
    )
