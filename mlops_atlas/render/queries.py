"""Compose page SQL (query references, inputs, params) and run it in read-only DuckDB.

Rules a page author relies on:
- `${other}` is replaced by `(<other's SQL>)`, a subquery, exactly as Evidence does;
  write `from ${other}` or `from ${other} as o`.
- `${inputs.n.value}` and `${params.p}` become SQL string literals. Inside a quoted
  literal (`'${inputs.n.value}'`, `'%${params.p}%'`) the value is inserted with its
  quotes doubled; outside one it is wrapped in quotes. Either way a value cannot end
  the literal, so it can neither break nor inject SQL.
- `<source>.<table>` (e.g. `warehouse.dim_repositories`) runs the source file
  `sources/<source>/<table>.sql` once per build, Evidence's source convention, and
  keeps the result as an in-memory table `<source>.<table>`. Each source folder needs
  a `connection.yaml` with `type: duckdb`; its SQL runs against the warehouse file
  given to the renderer (which stands in for the yaml's `filename`), or against a lake
  folder's Parquet tables (a Spark build's), attached as views of the same names.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from mlops_atlas import lake
from mlops_atlas.lake import attach_lake
from mlops_atlas.render.errors import RenderError
from mlops_atlas.render.lookups import SENTINEL, keyed_rows
from mlops_atlas.render.page import Page

_REF = re.compile(r"\$\{\s*([^}]*?)\s*\}")
_INPUT = re.compile(r"^inputs\.([A-Za-z_]\w*)(?:\.(value|label))?$")
_PARAM = re.compile(r"^params\.([A-Za-z_]\w*)$")
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_WORD = re.compile(r"\w")
_MISSING = object()


class Row(dict):
    """One result row; knows the query's columns so a typo can list the real ones."""

    columns: list[str]


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[Row]
    # The same rows as tuples in column order (duplicate column names kept), for matching
    # rows of one result against another's.
    records: list[tuple[Any, ...]] = field(default_factory=list)

    def column_values(self, column: str) -> list[Any]:
        return [row.get(column) for row in self.rows]


@dataclass(frozen=True)
class Reference:
    kind: str  # "query", "input" or "param"
    name: str
    attr: str = "value"


def references(sql: str) -> list[Reference]:
    """Every `${...}` in a query, classified; raises ValueError for an unreadable one."""
    found: list[Reference] = []
    for m in _REF.finditer(sql):
        text = m.group(1)
        if im := _INPUT.match(text):
            found.append(Reference("input", im.group(1), im.group(2) or "value"))
        elif pm := _PARAM.match(text):
            found.append(Reference("param", pm.group(1)))
        elif _NAME.match(text):
            found.append(Reference("query", text))
        else:
            raise ValueError(
                f"cannot read `${{{text}}}`: use ${{query}}, ${{inputs.n.value}} or ${{params.p}}"
            )
    return found


def quote_literal(value: Any) -> str:
    """A value as a SQL string literal: `O'Reilly` becomes `'O''Reilly'` (NUL dropped)."""
    return lake.quote_literal(_text(value))


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\x00", "")


# A query's SQL as literal text and the `${...}` references in it, each with where it sits:
# outside literals (""), in a string literal ("'") or in an escape string literal ("e", as in
# E'...', where a backslash escapes): what `substitute` needs, found once per SQL text.
_Part = str | tuple[Reference, str]


@functools.cache
def _template(sql: str) -> tuple[_Part, ...]:
    parts: list[_Part] = []
    text: list[str] = []
    i = 0
    in_quote = ""  # "'", "e" (an escape string) or '"' while inside a literal or identifier
    while i < len(sql):
        ch = sql[i]
        if not in_quote and (sql.startswith("--", i) or sql.startswith("/*", i)):
            # a comment, kept as written: a value inside it could end it
            if ch == "-":
                end = sql.find("\n", i)
                end = len(sql) if end < 0 else end
            else:
                end = sql.find("*/", i + 2)
                end = len(sql) if end < 0 else end + 2
            text.append(sql[i:end])
            i = end
            continue
        if ch == "$" and (m := _REF.match(sql, i)):
            quoting = "" if in_quote == '"' else in_quote  # in an identifier: as outside
            parts += ["".join(text), (references(m.group(0))[0], quoting)]
            text = []
            i = m.end()
            continue
        if in_quote == "e" and ch == "\\":
            text.append(sql[i : i + 2])  # an escaped character, a quote too
            i += 2
            continue
        if in_quote:
            if ch == ("'" if in_quote == "e" else in_quote):
                in_quote = ""
        elif ch in "'\"":
            escape = ch == "'" and i > 0 and sql[i - 1] in "eE"
            in_quote = "e" if escape and (i < 2 or not _WORD.match(sql[i - 2])) else ch
        text.append(ch)
        i += 1
    parts.append("".join(text))
    return tuple(p for p in parts if p != "")


