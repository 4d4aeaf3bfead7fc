"""Inputs that are odd but valid load exactly: a 10 MB description, emoji and right-to-left
names, a repository renamed or deleted between two runs, a body cut short in transit."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from dlt_pipeline.github.fake_server import FakeGitHub, Fault, make_repo
from dlt_pipeline.github.load import load_github
from dlt_pipeline.github.selection import activity_full_names
from mlops_atlas import pipeline
from tests.github.support import query


def test_huge_emoji_and_right_to_left_text_loads_byte_for_byte(tmp_path: Path) -> None:
    huge = "x" * (10 * 1024 * 1024)
    rtl = "مشروع-تعلم-الآلة"
    items = [
        make_repo(1, "acme/huge", ["mlops"], date(2020, 1, 1), description=huge),
        make_repo(2, "emoji/🚀-rocket", ["mlops"], date(2020, 1, 1), description="🚀🔥 ✨"),
        make_repo(3, f"rtl/{rtl}", ["mlops"], date(2020, 1, 1), description=f"‏{rtl}‎ <b>x</b>"),
    ]
    archive = tmp_path / "archive"
    (archive / "responses").mkdir(parents=True)
    body = {"total_count": 3, "incomplete_results": False, "items": items}
    (archive / "responses" / "p1.json").write_text(json.dumps(body), encoding="utf-8")
    line = {
        "url": "https://api.github.com/search/repositories?q=topic:mlops&per_page=100&page=1",
        "status": 200,
        "body": "responses/p1.json",
        "recorded_at": "2024-01-01T00:00:00Z",
    }
    (archive / "manifest.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    warehouse = tmp_path / "atlas.duckdb"
    pipeline.load(warehouse, archive=str(archive), git=False)
    stored = dict(
        query(warehouse, "select full_name, description from raw_github.repository_observations")
    )
    assert stored == {r["full_name"]: r["description"] for r in items}
    assert len(stored["acme/huge"]) == 10 * 1024 * 1024


def test_renamed_and_deleted_between_two_runs(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    fake_github.repos = [
        make_repo(1, "acme/old-name", ["mlops"], date(2020, 1, 1), stars=500),
        make_repo(2, "acme/doomed", ["mlops"], date(2020, 1, 1), stars=400),
    ]
    settings = settings_for("mlops")
    first = load_github(
        warehouse, settings=settings, token="ghp_tok_for_tests_0002", archive_dir=tmp_path / "a"
    )
    assert activity_full_names(warehouse, settings) == ["acme/old-name", "acme/doomed"]
    # between the runs: the first is renamed (the search index still lists the old name),
    # the second is deleted
    renamed = make_repo(1, "acme/new-name", ["mlops"], date(2020, 1, 1), stars=500)
    fake_github.repos = [{**renamed, "full_name": "acme/old-name"}, fake_github.repos[1]]
    fake_github.renamed = {"acme/old-name": 1}
    fake_github.extra_routes = {r"/repositories/1": lambda path, params: (200, {}, renamed)}
    fake_github.gone = {"acme/doomed": 451}
    second = load_github(
        warehouse, settings=settings, token="ghp_tok_for_tests_0002", archive_dir=tmp_path / "a"
    )
    assert (first.status, second.status) == ("complete", "complete")
    details = dict(
        query(
            warehouse,
            "select requested_full_name || ' ' || run_id, detail_status || ' ' || "
            "coalesce(full_name, '-') from raw_github.repository_details",
        )
    )
    assert details[f"acme/old-name {second.run_id}"] == "moved acme/new-name"
    assert details[f"acme/doomed {second.run_id}"] == "gone -"
    assert details[f"acme/doomed {first.run_id}"] == "ok acme/doomed"
    # both runs' observations are kept; the next activity load follows the rename, skips the gone
    assert query(warehouse, "select count(*) from raw_github.repository_observations") == [(4,)]
    assert activity_full_names(warehouse, settings) == ["acme/new-name"]


def test_a_gzip_body_cut_short_is_retried(
    fake_github: FakeGitHub, live_load, warehouse: Path
) -> None:
    fake_github.repos = [make_repo(1, "acme/one", ["mlops"], date(2020, 1, 1))]
    fake_github.faults = [Fault(r"/search/repositories", "gzip", times=2)]
    summary = live_load("mlops")
    assert summary.status == "complete" and summary.rows["repository_observations"] == 1
    assert query(warehouse, "select count(*) from raw_github.load_errors") == [(0,)]
