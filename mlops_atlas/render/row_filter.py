"""Row filters in the browser, for a query whose dropdowns have too many combinations.

When the inputs a query reads give more option combinations than can be pre-rendered,
the page gets the query's result once, with every input at its default (the "universe"),
and for each option of each input the universe rows it keeps with the other inputs at
their defaults. The browser shows the rows that every selected option keeps, in
universe order.

That equals the real query only if its filters are *separable*: one condition per
input, joined with `and`, each keeping or dropping rows without changing them, and an
order that no input changes. The build checks this against real combinations (all of
them when few, else every pair of inputs and a fixed random sample) and fails with a
RenderError naming the query when any differs.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import random
from dataclasses import dataclass
from typing import Any

import duckdb

from mlops_atlas.lake import quote_literal
from mlops_atlas.render.context import PageContext
from mlops_atlas.render.errors import RenderError

# Check every combination when there are at most this many ...
MAX_EXHAUSTIVE = 1_000
# ... else every combination of two inputs (a fixed sample when there are more) ...
MAX_PAIRS = 500
# ... plus this many combinations of all inputs, drawn with a seed fixed per page and query.
SAMPLES = 25


@dataclass
class RowFilter:
    """Which universe rows each option keeps: bit i of a mask is universe row i."""

    id: str
    query: str
    rows: int
    sets: dict[str, list[int]]  # input -> one mask per option
    checked: int  # combinations compared with the real query

    def payload(self) -> dict[str, Any]:
        """JSON for the page: per option `null` (every row), a row list or a bitset."""
        full = (1 << self.rows) - 1
        return {
            "rows": self.rows,
            "inputs": {
                name: [None if m == full else encode(m, self.rows) for m in masks]
                for name, masks in self.sets.items()
            },
        }


def indices(mask: int) -> list[int]:
    """Set bits of a mask, lowest first."""
    return [i for i, bit in enumerate(reversed(bin(mask)[2:])) if bit == "1"]


def encode(mask: int, rows: int) -> str | list[int]:
    """The shorter of a row-index list and a base64 bitset (byte k holds rows 8k..8k+7)."""
    listed = indices(mask)
    bits = base64.b64encode(mask.to_bytes((rows + 7) // 8, "little")).decode("ascii")
    return listed if len(json.dumps(listed, separators=(",", ":"))) <= len(bits) + 2 else bits


def _mask(rows: list[int], size: int) -> int:
    buf = bytearray((size + 7) // 8)
    for i in rows:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def _hashable(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return ("NaN",)
    if isinstance(value, list | tuple):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in value.items())
    return value


def _row_key(record: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_hashable(v) for v in record)


def order_columns(con: duckdb.DuckDBPyConnection, sql: str, columns: list[str]) -> list[int] | None:
    """Output columns the outermost `order by` sorts on; None if it sorts on anything else.

    Read from DuckDB's own parse tree. Knowing the sort columns lets rows that tie on
    them come in any order, as DuckDB's sort leaves them.
    """
    try:
        statement = f"select json_serialize_sql({quote_literal(sql)})"  # as lookups.py
        tree = json.loads(con.execute(statement).fetchone()[0])
    except (duckdb.Error, TypeError, ValueError):
        return None
    if tree.get("error") or len(tree.get("statements", [])) != 1:
        return None
    node = tree["statements"][0]["node"]
    orders = [m for m in node.get("modifiers", []) if m.get("type") == "ORDER_MODIFIER"]
    if len(orders) != 1:
        return None
    lower = [c.lower() for c in columns]
    select = node.get("select_list", []) if node.get("type") == "SELECT_NODE" else []
    found: list[int] = []
    for order in orders[0].get("orders", []):
        expr = order.get("expression", {})
        value = expr.get("value", {})
        if expr.get("class") == "CONSTANT" and type(value.get("value")) is int:
            position = value["value"] - 1
            if not 0 <= position < len(columns):
                return None
            found.append(position)
        elif expr.get("class") == "COLUMN_REF":
            names = expr.get("column_names", [])
            name = names[0].lower() if len(names) == 1 and names[0].lower() in lower else None
            for item in select:  # `order by t.col` where the select list has `t.col`
                if item.get("class") == "COLUMN_REF" and item.get("column_names") == names:
                    name = (item.get("alias") or names[-1]).lower()
            if name is None or name not in lower:
                return None
            found.append(lower.index(name))
        else:
            return None
    return found


class _Check:
    """Builds one query's option masks and checks them against real combinations."""

    def __init__(self, ctx: PageContext, query: str, names: set[str], line: int) -> None:
        self.ctx = ctx
        self.query = query
        self.names = sorted(names)
        self.reason = ctx.too_many(names) or ""
        self.qline = ctx.page.queries[query].line
        universe = ctx.result(query, line)
        self.columns = universe.columns
        self.records = universe.records
        self.keys = [_row_key(r) for r in universe.records]
        self.size = len(self.keys)
        self.positions: dict[tuple[Any, ...], list[int]] = {}
        for i, key in enumerate(self.keys):
            self.positions.setdefault(key, []).append(i)
        self.canon = [self.positions[key][0] for key in self.keys]
        sql = ctx.queries.sql(query, ctx.params, ctx.input_values())
        sort = order_columns(ctx.runner.con, sql, self.columns)
        self.ties_allowed = sort is not None
        # Rows that tie on the sort columns share a group; a real result must come in
        # group order. Without known sort columns every row is its own group.
        self.group: list[int] = []
        for i, key in enumerate(self.keys):
            tied = sort is not None and i > 0 and all(key[c] == self.keys[i - 1][c] for c in sort)
            self.group.append(self.group[-1] if tied else i)

    def fail(self, why: str) -> RenderError:
        return self.ctx.fail(
            self.qline,
            f"{self.reason}, too many to pre-render, so its rows would be filtered in the"
            " browser, but its filters are not separable (one condition per input, joined"
            f" with `and`): {why}",
            query=self.query,
        )

    def describe(self, binding: dict[str, int]) -> str:
        changed = [
            f"{n}={self.ctx.inputs[n].options[i][0]!r}"
            for n, i in binding.items()
            if i != self.ctx.inputs[n].default
        ]
        if not changed:
            return "every input at its default"
        return ", ".join(changed) + " (the other inputs at their defaults)"

    def preview(self, record: tuple[Any, ...]) -> str:
        text = ", ".join(f"{c}={v!r}" for c, v in zip(self.columns, record, strict=False))
        return text if len(text) <= 160 else text[:157] + "..."

    def run(self, binding: dict[str, int]) -> list[int]:
        """Universe positions of the rows the real query returns for `binding`, in its order."""
        bound = self.ctx.with_bindings(binding)
        sql = self.ctx.queries.sql(self.query, self.ctx.params, bound.input_values())
        try:
            _, records = self.ctx.runner.records(sql)
        except duckdb.Error as exc:
            raise self.ctx.fail(
                self.qline, f"failed with {self.describe(binding)}: {exc}", query=self.query
            ) from exc
        seen: dict[tuple[Any, ...], int] = {}
        found: list[int] = []
        for record in records:
            key = _row_key(record)
            k = seen.get(key, 0)
            places = self.positions.get(key, [])
            if k >= len(places):
                raise self.fail(
                    f"with {self.describe(binding)} it returns a row that its result at the"
                    f" defaults does not have ({self.preview(record)}); each input's default"
                    " must be the option that filters nothing, and an option may keep or drop"
                    " rows but not change them (so an aggregate such as count(*) of the"
                    " filtered rows cannot follow the inputs: write `{q.length}` in the text)"
                )
            seen[key] = k + 1
            found.append(places[k])
        if any(self.group[a] > self.group[b] for a, b in itertools.pairwise(found)):
            ties = (
                "the `order by` must not depend on an input"
                if self.ties_allowed
                else "the order must not depend on an input, and rows must not tie in the"
                " `order by` (DuckDB leaves tied rows in any order): sort on output columns"
                " only, or add a unique column last"
            )
            raise self.fail(
                f"with {self.describe(binding)} it returns rows in another order than at the"
                f" defaults; {ties}"
            )
        return found

    def combinations(self) -> list[dict[str, int]]:
        """Combinations of two or more non-default options to compare with the real query."""
        ranges = [range(len(self.ctx.inputs[n].options)) for n in self.names]
        defaults = [self.ctx.inputs[n].default for n in self.names]

        def changed(combo: tuple[int, ...]) -> int:
            return sum(c != d for c, d in zip(combo, defaults, strict=True))

        if math.prod(len(r) for r in ranges) <= MAX_EXHAUSTIVE:
            combos = [c for c in itertools.product(*ranges) if changed(c) >= 2]
        else:
            rng = random.Random(f"{self.ctx.page.path.name}:{self.query}")
            pairs = []
            for a, b in itertools.combinations(range(len(self.names)), 2):
                for i, j in itertools.product(ranges[a], ranges[b]):
                    if i != defaults[a] and j != defaults[b]:
                        combo = list(defaults)
                        combo[a], combo[b] = i, j
                        pairs.append(tuple(combo))
            if len(pairs) > MAX_PAIRS:
                pairs = sorted(rng.sample(pairs, MAX_PAIRS))
            drawn = [tuple(rng.choice(r) for r in ranges) for _ in range(SAMPLES)]
            combos = list(dict.fromkeys([*pairs, *(c for c in drawn if changed(c) >= 2)]))
        return [dict(zip(self.names, c, strict=True)) for c in combos]

    def build(self, filter_id: str) -> RowFilter:
        full = (1 << self.size) - 1
        sets: dict[str, list[int]] = {}
        for name in self.names:
            spec = self.ctx.inputs[name]
            sets[name] = [
                full if i == spec.default else _mask(self.run({name: i}), self.size)
                for i in range(len(spec.options))
            ]
        combos = self.combinations()
        duplicates = len(self.positions) < self.size
        for binding in combos:
            mask = full
            for name, i in binding.items():
                mask &= sets[name][i]
            expected = sorted(self.canon[i] for i in indices(mask))
            real = self.run(binding)
            if sorted(self.canon[i] for i in real) != expected:
                extra = sorted(set(real) - set(indices(mask)))
                missing = sorted(set(indices(mask)) - set(real))
                example = ""
                if extra or missing:
                    row = self.preview(self.records[(extra or missing)[0]])
                    example = f" (it {'adds' if extra else 'lacks'} {row})"
                raise self.fail(
                    f"with {self.describe(binding)} it returns {len(real)} rows, but the"
                    f" options on their own keep {len(expected)} rows in common{example};"
                    " inputs must not depend on each other (an `or` between inputs, a"
                    " `limit`, or an aggregate or window over the filtered rows make them)"
                    + (
                        "; the result also has identical rows: add a column that tells them apart"
                        if duplicates
                        else ""
                    )
                )
        return RowFilter(filter_id, self.query, self.size, sets, len(combos))


def row_filter(
    ctx: PageContext, query: str, names: set[str], line: int, filter_id: str
) -> RowFilter:
    """The checked row filter of `query` over the inputs `names` (RenderError if unsound)."""
    return _Check(ctx, query, names, line).build(filter_id)
