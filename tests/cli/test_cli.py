"""The command line as a user runs it: a real process, a real warehouse file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "mlops_atlas", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_help_lists_every_subcommand(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("load", "build", "report", "run"):
        assert command in result.stdout


def test_load_replays_the_named_archive_from_any_folder(mirror: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w" / "atlas.duckdb"
    result = run_cli(
        "load",
        "--archive",
        "zimmerman-2023",
        "--no-git",
        "--warehouse",
        str(warehouse),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "requests made" in result.stderr and "11 (11 served from the archive)" in result.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select count(*), count(distinct id) from raw_github.repository_observations"
        ).fetchone() == (1044, 1007)


def test_a_corrupt_archive_fails_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad" / "responses").mkdir(parents=True)
    (tmp_path / "bad" / "manifest.jsonl").write_text("{oops\n")
    result = run_cli(
        "load",
        "--archive",
        str(tmp_path / "bad"),
        "--no-git",
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "manifest.jsonl, line 1" in result.stderr


def test_load_with_the_spark_engine_writes_a_parquet_lake(mirror: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    result = run_cli(
        "load",
        "--engine",
        "spark",
        "--archive",
        "zimmerman-2023",
        "--no-git",
        "-w",
        str(lake),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    files = str(lake / "raw_github" / "repository_observations" / "*.parquet")
    assert duckdb.sql(
        f"select count(*), count(distinct id) from read_parquet('{files}')"
    ).fetchone() == (1044, 1007)
    assert "search observations" in result.stderr and "1,044" in result.stderr


def test_an_unknown_engine_is_refused(tmp_path: Path) -> None:
    result = run_cli("build", "--engine", "sqlite", cwd=tmp_path)
    assert result.returncode != 0
    assert "--engine" in result.stderr and "duckdb, spark" in result.stderr


def test_a_spark_build_without_a_lake_says_so(tmp_path: Path) -> None:
    result = run_cli("build", "--engine", "spark", "-w", str(tmp_path / "none"), cwd=tmp_path)
    assert result.returncode == 1
    assert "none does not exist" in " ".join(result.stderr.split())
    assert "mlops-atlas load" in result.stderr and "Traceback" not in result.stderr
