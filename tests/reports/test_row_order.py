"""Every query a page runs puts its rows in one order, so a site rendered twice from the same
tables is the same, byte for byte (what lets an unchanged re-run be checked against a cold one).

DuckDB runs queries in parallel: rows that tie on the ORDER BY (and all rows of a query without
one) come back in an order that can change from run to run, and with them the order of a
table's rows or of a chart's series. Checked on the statements the real site's render ran.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from pathlib import Path

import duckdb

from mlops_atlas.paths import REPORTS_PAGES_DIR
from mlops_atlas.render.queries import QueryRunner, Sources, makes_source_table

#: statements checked per query text that differs only in its string literals (a page per repo)
_PER_TEMPLATE = 20
_LITERAL = re.compile(r"'(?:[^']|'')*'")


def _tree(parser: duckdb.DuckDBPyConnection, sql: str) -> dict:
    return json.loads(parser.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])


def _text(parser: duckdb.DuckDBPyConnection, tree: dict) -> str:
    return parser.execute("select json_deserialize_sql(?)", [json.dumps(tree)]).fetchone()[0]


def _with_order_keys(
    parser: duckdb.DuckDBPyConnection, sql: str, columns: list[str]
) -> tuple[str | None, list[int | None]]:
    """`sql` without its ORDER BY and with each ORDER BY expression that is not an output
    column appended as a column (None when every key is an output column); for each key, its
    position among the output `columns` when it is one (`order by 2`, or a column's name, which
    DuckDB binds to the output first), else None. Raises ValueError when the statement has no
    ORDER BY it can be checked by."""
    tree = _tree(parser, sql)
    if tree.get("error"):
        raise ValueError(f"does not parse: {tree.get('error_message')}")
    node = tree["statements"][0]["node"]
    orders = [m for m in node.get("modifiers", []) if m["type"] == "ORDER_MODIFIER"]
    if not orders:
        raise ValueError("has no ORDER BY")
    positions: list[int | None] = []
    keys = []
    for i, order in enumerate(orders[0]["orders"]):
        expression = copy.deepcopy(order["expression"])
        if expression["class"] == "CONSTANT":
            positions.append(int(expression["value"]["value"]) - 1)
            continue
        names = expression.get("column_names", [])
        if expression["class"] == "COLUMN_REF" and len(names) == 1 and names[0] in columns:
            positions.append(columns.index(names[0]))
            continue
        expression["alias"] = f"order_key_{i}"
        keys.append(expression)
        positions.append(None)
    if not keys:
        return None, positions
    node["modifiers"] = [m for m in node["modifiers"] if m["type"] != "ORDER_MODIFIER"]
    if node["type"] == "SELECT_NODE":
        node["select_list"].extend(keys)
    else:  # a union: its ORDER BY names its output columns, so select them around it
        outer = _tree(parser, "select * from (select 1) as u")
        outer["statements"][0]["node"]["select_list"].extend(keys)
        return _text(parser, outer).replace("(SELECT 1)", f"({_text(parser, tree)})", 1), positions
    return _text(parser, tree), positions


def _ties(runner: QueryRunner, parser: duckdb.DuckDBPyConnection, sql: str) -> str | None:
    """Why the rows of `sql` may come back in another order, or None when they cannot."""
    columns, rows = runner.records(sql)
    if len(rows) < 2:
        return None
    try:
        keyed, positions = _with_order_keys(parser, sql, columns)
    except ValueError as exc:
        return str(exc)
    if keyed is None:
        keyed_rows = rows
    else:
        try:
            _, keyed_rows = runner.records(keyed)
        except duckdb.Error as exc:
            return f"its ORDER BY could not be checked: {exc}"
    extra = iter(range(len(columns), len(keyed_rows[0])))
    key_at = [p if p is not None else next(extra) for p in positions]
    by_key: dict[tuple, set[tuple]] = defaultdict(set)
    for row in keyed_rows:
        by_key[tuple(row[i] for i in key_at)].add(tuple(row[: len(columns)]))
    tied = sum(len(distinct) - 1 for distinct in by_key.values() if len(distinct) > 1)
    return f"{tied} rows tie on its ORDER BY" if tied else None


def test_every_page_query_orders_its_rows_completely(
    mirror_warehouse: Path, real_site_sql: list[str]
) -> None:
    by_template: dict[str, list[str]] = defaultdict(list)
    for sql in dict.fromkeys(real_site_sql):
        if not makes_source_table(sql):  # source tables are made, not queried
            by_template[_LITERAL.sub("?", sql)].append(sql)
    assert len(by_template) > 100
    runner = QueryRunner(mirror_warehouse, Sources.load(REPORTS_PAGES_DIR.parent / "sources"))
    parser = duckdb.connect()
    try:
        unordered = {}
        for statements in by_template.values():
            for sql in statements[:_PER_TEMPLATE]:
                reason = _ties(runner, parser, sql)
                if reason:
                    unordered[" ".join(sql.split())[:200]] = reason
                    break
    finally:
        runner.close()
        parser.close()
    assert unordered == {}


def test_the_check_finds_ties_and_missing_orders(mirror_warehouse: Path) -> None:
    runner = QueryRunner(mirror_warehouse, Sources.load(REPORTS_PAGES_DIR.parent / "sources"))
    parser = duckdb.connect()
    values = "(values (1, 'a'), (1, 'b'), (2, 'c')) as t(k, v)"
    try:
        assert _ties(runner, parser, f"select k, v from {values} order by k") == (
            "1 rows tie on its ORDER BY"
        )
        assert _ties(runner, parser, f"select v from {values} order by k, v") is None
        # a name the output and the table share: the output's (here an aggregate) orders
        grouped = f"select k, count(*) as v from {values} group by k"
        assert _ties(runner, parser, grouped + " order by v") is None
        tied = f"select v, count(*) as k from {values} group by v order by k"
        assert _ties(runner, parser, tied) == "2 rows tie on its ORDER BY"
        assert _ties(runner, parser, f"select k, v from {values} order by 1, 2") is None
        assert _ties(runner, parser, f"select k, v from {values}") == "has no ORDER BY"
        union = f"select k, v from {values} union all select 3, 'd'"
        assert _ties(runner, parser, union + " order by k") == "1 rows tie on its ORDER BY"
        assert _ties(runner, parser, union + " order by k, v") is None
    finally:
        runner.close()
        parser.close()
