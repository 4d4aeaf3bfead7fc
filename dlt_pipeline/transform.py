"""Run dbt over the warehouse: the same `dbt build` a user runs by hand with `profiles.yml`."""

from __future__ import annotations

import os
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
    """Invoke dbt in-process against `warehouse_path` (passed as `ATLAS_WAREHOUSE`)."""
    from dbt.cli.main import dbtRunner

    os.environ["ATLAS_WAREHOUSE"] = str(warehouse_path.resolve())
    args = [command, "--project-dir", str(project_dir), "--profiles-dir", str(PROJECT_ROOT)]
    if vars_:
        import json

        args += ["--vars", json.dumps(vars_)]
    args += extra_args or []
    started = time.monotonic()
    result = dbtRunner().invoke(args)
    seconds = time.monotonic() - started
    statuses = (
        [str(getattr(r, "status", "")) for r in (result.result or [])] if result.result else []
    )
    failed = (
        [
            getattr(getattr(r, "node", None), "unique_id", "?")
            for r in (result.result or [])
            if str(getattr(r, "status", "")) in ("error", "fail", "runtime error")
        ]
        if result.result is not None and hasattr(result.result, "__iter__")
        else []
    )
    if not result.success:
        detail = ", ".join(failed) or str(result.exception or "see dbt output above")
        raise DbtFailed(f"dbt {command} failed: {detail}")
    return DbtSummary(
        command=command,
        nodes=len(statuses),
        passed=sum(s in ("success", "pass") for s in statuses),
        warned=sum(s == "warn" for s in statuses),
        failed=len(failed),
        seconds=seconds,
    )
