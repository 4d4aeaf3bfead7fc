"""A bounded soak against the fake GitHub: about 2,000 requests of which a fifth draw a
transient fault (5xx, secondary limits, 429 with Retry-After, bodies cut short plain or gzip,
slow answers and timeouts), over data that also answers 301, 404, 451, 409, 202 and, on the
re-run, 304. The rows loaded must equal those of the same runs without faults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from dlt_pipeline.github.activity_load import load_activity
from dlt_pipeline.github.fake_server import FakeGitHub, RandomFaults, spread_repos
from dlt_pipeline.github.load import load_github
from dlt_pipeline.github.settings import GitHubSettings
from tests.github.support import TOKEN

KINDS = ("502", "503", "secondary", "429", "truncated", "gzip", "slow", "timeout")
#: what each raw table is compared on: everything GitHub said, not when or by which run
IGNORED = {"run_id", "recorded_at", "contributor_key", "request_url", "occurred_at"}
TABLES = (
    "repository_observations",
    "repository_details",
    "search_queries",
    "releases",
    "tags",
    "contributors",
    "issues",
    "star_history",
    "languages",
    "activity_fetches",
    "load_errors",
)


def populate(fake: FakeGitHub) -> None:
    """165 repositories; some renamed (301), gone (404 / 451), empty (409), computing (202)."""
    fake.repos = spread_repos("mlops", 165, first_id=1, start=date(2018, 1, 1), days=1500)
    names = [r["full_name"] for r in fake.repos]
    for index, name in enumerate(names):
        fake.activity[name] = {
            "releases": [
                {
                    "id": index * 100 + k,
                    "tag_name": f"v0.{k}",
                    "name": None,
                    "published_at": f"2022-0{1 + k}-01T00:00:00Z",
                    "created_at": "2022-01-01T00:00:00Z",
                    "prerelease": False,
                    "draft": False,
                }
                for k in range(index % 4)
            ],
            "contributors": [
                {"login": f"dev{index}-{k}", "type": "User", "contributions": 10 - k}
                for k in range(1 + index % 3)
            ],
            "issues": [
                {
                    "id": index * 1000 + k,
                    "number": k,
                    "state": "open",
                    "created_at": "2022-05-01T00:00:00Z",
                    "updated_at": f"2022-06-0{1 + k}T00:00:00Z",
                    "closed_at": None,
                    "author_association": "NONE",
                    "comments": k,
                    "user": {"login": f"user{k}", "type": "User"},
                }
                for k in range(index % 3)
            ],
            "star_weeks": [{"week": 1704067200, "total": 3, "days": [1, 0, 1, 0, 1, 0, 0]}]
            if index % 5
            else None,
            "languages": {"Python": 100 + index},
            "computing": 1 if index % 11 == 0 else 0,
            "empty": index % 17 == 0,
        }
    fake.renamed = {names[3]: fake.repos[3]["id"], names[40]: fake.repos[40]["id"]}
    fake.gone = {names[7]: 404, names[8]: 451}


def settings_for(fake: FakeGitHub) -> GitHubSettings:
    return GitHubSettings(
        topics=("mlops",),
        base_url=fake.url,
        search_interval_authenticated=0.0,
        search_interval_anonymous=0.0,
        request_timeout=0.2,
        max_retries=8,
        backoff_base_seconds=0.001,
        backoff_max_seconds=0.01,
        max_rate_limit_wait_seconds=5.0,
        stats_retry_seconds=0.0,
        activity_min_stars=100,
    )


def run_twice(fake: FakeGitHub, folder: Path) -> Path:
    """Discovery and activity, then activity again (the unchanged listings answer 304)."""
    warehouse = folder / "atlas.duckdb"
    settings = settings_for(fake)
    discovery = load_github(warehouse, settings=settings, token=TOKEN, archive_dir=folder / "a")
    load_activity(
        warehouse, run_id=discovery.run_id, settings=settings, token=TOKEN, archive_dir=folder / "a"
    )
    load_activity(warehouse, settings=settings, token=TOKEN, archive_dir=folder / "a")
    return warehouse


def contents(warehouse: Path) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in TABLES:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = "
                    "'raw_github' and table_name = ? order by column_name",
                    [table],
                ).fetchall()
                if c not in IGNORED and not c.startswith("_dlt")
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(
                f"select {listed} from raw_github.{table} order by all"
            ).fetchall()
    return out


@pytest.mark.timeout(300)
def test_a_fifth_of_requests_faulted_loads_the_same_rows(tmp_path: Path) -> None:
    clean, faulty = FakeGitHub(), FakeGitHub()
    for fake in (clean, faulty):
        fake.start()
        populate(fake)
    faulty.random_faults = RandomFaults(rate=0.2, kinds=KINDS, seed=11, delay=0.3)
    try:
        expected = contents(run_twice(clean, tmp_path / "clean"))
        got = contents(run_twice(faulty, tmp_path / "faulty"))
    finally:
        clean.stop()
        faulty.stop()
    requests = len(faulty.requests)
    served = faulty.random_faults.served
    assert requests >= 2000, f"the soak made {requests} requests"
    assert sum(served.values()) >= 0.15 * requests
    assert set(served) == set(KINDS), served
    # the statuses the data itself answers were all exercised, fault-free
    statuses = {s for (s,) in expected_statuses(tmp_path / "clean" / "atlas.duckdb")}
    assert {"moved", "gone"} <= statuses
    assert expected["load_errors"] == [], "the fault-free run failed no request"
    for table in TABLES:
        assert got[table] == expected[table], f"{table}: rows differ under faults"
    print(f"soak: {requests} requests, faults served {served}, tables equal: {len(TABLES)}")


def expected_statuses(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select distinct detail_status from raw_github.repository_details"
        ).fetchall()
