"""Live clone path (local file:// remote), incremental re-runs, and bad repositories."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from dlt_pipeline.git.load import load_git_histories
from dlt_pipeline.git.source import COMMITS, HISTORIES, TAGS
from tests.git.gitrepo import commit, git, init_repo, write_manifest


def _counts(warehouse: Path) -> tuple[int, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(*), count(distinct (repository, sha)) from raw_git.commits"
        ).fetchone()


def test_clone_twice_then_one_new_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    upstream = init_repo(tmp_path / "remotes" / "acme" / "tool")
    for day in range(1, 4):
        commit(upstream, f"c{day}", f"2021-01-0{day}T12:00:00+00:00")
    git(upstream, "tag", "-a", "v0.1.0", "-m", "first")
    monkeypatch.setenv(
        "SOURCES__GIT__REMOTE_URL_TEMPLATE", f"file://{tmp_path / 'remotes'}/{{full_name}}"
    )
    kwargs = {
        "clone_full_names": ["acme/tool"],
        "cache_dir": tmp_path / "cache",
        "pipelines_dir": tmp_path / "p",
        "progress": False,
    }
    warehouse = tmp_path / "w.duckdb"
    first = load_git_histories(warehouse, **kwargs)
    assert first.rows["commits"] == 3 and first.statuses == {"ok": 1}
    assert (tmp_path / "cache" / "acme__tool.git" / "HEAD").is_file()
    second = load_git_histories(warehouse, **kwargs)
    assert second.rows["commits"] == 0  # nothing new is read again
    assert _counts(warehouse) == (3, 3)

    new_sha = commit(upstream, "c4", "2021-01-05T12:00:00+00:00")
    third = load_git_histories(warehouse, **kwargs)
    assert third.rows["commits"] == 1
    assert _counts(warehouse) == (4, 4)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select count(*) from raw_git.commits where sha = ?", [new_sha]
        ).fetchone() == (1,)
        row = con.execute(
            "select source, commits, tags, status, observed_until is not null from raw_git.histories"
        ).fetchall()
    assert row == [("clone", 4, 1, "ok", True)]

    # A remote that does not exist is recorded, not raised; earlier rows stay.
    fourth = load_git_histories(
        warehouse, **{**kwargs, "clone_full_names": ["acme/tool", "acme/missing"]}
    )
    assert fourth.statuses == {"ok": 1, "skipped": 1}
    assert "acme/missing" in fourth.messages["acme/missing"]
    assert _counts(warehouse) == (4, 4)


def test_faults_are_recorded_and_skipped(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "git"
    mirror.mkdir(parents=True)
    init_repo(mirror / "o__empty.git", bare=True)
    (mirror / "o__notrepo.git").mkdir()
    (mirror / "o__notrepo.git" / "README").write_text("not a repository")
    tagged = init_repo(mirror / "o__badtag")
    commit(tagged, "one", "2022-01-01T00:00:00+00:00")
    git(tagged, "tag", "v1.0.0")
    (tagged / ".git" / "refs" / "tags" / "broken").write_text("1234567890" * 4 + "\n")
    source = init_repo(tmp_path / "src")
    for day in range(1, 4):
        commit(source, f"c{day}", f"2022-02-0{day}T00:00:00+00:00")
    git(
        tmp_path,
        "clone",
        "-q",
        "--bare",
        "--depth",
        "1",
        f"file://{source}",
        str(mirror / "o__shallow.git"),
    )
    broken = init_repo(mirror / "o__broken")
    root = commit(broken, "root", "2022-03-01T00:00:00+00:00")
    commit(broken, "child", "2022-03-02T00:00:00+00:00")
    names = ["empty", "notrepo", "badtag", "shallow", "broken"]
    write_manifest(
        mirror,
        [
            {
                "requested_full_name": f"o/{n}",
                "dir_name": f"o__{n}" + (".git" if n in ("empty", "notrepo", "shallow") else ""),
                "snapshot_taken_at": "2024-01-01T00:00:00Z",
            }
            for n in names
        ],
    )
    warehouse = tmp_path / "w.duckdb"
    kwargs = {"mirror": mirror.parent, "pipelines_dir": tmp_path / "p", "progress": False}
    first = load_git_histories(warehouse, **kwargs)
    assert first.statuses == {"empty": 1, "corrupt": 1, "ok": 2, "shallow": 1}
    assert "not a git repository" in first.messages["o/notrepo"]
    assert "o/notrepo" in first.messages["o/notrepo"]
    assert "broken" in first.messages["o/badtag"] and "missing object" in first.messages["o/badtag"]
    assert "shallow" in first.messages["o/shallow"]
    assert "o/empty" in first.messages["o/empty"]
    assert first.rows["commits"] == 3  # badtag 1 + broken 2; the shallow clone is not loaded

    # Lose the root commit's object: the history turns corrupt, its rows stay loaded.
    obj = broken / ".git" / "objects" / root[:2] / root[2:]
    obj.chmod(0o644)
    obj.unlink()
    second = load_git_histories(warehouse, **kwargs)
    assert second.statuses["corrupt"] == 2 and "failed" in second.messages["o/broken"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status = dict(con.execute("select repository, status from raw_git.histories").fetchall())
        per_repo = dict(
            con.execute("select repository, count(*) from raw_git.commits group by 1").fetchall()
        )
        tag = con.execute(
            "select target_sha, tagged_at from raw_git.tags where tag_name = 'broken'"
        ).fetchone()
        tables = {
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw_git'"
                " and table_name not like '\\_dlt%' escape '\\'"
            ).fetchall()
        }
    assert status == {
        "o/empty": "empty",
        "o/notrepo": "corrupt",
        "o/badtag": "ok",
        "o/shallow": "shallow",
        "o/broken": "corrupt",
    }
    assert per_repo == {"o/badtag": 1, "o/broken": 2}
    assert tag == (None, None)
    assert tables == {"commits", "tags", "histories"}


def test_tables_exist_after_a_run_with_no_rows(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    summary = load_git_histories(warehouse, pipelines_dir=tmp_path / "p", progress=False)
    assert summary.rows == {"commits": 0, "tags": 0, "histories": 0}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cols = con.execute(
            "select table_name, count(*) from information_schema.columns"
            " where table_schema = 'raw_git' and table_name in ('commits', 'tags', 'histories')"
            " group by 1"
        ).fetchall()
    # The declared columns and dlt's two (_dlt_load_id, _dlt_id).
    tables = {"commits": COMMITS, "tags": TAGS, "histories": HISTORIES}
    assert dict(cols) == {name: len(table.columns) + 2 for name, table in tables.items()}


def test_incremental_run_keeps_tag_times(tmp_path: Path) -> None:
    """Tags whose target was loaded in an earlier run still get that commit's time."""
    mirror = tmp_path / "mirror" / "git"
    mirror.mkdir(parents=True)
    repo = init_repo(mirror / "o__tags")
    root = commit(repo, "root", "2022-01-01T00:00:00+02:00")
    git(repo, "tag", "light")
    obj = git(
        repo,
        "hash-object",
        "-t",
        "tag",
        "-w",
        "--literally",
        "--stdin",
        input=f"object {root}\ntype commit\ntag no-tagger\n\nannotated, no tagger line\n",
    )
    git(repo, "update-ref", "refs/tags/no-tagger", obj)
    git(repo, "tag", "-a", "signed", "-m", "x", GIT_COMMITTER_DATE="2023-05-01T00:00:00+00:00")
    write_manifest(mirror, [{"requested_full_name": "o/tags", "dir_name": "o__tags"}])
    warehouse = tmp_path / "w.duckdb"
    kwargs = {"mirror": mirror.parent, "pipelines_dir": tmp_path / "p", "progress": False}

    def tag_times() -> dict[str, tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute("select tag_name, is_annotated, tagged_at from raw_git.tags")
            return {name: (annotated, at) for name, annotated, at in rows.fetchall()}

    expected = {
        "light": (False, datetime(2021, 12, 31, 22, tzinfo=UTC)),
        "no-tagger": (True, datetime(2021, 12, 31, 22, tzinfo=UTC)),
        "signed": (True, datetime(2023, 5, 1, tzinfo=UTC)),
    }
    assert load_git_histories(warehouse, **kwargs).rows["commits"] == 1
    assert tag_times() == expected
    commit(repo, "next", "2022-02-01T00:00:00+00:00")
    assert load_git_histories(warehouse, **kwargs).rows == {"commits": 1, "tags": 3, "histories": 1}
    assert tag_times() == expected
