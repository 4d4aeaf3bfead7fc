"""Every bad input a user can give stops at the door: the command exits non-zero with one line
naming the thing at fault (file, line, item, setting, date, lock, folder), and the warehouse
keeps every row it had. Real processes, a real warehouse file, a real dead port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from mlops_atlas import pipeline
from tests.cli.commands import run_cli


def row_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where table_name not like '\\_dlt%' escape '\\' order by 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
            for s, t in tables
        }


def dead_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_archive(folder: Path, items: list, *, line_extra: dict | None = None) -> Path:
    """An archive of one search page holding `items`."""
    (folder / "responses").mkdir(parents=True)
    body = {"total_count": len(items), "incomplete_results": False, "items": items}
    (folder / "responses" / "p1.json").write_text(json.dumps(body), encoding="utf-8")
    line = {
        "url": "https://api.github.com/search/repositories?q=topic:mlops&per_page=100&page=1",
        "method": "GET",
        "status": 200,
        "headers": {},
        "body": "responses/p1.json",
        "recorded_at": "2024-01-01T00:00:00Z",
        **(line_extra or {}),
    }
    (folder / "manifest.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    return folder


def item(**overrides: object) -> dict:
    base = {
        "id": 1,
        "full_name": "acme/tool",
        "name": "tool",
        "owner": {"login": "acme", "id": 7, "type": "Organization"},
        "stargazers_count": 3,
        "created_at": "2020-01-01T00:00:00Z",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


@dataclass
class Case:
    """A bad input: the command's arguments and environment, given the warehouse and a scratch
    folder; the expected exit code and the words the one message line must hold."""

    name: str
    args: Callable[[Path, Path], list[str]]
    words: tuple[str, ...]
    env: Callable[[Path], dict[str, str]] = field(default=lambda tmp: {})
    exit_code: int = 1
    #: tables allowed to gain rows (a dead API is stored as a failed run)
    may_grow: tuple[str, ...] = ()


def _archive_case(name: str, items: list, words: tuple[str, ...], **extra: object) -> Case:
    def args(warehouse: Path, tmp: Path) -> list[str]:
        folder = write_archive(tmp / "archive", items, line_extra=dict(extra) or None)
        return ["load", "--archive", str(folder), "--no-git", "-w", str(warehouse)]

    return Case(name, args, words)


CASES = [
    Case(
        "dead GitHub API",
        lambda w, tmp: ["load", "--live", "--no-git", "-w", str(w)],
        ("unreachable", "127.0.0.1", "Connection refused", "sources.github.base_url"),
        env=lambda tmp: {
            "GITHUB_TOKEN": "ghp_test_token_for_dead_api_01",
            "SOURCES__GITHUB__BASE_URL": f"http://127.0.0.1:{dead_port()}",
            "SOURCES__GITHUB__TOPICS": '["mlops"]',
        },
        may_grow=("raw_github.runs",),
    ),
    Case(
        "a setting that is not a number",
        lambda w, tmp: ["load", "--no-git", "-w", str(w)],
        ("sources.github.max_retries", "'many'", "SOURCES__GITHUB__MAX_RETRIES"),
        env=lambda tmp: {"SOURCES__GITHUB__MAX_RETRIES": "many"},
    ),
    _archive_case(
        "archive item without id", [item(id=...)], ("manifest.jsonl, line 1", "item 1", "`id`")
    ),
    _archive_case(
        "archive item with null full_name",
        [item(), item(id=2, full_name=None)],
        ("manifest.jsonl, line 1", "item 2", "`full_name`"),
    ),
    _archive_case(
        "archive item with null owner", [item(owner=None)], ("line 1", "item 1", "`owner`")
    ),
    _archive_case(
        "archive item with a wrong type",
        [item(stargazers_count="many")],
        ("line 1", "item 1", "`stargazers_count`"),
    ),
    _archive_case(
        "archive from a newer format version",
        [item()],
        ("line 1", "format version 3", "reads version 1"),
        format_version=3,
    ),
    Case(
        "archive manifest line that is not JSON",
        lambda w, tmp: [
            "load",
            "--archive",
            str(_corrupt_manifest(tmp / "bad")),
            "--no-git",
            "-w",
            str(w),
        ],
        ("manifest.jsonl, line 1", "not a valid manifest line"),
    ),
    Case(
        "no mirror and no network for a named archive",
        lambda w, tmp: ["load", "--archive", "zimmerman-2023", "--no-git", "-w", str(w)],
        ("zimmerman-2023", "ATLAS_MIRROR", "downloading it failed"),
        env=lambda tmp: {
            "ATLAS_MIRROR": str(tmp / "no-mirror"),
            "HTTPS_PROXY": f"http://127.0.0.1:{dead_port()}",
            "https_proxy": f"http://127.0.0.1:{dead_port()}",
        },
    ),
    Case(
        "as_of that is not a date",
        lambda w, tmp: ["build", "--as-of", "2023-13-45", "-w", str(w)],
        ("'2023-13-45'", "YYYY-MM-DD"),
    ),
    Case(
        "as_of after the data",
        lambda w, tmp: ["build", "--as-of", "2099-01-01", "-w", str(w)],
        ("2099-01-01", "outside the data", "newest observation"),
    ),
    Case(
        "as_of before the data",
        lambda w, tmp: ["build", "--as-of", "1990-01-01", "-w", str(w)],
        ("1990-01-01", "outside the data", "first repository created"),
    ),
    Case(
        "build of a warehouse that does not exist",
        lambda w, tmp: ["build", "-w", str(tmp / "nope" / "atlas.duckdb")],
        ("does not exist", "mlops-atlas load"),
    ),
    Case(
        "report before build",
        lambda w, tmp: ["report", "-w", str(w), "--out", str(tmp / "site")],
        ("lacks", "tables the report reads", "mlops-atlas build"),
    ),
    Case(
        "render workers that are not a number",
        lambda w, tmp: ["report", "-w", str(w), "--out", str(tmp / "site")],
        ("ATLAS_RENDER_WORKERS", "whole number", "'two'"),
        env=lambda tmp: {"ATLAS_RENDER_WORKERS": "two"},
    ),
    Case(
        "report into a folder of other files",
        lambda w, tmp: ["report", "-w", str(w), "--out", str(_folder_with_a_file(tmp / "mine"))],
        ("not empty", "mine"),
    ),
    Case(
        "drop a run that is not there",
        lambda w, tmp: ["runs", "drop", "no-such-run", "-w", str(w)],
        ("no-such-run", "zimmerman-2023"),
    ),
]


def _corrupt_manifest(folder: Path) -> Path:
    (folder / "responses").mkdir(parents=True)
    (folder / "manifest.jsonl").write_text("{oops\n", encoding="utf-8")
    return folder


def _folder_with_a_file(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def loaded(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with the zimmerman-2023 archive loaded (no git, not built)."""
    warehouse = tmp_path_factory.mktemp("loaded") / "atlas.duckdb"
    pipeline.load(warehouse, archive=pipeline.DEFAULT_ARCHIVE, git=False, mirror=mirror)
    return warehouse


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_stops_with_one_line_and_loses_nothing(
    case: Case, loaded: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w" / "atlas.duckdb"
    warehouse.parent.mkdir()
    warehouse.write_bytes(loaded.read_bytes())
    before = row_counts(warehouse)
    started = time.monotonic()
    done = run_cli(*case.args(warehouse, tmp_path), cwd=tmp_path, env=case.env(tmp_path))
    seconds = time.monotonic() - started
    assert done.returncode == case.exit_code, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr[-3000:]
    message = " ".join(done.stderr.split("error:", 1)[1].split())  # rich may wrap the line
    for word in case.words:
        assert word in message, f"{word!r} not in: {message}"
    assert "Traceback" not in done.stderr
    after = row_counts(warehouse)
    for table, count in before.items():
        if table in case.may_grow:
            assert after[table] >= count
        else:
            assert after[table] == count, table
    assert seconds < 60, "a bad input is refused at the door, not after a long wait"


def test_a_dead_api_is_stored_as_a_failed_run(loaded: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    warehouse.write_bytes(loaded.read_bytes())
    env = {
        "GITHUB_TOKEN": "ghp_test_token_for_dead_api_02",
        "SOURCES__GITHUB__BASE_URL": f"http://127.0.0.1:{dead_port()}",
    }
    done = run_cli("run", "-w", str(warehouse), cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "dbt build" not in done.stderr and "Reports" not in done.stderr, "nothing downstream"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status, message, requests = con.execute(
            "select status, message, requests from raw_github.runs where mode = 'live'"
        ).fetchone()
        assert not con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts'"
        ).fetchone()[0]
    assert status == "failed" and "unreachable" in message and requests == 3


def test_a_lock_held_by_another_process_is_named(loaded: Path, tmp_path: Path) -> None:
    """Two loads at once: the second is told which process holds the warehouse."""
    warehouse = tmp_path / "atlas.duckdb"
    warehouse.write_bytes(loaded.read_bytes())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys, time; c = duckdb.connect({str(warehouse)!r}); "
            "print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        for args in (["load", "--no-git"], ["build"]):
            done = run_cli(*args, "-w", str(warehouse), cwd=tmp_path)
            assert done.returncode == 1, done.stderr[-2000:]
            message = " ".join(done.stderr.split("error:", 1)[1].split())
            assert "in use by another process" in message and f"PID {holder.pid}" in message
            assert "Traceback" not in done.stderr
    finally:
        holder.kill()
        holder.wait()
    assert row_counts(warehouse) == row_counts(loaded)


def test_verbose_shows_the_traceback(tmp_path: Path) -> None:
    done = run_cli("build", "-w", str(tmp_path / "none.duckdb"), "--verbose", cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" in done.stderr and "does not exist" in done.stderr
