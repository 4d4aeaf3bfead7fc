"""Run dbt over the warehouse: the same `dbt build` a user runs by hand with `profiles.yml`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from dlt_pipeline.paths import DBT_PROJECT_DIR, PROJECT_ROOT


class DbtFailed(RuntimeError):
    """dbt build failed; the message lists the failing nodes."""


@dataclass
class DbtSummary:
    command: str
    nodes: int
    passed: int
    warned: int
    failed: int
    seconds: float


def dbt_available(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    return (project_dir / "dbt_project.yml").is_file()


def run_dbt(
    command: str,
    warehouse_path: Path,
    *,
    project_dir: Path = DBT_PROJECT_DIR,
    extra_args: list[str] | None = None,
    vars_: dict | None = None,
) -> DbtSummary:
    """Run dbt in a child process against `warehouse_path` (passed as `ATLAS_WAREHOUSE`).

    A child process, not dbt's in-process runner: dbt-duckdb keeps its DuckDB connection open
    for the life of the process, which would lock the file for the steps that follow.
    """
    env = dict(os.environ, ATLAS_WAREHOUSE=str(warehouse_path.resolve()))
    dbt = Path(sys.executable).parent / "dbt"
    target = project_dir / "target"
    args = [
        str(dbt),
        command,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(PROJECT_ROOT),
    ]
    if vars_:
        args += ["--vars", json.dumps(vars_)]
    args += extra_args or []
    started = time.monotonic()
    completed = subprocess.run(args, env=env, cwd=PROJECT_ROOT, check=False)
    seconds = time.monotonic() - started
    results = []
    run_results = target / "run_results.json"
    if run_results.is_file():
        results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    statuses = [str(r.get("status")) for r in results]
    failed = [
        r.get("unique_id", "?")
        for r in results
        if r.get("status") in ("error", "fail", "runtime error")
    ]
    if completed.returncode != 0:
        raise DbtFailed(
            f"dbt {command} failed (exit {completed.returncode}): {', '.join(failed) or 'see dbt output above'}"
        )
    return DbtSummary(
        command=command,
        nodes=len(statuses),
        passed=sum(s in ("success", "pass") for s in statuses),
        warned=sum(s == "warn" for s in statuses),
        failed=len(failed),
        seconds=seconds,
    )
