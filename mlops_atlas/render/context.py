"""What a page sees while it renders: its queries' results, params, inputs and loop rows.

Both outputs (HTML and the markdown copy) render through a PageContext, so the rules
for evaluating `{...}`, binding dropdown inputs and reporting errors live here once.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from mlops_atlas.render import expressions
from mlops_atlas.render.errors import RenderError
from mlops_atlas.render.formats import FormatError, format_value
from mlops_atlas.render.links import LinkResolver
from mlops_atlas.render.page import (
    CODE_FENCE,
    Component,
    EachBlock,
    Expr,
    IfBlock,
    Node,
    Page,
    Text,
    children,
    walk,
)
from mlops_atlas.render.queries import PageQueries, QueryResult, QueryRunner

# How many option combinations one region may precompute before the build refuses.
MAX_VARIANTS = 400

_TEXT_EXPR = re.compile(r"\{\s*([A-Za-z_!(\[][^{}]*?)\s*\}")


@dataclass
class InputDef:
    """A dropdown: its options as (value, label) pairs and the index chosen at load."""

    name: str
    options: list[tuple[Any, str]]
    default: int
    line: int
    title: str | None = None


@functools.cache
def text_expressions(markdown: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, expression) for each `{...}` outside fenced code that parses.

    Found once per text: a page's text is rendered again for every page of a template,
    row of an `{#each}` and dropdown option.
    """
    fences = [(m.start(), m.end()) for m in CODE_FENCE.finditer(markdown)]
    found = []
    for m in _TEXT_EXPR.finditer(markdown):
        if any(a <= m.start() < b for a, b in fences):
            continue
        try:
            expressions.parse(m.group(1))
        except expressions.ExprError:
            continue  # literal braces in prose
        found.append((m.start(), m.end(), m.group(1)))
    return tuple(found)


class _Scope(Mapping[str, Any]):
    """Names an expression may read; query results are fetched on first use."""

    def __init__(self, ctx: PageContext, line: int) -> None:
        self.ctx = ctx
        self.line = line

    # Loop variables shadow `params`/`inputs`, which shadow queries.
    def __getitem__(self, key: str) -> Any:
        if key in self.ctx.loop:
            return self.ctx.loop[key]
        if key == "params":
            return self.ctx.params
        if key == "inputs":
            return self.ctx.input_values()
        if key in self.ctx.page.queries:
            return self.ctx.result(key, self.line).rows
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return key in ("params", "inputs") or key in self.ctx.loop or key in self.ctx.page.queries

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(["params", "inputs", *self.ctx.loop, *self.ctx.page.queries]))

    def __len__(self) -> int:
        return len(list(iter(self)))


