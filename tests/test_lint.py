"""Style gates that CI runs through the test command: ruff over Python, sqlfluff over dbt SQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_sqlfluff_is_clean_over_the_dbt_models() -> None:
    result = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "dbt_project/models"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert (
        "All Finished" in result.stdout
        or result.stdout.strip() == ""
        or "==== " not in result.stdout
    )
