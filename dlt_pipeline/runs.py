"""The GitHub runs a warehouse holds: list them, and drop one, so one bad load cannot poison
every later build. Every raw GitHub table carries the `run_id` of the run that wrote its rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from dlt_pipeline.github.activity_load import ACTIVITY_TABLES
from dlt_pipeline.github.activity_load import SOURCE_NAME as ACTIVITY_SOURCE
from dlt_pipeline.github.load import github_pipeline
from dlt_pipeline.warehouse import has_table
from mlops_atlas.paths import RAW_GITHUB_DATASET


class RunNotFound(LookupError):
    """The run id is not in the warehouse; the message lists the runs that are."""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    mode: str
    status: str
    started_at: str
    requests: int
    observations: int
    errors: int
    message: str | None


def list_runs(warehouse_path: Path) -> list[RunRecord]:
    """Every run recorded in `raw_github.runs`, oldest first, with its observation count."""
    if not Path(warehouse_path).exists():
        return []
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        if not has_table(con, RAW_GITHUB_DATASET, "runs"):
            return []
        rows = con.execute(
            f"""
            select runs.run_id, runs.mode, runs.status, cast(runs.started_at as varchar),
                   coalesce(runs.requests, 0),
                   (select count(*) from {RAW_GITHUB_DATASET}.repository_observations as o
                    where o.run_id = runs.run_id),
                   coalesce(runs.errors, 0), runs.message
            from {RAW_GITHUB_DATASET}.runs as runs
            order by runs.started_at, runs.run_id
            """
        ).fetchall()
    return [RunRecord(*row) for row in rows]


def _tables_with_run_id(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.columns "
            "where table_schema = ? and column_name = 'run_id' and table_name not like '\\_dlt%' "
            "escape '\\' order by table_name",
            [RAW_GITHUB_DATASET],
        ).fetchall()
    ]


def _child_tables(con: duckdb.DuckDBPyConnection, parent: str) -> list[str]:
    """dlt's nested tables of `parent` (`<parent>__<field>`, joined on `_dlt_parent_id`)."""
    return [
        r[0]
        for r in con.execute(
            "select distinct table_name from information_schema.columns "
            "where table_schema = ? and table_name like ? escape '\\' "
            "and column_name = '_dlt_parent_id'",
            [RAW_GITHUB_DATASET, parent.replace("_", "\\_") + "\\_\\_%"],
        ).fetchall()
    ]


def drop_run(warehouse_path: Path, run_id: str) -> dict[str, int]:
    """Delete every row `run_id` wrote (and their nested rows); rows deleted per table.

    Activity rows are merged across runs, so dropping a run that wrote some also forgets the
    activity source's ETags and issue cursors: the next live run fetches activity afresh
    instead of being told "not modified" about rows that are gone.
    Raises RunNotFound naming the runs the warehouse holds.
    """
    if not Path(warehouse_path).exists():
        raise RunNotFound(f"warehouse {warehouse_path} does not exist")
    if Path(warehouse_path).is_dir():
        raise RunNotFound(
            f"{warehouse_path} is a lake: runs are dropped from a DuckDB warehouse; load the lake "
            "afresh instead"
        )
    deleted: dict[str, int] = {}
    with duckdb.connect(str(warehouse_path)) as con:
        tables = _tables_with_run_id(con)
        found = any(
            con.execute(
                f'select count(*) from {RAW_GITHUB_DATASET}."{t}" where run_id = ?', [run_id]
            ).fetchone()[0]
            for t in tables
        )
        if found:
            _delete_run(con, tables, run_id, deleted)
    if not found:
        known = ", ".join(r.run_id for r in list_runs(warehouse_path)) or "none"
        raise RunNotFound(f"run {run_id} is not in {warehouse_path} (runs there: {known})")
    if any(deleted.get(t) for t in ACTIVITY_TABLES):
        _forget_activity_caches(warehouse_path)
    return {table: count for table, count in deleted.items() if count}


def _delete_run(
    con: duckdb.DuckDBPyConnection, tables: list[str], run_id: str, deleted: dict[str, int]
) -> None:
    """One transaction: nested rows first, then the rows themselves."""
    con.execute("begin")
    try:
        for table in tables:
            for child in _child_tables(con, table):
                count = con.execute(
                    f'delete from {RAW_GITHUB_DATASET}."{child}" where _dlt_parent_id in '
                    f'(select _dlt_id from {RAW_GITHUB_DATASET}."{table}" where run_id = ?)',
                    [run_id],
                ).fetchone()[0]
                deleted[child] = deleted.get(child, 0) + count
            deleted[table] = con.execute(
                f'delete from {RAW_GITHUB_DATASET}."{table}" where run_id = ?', [run_id]
            ).fetchone()[0]
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def _forget_activity_caches(warehouse_path: Path) -> None:
    """Empty the activity source's ETags and issue cursors in dlt's state (kept in the
    warehouse), so nothing is skipped as unchanged next time."""
    pipeline = github_pipeline(Path(warehouse_path))
    pipeline.sync_destination()
    with pipeline.managed_state(extract_state=True) as state:
        source = state.setdefault("sources", {}).get(ACTIVITY_SOURCE)
        if not source:
            return
        source["etags"] = {}
        source["issue_cursors"] = {}
    pipeline.normalize()
    pipeline.load()
