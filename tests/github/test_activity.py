"""Activity endpoints against the fake GitHub: pagination, since-incrementals, ETags, 202, 409."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dlt_pipeline.github.activity_load import load_activity
from dlt_pipeline.github.fake_server import FakeGitHub, make_repo
from dlt_pipeline.github.load import load_github
from tests.github.support import TOKEN
from tests.github.support import query as rows


def issue(
    n: int, updated: str, *, pr: bool = False, closed: str | None = None, user: dict | None = None
) -> dict:
    item = {
        "id": 1000 + n,
        "number": n,
        "state": "closed" if closed else "open",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": updated,
        "closed_at": closed,
        "author_association": "CONTRIBUTOR",
        "comments": n % 4,
        "body": None,
        "user": {"login": f"u{n}", "type": "User"} if user is None else user,
    }
    if pr:
        item["pull_request"] = {"merged_at": closed}
    return item


def seed(fake: FakeGitHub) -> None:
    fake.repos = [
        make_repo(1, "acme/big", ["mlops"], date(2020, 1, 1), stars=5000),
        make_repo(2, "acme/empty", ["mlops"], date(2021, 1, 1), stars=300),
        make_repo(3, "acme/small", ["mlops"], date(2022, 1, 1), stars=5),
        make_repo(4, "acme/norelease", ["mlops"], date(2022, 6, 1), stars=150),
    ]
    fake.activity = {
        "acme/big": {
            "releases": [
                {
                    "id": 10 + i,
                    "tag_name": f"v1.{i}.0",
                    "name": f"1.{i}",
                    "published_at": f"2024-0{1 + i % 9}-01T00:00:00Z",
                    "created_at": "2024-01-01T00:00:00Z",
                    "prerelease": i == 0,
                    "draft": False,
                }
                for i in range(130)
            ],
            "contributors": [
                {"login": f"dev{i}", "type": "User", "contributions": 100 - i} for i in range(3)
            ]
            + [
                {"login": "dependabot[bot]", "type": "Bot", "contributions": 40},
                {
                    "type": "Anonymous",
                    "email": "Secret.Person@example.com",
                    "name": "Secret",
                    "contributions": 2,
                },
            ],
            "issues": [
                issue(1, "2024-02-01T00:00:00Z"),
                issue(2, "2024-03-01T00:00:00Z", pr=True, closed="2024-03-01T00:00:00Z"),
                issue(3, "2024-04-01T00:00:00Z", user=None),
            ],
            "star_weeks": [
                {"week": 1704067200, "total": 7, "days": [1, 0, 2, 0, 3, 1, 0]},
                {"week": 1704672000, "total": 2, "days": [0, 0, 0, 2, 0, 0, 0]},
            ],
            "languages": {"Python": 1000, "Go": 10},
            "computing": 1,
        },
        "acme/empty": {"empty": True, "star_weeks": None},
        "acme/norelease": {
            "releases": [],
            "tags": [{"name": "0.1.0", "commit": {"sha": "abc"}}],
            "contributors": [],
            "issues": [],
            "star_weeks": None,
            "languages": {},
        },
    }
    fake.activity["acme/big"]["issues"][2]["user"] = None  # a deleted user


def test_activity_first_run_then_unchanged_rerun_spends_almost_no_rate_limit(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    seed(fake_github)
    settings = settings_for("mlops", stats_retry_seconds=0.0)
    discovery = load_github(warehouse, settings=settings, token=TOKEN, archive_dir=tmp_path / "a")
    first = load_activity(
        warehouse,
        run_id=discovery.run_id,
        settings=settings,
        token=TOKEN,
        archive_dir=tmp_path / "a",
    )
    assert first.repositories == 3, "acme/small is under the 100-star threshold"
    assert first.rows["releases"] == 130
    assert first.rows["tags"] == 1, "tags only for the project without releases"
    assert first.rows["contributors"] == 5
    assert first.rows["issues"] == 3
    assert first.rows["languages"] == 2
    # 14 daily points of history for acme/big; one current-count point for acme/norelease (404)
    assert rows(
        warehouse,
        "select source, count(*), max(stars_total) from raw_github.star_history group by 1 order by 1",
    ) == [("current_count", 2, 300), ("history", 14, 9)]
    statuses = dict(
        rows(
            warehouse,
            "select repository_full_name || ' ' || endpoint, status from raw_github.activity_fetches",
        )
    )
    assert statuses["acme/empty releases"] == "empty_repository"
    assert statuses["acme/empty star_history"] == "unavailable"
    assert statuses["acme/big star_history"] == "ok", "a 202 is retried"
    # anonymous contributors: a salted hash, never the email
    anon = rows(
        warehouse, "select contributor_key, login from raw_github.contributors where is_anonymous"
    )
    assert len(anon) == 1 and anon[0][1] is None and anon[0][0].startswith("anon:")
    # no email in any stored column, and none in the warehouse or dlt state files (any case);
    # the archive keeps GitHub's raw bodies by design, the warehouse never does
    stored = rows(
        warehouse, "select * exclude (_dlt_load_id, _dlt_id) from raw_github.contributors"
    )
    assert len(stored) == 5 and not any("@" in str(value) for row in stored for value in row)
    assert not any(
        b"secret.person@example.com" in p.read_bytes().lower()
        for p in warehouse.parent.rglob("*")
        if p.is_file()
    )
    assert rows(warehouse, "select count(*) from raw_github.issues where author_login is null") == [
        (1,)
    ]
    assert rows(
        warehouse,
        "select count(*) from raw_github.issues where is_pull_request and merged_at is not null",
    ) == [(1,)]

    served = len(fake_github.requests)
    second = load_activity(warehouse, settings=settings, token=TOKEN, archive_dir=tmp_path / "a")
    rerun = fake_github.requests[served:]
    not_modified = second.not_modified
    counted = len(rerun) - not_modified
    assert not_modified >= 8, "unchanged listings answer 304"
    # what still counts: answers without an ETag (409 empty repository x4, 404 star history)
    assert counted <= 5, (
        f"an unchanged re-run spends almost no primary rate limit ({counted} counted requests)"
    )
    assert len(rerun) < len(fake_github.requests[:served]), "fewer requests than the first load"
    since = [r["params"].get("since") for r in rerun if r["path"].endswith("/issues")]
    assert "2024-04-01T00:00:00Z" in since, "issues are fetched incrementally from the cursor"
    for table, key in [
        ("releases", "repository_full_name, id"),
        ("issues", "repository_full_name, id"),
        ("contributors", "repository_full_name, contributor_key"),
        ("star_history", "repository_full_name, day, source"),
    ]:
        total, distinct = rows(
            warehouse, f"select count(*), count(distinct ({key})) from raw_github.{table}"
        )[0]
        assert total == distinct, table
    assert second.rows["releases"] == 130


def test_new_issue_is_merged_and_activity_replays_offline(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    seed(fake_github)
    settings = settings_for("mlops", stats_retry_seconds=0.0)
    discovery = load_github(warehouse, settings=settings, token=TOKEN, archive_dir=tmp_path / "a")
    load_activity(
        warehouse,
        run_id=discovery.run_id,
        settings=settings,
        token=TOKEN,
        archive_dir=tmp_path / "a",
    )
    fake_github.activity["acme/big"]["issues"][0]["updated_at"] = "2024-05-01T00:00:00Z"
    fake_github.activity["acme/big"]["issues"][0]["state"] = "closed"
    fake_github.activity["acme/big"]["issues"].append(issue(9, "2024-05-02T00:00:00Z"))
    load_activity(warehouse, settings=settings, token=TOKEN, archive_dir=tmp_path / "b")
    assert rows(warehouse, "select count(*), count(distinct id) from raw_github.issues") == [(4, 4)]
    assert rows(warehouse, "select state from raw_github.issues where number = 1") == [("closed",)]

    # the first run's archive (discovery + activity) replays into a fresh warehouse with no network
    served = len(fake_github.requests)
    fresh = tmp_path / "fresh.duckdb"
    load_github(fresh, archive=tmp_path / "a" / discovery.run_id)
    replayed = load_activity(fresh, archive=tmp_path / "a" / discovery.run_id)
    assert len(fake_github.requests) == served
    assert replayed.repositories == 3
    assert replayed.rows["releases"] == 130 and replayed.rows["issues"] == 3


def test_zimmerman_archive_has_no_activity_but_every_table_exists(
    mirror: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    load_github(warehouse, archive="zimmerman-2023")
    summary = load_activity(warehouse, archive="zimmerman-2023")
    assert summary.repositories == 0 and summary.requests == 0
    assert set(summary.rows) == {
        "releases",
        "tags",
        "contributors",
        "issues",
        "star_history",
        "languages",
        "activity_fetches",
    }
    assert all(v == 0 for v in summary.rows.values())
