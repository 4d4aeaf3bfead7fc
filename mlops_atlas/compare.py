"""Compare the tables of two warehouses: the check that a change of code, a re-run or another
engine leaves every mart and ML table as it was.

A warehouse is a DuckDB file or a lake folder of Parquet tables (`mlops_atlas.lake`, what a
Spark build writes). Tables are matched on the columns both have. Per table: row counts; the
key (the first column, when its values are unique in both) present on both sides; rows whose
values differ (text, dates, booleans and lists exactly, numbers within a relative tolerance);
and each numeric column's sum within the same tolerance. Without a key, rows are matched whole
(`except all`) on the non-numeric columns, and numbers are judged by their sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mlops_atlas.lake import attach_lake, quote_literal, quote_name

#: Relative tolerance of numbers: what two engines' floating-point sums may differ by.
REL_TOL = 1e-9
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "DECIMAL")
_NUMERIC += tuple("U" + t for t in _NUMERIC[:5])


@dataclass
class TableDiff:
    """One table in both warehouses (`rows_*` is None where a side lacks the table)."""

    table: str
    rows_a: int | None
    rows_b: int | None
    key: str | None = None
    only_in_a: int = 0
    only_in_b: int = 0
    differing_rows: int = 0
    sums_differing: list[str] = field(default_factory=list)
    columns_only_in_a: list[str] = field(default_factory=list)
    columns_only_in_b: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return (
            self.rows_a == self.rows_b
            and not self.only_in_a
            and not self.only_in_b
            and not self.differing_rows
            and not self.sums_differing
            and not self.columns_only_in_a
            and not self.columns_only_in_b
        )


def _attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> str:
    """Attach a warehouse as `alias`; returns where its tables are listed (a lake's tables are
    views over Parquet files; a DuckDB file's views are dbt's, which name the file's own
    catalog and are left out)."""
    if Path(path).is_dir():
        con.execute(f"attach ':memory:' as {alias}")
        attach_lake(con, Path(path), catalog=alias)
        return "view"
    con.execute(f"attach {quote_literal(str(Path(path).resolve()))} as {alias} (read_only)")
    return "table"


def _columns(
    con: duckdb.DuckDBPyConnection, db: str, schema: str, table: str
) -> list[tuple[str, str]]:
    return [
        (r[0], str(r[1]))
        for r in con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
            [db, schema, table],
        ).fetchall()
    ]


def _tables(con: duckdb.DuckDBPyConnection, db: str, schemas: Sequence[str], kind: str) -> set[str]:
    marks = ", ".join("?" * len(schemas))
    rows = con.execute(
        f"select schema_name || '.' || {kind}_name from duckdb_{kind}s() "
        f"where database_name = ? and schema_name in ({marks})",
        [db, *schemas],
    ).fetchall()
    return {r[0] for r in rows}


def _is_numeric(data_type: str) -> bool:
    return data_type.upper().split("(")[0] in _NUMERIC


def _close(x: float | None, y: float | None, rel_tol: float) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return abs(x - y) <= rel_tol * max(abs(x), abs(y))


def _numbers_differ(a: str, b: str, rel_tol: float) -> str:
    return (
        f"not ({a} is not distinct from {b} or abs(cast({a} as double) - cast({b} as double)) "
        f"<= {rel_tol} * greatest(abs(cast({a} as double)), abs(cast({b} as double))))"
    )


def _compare_table(
    con: duckdb.DuckDBPyConnection, diff: TableDiff, schema: str, table: str, rel_tol: float
) -> None:
    cols_a = _columns(con, "a", schema, table)
    cols_b = dict(_columns(con, "b", schema, table))
    diff.columns_only_in_a = [c for c, _ in cols_a if c not in cols_b]
    diff.columns_only_in_b = [c for c in cols_b if c not in dict(cols_a)]
    common = [(c, t) for c, t in cols_a if c in cols_b]
    numeric = [c for c, t in common if _is_numeric(t) and _is_numeric(cols_b[c])]
    exact = [c for c, _ in common if c not in numeric]
    side = {s: f"{s}.{quote_name(schema)}.{quote_name(table)}" for s in ("a", "b")}

    for column in numeric:
        q = quote_name(column)
        sums = con.execute(
            f"select (select sum(cast({q} as double)) from {side['a']}), "
            f"(select sum(cast({q} as double)) from {side['b']})"
        ).fetchone()
        if not _close(sums[0], sums[1], rel_tol):
            diff.sums_differing.append(column)

    key = common[0][0] if common else None
    if key is not None:
        k = quote_name(key)
        unique = "select count(*) = count(distinct coalesce(cast({k} as varchar), chr(0))) from {t}"
        if not all(con.execute(unique.format(k=k, t=side[s])).fetchone()[0] for s in ("a", "b")):
            key = None
    if key is None:
        listed = ", ".join(quote_name(c) for c in exact) or "1"
        for first, second, attr in (("a", "b", "only_in_a"), ("b", "a", "only_in_b")):
            sql = (
                f"select count(*) from (select {listed} from {side[first]} "
                f"except all select {listed} from {side[second]})"
            )
            setattr(diff, attr, con.execute(sql).fetchone()[0])
        return

    diff.key = key
    k = quote_name(key)
    joined = (
        f"{side['a']} as x full outer join {side['b']} as y on x.{k} is not distinct from y.{k}"
    )
    diff.only_in_a = con.execute(
        f"select count(*) from {side['a']} as x where not exists "
        f"(select 1 from {side['b']} as y where x.{k} is not distinct from y.{k})"
    ).fetchone()[0]
    diff.only_in_b = con.execute(
        f"select count(*) from {side['b']} as y where not exists "
        f"(select 1 from {side['a']} as x where x.{k} is not distinct from y.{k})"
    ).fetchone()[0]
    conditions = [f"x.{quote_name(c)} is distinct from y.{quote_name(c)}" for c in exact[1:]]
    conditions += [
        _numbers_differ(f"x.{quote_name(c)}", f"y.{quote_name(c)}", rel_tol)
        for c in numeric
        if c != key
    ]
    if conditions:
        diff.differing_rows = con.execute(
            f"select count(*) from {joined} where x.{k} is not null and y.{k} is not null "
            f"and ({' or '.join(conditions)})"
        ).fetchone()[0]


def compare_warehouses(
    a: Path, b: Path, schemas: Sequence[str] = ("marts", "ml"), rel_tol: float = REL_TOL
) -> list[TableDiff]:
    """Every table of `schemas` in either warehouse (DuckDB file or lake folder), compared."""
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        kind_a, kind_b = _attach(con, a, "a"), _attach(con, b, "b")
        in_a, in_b = _tables(con, "a", schemas, kind_a), _tables(con, "b", schemas, kind_b)
        diffs = []
        for name in sorted(in_a | in_b):
            schema, table = name.split(".", 1)
            count = "select count(*) from {}.{}.{}"
            rows = [
                con.execute(count.format(s, quote_name(schema), quote_name(table))).fetchone()[0]
                if name in present
                else None
                for s, present in (("a", in_a), ("b", in_b))
            ]
            diff = TableDiff(name, rows[0], rows[1])
            if None not in rows:
                _compare_table(con, diff, schema, table, rel_tol)
            diffs.append(diff)
        return diffs
    finally:
        con.close()


def comparison_table(diffs: Sequence[TableDiff]) -> str:
    """The comparison as a markdown table: one row per table."""
    lines = [
        "| table | rows a | rows b | key | keys only in a / b | differing rows | sums differing |",
        "| --- | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for d in diffs:
        lines.append(
            f"| {d.table} | {d.rows_a} | {d.rows_b} | {d.key or '(whole rows)'} | "
            f"{d.only_in_a} / {d.only_in_b} | {d.differing_rows} | "
            f"{', '.join(d.sums_differing) or '-'} |"
        )
    return "\n".join(lines)
