"""Run dbt over a warehouse: the same `dbt build` a user runs by hand with `profiles.yml`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_atlas.environment import TELEMETRY_OFF
from mlops_atlas.paths import DBT_PROJECT_DIR, PROJECT_ROOT, dbt_logs_for, dbt_target_for

_FAILED = ("error", "fail", "runtime error")


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
        command,
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
) -> DbtSummary:
    """Run dbt in a child process against `warehouse_path` (passed as `ATLAS_WAREHOUSE`).

    A child process, not dbt's in-process runner: dbt-duckdb keeps its DuckDB connection open
    for the life of the process, which would lock the file for the steps that follow. Artifacts
    go to `target_dir` (default: beside the warehouse), and failures are read from this run's
    `run_results.json` only: the previous one is removed first.
    """
    warehouse_path = Path(warehouse_path).resolve()
    target_dir = Path(target_dir) if target_dir else dbt_target_for(warehouse_path)
    log_dir = Path(log_dir) if log_dir else dbt_logs_for(warehouse_path)
    target_dir.mkdir(parents=True, exist_ok=True)
    run_results = target_dir / "run_results.json"
    run_results.unlink(missing_ok=True)
    env = {**os.environ, **TELEMETRY_OFF, "ATLAS_WAREHOUSE": str(warehouse_path)}
    args = dbt_command(
        command,
        project_dir=project_dir,
        target_dir=target_dir,
        log_dir=log_dir,
        vars_=vars_,
        extra_args=extra_args,
    )
    started = time.monotonic()
    completed = subprocess.run(
        args, env=env, cwd=PROJECT_ROOT, check=False, capture_output=capture_output, text=True
    )
    return summarize(
        command,
        target_dir,
        ok=completed.returncode == 0,
        seconds=time.monotonic() - started,
        failure=f"exit {completed.returncode}",
        output=(completed.stdout or "") if capture_output else None,
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
    run_results = target_dir / "run_results.json"
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
