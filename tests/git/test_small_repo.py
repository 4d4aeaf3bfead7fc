"""A hand-built repository loaded through a tiny mirror: every row checked exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from dlt_pipeline.git.load import load_git_histories
from tests.git.gitrepo import commit, git, init_repo, write_manifest


def _build(root: Path) -> tuple[Path, dict[str, str]]:
    repo = init_repo(root / "acme__tool")
    shas = {}
    shas["root"] = commit(repo, "root", "2020-01-01T10:00:00+05:30", "2020-01-01T11:00:00-01:30")
    git(repo, "checkout", "-q", "-b", "feature")
    shas["feature"] = commit(repo, "feature", "2020-01-03T00:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    shas["main2"] = commit(repo, "main2", "2020-01-02T00:00:00+02:00")
    git(repo, "tag", "v1.0.0")  # lightweight, at main2
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "merge",
        "feature",
        GIT_AUTHOR_DATE="2020-01-04T00:00:00-07:00",
        GIT_COMMITTER_DATE="2020-01-04T00:00:00-07:00",
    )
    shas["merge"] = git(repo, "rev-parse", "HEAD")
    git(
        repo,
        "tag",
        "-a",
        "release-1.2",
        "-m",
        "annotated",
        GIT_COMMITTER_DATE="2021-06-01T00:00:00+00:00",
    )
    # Reachable only from a tag: loaded. Reachable only from a branch: not loaded.
    git(repo, "checkout", "-q", "-b", "exp", shas["root"])
    shas["exp"] = commit(repo, "exp", "2020-02-01T00:00:00+00:00")
    git(repo, "tag", "v2.0.0-rc1")
    git(repo, "checkout", "-q", "-b", "side", shas["root"])
    shas["side"] = commit(repo, "side only", "2020-03-01T00:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    return repo, shas


def test_small_repository_rows_exactly(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "git"
    mirror.mkdir(parents=True)
    _, shas = _build(mirror)
    write_manifest(
        mirror,
        [
            {
                "requested_full_name": "acme/tool",
                "fetched_full_name": "acme-org/tool",
                "dir_name": "acme__tool",
                "snapshot_taken_at": "2024-01-02T03:04:05Z",
            },
            {"requested_full_name": "gone/away", "notes": "skipped: fetch refused"},
        ],
    )
    warehouse = tmp_path / "w.duckdb"
    summary = load_git_histories(
        warehouse, mirror=mirror.parent, pipelines_dir=tmp_path / "p", progress=False
    )
    assert summary.rows == {"commits": 5, "tags": 3, "histories": 2}
    assert summary.histories_ok == 1 and summary.histories_failed == 0
    assert summary.statuses == {"ok": 1, "skipped": 1}

    with duckdb.connect(str(warehouse), read_only=True) as con:

        def keyed(sql: str) -> dict[str, tuple]:
            """Rows by their first column."""
            return {r[0]: r[1:] for r in con.execute(sql).fetchall()}

        commits = keyed(
            "select sha, authored_at, committed_at, author_tz_offset_minutes,"
            " committer_tz_offset_minutes, parents_count, is_merge, author_name,"
            " author_id, repository from raw_git.commits"
        )
        tags = keyed(
            "select tag_name, target_sha, tagged_at, is_annotated, is_semver, semver_major,"
            " semver_minor, semver_patch, semver_prerelease from raw_git.tags"
        )
        histories = keyed(
            "select repository, fetched_full_name, status, commits, tags, default_branch,"
            " observed_until, message, source from raw_git.histories"
        )
        # The commits and tags, written beside dlt, carry the load id of dlt's one package.
        load_ids = con.execute(
            "select distinct _dlt_load_id from raw_git.commits union"
            " select distinct _dlt_load_id from raw_git.tags union"
            " select distinct _dlt_load_id from raw_git.histories"
        ).fetchall()
        loads = con.execute("select load_id, status from raw_git._dlt_loads").fetchall()
    assert len(load_ids) == 1 and loads == [(load_ids[0][0], 0)]

    assert set(commits) == {shas[k] for k in ("root", "feature", "main2", "merge", "exp")}
    root = commits[shas["root"]]
    assert root[0] == datetime(2020, 1, 1, 4, 30, tzinfo=UTC)
    assert root[1] == datetime(2020, 1, 1, 12, 30, tzinfo=UTC)
    assert root[2:6] == (330, -90, 0, False)
    assert commits[shas["merge"]][2:6] == (-420, -420, 2, True)
    assert commits[shas["main2"]][2:6] == (120, 120, 1, False)
    assert {c[6] for c in commits.values()} == {"Alice Example"}
    assert len({c[7] for c in commits.values()}) == 1 and len(root[7]) == 64
    assert {c[8] for c in commits.values()} == {"acme/tool"}

    assert tags["v1.0.0"] == (
        shas["main2"],
        datetime(2020, 1, 1, 22, 0, tzinfo=UTC),
        False,
        True,
        1,
        0,
        0,
        None,
    )
    assert tags["release-1.2"] == (
        shas["merge"],
        datetime(2021, 6, 1, tzinfo=UTC),
        True,
        False,
        1,
        2,
        0,
        None,
    )
    assert tags["v2.0.0-rc1"][0] == shas["exp"] and tags["v2.0.0-rc1"][3:] == (
        True,
        2,
        0,
        0,
        "rc1",
    )

    assert histories["acme/tool"] == (
        "acme-org/tool",
        "ok",
        5,
        3,
        "main",
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        None,
        "mirror",
    )
    assert histories["gone/away"] == (
        None,
        "skipped",
        None,
        None,
        None,
        None,
        "skipped: fetch refused",
        "mirror",
    )

    raw = warehouse.read_bytes().lower()
    for secret in (b"alice.private@example.com", b"bob.secret@example.org", b"example.com"):
        assert secret not in raw


def test_a_failed_write_saves_no_state_and_the_next_run_loads_every_row(tmp_path: Path) -> None:
    """The commits are written beside dlt; when that fails, the run fails, no tips are kept,
    and once the fault is gone the next run writes every row again."""
    mirror = tmp_path / "mirror" / "git"
    mirror.mkdir(parents=True)
    _build(mirror)
    write_manifest(mirror, [{"requested_full_name": "acme/tool", "dir_name": "acme__tool"}])
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as con:  # a commits table no commit fits
        con.execute("create schema raw_git")
        con.execute("create table raw_git.commits (repository varchar, sha integer)")
    kwargs = {"mirror": mirror.parent, "pipelines_dir": tmp_path / "p", "progress": False}
    with pytest.raises(duckdb.Error, match='Table "commits"'):
        load_git_histories(warehouse, **kwargs)
    with duckdb.connect(str(warehouse)) as con:
        stored = con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'raw_git' and table_name in ('histories', '_dlt_pipeline_state')"
        ).fetchone()
        assert stored == (0,)
        con.execute("drop table raw_git.commits")

    summary = load_git_histories(warehouse, **kwargs)
    assert summary.rows["commits"] == 5 and summary.warehouse_rows["commits"] == 5
