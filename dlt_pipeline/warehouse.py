"""Every question the loaders ask of the warehouse, in one place (read-only queries).

The warehouse is a DuckDB file, or a lake: a folder of Parquet tables written by dlt's
`filesystem` destination (`dlt_pipeline.destination`), which DuckDB reads as views
(`mlops_atlas.lake`). The same SQL answers for both. The loaders read the raw tables they wrote,
never the dbt models: a load must work on a warehouse that has not been built yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from mlops_atlas.lake import connect_lake
from mlops_atlas.paths import RAW_GIT_DATASET, RAW_GITHUB_DATASET


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _connect(warehouse_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection: to the DuckDB file, or to a lake folder's tables as views."""
    if Path(warehouse_path).is_dir():
        return connect_lake(Path(warehouse_path), naive_timestamps=False)
    return duckdb.connect(str(warehouse_path), read_only=True)


def _read(warehouse_path: Path) -> duckdb.DuckDBPyConnection | None:
    """A read-only connection, or None when there is no warehouse yet."""
    if not Path(warehouse_path).exists():
        return None
    return _connect(warehouse_path)


def count_rows(
    warehouse_path: Path, schema: str, tables: Iterable[str], run_id: str | None = None
) -> dict[str, int]:
    """Rows per table (of one run, when given: every raw GitHub table has a `run_id`)."""
    where = " where run_id = ?" if run_id else ""
    with _connect(warehouse_path) as con:
        return {
            table: con.execute(
                f"select count(*) from {schema}.{table}{where}", [run_id] if run_id else []
            ).fetchone()[0]
            for table in tables
        }


def table_row_counts(warehouse_path: Path) -> dict[str, int]:
    """Rows of every table in the warehouse (`schema.table`), dlt's bookkeeping left out."""
    con = _read(warehouse_path)
    if con is None:
        return {}
    # a lake's tables are views over its Parquet files; a DuckDB file's views are dbt's
    relations = "duckdb_views()" if Path(warehouse_path).is_dir() else "duckdb_tables()"
    column = "view_name" if Path(warehouse_path).is_dir() else "table_name"
    with con:
        tables = con.execute(
            f"select schema_name, {column} from {relations} "
            f"where not internal and {column} not like '\\_dlt%' escape '\\' "
            "and schema_name not like '%\\_staging' escape '\\' order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{name}": con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[
                0
            ]
            for schema, name in tables
        }


def latest_live_run(warehouse_path: Path) -> tuple[str, str] | None:
    """(run id, status) of the latest live GitHub run, or None."""
    con = _read(warehouse_path)
    if con is None:
        return None
    with con:
        if not has_table(con, RAW_GITHUB_DATASET, "runs"):
            return None
        row = con.execute(
            f"select run_id, status from {RAW_GITHUB_DATASET}.runs where mode = 'live' "
            "order by started_at desc limit 1"
        ).fetchone()
    return (str(row[0]), str(row[1])) if row else None


def repositories_by_stars(warehouse_path: Path, min_stars: int) -> list[str]:
    """Repositories observed with at least `min_stars`, most-starred first, under the name GitHub
    answered with when their details were last fetched (a rename is followed), those GitHub last
    reported gone left out. This is GitHub's own answer for one name, not the warehouse's identity
    resolution across runs (that is dbt's `int_repositories_resolved`)."""
    con = _read(warehouse_path)
    if con is None:
        return []
    with con:
        if not has_table(con, RAW_GITHUB_DATASET, "repository_observations"):
            return []
        has_details = has_table(con, RAW_GITHUB_DATASET, "repository_details")
        details = (
            f"""
            -- the latest answer: recorded_at has whole seconds, so two runs within one second
            -- are told apart by their loads (dlt's load ids, which increase)
            select lower(requested_full_name) as name_key,
                   arg_max(full_name, (recorded_at, _dlt_load_id)) as full_name,
                   arg_max(detail_status, (recorded_at, _dlt_load_id)) = 'gone' as is_gone
            from {RAW_GITHUB_DATASET}.repository_details
            where recorded_at is not null
            group by 1
            """
            if has_details
            else "select null::varchar as name_key, null::varchar as full_name, false as is_gone"
        )
        rows = con.execute(
            f"""
            with observed as (
                select full_name, max(stargazers_count) as stars
                from {RAW_GITHUB_DATASET}.repository_observations
                group by full_name
                having max(stargazers_count) >= ?
            ),
            details as ({details})
            select coalesce(details.full_name, observed.full_name)
            from observed
            left join details on lower(observed.full_name) = details.name_key
            where not coalesce(details.is_gone, false)
            order by observed.stars desc, observed.full_name
            """,
            [min_stars],
        ).fetchall()
    return list(dict.fromkeys(r[0] for r in rows))


