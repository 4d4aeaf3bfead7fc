"""dbt build over a real warehouse: the zimmerman-2023 archive plus the git mirror.

The warehouse is built once in a temporary folder with the project's own loaders, then `dbt
build` runs twice (default as_of, and as_of 2023-01-21); after each, the facts asserted below
are read from the marts. dbt's target and log folders go to the temporary folder too, so the
repository stays clean.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from dateutil.relativedelta import relativedelta

from mlops_atlas import pipeline
from mlops_atlas.dbt_runner import run_dbt

AS_OF = datetime(2023, 1, 21, tzinfo=UTC)
KNOWN = "kserve/kserve"


def _facts(warehouse: Path) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchone()  # noqa: E731
        facts = {
            "as_of": one("select as_of from marts.fct_repository_signals limit 1")[0],
            "archive_repositories": one(
                "select count(*) from marts.dim_repositories where described_by_run_id = 'zimmerman-2023'"
            )[0],
            "dim_rows": one("select count(*) from marts.dim_repositories")[0],
            "signal_rows": one("select count(*) from marts.fct_repository_signals")[0],
            "known": con.execute(
                """
                select s.commits_last_12m, s.commits_prev_12m, s.active_authors_last_12m,
                       s.contributor_absence_factor, s.months_since_last_commit,
                       d.last_commit_at, d.git_repository, d.git_observed_until
                from marts.fct_repository_signals s
                join marts.dim_repositories d using (repository_id)
                where d.full_name = ?
                """,
                [KNOWN],
            ).fetchone(),
            "no_git": one(
                """
                select count(*), count(s.commits_last_12m), count(s.contributor_absence_factor),
                       count(s.stars)
                from marts.fct_repository_signals s
                join marts.dim_repositories d using (repository_id)
                where d.git_repository is null
                """
            ),
            "short_window": one(
                """
                select count(*), count(s.commits_last_12m), count(s.months_since_last_commit)
                from marts.fct_repository_signals s
                join marts.dim_repositories d using (repository_id)
                where d.has_git_history and d.git_observed_until < s.as_of
                """
            ),
            "late_months": one(
                """
                select count(*) from marts.fct_repository_activity_monthly a
                cross join (select max(as_of) as as_of from marts.fct_repository_signals) s
                where a.month > s.as_of
                """
            )[0],
            "stg_commits_after_as_of": one(
                "select count(*) from staging.stg_git__commits where committed_at > timestamp '2023-01-21'"
            )[0],
            "headline": one(
                """
                select count(*), median(stars),
                       avg(case when is_recently_pushed then 1.0 else 0.0 end)
                from marts.fct_repository_signals
                where stars is not null
                """
            ),
        }
    finally:
        con.close()
    return facts


@pytest.fixture(scope="module")
def builds(mirror: Path, mirror_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Facts of the shared default build, then of a copy rebuilt at as_of 2023-01-21."""
    default = _facts(mirror_warehouse)
    tmp = tmp_path_factory.mktemp("dbt")
    warehouse = tmp / "atlas.duckdb"
    shutil.copyfile(mirror_warehouse, warehouse)
    pipeline.build(warehouse, as_of=AS_OF.date(), target_dir=tmp / "target")
    dated = _facts(warehouse)
    return {
        "default": default,
        "dated": dated,
        "mirror": mirror,
        "dated_warehouse": warehouse,
        "dated_target": tmp / "target",
    }


