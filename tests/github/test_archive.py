"""Archives: record-and-replay round trip, token scrubbing, corrupt archives, named archives."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dlt_pipeline.github.archive import Archive, ArchiveError, request_key
from dlt_pipeline.github.client import GitHubClient
from dlt_pipeline.github.fake_server import FakeGitHub, make_repo, spread_repos
from dlt_pipeline.github.load import load_github
from dlt_pipeline.github.named_archives import ZIMMERMAN_2023, download_named_archive
from dlt_pipeline.github.settings import GitHubSettings

TOKEN = "ghp_TESTSECRET0123456789abcdefghijklmnopq"


def table_rows(warehouse: Path, table: str, order: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema='raw_github' "
                "and table_name=? and column_name not like '\\_dlt%' escape '\\' order by column_name",
                [table],
            ).fetchall()
        ]
        return con.execute(
            f"select {', '.join(columns)} from raw_github.{table} order by {order}"
        ).fetchall()


def test_replay_of_a_recorded_run_reproduces_its_tables(
    fake_github: FakeGitHub, settings_for, tmp_path: Path
) -> None:
    fake_github.repos = [
        *spread_repos("mlops", 130, first_id=1),
        make_repo(
            9000,
            "acme/emoji",
            ["mlops"],
            date(2021, 5, 5),
            description="🚀 ships models <b>fast</b> — 日本語",
        ),
    ]
    live = tmp_path / "live.duckdb"
    recorded = load_github(
        live,
        settings=settings_for("mlops", "model-serving"),
        token=TOKEN,
        archive_dir=tmp_path / "archive",
    )
    served = len(fake_github.requests)
    replayed_wh = tmp_path / "replayed.duckdb"
    replayed = load_github(replayed_wh, archive=tmp_path / "archive" / recorded.run_id)
    assert len(fake_github.requests) == served, "replay makes no network request"
    assert replayed.run_id == recorded.run_id
    for table, order in [
        ("repository_observations", "query, page, id"),
        ("repository_details", "requested_full_name"),
        ("search_queries", "query"),
    ]:
        assert table_rows(live, table, order) == table_rows(replayed_wh, table, order), table
    assert recorded.rows["repository_observations"] == 131


def test_missing_body_file_names_the_manifest_line(tmp_path: Path) -> None:
    archive = tmp_path / "a"
    (archive / "responses").mkdir(parents=True)
    (archive / "responses" / "p1.json").write_text(
        json.dumps({"total_count": 1, "items": [make_repo(1, "a/b", ["mlops"], date(2020, 1, 1))]})
    )
    (archive / "manifest.jsonl").write_text(
        json.dumps(
            {
                "url": "https://api.github.com/search/repositories?q=topic:mlops&per_page=100&page=1",
                "method": "GET",
                "status": 200,
                "headers": {},
                "body": "responses/p1.json",
                "recorded_at": "2024-01-01T00:00:00Z",
            }
        )
        + "\n"
        + json.dumps(
            {
                "url": "https://api.github.com/repos/a/b",
                "method": "GET",
                "status": 200,
                "headers": {},
                "body": "responses/missing-detail.json",
                "recorded_at": "2024-01-01T00:00:00Z",
            }
        )
        + "\n"
    )
    with pytest.raises(
        ArchiveError,
        match=r"manifest.jsonl, line 2: body file responses/missing-detail.json is missing",
    ):
        Archive.open(archive)


def test_replay_fails_closed_on_a_request_the_archive_does_not_hold(tmp_path: Path) -> None:
    (tmp_path / "responses").mkdir()
    (tmp_path / "responses" / "r.json").write_text(json.dumps({"id": 1, "full_name": "a/b"}))
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps(
            {
                "url": "https://api.github.com/repos/a/b",
                "status": 200,
                "body": "responses/r.json",
                "recorded_at": "2024-01-01T00:00:00Z",
            }
        )
        + "\n"
    )
    client = GitHubClient(GitHubSettings(), replay=Archive.open(tmp_path))
    assert client.get("/repos/a/b").data == {"id": 1, "full_name": "a/b"}
    with pytest.raises(ArchiveError, match=r"holds no response for GET /repos/a/other"):
        client.get("/repos/a/other")


def test_bad_json_line_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "responses").mkdir()
    (tmp_path / "manifest.jsonl").write_text(
        '{"url": "x", "status": 200, "body": "b", "recorded_at": "t"}\n{not json\n'
    )
    (tmp_path / "b").write_text("{}")
    with pytest.raises(ArchiveError, match=r"manifest.jsonl, line 2: not a valid manifest line"):
        Archive.open(tmp_path)


def test_body_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "responses").mkdir()
    (tmp_path / "responses" / "b.json").write_text('{"items": [')
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps(
            {
                "url": "https://api.github.com/search/repositories?q=topic:x&page=1",
                "status": 200,
                "body": "responses/b.json",
                "recorded_at": "t",
            }
        )
        + "\n"
    )
    with pytest.raises(ArchiveError, match=r"line 1: body file responses/b.json is not valid JSON"):
        load_github(tmp_path / "w.duckdb", archive=tmp_path)


def test_request_key_ignores_host_and_parameter_order() -> None:
    assert request_key("http://127.0.0.1:5555/search/repositories?page=2&q=topic:a") == request_key(
        "https://api.github.com/search/repositories?q=topic%3Aa&page=2&access_token=zzz"
    )


def test_the_token_never_reaches_archive_warehouse_state_or_log(
    fake_github: FakeGitHub, settings_for, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake_github.repos = spread_repos("mlops", 30, first_id=1)
    # a hostile server that echoes the credential back in a body and a header
    fake_github.extra_routes[r"/repos/org\d+/.*"] = lambda path, params: (
        200,
        {"x-echo": TOKEN, "etag": f'"{TOKEN}"'},
        {"id": 1, "full_name": path[7:], "note": f"token {TOKEN}"},
    )
    caplog.set_level(logging.DEBUG)
    warehouse = tmp_path / "wh" / "atlas.duckdb"
    summary = load_github(
        warehouse, settings=settings_for("mlops"), token=TOKEN, archive_dir=tmp_path / "archive"
    )
    assert summary.rows["repository_details"] == 30
    sent = [r["headers"].get("Authorization") for r in fake_github.requests]
    assert sent and all(h == f"Bearer {TOKEN}" for h in sent), "the token was used"
    leaked = [
        str(p) for p in tmp_path.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()
    ]
    assert leaked == []
    assert TOKEN not in caplog.text
    # asked of the database too, since file bytes alone could hide a compressed string:
    # the echo was blanked, not dropped
    rows = table_rows(warehouse, "repository_details", "requested_full_name")
    assert len(rows) == 30 and not any(TOKEN in str(row) for row in rows)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        notes = {
            r[0] for r in con.execute("select note from raw_github.repository_details").fetchall()
        }
    assert notes == {"token ***"}


def test_zimmerman_2023_replays_from_the_mirror(mirror: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    summary = load_github(warehouse, archive="zimmerman-2023")
    assert summary.run_id == "zimmerman-2023"
    assert summary.requests == 11
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select count(*), count(distinct id) from raw_github.repository_observations"
        ).fetchone() == (1044, 1007)
        assert con.execute("select count(*) from raw_github.repository_details").fetchone() == (0,)
        assert con.execute(
            "select total_count from raw_github.search_queries where query='topic:mlops'"
        ).fetchone() == (1103,)
        topics = con.execute(
            "select count(*) from raw_github.repository_observations__topics"
        ).fetchone()[0]
        assert topics > 1044
    # idempotent: replaying again leaves the same rows
    load_github(warehouse, archive="zimmerman-2023")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute(
            "select count(*) from raw_github.repository_observations"
        ).fetchone() == (1044,)


def test_named_archive_download_verifies_digests(
    mirror: Path, fake_github: FakeGitHub, tmp_path: Path
) -> None:
    responses = mirror / ZIMMERMAN_2023.mirror_folder / "responses"
    fake_github.files = {f"/raw/{f.name}": f.read_bytes() for f in responses.glob("*.json")}
    folder = download_named_archive(
        ZIMMERMAN_2023, tmp_path / "cache", source_url=fake_github.url + "/raw/{file}"
    )
    assert len(Archive.open(folder).entries) == 11
    summary = load_github(tmp_path / "w.duckdb", archive=folder)
    assert summary.rows["repository_observations"] == 1044
    fake_github.files["/raw/topic_mlops_pg_3.json"] += b" "
    with pytest.raises(ArchiveError, match=r"topic_mlops_pg_3.json has sha256 .* refusing"):
        download_named_archive(
            ZIMMERMAN_2023, tmp_path / "cache2", source_url=fake_github.url + "/raw/{file}"
        )
