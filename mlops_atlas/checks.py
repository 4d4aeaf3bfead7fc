"""Checks made before a stage starts, so a mistake ends in one clear line instead of a failure
halfway through: the warehouse exists and is built, `--as-of` is a date within the data."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb

from mlops_atlas.environment import usable_cores
from mlops_atlas.lake import connect_lake
from mlops_atlas.paths import RAW_GIT_DATASET, RAW_GITHUB_DATASET


class CheckFailed(ValueError):
    """A stage cannot start; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class DataRange:
    """The instants a warehouse's data can describe: from the first repository's creation to
    the newest observation (GitHub search or the end of a git history's window)."""

    first: datetime
    last: datetime


def parse_as_of(text: str) -> date:
    """A `YYYY-MM-DD` date, or CheckFailed saying what was given."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CheckFailed(f"--as-of {text!r} is not a date of the form YYYY-MM-DD") from None


def require_warehouse(warehouse: Path) -> None:
    """A DuckDB file, or a lake folder (`--engine spark`)."""
    if not Path(warehouse).exists():
        raise CheckFailed(
            f"warehouse {warehouse} does not exist: run `mlops-atlas load` first "
            "(or give --warehouse)"
        )


def _open(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only view of the warehouse: the DuckDB file, or a lake's tables as views."""
    if Path(warehouse).is_dir():
        return connect_lake(Path(warehouse))
    return duckdb.connect(str(warehouse), read_only=True)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def data_range(warehouse: Path) -> DataRange | None:
    """The range of the loaded raw data, or None when nothing with a time is loaded."""
    require_warehouse(warehouse)
    firsts, lasts = [], []
    with _open(warehouse) as con:
        if _has_table(con, RAW_GITHUB_DATASET, "repository_observations"):
            first, last = con.execute(
                "select min(created_at)::timestamp, max(recorded_at)::timestamp "
                f"from {RAW_GITHUB_DATASET}.repository_observations"
            ).fetchone()
            firsts.append(first)
            lasts.append(last)
        if _has_table(con, RAW_GIT_DATASET, "commits"):
            firsts.append(
                con.execute(
                    f"select min(committed_at)::timestamp from {RAW_GIT_DATASET}.commits"
                ).fetchone()[0]
            )
        if _has_table(con, RAW_GIT_DATASET, "histories"):
            lasts.append(
                con.execute(
                    f"select max(observed_until)::timestamp from {RAW_GIT_DATASET}.histories"
                ).fetchone()[0]
            )
    firsts = [f for f in firsts if f is not None]
    lasts = [x for x in lasts if x is not None]
    if not firsts or not lasts:
        return None
    return DataRange(first=min(firsts), last=max(lasts))


def check_as_of(warehouse: Path, as_of: date) -> None:
    """Refuse an as_of before the first repository was created or after the newest
    observation: the marts would describe a time the data says nothing about."""
    span = data_range(warehouse)
    if span is None:
        raise CheckFailed(f"warehouse {warehouse} holds no data to describe: load it first")
    if not span.first.date() <= as_of <= span.last.date():
        raise CheckFailed(
            f"--as-of {as_of} is outside the data in {warehouse}: it covers "
            f"{span.first.date()} (first repository created) to {span.last.date()} "
            "(newest observation)"
        )


def require_unlocked(warehouse: Path) -> None:
    """Open the warehouse for writing and let go: a lock held by another process fails here,
    in one line (DuckDB names the process), rather than inside dbt. A lake has no lock."""
    if Path(warehouse).is_file():
        duckdb.connect(str(warehouse)).close()


#: A `schema.table` a report source's SQL reads (after `from` or `join`).
_SOURCE_RELATION = re.compile(r"\b(?:from|join)\s+(\w+\.\w+)\b", re.IGNORECASE)


def relations_read(source_sql: str) -> list[str]:
    """The warehouse relations (`schema.table`) a report source's SQL reads, in order (its
    `--` comments left out)."""
    return _SOURCE_RELATION.findall(re.sub(r"--[^\n]*", "", source_sql))


def require_built(warehouse: Path, sources_dir: Path) -> None:
    """The report reads the tables its sources name (`reports/sources/warehouse/*.sql`): each
    must exist, else the warehouse was not built, or was built by an older version."""
    require_warehouse(warehouse)
    wanted = sorted(
        {
            relation
            for sql in Path(sources_dir).rglob("*.sql")
            for relation in relations_read(sql.read_text(encoding="utf-8"))
        }
    )
    with _open(warehouse) as con:
        missing = [t for t in wanted if not _has_table(con, *t.split("."))]
    if missing:
        shown = ", ".join(missing[:5]) + (
            f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        )
        raise CheckFailed(
            f"warehouse {warehouse} lacks {len(missing)} of the {len(wanted)} tables the report "
            f"reads ({shown}): run `mlops-atlas build` first"
        )


#: Processes that write report pages (`render_site(workers=...)`); default: one per core, at
#: most `MAX_RENDER_WORKERS` (each holds the pages' source tables in memory).
RENDER_WORKERS_ENV = "ATLAS_RENDER_WORKERS"
MAX_RENDER_WORKERS = 4


def render_workers() -> int:
    """`$ATLAS_RENDER_WORKERS`, a whole number from 1 up; else one per core this process may
    use, at most four."""
    raw = os.environ.get(RENDER_WORKERS_ENV, "").strip()
    if not raw:
        return max(1, min(usable_cores(), MAX_RENDER_WORKERS))
    try:
        workers = int(raw)
    except ValueError:
        workers = 0
    if workers < 1:
        raise CheckFailed(f"{RENDER_WORKERS_ENV} must be a whole number from 1 up, not {raw!r}")
    return workers
