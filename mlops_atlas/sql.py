"""Ask the warehouse a question: one SQL statement, read-only, the answer as rows.

The connection is read-only and cannot reach files or the network, so a question can change
nothing; a wrong table name is answered with the tables there are.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

#: Schemas a user asks about (dlt's bookkeeping and the test-failure tables are left out).
USER_SCHEMAS = ("marts", "ml", "reference", "staging", "intermediate", "raw_github", "raw_git")


class QueryError(ValueError):
    """A question the warehouse cannot answer; the message says why in one line."""


@dataclass
class Answer:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not Path(warehouse).is_file():
        raise QueryError(f"warehouse {warehouse} does not exist: run `mlops-atlas run` first")
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("set enable_external_access = false")
    return con


def table_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    """`schema.table` of every table and view a user may ask about."""
    rows = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        f"where table_schema in ({', '.join('?' * len(USER_SCHEMAS))}) "
        "and table_name not like '\\_dlt%' escape '\\' order by 1",
        list(USER_SCHEMAS),
    ).fetchall()
    return [r[0] for r in rows]


def ask(con: duckdb.DuckDBPyConnection, sql: str, limit: int = 50) -> Answer:
    """Run one statement; at most `limit` rows are kept (`total` counts them all)."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise QueryError("no SQL given")
    try:
        result = con.execute(text)
    except duckdb.CatalogException as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        said = " ".join(itertools.takewhile(lambda line: not line.startswith("LINE "), lines))
        marts = [t for t in table_names(con) if t.split(".")[0] in ("marts", "ml")]
        raise QueryError(f"{said} The marts and ML tables: {', '.join(marts)}") from exc
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        if "read-only" in message or "read only" in message:
            message = "the warehouse is opened read-only here: questions cannot change it"
        raise QueryError(message) from exc
    if result.description is None:
        return Answer([], [], 0)
    columns = [d[0] for d in result.description]
    rows = result.fetchmany(limit)
    total = len(rows) + len(result.fetchall()) if len(rows) == limit else len(rows)
    return Answer(columns, rows, total)
