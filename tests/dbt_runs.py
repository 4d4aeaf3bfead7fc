"""Running dbt from tests: a child process with its target and logs outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dlt_pipeline.paths import DBT_PROJECT_DIR, PROJECT_ROOT


def dbt_build(warehouse: Path, scratch: Path, *args: str) -> None:
    """`dbt build` in a child process over `warehouse`; target and logs go to `scratch`.

    A child process because dbt-duckdb keeps its connection open in-process.
    """
    env = {**os.environ, "ATLAS_WAREHOUSE": str(warehouse), "DO_NOT_TRACK": "1"}
    command = [
        str(Path(sys.executable).parent / "dbt"),
        "build",
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(scratch / "target"),
        "--log-path",
        str(scratch / "logs"),
    ]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"dbt build {' '.join(args)} failed:\n{done.stdout[-4000:]}"
