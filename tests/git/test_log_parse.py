"""`parse_log`: git's `log -z` records to commit rows, including the odd ones (a name holding
the field separator or bytes that are not UTF-8, a record short of fields, no output)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from dlt_pipeline.git.gitcmd import run_git
from dlt_pipeline.git.history import IdentityHasher, parse_log
from dlt_pipeline.git.settings import FIELD_SEP, LOG_DATE_ARG, LOG_FORMAT
from tests.git.gitrepo import commit, git, init_repo

SEP = FIELD_SEP.encode()


def _record(
    sha: bytes = b"a" * 40,
    parents: bytes = b"",
    authored: bytes = b"1600000000",
    author_tz: bytes = b"+0530",
    committed: bytes = b"1600000060",
    committer_tz: bytes = b"-0130",
    email: bytes = b"Jane@Acme-Corp.io",
    name: bytes = b"Jane",
) -> bytes:
    """One record as `git log -z --format=LOG_FORMAT` prints it."""
    return SEP.join([sha, parents, authored, author_tz, committed, committer_tz, email, name])


def _parse(raw: bytes) -> list[dict]:
    return parse_log(raw, "acme/tool", IdentityHasher("salt")).to_pylist()


def test_rows_from_real_git_output(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    first = commit(
        repo,
        "one",
        "2020-01-01T10:00:00+05:30",
        "2020-01-01T11:00:00-01:30",
        author_email="Dev@Acme-Corp.io",
    )
    git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, "two", "2020-01-02T00:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge", "side")
    merge = git(repo, "rev-parse", "HEAD")
    raw = run_git(repo, ["log", "-z", f"--format={LOG_FORMAT}", LOG_DATE_ARG, "HEAD"]).stdout

    table = parse_log(raw, "acme/tool", IdentityHasher("salt"))
    rows = {row["sha"]: row for row in table.to_pylist()}

    assert table.schema.field("authored_at").type == pa.timestamp("us", tz="UTC")
    assert set(rows) == {first, side, merge}
    assert rows[first]["authored_at"] == datetime(2020, 1, 1, 4, 30, tzinfo=UTC)
    assert rows[first]["committed_at"] == datetime(2020, 1, 1, 12, 30, tzinfo=UTC)
    assert (
        rows[first]["author_tz_offset_minutes"],
        rows[first]["committer_tz_offset_minutes"],
    ) == (330, -90)
    assert [rows[s]["parents_count"] for s in (first, side, merge)] == [0, 1, 2]
    assert [rows[s]["is_merge"] for s in (first, side, merge)] == [False, False, True]
    alice = hashlib.sha256(b"salt\x00alice.private@example.com").hexdigest()
    dev = hashlib.sha256(b"salt\x00dev@acme-corp.io").hexdigest()
    assert [rows[s]["author_id"] for s in (first, side, merge)] == [dev, alice, alice]
    # example.com is a placeholder, not an organisation
    assert [rows[s]["author_domain"] for s in (first, side, merge)] == ["acme-corp.io", None, None]
    assert {row["author_name"] for row in rows.values()} == {"Alice Example"}
    assert {row["repository"] for row in rows.values()} == {"acme/tool"}


def test_a_name_holding_the_separator_keeps_it_and_shifts_no_field() -> None:
    raw = _record(name=b"A" + SEP + b"B" + SEP) + b"\x00" + _record(sha=b"b" * 40) + b"\x00"
    rows = _parse(raw)
    assert [r["author_name"] for r in rows] == ["A\x1fB\x1f", "Jane"]
    assert [r["sha"] for r in rows] == ["a" * 40, "b" * 40]
    assert {r["author_tz_offset_minutes"] for r in rows} == {330}


def test_bytes_that_are_not_utf8_become_replacement_characters() -> None:
    raw = _record(name=b"J\xffne") + b"\x00" + _record(email=b"x\xfe@acme.org") + b"\x00"
    rows = _parse(raw)
    assert rows[0]["author_name"] == "J\ufffdne"
    assert rows[1]["author_id"] == IdentityHasher("salt")("x\ufffd@acme.org")
    assert rows[1]["author_domain"] == "acme.org"


def test_parents_times_and_zones_of_odd_records() -> None:
    octopus = b" ".join([b"c" * 40, b"d" * 40, b"e" * 40])
    raw = b"\x00".join(
        [
            _record(parents=octopus, authored=b"-86400", author_tz=b"-1200"),
            _record(parents=b"c" * 40, email=b"", author_tz=b"+1400"),
        ]
    )  # no NUL after the last record: both endings are read alike
    rows = _parse(raw)
    assert [(r["parents_count"], r["is_merge"]) for r in rows] == [(3, True), (1, False)]
    assert rows[0]["authored_at"] == datetime(1969, 12, 31, tzinfo=UTC)
    assert [r["author_tz_offset_minutes"] for r in rows] == [-720, 840]
    assert rows[1]["author_domain"] is None


def test_no_output_is_no_rows_with_the_same_columns() -> None:
    empty = parse_log(b"", "acme/tool", IdentityHasher("salt"))
    full = parse_log(_record() + b"\x00", "acme/tool", IdentityHasher("salt"))
    assert empty.num_rows == 0 and full.num_rows == 1
    assert empty.schema == full.schema


def test_a_record_short_of_fields_is_an_error() -> None:
    raw = _record() + b"\x00" + SEP.join([b"a" * 40, b"", b"1600000000"]) + b"\x00"
    with pytest.raises(ValueError, match="without every field"):
        _parse(raw)


def test_a_short_record_is_an_error_beside_a_name_holding_the_separator() -> None:
    # nine fields and seven: as many separators in all as two whole records have
    long = _record(name=b"A" + SEP + b"B")
    short = SEP.join([b"b" * 40, b"", b"1600000000", b"+0000", b"1600000000", b"+0000", b"e"])
    with pytest.raises(ValueError, match="without every field"):
        _parse(long + b"\x00" + short + b"\x00")


def test_a_time_beyond_a_timestamp_is_an_error() -> None:
    with pytest.raises(ValueError, match="commit time that cannot be read"):
        _parse(_record(authored=b"10000000000000") + b"\x00")
