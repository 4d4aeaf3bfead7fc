"""The SQL runs on DuckDB and on Spark: a model or test that uses a DuckDB-only construct fails
here, naming the file, the line and the macro of dbt_project/macros/portable.sql to use instead
(the same list as dbt_project/README.md, "Portable SQL")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_atlas.paths import DBT_PROJECT_DIR

#: (what, pattern, use instead). The pattern is matched in SQL with comments and jinja removed,
#: except the patterns of JINJA_TOO, matched in jinja expressions as well (a type named there
#: lands in the SQL as it is).
DUCKDB_ONLY: list[tuple[str, str, str]] = [
    ("select * exclude (...)", r"\*\s*exclude\s*\(", "an explicit column list"),
    ("list(... order by ...)", r"\blist\s*\(", "{{ ordered_list(value, order_by, where=...) }}"),
    ("unnest(...)", r"\bunnest\s*\(", "{{ unnest_list(list) }}"),
    (
        "generate_series / range",
        r"\b(generate_series|range)\s*\(",
        "{{ month_series(first, last) }}",
    ),
    ("[] list literal", r"\[\s*\]|\[\s*'", "{{ empty_list(dbt.type_string()) }}"),
    ("arg_max / arg_min", r"\barg_(max|min)\s*\(", "max_by / min_by (both engines)"),
    ("varchar", r"\bvarchar\b", "{{ dbt.type_string() }}"),
    ("dbt.type_float()", r"type_float\s*\(", "double (dbt.type_float() is 4-byte on DuckDB)"),
    (
        "ltrim/rtrim with characters",
        r"\b[lr]trim\s*\([^()]*,",
        "trim(leading|trailing 'x' from ...)",
    ),
    (
        "regexp_replace",
        r"\bregexp_replace\s*\(",
        "a macro of portable.sql (DuckDB needs the 'g' flag and \\1, Spark $1 and doubled "
        "backslashes; see clean_readme_text)",
    ),
    (
        "DuckDB-only functions",
        r"(?<![.\w])(list_\w+|array_length|struct_pack|string_agg|strftime|strptime|epoch|date_diff|"
        r"date_add|date_sub|datediff|regexp_matches|string_split|len|list_value)\s*\(",
        "dbt's cross-database macros (dbt.datediff, dbt.dateadd, dbt.split_part, ...) or a macro",
    ),
]

JINJA_TOO = {"varchar", "dbt.type_float()"}

SQL_FOLDERS = ("models", "tests", "macros", "analyses", "snapshots")
#: The one file allowed to hold engine-specific SQL.
PORTABLE_MACROS = DBT_PROJECT_DIR / "macros" / "portable.sql"


def _blank(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def strip_comments(sql: str, jinja: bool = False) -> str:
    """The text without jinja and `--` comments, line numbers kept; without jinja expressions
    and tags too (their Python lists and macro calls are not SQL) unless `jinja`."""
    sql = re.sub(r"\{#.*?#\}", _blank, sql, flags=re.S)
    if not jinja:
        sql = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", _blank, sql, flags=re.S)
    return re.sub(r"--[^\n]*", "", sql)


def violations(sql: str, where: str) -> list[str]:
    """`where:line: construct is DuckDB-only; use ...` for every DuckDB-only construct."""
    found = []
    lines = zip(
        strip_comments(sql).split("\n"), strip_comments(sql, jinja=True).split("\n"), strict=True
    )
    for number, (bare, with_jinja) in enumerate(lines, 1):
        for what, pattern, instead in DUCKDB_ONLY:
            line = with_jinja if what in JINJA_TOO else bare
            if re.search(pattern, line, flags=re.I):
                found.append(f"{where}:{number}: {what} is DuckDB-only; use {instead}")
    return found


def sql_files() -> list[Path]:
    files = [p for folder in SQL_FOLDERS for p in sorted((DBT_PROJECT_DIR / folder).rglob("*.sql"))]
    return [p for p in files if p != PORTABLE_MACROS]


def test_no_model_or_test_uses_a_duckdb_only_construct() -> None:
    root = DBT_PROJECT_DIR.parent
    found = [
        v
        for path in sql_files()
        for v in violations(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    ]
    assert not found, "SQL must run on DuckDB and Spark:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "sql",
    [
        "select * exclude (rank) from t",
        "select list(x order by y) from t",
        "select unnest(topics) as topic from t",
        "select cast(unnest(generate_series(a, b, interval 1 month)) as date)",
        "select coalesce(x, []) from t",
        "select arg_max(name, seen_at) from t",
        "select cast(id as varchar) from t",
        "select ltrim(x, ',') from t",
        "select cast(x as {{ dbt.type_float() }}) from t",
        "{{ source_or_empty('github', 'issues', {'state': 'varchar'}) }}",
        "select date_diff('day', a, b) from t",
    ],
)
def test_each_duckdb_only_construct_is_caught(sql: str) -> None:
    found = violations("with t as (select 1)\n" + sql, "models/probe.sql")
    assert found and found[0].startswith("models/probe.sql:2: "), sql
    assert "; use " in found[0]


def test_portable_constructs_pass() -> None:
    text = (
        "select {{ ordered_list('t.x', 't.y') }}, {{ unnest_list('topics') }}, max_by(a, b),\n"
        "    trim(leading ',' from s), cast(n as double) / 86400 -- list(x) in a comment\n"
        "{# unnest(x) in a jinja comment #}"
    )
    assert violations(text, "ok.sql") == []


def test_the_readme_documents_every_macro() -> None:
    readme = (DBT_PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Portable SQL", 1)[1].split("\n## ", 1)[0]
    macros = re.findall(r"\{%-?\s*macro\s+(\w+)\(", PORTABLE_MACROS.read_text(encoding="utf-8"))
    dispatchers = [m for m in macros if "__" not in m]
    missing = [m for m in dispatchers if f"`{m}" not in section]
    assert dispatchers and not missing, f"README 'Portable SQL' lacks {missing}"
    for what, _, _ in DUCKDB_ONLY:
        assert what in section, f"README 'Portable SQL' lacks the construct {what!r}"