@dataclass
class PageContext:
    page: Page
    queries: PageQueries
    runner: QueryRunner
    links: LinkResolver
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, InputDef] = field(default_factory=dict)
    bound: dict[str, int] = field(default_factory=dict)
    loop: dict[str, Any] = field(default_factory=dict)
    max_variants: int = MAX_VARIANTS

    def fail(self, line: int, message: str, query: str | None = None) -> RenderError:
        return RenderError(self.page.path, line, message, query=query)

    # --- inputs -------------------------------------------------------------
    def choice(self, name: str) -> int:
        return self.bound.get(name, self.inputs[name].default)

    def input_values(self) -> dict[str, dict[str, Any]]:
        values = {}
        for name, spec in self.inputs.items():
            value, label = spec.options[self.choice(name)] if spec.options else (None, "")
            values[name] = {"value": value, "label": label}
        return values

    def with_bindings(self, bindings: Mapping[str, int]) -> PageContext:
        return PageContext(
            self.page,
            self.queries,
            self.runner,
            self.links,
            self.params,
            self.inputs,
            {**self.bound, **bindings},
            self.loop,
            self.max_variants,
        )

    def with_loop(self, names: Mapping[str, Any]) -> PageContext:
        ctx = self.with_bindings({})
        ctx.loop = {**self.loop, **names}
        return ctx

    def combinations(self, names: set[str]) -> int:
        return math.prod(len(self.inputs[n].options) for n in names)

    def too_many(self, names: set[str]) -> str | None:
        """Why the named inputs cannot be pre-rendered option by option (None: they can)."""
        total = self.combinations(names)
        if total <= self.max_variants:
            return None
        return f"inputs {sorted(names)} give {total:,} combinations (max {self.max_variants:,})"

    def variants(self, names: set[str], line: int) -> list[tuple[str, dict[str, int]]]:
        """(key, bindings) for every combination of the named inputs' options."""
        ordered = sorted(names)
        ranges = [range(len(self.inputs[n].options)) for n in ordered]
        if reason := self.too_many(names):
            raise self.fail(line, reason)
        return [
            (",".join(map(str, combo)), dict(zip(ordered, combo, strict=True)))
            for combo in itertools.product(*ranges)
        ]

    def variant_key(self, names: set[str]) -> str:
        return ",".join(str(self.choice(n)) for n in sorted(names))

    # --- queries ------------------------------------------------------------
    def result(self, name: str, line: int) -> QueryResult:
        if name not in self.page.queries:
            known = ", ".join(sorted(self.page.queries)) or "none"
            raise self.fail(line, f"unknown query (this page defines: {known})", query=name)
        lookup = self.queries.lookup(name, self.params)
        if lookup is not None:
            found = self.runner.lookup(*lookup)
            if found is not None:
                return found
        sql = self.queries.sql(name, self.params, self.input_values())
        try:
            return self.runner.run(sql)
        except duckdb.Error as exc:
            qline = self.page.queries[name].line
            raise self.fail(qline, f"failed: {exc}", query=name) from exc

    def data(self, comp: Component, *, required: bool = True) -> tuple[str, QueryResult] | None:
        """The query a component's `data={q}` names, and its result."""
        prop = comp.props.get("data")
        if prop is None:
            if required:
                raise self.fail(comp.line, f"<{comp.name}> needs data={{query}}")
            return None
        name = prop.text if isinstance(prop, Expr) else str(prop)
        return name, self.result(name, comp.line)

    def column(self, comp: Component, prop: str, query: str, result: QueryResult) -> str:
        value = comp.props.get(prop)
        if value is None or isinstance(value, bool):
            raise self.fail(comp.line, f"<{comp.name}> needs {prop}=<column>", query=query)
        name = str(value.text if isinstance(value, Expr) else value)
        self.check_column(comp.line, name, query, result)
        return name

    def check_column(self, line: int, column: str, query: str, result: QueryResult) -> None:
        if column not in result.columns:
            raise self.fail(
                line,
                f"has no column `{column}` (columns: {', '.join(result.columns)})",
                query=query,
            )

    # --- expressions ----------------------------------------------------------
    def evaluate(self, text: str, line: int) -> Any:
        try:
            return expressions.evaluate(text, _Scope(self, line), {"fmt": self._fmt_function(line)})
        except expressions.ExprError as exc:
            if exc.name and exc.name not in self.page.queries and "unknown name" in str(exc):
                raise self.fail(
                    line, f"`{{{text}}}` uses unknown query or name", query=exc.name
                ) from exc
            raise self.fail(line, f"in `{{{text}}}`: {exc}") from exc

    def show(self, text: str, line: int) -> str:
        """A `{...}` in text as displayed: strings as they are, other values formatted."""
        return self.shown(self.evaluate(text, line), line)

    def shown(self, value: Any, line: int) -> str:
        return value if isinstance(value, str) else self.format(value, None, line)

    def branch(self, node: IfBlock) -> list[Node]:
        """The body of the first `{#if}` branch whose condition holds (none: empty)."""
        for cond, body in node.branches:
            if cond is None or expressions.truthy(self.evaluate(cond, node.line)):
                return body
        return []

    def each(self, node: EachBlock) -> Iterator[PageContext]:
        """One context per row of an `{#each}`, with the row (and index) in scope."""
        rows = self.evaluate(node.source, node.line)
        if rows is None:
            rows = []
        if not isinstance(rows, list):
            raise self.fail(node.line, f"`{{#each {node.source}}}` is not a list of rows")
        for i, row in enumerate(rows):
            yield self.with_loop({node.var: row, **({node.index_var: i} if node.index_var else {})})

    def _fmt_function(self, line: int) -> Any:
        def fmt(value: Any, code: str | None = None) -> str:
            try:
                return format_value(value, code)
            except FormatError as exc:
                raise self.fail(line, str(exc)) from exc

        return fmt

    def format(self, value: Any, fmt: str | None, line: int, column: str | None = None) -> str:
        try:
            return format_value(value, fmt, column)
        except FormatError as exc:
            raise self.fail(line, str(exc)) from exc

    def prop(self, comp: Component, name: str, default: Any = None) -> Any:
        """A prop's value: `{expr}` evaluated, text as written, bare `flag` as True."""
        value = comp.props.get(name, default)
        if isinstance(value, Expr):
            return self.evaluate(value.text, comp.line)
        return value

    def flag(self, comp: Component, name: str, default: bool = False) -> bool:
        value = self.prop(comp, name, default)
        if isinstance(value, str):
            return value.strip().lower() not in ("false", "0", "no", "")
        return bool(value)

    # --- dependencies -----------------------------------------------------------
    def expr_inputs(self, text: str, line: int) -> frozenset[str]:
        """Input names an expression reads, directly or through the queries it names."""
        known = self.queries.names_read.get(text)
        if known is not None:
            return known
        try:
            names = expressions.roots(text)
            found = set(expressions.input_names(text))
        except expressions.ExprError as exc:
            raise self.fail(line, f"in `{{{text}}}`: {exc}") from exc
        for name in names:
            if name in self.page.queries:
                found |= self.queries.inputs_of(name)
        known = self.queries.names_read[text] = frozenset(found)
        return known

    def node_inputs(self, node: Node) -> set[str]:
        """Inputs a node's output depends on (and so must be precomputed per option)."""
        return (self._names_read(node) & self.inputs.keys()) - self.bound.keys()

    def _names_read(self, node: Node) -> frozenset[str]:
        """Every input name a node's expressions read, directly or through queries: the same
        on every render of the page, so worked out once per node (pages ask for it often)."""
        known = self.queries.names_read.get(id(node))
        if known is not None:
            return known
        found: set[str] = set()
        if not (isinstance(node, Component) and node.name == "Dropdown"):
            for text in _own_expressions(node):
                found |= self.expr_inputs(text, node.line)
            for child in children(node):
                found |= self._names_read(child)
        known = self.queries.names_read[id(node)] = frozenset(found)
        return known

    def same_on_every_page(self, node: Node) -> bool:
        """Whether a node draws the same on every page of its template and for every option:
        it reads no param, input or loop row from outside it, only queries that read none."""
        try:
            names = _free_names(node)
        except expressions.ExprError:
            return False  # drawn as usual, which reports it
        # each name as _Scope resolves it: a loop's row, then params and inputs, then a query
        return all(
            name not in self.loop
            and name not in ("params", "inputs")
            and name in self.page.queries
            and not self.queries.values_of(name)
            for name in names
        )


def _own_expressions(node: Node) -> list[str]:
    """The `{...}` expressions a node itself holds (not those of the nodes inside it)."""
    if isinstance(node, Text):
        return [text for _, _, text in text_expressions(node.markdown)]
    if isinstance(node, Component):
        return [value.text for value in node.props.values() if isinstance(value, Expr)]
    if isinstance(node, IfBlock):
        return [cond for cond, _ in node.branches if cond]
    return [node.source]


def _free_names(node: Node) -> set[str]:
    """Names a node's expressions read from outside it: queries, `params`, `inputs`, the rows
    of loops around it (not those of its own loops)."""
    found: set[str] = set()
    for inner, bound in walk([node]):
        if isinstance(inner, Component):
            if inner.name == "Dropdown":
                found.add("inputs")
            data = inner.props.get("data")
            if isinstance(data, str):
                found.add(data)  # `data=q` names its query as `data={q}` does
        for text in _own_expressions(inner):
            found |= expressions.roots(text) - bound
    return found
