"""README texts: live from the fake GitHub (ETags, 404 as "no README", renames, faults, the
archive), replayed offline, and read from the data mirror's file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dlt_pipeline.github.archive import Archive
from dlt_pipeline.github.fake_server import FakeGitHub, Fault, make_repo
from dlt_pipeline.github.load import load_github
from dlt_pipeline.github.readmes import (
    MIRROR_FILE,
    ReadmeFileError,
    load_readmes,
    read_mirror_readmes,
)
from tests.github.support import TOKEN
from tests.github.support import query as rows

TOOL_README = (
    "# Big\n\n[![ci](https://img.shields.io/x.svg)](https://ci)\n\nServe models. ünïcode\n"
)


def seed(fake: FakeGitHub) -> None:
    fake.repos = [
        make_repo(1, "acme/big", ["mlops"], date(2020, 1, 1), stars=5000),
        make_repo(2, "acme/bare", ["mlops"], date(2021, 1, 1), stars=50),
        make_repo(3, "acme/tiny", ["mlops"], date(2022, 1, 1), stars=3),
        make_repo(4, "acme/new-name", ["mlops"], date(2022, 6, 1), stars=20),
    ]
    fake.readmes = {
        "acme/big": TOOL_README,
        "acme/tiny": "never asked: under the star threshold",
        "acme/new-name": "moved here",
    }


def readme_rows(warehouse: Path) -> dict[str, tuple]:
    return {
        name: rest
        for name, *rest in rows(
            warehouse,
            "select repository_full_name, status, fetched_full_name, text, source "
            "from raw_github.readmes",
        )
    }


def test_live_readmes_then_an_unchanged_rerun_answers_304(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    seed(fake_github)
    settings = settings_for("mlops")
    discovery = load_github(warehouse, settings=settings, token=TOKEN, archive_dir=tmp_path / "a")
    first = load_readmes(
        warehouse,
        run_id=discovery.run_id,
        settings=settings,
        token=TOKEN,
        archive_dir=tmp_path / "a",
    )
    stored = readme_rows(warehouse)
    assert set(stored) == {"acme/big", "acme/bare", "acme/new-name"}, "tiny has 3 < 10 stars"
    assert stored["acme/big"] == ["ok", "acme/big", TOOL_README, "api"]
    assert stored["acme/bare"] == ["missing", "acme/bare", None, "api"], "a 404 is 'no README'"
    assert first.statuses == {"ok": 2, "missing": 1}
    assert first.status == "complete"

    # every answer, the 404 included, is in the run's archive; the token is nowhere in it
    archive = Archive.open(tmp_path / "a" / discovery.run_id)
    readme_answers = {e.path: e.status for e in archive.entries if e.path.endswith("/readme")}
    assert readme_answers == {
        "/repos/acme/big/readme": 200,
        "/repos/acme/bare/readme": 404,
        "/repos/acme/new-name/readme": 200,
    }
    assert not any(
        TOKEN.encode() in p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()
    )

    served = len(fake_github.requests)
    second = load_readmes(
        warehouse, run_id="rerun", settings=settings, token=TOKEN, archive_dir=tmp_path / "b"
    )
    asked = [r for r in fake_github.requests[served:] if r["path"].endswith("/readme")]
    conditional = {r["path"] for r in asked if r["headers"].get("If-None-Match")}
    assert conditional == {"/repos/acme/big/readme", "/repos/acme/new-name/readme"}
    assert second.statuses == {"not_modified": 2, "missing": 1}
    assert readme_rows(warehouse) == stored, "a 304 keeps the stored text"

    # a changed README replaces the stored one; the table keeps one row per name and source
    fake_github.readmes["acme/big"] = "# Big\n\nNow a platform."
    load_readmes(
        warehouse, run_id="changed", settings=settings, token=TOKEN, archive_dir=tmp_path / "c"
    )
    assert readme_rows(warehouse)["acme/big"][2] == "# Big\n\nNow a platform."
    total, distinct = rows(
        warehouse,
        "select count(*), count(distinct (repository_full_name, source)) from raw_github.readmes",
    )[0]
    assert total == distinct == 3


def test_a_renamed_repository_is_followed_and_its_current_name_kept(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    seed(fake_github)
    fake_github.renamed = {"acme/old-name": 4}
    summary = load_readmes(
        warehouse,
        run_id="renamed",
        settings=settings_for("mlops"),
        token=TOKEN,
        full_names=["acme/old-name"],
        archive_dir=tmp_path / "a",
    )
    assert summary.statuses == {"ok": 1}
    assert readme_rows(warehouse) == {"acme/old-name": ["ok", "acme/new-name", "moved here", "api"]}


def test_faults_are_recorded_per_repository_and_a_rate_limit_stop_keeps_what_loaded(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    seed(fake_github)
    fake_github.readmes["acme/other"] = "other"
    settings = settings_for("mlops")
    fake_github.faults = [
        Fault(match=r"/repos/acme/bare/readme", kind="502", times=99),
        Fault(match=r"/repos/acme/new-name/readme", kind="status:403", times=1),
        Fault(match=r"/repos/acme/other/readme", kind="primary", times=1, reset_in=3600),
    ]
    summary = load_readmes(
        warehouse,
        run_id="faults",
        settings=settings,
        token=TOKEN,
        full_names=["acme/big", "acme/bare", "acme/new-name", "acme/other", "acme/tiny"],
        archive_dir=tmp_path / "a",
    )
    fetches = dict(
        rows(warehouse, "select repository_full_name, status from raw_github.readme_fetches")
    )
    assert fetches == {"acme/big": "ok", "acme/bare": "error", "acme/new-name": "unavailable"}
    message = rows(
        warehouse,
        "select message from raw_github.readme_fetches where repository_full_name = 'acme/bare'",
    )[0][0]
    assert "/repos/acme/bare/readme" in message and "HTTP 502" in message
    assert summary.status == "stopped" and summary.resume_after
    assert set(readme_rows(warehouse)) == {"acme/big"}, "errors never overwrite a text"


def test_recorded_readmes_replay_offline(
    fake_github: FakeGitHub, settings_for, warehouse: Path, tmp_path: Path
) -> None:
    seed(fake_github)
    settings = settings_for("mlops")
    discovery = load_github(warehouse, settings=settings, token=TOKEN, archive_dir=tmp_path / "a")
    load_readmes(
        warehouse,
        run_id=discovery.run_id,
        settings=settings,
        token=TOKEN,
        archive_dir=tmp_path / "a",
    )
    fake_github.stop()  # replay needs no network
    fresh = tmp_path / "fresh" / "atlas.duckdb"
    folder = tmp_path / "a" / discovery.run_id
    load_github(fresh, archive=folder)
    replayed = load_readmes(fresh, archive=folder, mirror=tmp_path / "no-mirror")
    assert replayed.mode == "replay" and replayed.requests == replayed.replayed == 3
    assert readme_rows(fresh) == readme_rows(warehouse)
    fake_github.start()  # the fixture stops it again


def write_mirror(root: Path, lines: list[str]) -> Path:
    path = root / MIRROR_FILE
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def mirror_line(fetched: str, requested: list[str], text: str = "# t") -> str:
    return json.dumps(
        {
            "fetched_full_name": fetched,
            "requested_full_names": requested,
            "path": "README.md",
            "commit": "abc",
            "committed_at": "2026-01-02T03:04:05+01:00",
            "truncated": False,
            "text": text,
        }
    )


def test_mirror_file_rows_one_per_archive_name(tmp_path: Path) -> None:
    root = write_mirror(
        tmp_path,
        [
            mirror_line("treeverse/dvc", ["iterative/dvc"], "<b>dvc</b>"),
            mirror_line("acme/big", ["acme/big"]),
            "",
            mirror_line("ACME/Big", ["ACME/BIG"], "a case variant of a name already read"),
        ],
    )
    found = read_mirror_readmes(root / MIRROR_FILE, "zimmerman-2023", "2026-11-28T00:00:00+00:00")
    assert [(r["repository_full_name"], r["fetched_full_name"]) for r in found] == [
        ("iterative/dvc", "treeverse/dvc"),
        ("acme/big", "acme/big"),
    ]
    assert found[0]["text"] == "<b>dvc</b>" and found[0]["text_bytes"] == 10


@pytest.mark.parametrize(
    "bad",
    [
        "{not json",
        json.dumps({"requested_full_names": ["a/b"], "text": "x"}),
        json.dumps({"fetched_full_name": "a/b", "requested_full_names": "a/b", "text": "x"}),
        json.dumps({"fetched_full_name": "a/b", "text": None}),
    ],
)
def test_a_bad_mirror_line_stops_the_load_naming_file_and_line_and_loses_nothing(
    bad: str, tmp_path: Path, mirror: Path
) -> None:
    warehouse = tmp_path / "w" / "atlas.duckdb"
    load_readmes(
        warehouse,
        archive="zimmerman-2023",
        mirror=write_mirror(tmp_path / "good", [mirror_line("acme/big", ["acme/big"])]),
    )
    root = write_mirror(tmp_path / "bad", [mirror_line("acme/x", ["acme/x"]), bad])
    with pytest.raises(ReadmeFileError, match=r"readmes\.jsonl, line 2"):
        load_readmes(warehouse, archive="zimmerman-2023", mirror=root)
    assert rows(warehouse, "select repository_full_name from raw_github.readmes") == [("acme/big",)]


def test_the_mirror_readmes_load_once_however_often_replayed(mirror: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    expected = read_mirror_readmes(mirror / MIRROR_FILE, "zimmerman-2023")
    first = load_readmes(warehouse, archive="zimmerman-2023", mirror=mirror)
    again = load_readmes(warehouse, archive="zimmerman-2023", mirror=mirror)
    assert first.requests == again.requests == 0, "zimmerman-2023 recorded no /readme request"
    assert first.mirror_rows == len(expected) > 0
    assert again.rows == {"readmes": len(expected), "readme_fetches": 0}
    stored = rows(
        warehouse,
        "select count(*), count(distinct lower(repository_full_name)), count(text), "
        "sum(text_bytes) from raw_github.readmes where source = 'mirror'",
    )[0]
    assert stored == (
        len(expected),
        len(expected),
        len(expected),
        sum(r["text_bytes"] for r in expected),
    )


def test_without_a_mirror_file_the_tables_exist_and_are_empty(tmp_path: Path, mirror: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    summary = load_readmes(warehouse, archive="zimmerman-2023", mirror=tmp_path / "empty-mirror")
    assert summary.rows == {"readmes": 0, "readme_fetches": 0}
