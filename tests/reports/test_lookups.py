"""Lookup queries of templated pages, run once for every value (render/lookups.py), against
the same queries run as written, in a real DuckDB warehouse."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from mlops_atlas.render import page_context
from mlops_atlas.render.lookups import KEY, SENTINEL, keyed_statement
from mlops_atlas.render.page import parse_page
from mlops_atlas.render.queries import QueryRunner, Sources

# full_name, n, label, score: names with a quote, a trailing space and none at all; rows of
# one name that tie on score, and scores that are missing.
EVENTS = [
    ("acme/serve", 3, "c", 0.5),
    ("O'Reilly/book", 1, "a", None),
    ("acme/serve", 1, "a", 0.5),
    ("beta/track", 2, "b", 0.9),
    ("acme/serve", 2, "b", None),
    ("beta/track ", 9, "z", 0.1),
    (None, 4, "d", 0.2),
    ("acme/serve", 5, "e", 0.5),
    ("a\\b", 7, "g", 0.3),
    ("ACME/SERVE", 8, "h", 0.4),
]
VALUES = [
    "acme/serve",
    "O'Reilly/book",
    "beta/track",
    "beta/track ",
    "nobody/here",
    "",
    "' or '1'='1",
    "a\\b",
    "\\' or 1=1 --",
    "x*/ or 1=1 --",
    "ACME/SERVE",
]


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("lookups") / "atlas.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.events (full_name varchar, n integer, label varchar, score double)"
        )
        con.executemany("insert into marts.events values (?, ?, ?, ?)", EVENTS)
        con.execute("create table marts.owners (owner varchar, since integer)")
        con.execute("insert into marts.owners values ('acme/serve', 2020)")
    source = path.parent / "sources" / "warehouse"
    source.mkdir(parents=True)
    (source / "connection.yaml").write_text("name: warehouse\ntype: duckdb\n")
    (source / "events.sql").write_text("select * from marts.events")
    (source / "owners.sql").write_text("select * from marts.owners")
    (source / "events_nocase.sql").write_text(
        "select full_name collate nocase as full_name, n from marts.events"
    )
    runner = QueryRunner(path, Sources.load(path.parent / "sources"), log=[])
    yield runner
    runner.close()


def _as_written(query: str, value: str) -> str:
    return query.format(v=value.replace("'", "''"))


LOOKUPS = [
    "select n, label from warehouse.events where full_name = '{v}' order by n",
    "select e.* from warehouse.events as e where e.full_name = '{v}' order by e.n desc",
    "select * exclude (score), coalesce(score, -1) as score from warehouse.events"
    " where '{v}' = full_name order by score desc nulls last, label",
    "select n, n * 2 as twice, upper(label) as big, case when score > 0.4 then 'high' end"
    " as level from warehouse.events where full_name = '{v}' order by level nulls first, n",
    "select n, (select count(*) from warehouse.events) as events,"
    " (select since from warehouse.owners as o where o.owner = e.full_name) as since"
    " from warehouse.events as e where e.full_name = '{v}' order by n",
    "select label from warehouse.events where full_name = '{v}' order by label",
    # no order: a value has one row at most
    "select since from warehouse.owners where owner = '{v}'",
]


@pytest.mark.parametrize("query", LOOKUPS)
def test_a_lookup_gives_every_value_the_rows_of_its_query(runner: QueryRunner, query: str) -> None:
    runner.log.clear()
    keyed = query.format(v=SENTINEL)
    for value in VALUES:
        found = runner.lookup(keyed, value)
        assert found is not None, value
        expected = runner.run(_as_written(query, value))
        assert found.columns == expected.columns
        assert found.records == expected.records, value
        # equal is not enough: Decimal('0.3') == 0.3 would pass
        assert [tuple(map(type, r)) for r in found.records] == [
            tuple(map(type, r)) for r in expected.records
        ]
        assert found.rows == expected.rows
        assert all(row.columns == expected.columns for row in found.rows)
    # one statement for every value, beside the queries run as written above
    assert sum(KEY in sql for sql in runner.log) == 1
    assert runner.lookup(keyed, "acme/serve") is runner.lookup(keyed, "acme/serve")


@pytest.mark.parametrize(
    "query",
    [
        "select count(*) as c from warehouse.events where full_name = '{v}'",
        "select n, count(*) over () as c from warehouse.events where full_name = '{v}'",
        "select n, sum(n) over (order by n) as c from warehouse.events where full_name = '{v}'",
        "select n from warehouse.events where full_name = '{v}' limit 1",
        "select distinct label from warehouse.events where full_name = '{v}'",
        "select label, max(n) as n from warehouse.events where full_name = '{v}' group by label",
        "select e.n from warehouse.events as e join warehouse.owners as o on o.owner = e.full_name"
        " where e.full_name = '{v}'",
        "select n from warehouse.events where full_name = '{v}' and n > 1",
        "select n from warehouse.events where full_name <> '{v}'",
        "select n from warehouse.events where full_name in ('{v}', 'beta/track')",
        "select n from warehouse.events where lower(full_name) = '{v}'",
        "with e as (select * from warehouse.events) select n from e where full_name = '{v}'",
        "select n from (select * from warehouse.events) as e where full_name = '{v}'",
        "select n, label from warehouse.events where full_name = '{v}' order by all",
        "select n from warehouse.events where full_name = '{v}' qualify n > 1",
        "select n from warehouse.events using sample 50% where full_name = '{v}'",
        "select n from warehouse.events where full_name = '{v}'; select 1",
        # the value elsewhere than the `where`, a table that is not a source's
        "select n, '{v}' as asked from warehouse.events where full_name = '{v}'",
        "select n from warehouse.events where full_name = '{v}' order by n = length('{v}')",
        "select n from marts.events where full_name = '{v}'",
        "select n from warehouse.main.events where full_name = '{v}'",
        # a window compared with a subquery; collations; the key named like a column alias
        "select n, count(*) over () in (select 3) as w from warehouse.events"
        " where full_name = '{v}'",
        "select n, full_name collate nocase as repo from warehouse.events where repo = '{v}'",
        "select n from warehouse.events where full_name = '{v}' order by label collate nocase",
        "select label as full_name, n from warehouse.events where full_name = '{v}'"
        " order by n desc",
        "select label as Full_Name, n from warehouse.events where full_name = '{v}'",
        "select n from warehouse.events_nocase where full_name = '{v}'",
    ],
)
def test_queries_of_other_shapes_run_as_written(runner: QueryRunner, query: str) -> None:
    assert keyed_statement(runner.con, query.format(v=SENTINEL), runner.sources.tables) is None
    assert runner.lookup(query.format(v=SENTINEL), "acme/serve") is None


@pytest.mark.parametrize(
    "query",
    [
        # DuckDB prints the statement back from its parse: a float literal as a decimal, a
        # cast's name without its length
        "select n * 1e-1 as x from warehouse.events where full_name = '{v}' order by n",
        "select label::varchar(10) from warehouse.events where full_name = '{v}' order by n",
        # fails as written (one column), while the keyed statement has a second
        "select n from warehouse.events where full_name = '{v}' order by 2",
    ],
)
def test_a_keyed_statement_unlike_the_query_runs_as_written(
    runner: QueryRunner, query: str
) -> None:
    assert keyed_statement(runner.con, query.format(v=SENTINEL), runner.sources.tables)
    assert runner.lookup(query.format(v=SENTINEL), "acme/serve") is None


def test_a_key_that_is_not_text_runs_as_written(runner: QueryRunner) -> None:
    # `n = '3'` casts the text to a number: the keys would not be the values compared
    query = "select label from warehouse.events where n = '{v}'"
    assert keyed_statement(runner.con, query.format(v=SENTINEL), runner.sources.tables)
    assert runner.lookup(query.format(v=SENTINEL), "3") is None
    assert [r["label"] for r in runner.run(_as_written(query, "3")).rows] == ["c"]


def test_a_templated_page_takes_its_rows_from_one_statement(
    runner: QueryRunner, tmp_path: Path
) -> None:
    page = tmp_path / "[repo].md"
    page.write_text(
        "```sql events\nselect n, label from warehouse.events\n"
        "where full_name = '${params.repo}'\norder by n\n```\n\n"
        "```sql escaped\nselect n, label /* ${params.repo} */ from warehouse.events\n"
        "where full_name = E'${params.repo}' -- ${params.repo}\norder by n\n```\n\n"
        "```sql everything\nselect count(*) as c from warehouse.events\n```\n\n"
        "{events.length} of {everything[0].c}\n"
    )
    parsed = parse_page(page)
    runner.log.clear()
    for value in VALUES:
        ctx = page_context(parsed, runner, params={"repo": value})
        expected = sorted((n, label) for name, n, label, _ in EVENTS if name == value)
        assert ctx.result("events", 1).records == expected, value
        assert ctx.result("escaped", 1).records == expected, value
        assert ctx.show("events.length", 1) == str(len(expected))
    keyed = [sql for sql in runner.log if KEY in sql]
    assert len(keyed) == 2
    assert all(" where " not in " ".join(sql.lower().split()) for sql in keyed)


def test_a_collated_source_table_runs_as_written(runner: QueryRunner) -> None:
    query = "select n from warehouse.events_nocase where full_name = '{v}' order by n"
    assert runner.lookup(query.format(v=SENTINEL), "acme/serve") is None
    assert [r["n"] for r in runner.run(_as_written(query, "acme/serve")).rows] == [1, 2, 3, 5, 8]