def substitute(sql: str, replace: Callable[[Reference], str]) -> str:
    """Replace each `${...}`: query references by `replace`, values as safe literals.

    `replace` returns SQL for query references and the raw value for inputs/params;
    this function decides the quoting from where the reference sits: in a literal, in an
    escape string literal (E'...', whose backslashes are doubled too) or outside one. One in
    a comment stays as written.
    """
    out: list[str] = []
    for part in _template(sql):
        if isinstance(part, str):
            out.append(part)
            continue
        ref, quoting = part
        value = replace(ref)
        if ref.kind == "query":
            out.append(value)
        elif quoting == "e":
            out.append(_text(value).replace("\\", "\\\\").replace("'", "''"))
        elif quoting:
            out.append(_text(value).replace("'", "''"))
        else:
            out.append(quote_literal(value))
    return "".join(out)


def jsonable(value: Any) -> Any:
    """A DuckDB value as JSON data: dates as ISO text, decimals as floats."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


@dataclass
class Sources:
    """Evidence source folders: `<dir>/<source>/connection.yaml` plus `<table>.sql` files."""

    root: Path
    tables: dict[str, dict[str, Path]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Sources:
        sources = cls(root)
        if not root.is_dir():
            return sources
        for conn in sorted(root.glob("*/connection.yaml")):
            try:
                config = yaml.safe_load(conn.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise RenderError(conn, 1, f"bad YAML: {exc}") from exc
            if config.get("type") != "duckdb":
                raise RenderError(conn, 1, f"source type {config.get('type')!r} is not duckdb")
            name = conn.parent.name
            if not _NAME.match(name):
                raise RenderError(conn, 1, f"source folder name {name!r} is not an identifier")
            sources.tables[name] = {
                p.stem: p for p in sorted(conn.parent.glob("*.sql")) if _NAME.match(p.stem)
            }
        return sources


def _tables_pattern(source: str, tables: Iterable[str]) -> re.Pattern[str]:
    """`<source>.<table>` in a statement for one of `tables` (matched case-sensitively, whole),
    the table name captured."""
    names = "|".join(re.escape(t) for t in sorted(tables))
    return re.compile(rf'(?i)\b"?{re.escape(source)}"?\s*\.\s*"?((?-i:{names}))(?!\w)')


#: How a statement that makes a source table begins (the rest of a build's statements query).
SOURCE_TABLE_STATEMENT = "create table "


def makes_source_table(sql: str) -> bool:
    """Whether a logged statement made a source table rather than queried one."""
    return sql.startswith(SOURCE_TABLE_STATEMENT)


class QueryRunner:
    """One read-only DuckDB session for a whole build, caching results by final SQL."""

    def __init__(
        self,
        warehouse_path: Path,
        sources: Sources,
        log: list[str] | None = None,
        *,
        threads: int | None = None,
        lookups: bool = True,
    ) -> None:
        """A session on `warehouse_path`; `threads` sets its DuckDB threads (default: one per
        core), for processes that share the cores. `lookups=False` runs every lookup query
        as written, once per value, as pages declare them (the same rows, slower)."""
        if not warehouse_path.exists():
            raise FileNotFoundError(f"warehouse not found: {warehouse_path}")
        self.sources = sources
        self.queries_run = 0
        self.log = log  # if given, each statement run (source tables, queries) is appended
        self._cache: dict[str, QueryResult] = {}
        # by lookup query (lookups.py): its columns, rows by value and results made so far;
        # None for a query run as written
        self._lookups: dict[str, _Keyed | None] = {}
        self._lookups_on = lookups
        self._materialized: set[tuple[str, str]] = set()
        self._unmade: dict[str, re.Pattern[str]] | None = None  # see _unmade_patterns
        alias = warehouse_path.stem if _NAME.match(warehouse_path.stem) else "warehouse_file"
        if alias in sources.tables:
            alias = f"{alias}_file"
        # An in-memory session that attaches the warehouse READ_ONLY: source tables are
        # kept in memory catalogs, which a read-only primary database cannot create.
        self.con = duckdb.connect(":memory:")
        if threads is not None:
            self.con.execute(f"set threads = {int(threads)}")
        if warehouse_path.is_dir():
            # a lake (a Spark build's Parquet tables): its tables as views, same names
            self.con.execute("set TimeZone = 'UTC'")
            self.con.execute(f"attach ':memory:' as \"{alias}\"")
            attach_lake(self.con, warehouse_path, catalog=alias)
        else:
            path_literal = quote_literal(str(warehouse_path))
            self.con.execute(f'attach {path_literal} as "{alias}" (read_only)')
        for source in sources.tables:
            self.con.execute(f"attach ':memory:' as \"{source}\"")
        self.con.execute(f'use "{alias}"')
        self.catalog = alias  # the catalog the pages' queries resolve against

    def close(self) -> None:
        self.con.close()

    def _unmade_patterns(self) -> dict[str, re.Pattern[str]]:
        """For each source with tables not made yet, a pattern finding only those: a page's
        statements are scanned for them, and most name none."""
        if self._unmade is None:
            self._unmade = {}
            for source, tables in self.sources.tables.items():
                unmade = [t for t in tables if (source, t) not in self._materialized]
                if unmade:
                    self._unmade[source] = _tables_pattern(source, unmade)
        return self._unmade

    def _materialize_sources(self, sql: str) -> None:
        for source, pattern in self._unmade_patterns().items():
            for m in pattern.finditer(sql):
                table = m.group(1)
                if (source, table) in self._materialized:
                    continue  # named twice in this statement
                path = self.sources.tables[source][table]
                source_sql = path.read_text(encoding="utf-8").strip().rstrip(";")
                create = f'{SOURCE_TABLE_STATEMENT}"{source}".main."{table}" as {source_sql}'
                try:
                    self.con.execute(create)
                except duckdb.Error as exc:
                    raise RenderError(path, 1, f"source table failed: {exc}") from exc
                self._ran(create)
                self._materialized.add((source, table))
                self._unmade = None

    def run(self, sql: str) -> QueryResult:
        """Run SQL (or reuse an identical earlier run); duckdb.Error propagates."""
        cached = self._cache.get(sql)
        if cached is not None:
            return cached
        result = _result(*self.records(sql))
        self._cache[sql] = result
        return result

    def lookup(self, sql: str, value: str) -> QueryResult | None:
        """The result of lookup query `sql` (its param's value replaced by lookups.SENTINEL)
        for `value`, from one statement run for every value (lookups.py); None when the
        query does not have that shape or the statement fails, or lookups are off: it then
        runs as written."""
        if not self._lookups_on:
            return None
        if sql not in self._lookups:
            self._lookups[sql] = self._keyed(sql)
        keyed = self._lookups[sql]
        if keyed is None:
            return None
        result = keyed.results.get(value)
        if result is None:
            result = keyed.results[value] = _result(keyed.columns, keyed.rows.get(value, []))
        return result

    def _keyed(self, sql: str) -> _Keyed | None:
        self._materialize_sources(sql)
        found = keyed_rows(self.con, sql, self.sources.tables, self._ran)
        return None if found is None else _Keyed(*found)

    def records(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Columns and row tuples of SQL, run now and not cached (for one-off checks)."""
        cached = self._cache.get(sql)
        if cached is not None:
            return cached.columns, cached.records
        self._materialize_sources(sql)
        cursor = self.con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        records = cursor.fetchall()
        self._ran(sql)
        return columns, records

    def _ran(self, sql: str) -> None:
        self.queries_run += 1
        if self.log is not None:
            self.log.append(sql)


def _result(columns: list[str], records: list[tuple[Any, ...]]) -> QueryResult:
    rows = []
    for values in records:
        row = Row(zip(columns, values, strict=True))
        row.columns = columns
        rows.append(row)
    return QueryResult(columns, rows, records)


@dataclass
class _Keyed:
    """A lookup query's rows for every value (QueryRunner.lookup)."""

    columns: list[str]
    rows: dict[str, list[tuple[Any, ...]]]
    results: dict[str, QueryResult] = field(default_factory=dict)


class PageQueries:
    """A page's queries: their dependencies on inputs and their SQL for given values."""

    def __init__(self, page: Page) -> None:
        self.page = page
        # input names each expression (by its text) and node (by id: the page keeps its nodes
        # alive as long as this) of the page reads; worked out once (context.py)
        self.names_read: dict[str | int, frozenset[str]] = {}
        self.refs: dict[str, list[Reference]] = {}
        self._values: dict[str, list[Reference]] = {}
        self._sql: dict[tuple[Any, ...], str] = {}
        self._lookup_sql: dict[str, tuple[str, str] | None] = {}  # see lookup
        for name, query in page.queries.items():
            try:
                self.refs[name] = references(query.sql)
            except ValueError as exc:
                raise RenderError(page.path, query.line, str(exc), query=name) from exc
            for ref in self.refs[name]:
                if ref.kind == "query" and ref.name not in page.queries:
                    raise RenderError(
                        page.path,
                        query.line,
                        f"refers to unknown query `${{{ref.name}}}`",
                        query=name,
                    )
        for name in page.queries:
            self._check_cycle(name, [])

    def _check_cycle(self, name: str, stack: list[str]) -> None:
        if name in stack:
            chain = " -> ".join([*stack, name])
            raise RenderError(
                self.page.path,
                self.page.queries[name].line,
                f"refers to itself: {chain}",
                query=name,
            )
        for ref in self.refs[name]:
            if ref.kind == "query":
                self._check_cycle(ref.name, [*stack, name])

    def inputs_of(self, name: str) -> set[str]:
        """Inputs a query reads, directly or through the queries it references."""
        found: set[str] = set()
        for ref in self.refs[name]:
            if ref.kind == "input":
                found.add(ref.name)
            elif ref.kind == "query":
                found |= self.inputs_of(ref.name)
        return found

    def values_of(self, name: str) -> list[Reference]:
        """The input and param references a query reads, directly or through others."""
        if name not in self._values:
            found = dict.fromkeys(r for r in self.refs[name] if r.kind != "query")
            for ref in self.refs[name]:
                if ref.kind == "query":
                    found.update(dict.fromkeys(self.values_of(ref.name)))
            self._values[name] = list(found)
        return self._values[name]

    def lookup(self, name: str, params: Mapping[str, Any]) -> tuple[str, str] | None:
        """For a query that reads one param and nothing else (no input, no other query): its
        SQL with lookups.SENTINEL for the value, and the value as it goes into the SQL, for
        QueryRunner.lookup; else None."""
        if name not in self._lookup_sql:
            refs = self.refs[name]
            params_read = {r.name for r in refs}
            self._lookup_sql[name] = None
            if refs and all(r.kind == "param" for r in refs) and len(params_read) == 1:
                (param,) = params_read
                self._lookup_sql[name] = (param, self._compose(name, {param: SENTINEL}, {}))
        found = self._lookup_sql[name]
        if found is None or found[0] not in params:
            return None
        return found[1], _text(params[found[0]])

    def sql(
        self, name: str, params: Mapping[str, Any], inputs: Mapping[str, Mapping[str, Any]]
    ) -> str:
        """The runnable SQL of `name`; raises RenderError for a missing param or input.

        Assembled once per query and distinct values of what it reads (as the text that
        goes into the SQL), then reused: pages ask for the same query many times.
        """
        key: list[Any] = [name]
        for ref in self.values_of(name):
            if ref.kind == "param":
                value = params.get(ref.name, _MISSING)
            else:
                value = inputs[ref.name][ref.attr] if ref.name in inputs else _MISSING
            if value is _MISSING:
                return self._compose(name, params, inputs)  # raises, naming what is missing
            key.append(_text(value))
        cache_key = tuple(key)
        sql = self._sql.get(cache_key)
        if sql is None:
            sql = self._sql[cache_key] = self._compose(name, params, inputs)
        return sql

    def _compose(
        self, name: str, params: Mapping[str, Any], inputs: Mapping[str, Mapping[str, Any]]
    ) -> str:
        query = self.page.queries[name]

        def replace(ref: Reference) -> str:
            if ref.kind == "query":
                return "(\n" + self.sql(ref.name, params, inputs) + "\n)"
            if ref.kind == "param":
                if ref.name not in params:
                    raise RenderError(
                        self.page.path, query.line, f"uses unknown param `{ref.name}`", query=name
                    )
                return params[ref.name]
            if ref.name not in inputs:
                raise RenderError(
                    self.page.path,
                    query.line,
                    f"uses input `{ref.name}` but no <Dropdown name={ref.name}> is on the page",
                    query=name,
                )
            return inputs[ref.name][ref.attr]

        return substitute(query.sql, replace)