def _commit_times(mirror: Path, git_repository: str) -> list[datetime]:
    """Committer times of every commit reachable from HEAD or a tag, read with git itself."""
    folder = mirror / "git" / (git_repository.replace("/", "__") + ".git")
    out = subprocess.run(
        [
            "git",
            "-c",
            "safe.directory=*",
            "-C",
            str(folder),
            "log",
            "--format=%ct",
            "HEAD",
            "--tags",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [datetime.fromtimestamp(int(t), tz=UTC) for t in out.split()]


def test_the_unit_tests_pass_and_the_warehouse_build_leaves_them_out(
    builds: dict, tmp_path: Path
) -> None:
    """The warehouse's build runs every data test and no unit test (WAREHOUSE_BUILD_ARGS); the
    unit tests, run here on their own, all pass."""
    target = builds["dated_target"]
    kinds = Counter(
        r["unique_id"].split(".")[0]
        for r in json.loads((target / "run_results.json").read_text())["results"]
    )
    manifest = json.loads((target / "manifest.json").read_text())
    data_tests = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "test")
    assert kinds["unit_test"] == 0
    assert kinds["test"] == data_tests > 100
    unit_tests = len(manifest["unit_tests"])
    assert unit_tests >= 9
    summary = run_dbt(
        "test",
        builds["dated_warehouse"],
        target_dir=tmp_path / "target",
        vars_={"as_of": AS_OF.date().isoformat()},
        extra_args=("--select", "test_type:unit"),
    )
    assert (summary.nodes, summary.passed, summary.failed) == (unit_tests, unit_tests, 0)


def test_default_as_of_is_latest_archive_observation(builds: dict) -> None:
    # zimmerman-2023's search responses were recorded on 2023-01-19 04:13:20 UTC.
    assert builds["default"]["as_of"] == datetime(2023, 1, 19, 4, 13, 20)


@pytest.mark.parametrize("build", ["default", "dated"])
def test_archive_repositories_all_described(builds: dict, build: str) -> None:
    facts = builds[build]
    assert facts["archive_repositories"] == 1007
    assert facts["signal_rows"] == facts["dim_rows"]
    # dim = 1,007 searched + repositories known only from the mirror's git histories
    assert facts["dim_rows"] >= 1007


def test_signals_use_only_commits_up_to_as_of(builds: dict) -> None:
    facts = builds["dated"]
    last_12m, prev_12m, authors, absence, since_last, last_commit_at, git_repo, until = facts[
        "known"
    ]
    assert git_repo is not None and until >= datetime(2023, 1, 21)
    times = _commit_times(builds["mirror"], git_repo)
    start, prev_start = AS_OF - relativedelta(months=12), AS_OF - relativedelta(months=24)
    expected_last = sum(1 for t in times if start < t <= AS_OF)
    expected_prev = sum(1 for t in times if prev_start < t <= start)
    assert last_12m == expected_last
    assert prev_12m == expected_prev
    assert last_12m > 0
    # the mirror holds later commits, which must not leak in
    assert any(t > AS_OF for t in times)
    assert facts["stg_commits_after_as_of"] > 0
    assert last_commit_at.replace(tzinfo=UTC) == max(t for t in times if t <= AS_OF)
    assert 1 <= absence <= authors
    assert since_last >= 0


def test_unmeasured_signals_are_null_not_zero(builds: dict) -> None:
    # every MANIFEST row (loaded or skipped) names a repository's history; the rest have none
    with (builds["mirror"] / "git" / "MANIFEST.csv").open(newline="", encoding="utf-8") as f:
        manifest_rows = sum(1 for _ in csv.DictReader(f))
    for facts in (builds["default"], builds["dated"]):
        rows, commits, absence, stars = facts["no_git"]
        assert rows == facts["dim_rows"] - manifest_rows > 0
        assert commits == 0 and absence == 0 and stars == rows
        short_rows, short_commits, short_since = facts["short_window"]
        # histories ending before as_of (e.g. a 2021 snapshot) give NULL, not an undercount
        assert short_rows >= 1 and short_commits == 0 and short_since == 0


def test_monthly_series_stop_at_as_of(builds: dict) -> None:
    assert builds["dated"]["late_months"] == 0
    assert builds["default"]["late_months"] == 0


def test_headline_numbers(builds: dict) -> None:
    repositories, median_stars, share_recent = builds["dated"]["headline"]
    assert repositories == 1007
    assert median_stars == 3
    assert 0.40 < share_recent < 0.45
