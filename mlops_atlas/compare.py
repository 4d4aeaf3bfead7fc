"""Compare the tables of two warehouses row by row: the check that a change of code (or engine,
or a re-run) leaves every mart and ML table as it was."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb


@dataclass
class TableDiff:
    """One table in both warehouses: rows each way that the other lacks (`except all`)."""

    table: str
    rows_a: int | None
    rows_b: int | None
    only_in_a: int = 0
    only_in_b: int = 0
    columns_only_in_a: list[str] = field(default_factory=list)
    columns_only_in_b: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return (
            self.rows_a == self.rows_b
            and not self.only_in_a
            and not self.only_in_b
            and not self.columns_only_in_a
            and not self.columns_only_in_b
        )


def _columns(con: duckdb.DuckDBPyConnection, db: str, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
            [db, schema, table],
        ).fetchall()
    ]


def _tables(con: duckdb.DuckDBPyConnection, db: str, schemas: Sequence[str]) -> set[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() "
        f"where database_name = ? and schema_name in ({', '.join('?' * len(schemas))})",
        [db, *schemas],
    ).fetchall()
    return {r[0] for r in rows}


def compare_warehouses(
    a: Path, b: Path, schemas: Sequence[str] = ("marts", "ml")
) -> list[TableDiff]:
    """Every table of `schemas` in either warehouse, compared on the columns both have."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{Path(a).resolve()}' as a (read_only)")
        con.execute(f"attach '{Path(b).resolve()}' as b (read_only)")
        in_a, in_b = _tables(con, "a", schemas), _tables(con, "b", schemas)
        diffs = []
        for name in sorted(in_a | in_b):
            schema, table = name.split(".", 1)
            count = 'select count(*) from {}."{}"."{}"'
            rows_a = (
                con.execute(count.format("a", schema, table)).fetchone()[0]
                if name in in_a
                else None
            )
            rows_b = (
                con.execute(count.format("b", schema, table)).fetchone()[0]
                if name in in_b
                else None
            )
            diff = TableDiff(name, rows_a, rows_b)
            if rows_a is not None and rows_b is not None:
                cols_a = _columns(con, "a", schema, table)
                cols_b = _columns(con, "b", schema, table)
                diff.columns_only_in_a = [c for c in cols_a if c not in cols_b]
                diff.columns_only_in_b = [c for c in cols_b if c not in cols_a]
                common = ", ".join(f'"{c}"' for c in cols_a if c in cols_b)
                side = f'select {common} from {{}}."{schema}"."{table}"'
                for first, second, attr in (("a", "b", "only_in_a"), ("b", "a", "only_in_b")):
                    sql = f"select count(*) from ({side.format(first)} except all {side.format(second)})"
                    setattr(diff, attr, con.execute(sql).fetchone()[0])
            diffs.append(diff)
        return diffs
    finally:
        con.close()
