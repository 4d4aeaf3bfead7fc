"""The discovery load against a fake GitHub on 127.0.0.1: pagination, splitting, renames, faults."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dlt_pipeline.github.fake_server import FakeGitHub, Fault, make_repo, spread_repos
from dlt_pipeline.github.load import load_github
from tests.github.support import query


def observation_counts(warehouse: Path) -> tuple[int, int, int]:
    """(rows, distinct observation keys, distinct repositories)."""
    return query(
        warehouse,
        "select count(*), count(distinct (run_id, query, page, id)), count(distinct id) "
        "from raw_github.repository_observations",
    )[0]


def test_pages_through_a_topic_and_fetches_details(
    fake_github: FakeGitHub, live_load, warehouse: Path, tmp_path: Path
) -> None:
    fake_github.repos = spread_repos("mlops", 250, first_id=1)
    summary = live_load("mlops")
    assert summary.status == "complete"
    assert summary.rows["repository_observations"] == 250
    assert summary.rows["repository_details"] == 250
    assert observation_counts(warehouse) == (250, 250, 250)
    pages = [
        r["params"].get("page") for r in fake_github.requests if r["path"] == "/search/repositories"
    ]
    assert pages == ["1", "2", "3"]
    # 3 search pages + 250 details: the request budget per 100 repositories is about 101
    assert summary.requests == 253
    assert query(
        warehouse,
        "select min(subscribers_count), max(network_count) from raw_github.repository_details",
    )[0] == (7, 11)


def test_splits_a_topic_over_the_search_cap_by_creation_date(
    fake_github: FakeGitHub, live_load, warehouse: Path, tmp_path: Path
) -> None:
    fake_github.repos = spread_repos("big", 2500, first_id=10_000)
    summary = live_load("big", fetch_details=False, today="2026-11-27")
    assert summary.status == "complete"
    rows, keys, distinct = observation_counts(warehouse)
    assert distinct == 2500, "every repository is collected although one query reaches only 1,000"
    assert rows == keys
    searched = [
        r["params"]["q"] for r in fake_github.requests if r["path"] == "/search/repositories"
    ]
    assert searched[0] == "topic:big"
    assert all("created:" in q for q in searched[1:])
    # the queries over the cap were probed only (one page each); the parts that fit were paged
    # through, and together they hold every repository exactly once
    over, fitting = query(
        warehouse,
        "select max(pages) filter (where total_count > 1000), "
        "sum(items) filter (where total_count <= 1000) from raw_github.search_queries",
    )[0]
    assert over == 1
    assert fitting == 2500


def test_renamed_and_deleted_repositories_are_recorded_not_fatal(
    fake_github: FakeGitHub, live_load, warehouse: Path, tmp_path: Path
) -> None:
    old = make_repo(1, "acme/old-name", ["mlops"], date(2020, 1, 1))
    fake_github.repos = [
        old,
        make_repo(2, "acme/gone", ["mlops"], date(2020, 2, 1)),
        make_repo(3, "acme/blocked", ["mlops"], date(2020, 3, 1)),
    ]
    fake_github.renamed = {"acme/old-name": 1}
    # the search index still lists the old name, but the repository now answers under a new one
    fake_github.repos[0] = {**old, "full_name": "acme/old-name"}
    renamed_detail = {**old, "full_name": "acme/new-name", "name": "new-name"}
    fake_github.extra_routes[r"/repositories/1"] = lambda path, params: (200, {}, renamed_detail)
    fake_github.gone = {"acme/gone": 404, "acme/blocked": 451}
    summary = live_load("mlops")
    assert summary.status == "complete"
    rows = query(
        warehouse,
        "select requested_full_name, full_name, detail_status, http_status "
        "from raw_github.repository_details order by requested_full_name",
    )
    assert rows == [
        ("acme/blocked", None, "gone", 451),
        ("acme/gone", None, "gone", 404),
        ("acme/old-name", "acme/new-name", "moved", 200),
    ]


@pytest.mark.parametrize(
    "fault",
    [
        Fault(match=r"page=2", kind="502", times=2),
        Fault(match=r"page=2", kind="timeout", times=1, delay=1.5),
        Fault(match=r"page=2", kind="truncated", times=1),
        Fault(match=r"page=2", kind="secondary", times=1),
        Fault(match=r"page=2", kind="primary", times=1, reset_in=1.0),
        Fault(match=r"/repos/org", kind="502", times=3),
    ],
    ids=[
        "502",
        "timeout",
        "truncated-json",
        "secondary-limit",
        "primary-limit-short-reset",
        "details-502",
    ],
)
def test_faults_are_retried_and_the_run_completes(
    fault: Fault, fake_github: FakeGitHub, live_load, warehouse: Path, tmp_path: Path
) -> None:
    fake_github.repos = spread_repos("mlops", 150, first_id=1)
    fake_github.faults = [fault]
    summary = live_load("mlops")
    assert summary.status == "complete"
    assert fault.times == 0, "the fault was served"
    assert observation_counts(warehouse) == (150, 150, 150)
    assert query(
        warehouse,
        "select count(*), count(distinct requested_full_name) from raw_github.repository_details",
    )[0] == (150, 150)
    # re-running is idempotent per run: a replay of the recorded archive adds nothing new
    again = load_github(warehouse, archive=tmp_path / "a" / summary.run_id)
    assert again.rows["repository_observations"] == 150
    assert observation_counts(warehouse) == (150, 150, 150)


def test_persistent_failure_of_one_repository_is_recorded_and_skipped(
    fake_github: FakeGitHub, live_load, warehouse: Path, tmp_path: Path
) -> None:
    fake_github.repos = spread_repos("mlops", 20, first_id=1)
    victim = fake_github.repos[5]["full_name"]
    fake_github.faults = [Fault(match=f"/repos/{victim}$", kind="502", times=99)]
    summary = live_load("mlops")
    assert summary.status == "complete"
    assert summary.rows["repository_details"] == 19
    errors = query(warehouse, "select subject, error from raw_github.load_errors")
    assert (
        len(errors) == 1
        and errors[0][0] == victim
        and victim in errors[0][1]
        and "HTTP 502" in errors[0][1]
    )


def test_long_primary_limit_stops_resumably_and_resume_completes(
    fake_github: FakeGitHub, live_load, warehouse: Path, tmp_path: Path
) -> None:
    fake_github.repos = spread_repos("mlops", 300, first_id=1)
    fake_github.faults = [Fault(match=r"page=3", kind="primary", times=1, reset_in=3600)]
    first = live_load("mlops")
    assert first.status == "stopped"
    assert first.resume_after is not None
    assert observation_counts(warehouse) == (200, 200, 200), (
        "pages loaded before the limit are kept"
    )
    requests_before = len(fake_github.requests)
    second = live_load("mlops")
    assert second.run_id == first.run_id, "the stopped run is resumed, not restarted"
    assert second.status == "complete"
    assert observation_counts(warehouse) == (300, 300, 300)
    resumed_search = [
        r for r in fake_github.requests[requests_before:] if r["path"] == "/search/repositories"
    ]
    assert [r["params"]["page"] for r in resumed_search] == ["3"], (
        "pages already fetched are served from the archive"
    )
    assert query(warehouse, "select status from raw_github.runs")[0][0] == "complete"


def test_every_raw_table_exists_after_a_run_with_no_results(
    fake_github: FakeGitHub, live_load, warehouse: Path, tmp_path: Path
) -> None:
    summary = live_load("nothing-here")
    assert summary.status == "complete"
    tables = {
        r[0]
        for r in query(
            warehouse,
            "select table_name from information_schema.tables "
            "where table_schema = 'raw_github' and table_name not like '_dlt%'",
        )
    }
    assert {
        "repository_observations",
        "repository_details",
        "search_queries",
        "load_errors",
        "runs",
    } <= tables
    assert summary.rows["repository_observations"] == 0


def test_unauthenticated_runs_send_no_authorization(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    fake_github.repos = spread_repos("mlops", 5, first_id=1)
    load_github(warehouse, settings=settings_for("mlops"), token="", archive_dir=tmp_path / "a")
    assert fake_github.requests and all(
        "Authorization" not in r["headers"] for r in fake_github.requests
    )
