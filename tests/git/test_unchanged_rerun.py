"""A re-run reads only histories whose refs or objects changed, and ends where a cold load ends."""

from __future__ import annotations

from pathlib import Path

import duckdb

from dlt_pipeline.git.load import load_git_histories
from tests.git.gitrepo import commit, git, init_repo, write_manifest

# Every column but when and by which load a row was written.
TABLE_SQL = {
    "commits": "select * exclude (_dlt_load_id, _dlt_id) from raw_git.commits",
    "tags": "select * exclude (_dlt_load_id, _dlt_id) from raw_git.tags",
    "histories": "select * exclude (_dlt_load_id, _dlt_id, loaded_at) from raw_git.histories",
}


def _rows(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: sorted(con.execute(sql).fetchall(), key=repr) for name, sql in TABLE_SQL.items()
        }


def _mirror(root: Path) -> tuple[Path, Path, Path]:
    mirror = root / "git"
    one = init_repo(mirror / "o__one")
    commit(one, "first", "2021-01-01T00:00:00+00:00")
    git(one, "tag", "v1.0.0")
    two = init_repo(mirror / "o__two")
    commit(two, "first", "2021-02-01T00:00:00+01:00")
    write_manifest(
        mirror,
        [{"requested_full_name": f"o/{n}", "dir_name": f"o__{n}"} for n in ("one", "two")]
        + [{"requested_full_name": "o/gone", "notes": "skipped: not found"}],
    )
    return mirror, one, two


def test_unchanged_histories_are_not_read_and_changes_are(tmp_path: Path) -> None:
    mirror, _, two = _mirror(tmp_path / "m")
    warehouse = tmp_path / "w.duckdb"
    kwargs = {"mirror": mirror.parent, "pipelines_dir": tmp_path / "p", "progress": False}

    first = load_git_histories(warehouse, **kwargs)
    assert first.histories_unchanged == 0 and first.rows["histories"] == 3
    cold = _rows(warehouse)

    again = load_git_histories(warehouse, **kwargs)
    assert again.histories_unchanged == 3
    assert again.rows == {"commits": 0, "tags": 0, "histories": 0}
    assert again.statuses == first.statuses  # the last read's statuses, reported again
    assert _rows(warehouse) == cold

    # One history moves on (a commit and a tag): only it is read again.
    new_sha = commit(two, "second", "2021-03-01T00:00:00+00:00")
    git(two, "tag", "-a", "v2", "-m", "annotated", GIT_COMMITTER_DATE="2021-03-02T00:00:00+00:00")
    third = load_git_histories(warehouse, **kwargs)
    assert third.histories_unchanged == 2
    assert third.rows == {"commits": 1, "tags": 1, "histories": 1}
    after = _rows(warehouse)
    assert new_sha in {row[1] for row in after["commits"]}

    # The same as a cold load of the histories as they are now, row for row.
    fresh = tmp_path / "fresh.duckdb"
    load_git_histories(fresh, mirror=mirror.parent, pipelines_dir=tmp_path / "p2", progress=False)
    fresh_rows = _rows(fresh)
    # Author ids are salted per warehouse; everything else is equal.
    drop_id = {"commits": 8}
    for name in TABLE_SQL:
        strip = drop_id.get(name)
        mine = [r[:strip] + r[strip + 1 :] if strip is not None else r for r in after[name]]
        theirs = [r[:strip] + r[strip + 1 :] if strip is not None else r for r in fresh_rows[name]]
        assert sorted(mine, key=repr) == sorted(theirs, key=repr), name


def test_a_lost_object_is_noticed_though_refs_are_the_same(tmp_path: Path) -> None:
    mirror, one, _ = _mirror(tmp_path / "m")
    warehouse = tmp_path / "w.duckdb"
    kwargs = {"mirror": mirror.parent, "pipelines_dir": tmp_path / "p", "progress": False}
    load_git_histories(warehouse, **kwargs)
    head = git(one, "rev-parse", "HEAD")
    obj = one / ".git" / "objects" / head[:2] / head[2:]
    obj.chmod(0o644)
    obj.unlink()
    second = load_git_histories(warehouse, **kwargs)
    assert second.histories_unchanged == 2
    assert second.statuses["corrupt"] == 1 and "o/one" in second.messages["o/one"]
