"""A templated page's lookup query, run once for every value of its param.

A query such as `select ... from warehouse.t as a where a.full_name = '${params.repo}'
order by a.month` is the same statement on each of a thousand pages but for its value, and
DuckDB spends about a millisecond planning each (the site's 9,000 statements were almost all
of them). A query of that shape is run once without its `where`, its rows keyed by the
column and ordered by it first; each page takes the rows of its value, in the query's order.

The shape, checked on DuckDB's own parse of the query (`json_serialize_sql`): one table of
the sources, a `where` that is only `column = <the param>` (the param nowhere else), no group,
aggregate, window or macro (a subquery only as a value), no distinct, limit, sample or
qualify, and a key column of type VARCHAR, so the rows a page takes are exactly those its
comparison keeps. Rows that tie in the query's `order by` come in an order DuckDB picks, as
they would from the query as written (the site's queries order their rows completely:
tests/reports/test_row_order.py checks the statements run here too). Any other query runs as
written.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import duckdb

from mlops_atlas.lake import quote_literal

#: Stands for the param's value while the query's shape is read.
SENTINEL = "atlas_lookup_value_2f9c1e"
KEY = "__atlas_key"

_ALLOWED_CLASSES = {
    "BETWEEN",
    "CASE",
    "CAST",
    "COLUMN_REF",
    "COMPARISON",
    "CONJUNCTION",
    "CONSTANT",
    "FUNCTION",
    "OPERATOR",
    "STAR",
}


@functools.cache
def _scalar_functions() -> frozenset[str]:
    """Functions that are scalar only (neither aggregates nor macros, whose bodies are unseen)."""
    with duckdb.connect() as con:
        rows = con.execute(
            "select function_name from duckdb_functions() group by function_name"
            " having bool_and(function_type = 'scalar')"
        ).fetchall()
    return frozenset(name for (name,) in rows)


def _plain(expression: Any) -> bool:
    """Whether an expression (and all inside it) gives one value per row whichever rows the
    `where` keeps: no aggregate, window or macro; a subquery only as a value; and no collation,
    which would make the `where` compare otherwise than the keys are told apart."""
    if isinstance(expression, list):
        return all(_plain(item) for item in expression)
    if not isinstance(expression, dict):
        return True
    kind = expression.get("class")
    if kind == "SUBQUERY":
        # one value per row, whichever rows the `where` keeps: what it aggregates is its own
        # (but not what it compares with, as in `count(*) over () in (select 3)`)
        return expression.get("subquery_type") in (
            "SCALAR",
            "EXISTS",
            "NOT_EXISTS",
            "ANY",
        ) and _plain(expression.get("child"))
    if kind is not None:
        if kind not in _ALLOWED_CLASSES:
            return False
        if kind == "FUNCTION" and (
            expression.get("function_name") not in _scalar_functions()
            or expression.get("schema")
            or expression.get("catalog")
        ):
            return False
    return all(_plain(value) for value in expression.values())


def _key_column(where: Any) -> dict[str, Any] | None:
    """The column of a `column = <sentinel>` comparison, else None."""
    if not isinstance(where, dict) or where.get("type") != "COMPARE_EQUAL":
        return None
    sides = [where.get("left"), where.get("right")]
    for column, constant in (sides, sides[::-1]):
        if (
            isinstance(column, dict)
            and column.get("class") == "COLUMN_REF"
            and isinstance(constant, dict)
            and constant.get("class") == "CONSTANT"
            and constant.get("value", {}).get("value") == SENTINEL
        ):
            return column
    return None


def _column_ref(names: list[str], alias: str = "") -> dict[str, Any]:
    return {"class": "COLUMN_REF", "type": "COLUMN_REF", "alias": alias, "column_names": names}


def keyed_statement(
    con: duckdb.DuckDBPyConnection, sql: str, sources: Mapping[str, Iterable[str]]
) -> str | None:
    """The statement returning the rows of `sql` (a query with SENTINEL for its param's
    value) for every value at once: its columns, then the key (KEY), ordered by the key
    first. None when the query does not have the shape or reads no table of `sources`
    (source name: its tables), which the site makes once and keeps in memory."""
    # Text goes in as a literal, never a bound parameter, here as in the whole renderer:
    # DuckDB's Python client imports pandas (half a second) at a process's first bound one.
    try:
        parsed = json.loads(
            con.execute(f"select json_serialize_sql({quote_literal(sql)})").fetchone()[0]
        )
    except (duckdb.Error, TypeError, ValueError):
        return None
    statements = parsed.get("statements") if not parsed.get("error") else None
    if not statements or len(statements) != 1:
        return None
    node = statements[0].get("node", {})
    table = node.get("from_table") or {}
    key = _key_column(node.get("where_clause"))
    modifiers = node.get("modifiers", [])
    if (
        node.get("type") != "SELECT_NODE"
        or node.get("cte_map", {}).get("map")
        or table.get("type") != "BASE_TABLE"
        or table.get("catalog_name")
        or table.get("table_name") not in sources.get(table.get("schema_name"), ())
        or table.get("sample") is not None
        or table.get("at_clause") is not None
        or key is None
        or node.get("group_expressions")
        or node.get("group_sets")
        or node.get("aggregate_handling") != "STANDARD_HANDLING"
        or any(node.get(part) is not None for part in ("having", "sample", "qualify"))
        or any(m.get("type") != "ORDER_MODIFIER" for m in modifiers)
        or not _plain(node.get("select_list"))
        or not _plain(modifiers)
        # the value elsewhere than the `where` (a column, an order) would stay the sentinel
        or SENTINEL in json.dumps({**node, "where_clause": None})
    ):
        return None
    orders = [o for m in modifiers for o in m["orders"]]
    # names as DuckDB matches them, whatever their case
    aliases = {e.get("alias", "").lower() for e in node["select_list"]} - {""}
    if (
        any(o.get("expression", {}).get("class") == "STAR" for o in orders)  # `order by all`
        or (len(key["column_names"]) == 1 and key["column_names"][0].lower() in aliases)
        or _collated(con, table)
    ):
        return None
    keyed = copy.deepcopy(parsed)
    out = keyed["statements"][0]["node"]
    out["where_clause"] = None
    out["select_list"].append(_column_ref(key["column_names"], KEY))
    first = {"type": "ORDER_DEFAULT", "null_order": "ORDER_DEFAULT"}
    orders = [{**first, "expression": _column_ref([KEY])}, *orders]
    out["modifiers"] = [{"type": "ORDER_MODIFIER", "orders": orders}]
    try:
        statement = f"select json_deserialize_sql({quote_literal(json.dumps(keyed))})"
        return con.execute(statement).fetchone()[0]
    except duckdb.Error:
        return None


def _collated(con: duckdb.DuckDBPyConnection, table: dict[str, Any]) -> bool:
    """Whether text comparisons over the (made) source table may follow a collation: one of
    its columns', or the connection's default."""
    defined = con.execute(
        "select sql from duckdb_tables() where database_name ="
        f" {quote_literal(table['schema_name'])} and schema_name = 'main'"
        f" and table_name = {quote_literal(table['table_name'])}"
    ).fetchall()
    default = con.execute("select current_setting('default_collation')").fetchone()[0]
    return bool(default) or not defined or "collate" in defined[0][0].lower()


def keyed_rows(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    sources: Mapping[str, Iterable[str]],
    ran: Callable[[str], None],
) -> tuple[list[str], dict[str, list[tuple[Any, ...]]]] | None:
    """The columns of lookup query `sql` (SENTINEL for the value; its source table made) and
    its rows for every value, from its keyed statement; `ran` is told of each statement run.
    None when the query does not have the shape, or the keyed statement fails or does not
    give the query's own columns: names and types, as `sql` run as written gives them
    (DuckDB prints the statement back from its parse, and the print may differ: a float
    literal comes back a decimal), and a text key."""
    statement = keyed_statement(con, sql, sources)
    if statement is None:
        return None
    try:
        written = con.execute(sql)
        ran(sql)
        expected = [(d[0], str(d[1])) for d in written.description or []]
        written.fetchall()
        cursor = con.execute(statement)
        ran(statement)
        found = [(d[0], str(d[1])) for d in cursor.description or []]
        if found != [*expected, (KEY, "VARCHAR")]:
            return None
        records = cursor.fetchall()
    except duckdb.Error:
        return None
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for record in records:
        if record[-1] is not None:
            grouped.setdefault(record[-1], []).append(record[:-1])
    return [name for name, _ in expected], grouped
