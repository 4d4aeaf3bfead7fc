"""The whole read-only mirror: counts match MANIFEST.csv and nothing in it is touched."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from dlt_pipeline.git.load import load_git_histories
from dlt_pipeline.git.manifest import read_manifest_counts


def _mtimes(root: Path) -> dict[str, int]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        out[dirpath] = os.stat(dirpath).st_mtime_ns
        for name in files:
            path = os.path.join(dirpath, name)
            out[path] = os.stat(path).st_mtime_ns
    return out


def test_full_mirror_load(mirror: Path, tmp_path: Path) -> None:
    git_root = mirror / "git"
    before = _mtimes(git_root)
    expected = read_manifest_counts(mirror)
    warehouse = tmp_path / "w.duckdb"
    summary = load_git_histories(
        warehouse, mirror=mirror, pipelines_dir=tmp_path / "p", progress=False
    )
    assert summary.histories_ok == len(expected) and summary.histories_failed == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        commits = dict(
            con.execute("select repository, count(*) from raw_git.commits group by 1").fetchall()
        )
        tags = dict(
            con.execute("select repository, count(*) from raw_git.tags group by 1").fetchall()
        )
        hist = dict(
            con.execute("select repository, (commits, tags) from raw_git.histories").fetchall()
        )
        dupes = con.execute(
            "select count(*) - count(distinct (repository, sha)) from raw_git.commits"
        ).fetchone()[0]
    assert dupes == 0
    assert {r: (commits.get(r, 0), tags.get(r, 0)) for r in expected} == expected
    assert {r: tuple(v) for r, v in hist.items() if r in expected} == expected
    assert _mtimes(git_root) == before
