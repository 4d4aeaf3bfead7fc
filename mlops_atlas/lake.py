"""A lake: a folder of Parquet tables, `<lake>/<schema>/<table>/*.parquet`, read with DuckDB.

Two writers share the layout. dlt's `filesystem` destination writes the raw datasets
(`raw_github/`, `raw_git/`); a Spark build writes the tables it builds under the same folder (its
warehouse directory), one `<schema>.db/<table>/` folder per table. Whoever reads a lake (the
loader's questions, the renderer, the comparison of two builds) attaches it to DuckDB as views
with `attach_lake`, so SQL written for a DuckDB warehouse file runs unchanged on a lake.
Pure at import; only DuckDB is needed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

#: Spark names a schema's folder `<schema>.db` under its warehouse directory.
SPARK_SCHEMA_SUFFIX = ".db"


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lake_tables(lake: Path) -> dict[tuple[str, str], Path]:
    """(schema, table) -> folder of every table in the lake that holds a Parquet file.

    Folders starting with `.` or `_` are bookkeeping (dlt's state, Spark's metastore, dlt's
    `_dlt_*` tables) and are left out.
    """
    found: dict[tuple[str, str], Path] = {}
    if not Path(lake).is_dir():
        return found
    for schema_dir in sorted(Path(lake).iterdir()):
        if not schema_dir.is_dir() or schema_dir.name[:1] in "._":
            continue
        schema = schema_dir.name.removesuffix(SPARK_SCHEMA_SUFFIX)
        for table_dir in sorted(schema_dir.iterdir()):
            visible = table_dir.is_dir() and table_dir.name[:1] not in "._"
            if visible and next(table_dir.glob("*.parquet"), None) is not None:
                found[(schema, table_dir.name)] = table_dir
    return found


def _naive_utc(con: duckdb.DuckDBPyConnection, source: str) -> str:
    """A select over `source` with every timestamp-with-time-zone column as UTC wall-clock time,
    the type a DuckDB build gives the same column (Spark writes its timestamps as instants)."""
    columns = con.execute(f"describe select * from {source}").fetchall()
    zoned = [c[0] for c in columns if str(c[1]).upper() == "TIMESTAMP WITH TIME ZONE"]
    if not zoned:
        return f"select * from {source}"
    replaced = ", ".join(f"timezone('UTC', {quote_name(c)}) as {quote_name(c)}" for c in zoned)
    return f"select * replace ({replaced}) from {source}"


def attach_lake(
    con: duckdb.DuckDBPyConnection,
    lake: Path,
    *,
    catalog: str | None = None,
    naive_timestamps: bool = True,
) -> list[tuple[str, str]]:
    """Create a view `<schema>.<table>` over every lake table, in `catalog` (an attached
    in-memory database) or the connection's current one. Returns the (schema, table) pairs.

    `naive_timestamps` turns instants into UTC wall-clock timestamps, as a DuckDB build has them.
    """
    prefix = f"{quote_name(catalog)}." if catalog else ""
    tables = lake_tables(lake)
    for schema in sorted({schema for schema, _ in tables}):
        con.execute(f"create schema if not exists {prefix}{quote_name(schema)}")
    for (schema, table), folder in tables.items():
        files = quote_literal(str(folder.resolve() / "*.parquet"))
        source = f"read_parquet({files}, union_by_name = true)"
        select = _naive_utc(con, source) if naive_timestamps else f"select * from {source}"
        con.execute(
            f"create or replace view {prefix}{quote_name(schema)}.{quote_name(table)} as {select}"
        )
    return sorted(tables)


def connect_lake(lake: Path, *, naive_timestamps: bool = True) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session (time zone UTC) with the lake's tables as views."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    attach_lake(con, lake, naive_timestamps=naive_timestamps)
    return con
