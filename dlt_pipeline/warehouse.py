"""Small read-only questions the loaders ask of the warehouse file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def count_rows(
    warehouse_path: Path, schema: str, tables: Iterable[str], run_id: str | None = None
) -> dict[str, int]:
    """Rows per table (of one run, when given: every raw GitHub table has a `run_id`)."""
    where = " where run_id = ?" if run_id else ""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return {
            table: con.execute(
                f"select count(*) from {schema}.{table}{where}", [run_id] if run_id else []
            ).fetchone()[0]
            for table in tables
        }