def current_stars(warehouse_path: Path) -> dict[str, int]:
    """Latest known star count per repository (lower-case name), the star-history fallback."""
    con = _read(warehouse_path)
    if con is None:
        return {}
    with con:
        if not has_table(con, RAW_GITHUB_DATASET, "repository_observations"):
            return {}
        rows = con.execute(
            f"select lower(full_name), arg_max(stargazers_count, recorded_at) "
            f"from {RAW_GITHUB_DATASET}.repository_observations group by 1"
        ).fetchall()
    return {name: int(stars) for name, stars in rows if stars is not None}


def git_commit_counts(warehouse_path: Path) -> dict[str, int]:
    """Rows per repository already in raw_git.commits (empty when there is none)."""
    con = _read(warehouse_path)
    if con is None:
        return {}
    with con:
        if not has_table(con, RAW_GIT_DATASET, "commits"):
            return {}
        rows = con.execute(
            f'select repository, count(*) from "{RAW_GIT_DATASET}"."commits" group by 1'
        ).fetchall()
    return dict(rows)


def run_outcome(warehouse_path: Path, run_id: str) -> dict[str, Any]:
    """How a GitHub run ended, as its source recorded it: `status`, `resume_after`, `message`
    and the `errors` (one line per request that failed for good)."""
    with _connect(warehouse_path) as con:
        row = con.execute(
            f"select status, resume_after, message from {RAW_GITHUB_DATASET}.runs where run_id = ?",
            [run_id],
        ).fetchone()
        errors = con.execute(
            f"select error from {RAW_GITHUB_DATASET}.load_errors where run_id = ? "
            "order by occurred_at, request_url",
            [run_id],
        ).fetchall()
    if row is None:
        raise LookupError(f"run {run_id} has no row in {RAW_GITHUB_DATASET}.runs")
    return {
        "status": row[0],
        "resume_after": row[1],
        "message": row[2],
        "errors": [e[0] for e in errors],
    }


def fetch_statuses(warehouse_path: Path, table: str, run_id: str) -> list[tuple[str, str]]:
    """(repository, status) of every request a run recorded in a fetch log (`activity_fetches`,
    `readme_fetches`)."""
    with _connect(warehouse_path) as con:
        return con.execute(
            f"select repository_full_name, status from {RAW_GITHUB_DATASET}.{table} "
            "where run_id = ?",
            [run_id],
        ).fetchall()


def stored_readme_names(warehouse_path: Path, source: str) -> set[str]:
    """Lower-case names whose README answer (a text or `missing`) from `source` is stored: only
    for those may a conditional request's 304 stand for the text."""
    con = _read(warehouse_path)
    if con is None:
        return set()
    with con:
        if not has_table(con, RAW_GITHUB_DATASET, "readmes"):
            return set()
        rows = con.execute(
            f"select distinct lower(repository_full_name) from {RAW_GITHUB_DATASET}.readmes "
            "where source = ?",
            [source],
        ).fetchall()
    return {r[0] for r in rows}
