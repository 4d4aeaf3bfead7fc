"""The `mlops-atlas` command run as a user runs it: a separate process, without GITHUB_TOKEN."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "mlops_atlas", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
