"""Formats, expressions, slugs and SQL quoting: the small rules that are easy to get wrong."""

from __future__ import annotations

import datetime as dt
import decimal

import duckdb
import pytest

from mlops_atlas.render.expressions import ExprError, evaluate, input_names, roots
from mlops_atlas.render.formats import FormatError, format_value
from mlops_atlas.render.html_blocks import script_json
from mlops_atlas.render.links import safe_url, slugify
from mlops_atlas.render.queries import Reference, quote_literal, substitute


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (1234.5, "num0", "1,235"),
        (1234.56, "num1", "1,234.6"),
        (-0.5, "num2", "-0.50"),
        (0.1234, "pct0", "12%"),
        (0.1234, "pct1", "12.3%"),
        (1234.5, "usd", "$1,234.50"),
        (decimal.Decimal("-12.5"), "usd0", "-$13"),
        (dt.date(2024, 3, 9), "date", "2024-03-09"),
        (dt.datetime(2024, 3, 9, 13, 5), "date", "2024-03-09"),
        ("2024-03-09", "date", "2024-03-09"),
        (2500000, "num1m", "2.5m"),
        (0.256, "0.0%", "25.6%"),
        (1234567, "#,##0", "1,234,567"),
        (None, "pct1", ""),
        ("not a number", "num0", "not a number"),
        (2.675, "num2", "2.68"),  # as it reads, though the float is 2.67499999...
        (-1.005, "num2", "-1.01"),
        (2**60, "num0", "1,152,921,504,606,846,976"),  # an integer exactly, not as a float
        (1234567, "num2k", "1,234.57k"),
    ],
)
def test_named_and_excel_formats(value: object, fmt: str, expected: str) -> None:
    assert format_value(value, fmt) == expected


def test_default_formats_and_unknown_format() -> None:
    assert format_value(1234567) == "1,234,567"
    assert format_value(2023, column="created_year") == "2023"
    assert format_value(3.14159) == "3.14"
    assert format_value(dt.date(2024, 1, 2)) == "2024-01-02"
    with pytest.raises(FormatError, match="unknown format `pct9x`"):
        format_value(0.5, "pct9x")


def test_expressions() -> None:
    scope = {"q": [{"n": 3, "s": "a"}], "empty": [], "inputs": {"cat": {"value": "x"}}}
    assert evaluate("q[0].n", scope, {}) == 3
    assert evaluate("q.length > 0 && q[0].s == 'a'", scope, {}) is True
    assert evaluate("empty[0].n", scope, {}) is None
    assert evaluate("!empty.length", scope, {}) is True
    assert evaluate("['a', 'b']", scope, {}) == ["a", "b"]
    assert roots("q[0].n + inputs.cat.value") == {"q", "inputs"}
    assert input_names("q.length > 0 || inputs.cat.value == 'x'") == {"cat"}
    with pytest.raises(ExprError) as err:
        evaluate("nope[0].n", scope, {})
    assert err.value.name == "nope"
    with pytest.raises(ExprError, match="no column `missing`"):
        evaluate("q[0].missing", scope, {})
    with pytest.raises(ExprError):
        evaluate("__import__('os')", scope, {})


def test_sql_values_are_quoted_in_and_out_of_literals() -> None:
    def replace(ref: Reference) -> str:
        return {"v": "O'Reilly", "q": "(select 1)"}[ref.name]

    assert quote_literal("it's") == "'it''s'"
    assert substitute("select ${params.v}", replace) == "select 'O''Reilly'"
    assert substitute("select '${params.v}'", replace) == "select 'O''Reilly'"
    assert substitute("where x like '%${inputs.v.value}%'", replace) == "where x like '%O''Reilly%'"
    assert substitute('select "${params.v}" from ${q}', replace).endswith("from (select 1)")
    assert substitute("-- ${nothing}\nselect 1", replace) == "-- ${nothing}\nselect 1"
    assert substitute("select 1 /* ${params.v} */", replace) == "select 1 /* ${params.v} */"


@pytest.mark.parametrize(
    "value", ["O'Reilly", "a\\b", "\\' or 1=1 --", "x*/ or 1=1 --", "\\", "it\\'s", ""]
)
def test_a_value_reaches_duckdb_as_it_is_wherever_the_sql_puts_it(value: str) -> None:
    def replace(ref: Reference) -> str:
        return value

    sql = (
        "select ${params.v} as bare, '${params.v}' as quoted, 'x${params.v}y' as inside,"
        " E'${params.v}' as escaped, e'\\'${params.v}\\'' as escaped_quotes /* ${params.v} */"
        " -- ${params.v}"
    )
    with duckdb.connect() as con:
        row = con.execute(substitute(sql, replace)).fetchall()
    assert row == [(value, value, f"x{value}y", value, f"'{value}'")]


def test_slugs_and_urls() -> None:
    assert slugify("mlflow") == "mlflow"
    assert slugify("a/b") != slugify("a-b")
    assert slugify("a/b").startswith("a-b-")
    assert slugify("../../etc").startswith("etc-")
    assert "/" not in slugify("O'Reilly/ml-book") and "'" not in slugify("O'Reilly/ml-book")
    assert safe_url("javascript:alert(1)") == "#"
    assert safe_url(" JavaScript:alert(1)") == "#"
    assert safe_url("https://example.org/x") == "https://example.org/x"
    assert safe_url("/repos/a") == "/repos/a"


def test_script_json_cannot_close_its_script_tag() -> None:
    text = script_json({"d": "</script><script>alert(1)</script> & more"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\\u003c/script\\u003e" in text
