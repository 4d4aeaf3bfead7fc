"""Dropdowns with too many combinations to pre-render: rows filtered in the browser.

The explorer fixture (tests/reports/fixtures/filters) has five dropdowns on one table.
These tests read the row sets the build wrote and compare them with SQL on the fixture
warehouse, and check that queries whose filters are not separable fail the build.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from mlops_atlas.render import RenderError, render_site
from mlops_atlas.render.row_filter import encode, order_columns
from tests.reports.conftest import FIXTURES, build_warehouse

PAGES = FIXTURES / "filters" / "pages"
SOURCES = FIXTURES / "sources"
FILTERS = ("kind", "category", "stage", "language", "min_stars")


def _scripts(doc: str, cls: str) -> list[str]:
    pattern = rf'<script type="application/json" class="{cls}"[^>]*>(.*?)</script>'
    return re.findall(pattern, doc, re.S)


def _rows(raw: str | list[int] | None, size: int) -> set[int]:
    """Universe rows of one option, decoded as the page script does."""
    if raw is None:
        return set(range(size))
    if isinstance(raw, list):
        return set(raw)
    bits = int.from_bytes(base64.b64decode(raw), "little")
    return {i for i in range(size) if bits >> i & 1}


def _options(doc: str, name: str) -> list[str]:
    select = re.search(rf'<select data-input="{name}".*?</select>', doc, re.S).group(0)
    return [html.unescape(x) for x in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@pytest.fixture(scope="module")
def explorer(filter_site) -> dict:
    out, _ = filter_site
    doc = (out / "explorer" / "index.html").read_text()
    (spec,) = [json.loads(s) for s in _scripts(doc, "atlas-filter")]
    (table,) = [json.loads(s) for s in _scripts(doc, "atlas-table-data")]
    return {"doc": doc, "spec": spec, "table": table, "names": [r[0] for r in table["cells"]]}


def _sql(warehouse: Path, where: str = "true") -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select full_name from marts.repository_facets"
            f" where {where} order by maturity_score desc nulls last"
        ).fetchall()
    return [r[0] for r in rows]


def _chosen(explorer: dict, **choices: int) -> list[str]:
    """Repository names the page shows for option indices per input, in page order."""
    spec = explorer["spec"]
    keep = set(range(spec["rows"]))
    for name, index in choices.items():
        keep &= _rows(spec["inputs"][name][index], spec["rows"])
    return [explorer["names"][i] for i in sorted(keep)]


def test_universe_is_written_once_with_compact_row_sets(explorer, warehouse: Path) -> None:
    doc, spec, table = explorer["doc"], explorer["spec"], explorer["table"]
    assert sorted(explorer["names"]) == sorted(_sql(warehouse))
    assert spec["rows"] == len(table["cells"]) == 60
    assert sorted(spec["inputs"]) == sorted(FILTERS)
    # Nothing is pre-rendered per combination except the one-input label text.
    assert [json.loads(v).keys() for v in _scripts(doc, "atlas-variants")] == [
        {str(i) for i in range(6)}
    ]
    # A row past the first page (which is also written as HTML) appears once, in the JSON:
    # text columns sort on their text, so they have no separate sort keys.
    assert doc.count(f'"{table["cells"][30][7]}"') == 1
    # (language has nulls, which sort last, unlike empty text)
    assert [k is None for k in table["columnKeys"]] == [True] * 4 + [False] * 3 + [True]
    for name in FILTERS:
        options = spec["inputs"][name]
        assert len(options) == len(_options(doc, name))
        assert options[0] is None  # "all" (the default) keeps every row
        assert all(o is not None for o in options[1:])
    assert len(_scripts(doc, "atlas-filter")[0]) < 1_000
    assert len(doc) < 60_000
    assert "<script>alert(1)</script>" not in doc
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in doc


@pytest.mark.parametrize(
    ("choices", "where"),
    [
        ({"kind": ("tool",)}, "kind = 'tool'"),
        ({"language": ("O'Caml",)}, "language = 'O''Caml'"),
        ({"min_stars": ("1,000+",)}, "stars >= 1000"),
        ({"stage": ("beta",), "min_stars": ("100+",)}, "stage = 'beta' and stars >= 100"),
        (
            {"kind": ("dataset",), "category": ("training",), "language": ("Rust",)},
            "kind = 'dataset' and category = 'training' and language = 'Rust'",
        ),
    ],
)
def test_selected_options_show_the_rows_sql_returns(
    explorer, warehouse: Path, choices: dict[str, tuple[str]], where: str
) -> None:
    doc = explorer["doc"]
    indices = {name: _options(doc, name).index(label) for name, (label,) in choices.items()}
    shown = _chosen(explorer, **indices)
    assert shown, "pick options that keep some rows"
    # Same rows; in page order, which is SQL order up to ties in maturity_score.
    assert sorted(shown) == sorted(_sql(warehouse, where))
    scores = {n: s for n, s in zip(explorer["names"], _scores(warehouse), strict=True)}
    ranks = [-1 if scores[n] is None else -scores[n] for n in shown]
    assert ranks == sorted(ranks, key=lambda r: (r == -1, r))


def _scores(warehouse: Path) -> list[float | None]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "select maturity_score from marts.repository_facets"
                " order by maturity_score desc nulls last"
            ).fetchall()
        ]


def test_exact_row_sets_of_small_options(explorer) -> None:
    doc = explorer["doc"]
    ocaml = _options(doc, "language").index("O'Caml")
    assert set(_chosen(explorer, language=ocaml)) == {
        "org0/facet-0009",
        "org0/facet-0018",
        "org0/facet-0027",
        "org2/facet-0020",
        "org2/facet-0029",
        "org3/facet-0012",
        "org4/facet-0022",
        "org6/facet-0015",
        "org8/facet-0026",
        "org8/facet-0053",
    }
    mature = _options(doc, "stage").index("mature")
    assert set(_chosen(explorer, stage=mature, min_stars=3)) == {
        "org2/facet-0020",
        "org2/facet-0029",
        "org5/facet-0014",
    }
    assert _chosen(explorer, stage=mature, min_stars=4, language=ocaml) == ["org2/facet-0029"]


def test_count_and_values_follow_the_filter(explorer) -> None:
    doc, table = explorer["doc"], explorer["table"]
    assert re.search(r'data-live="count">60</span> repositories of kind', doc)
    values = [json.loads(s) for s in _scripts(doc, "atlas-live-data")]
    assert [v["values"] for v in values[:2]] == [
        [r[0] for r in table["cells"]],  # <Value column=full_name/>
        [r[3] for r in table["cells"]],  # {explorer[0].stage}
    ]
    assert [(v["row"], v["missing"]) for v in values] == [(0, "-"), (0, ""), (0, "-")]
    assert values[2]["values"] == [r[5] for r in table["cells"]]  # stars, fmt=num0


def test_every_listed_repository_gets_its_page(filter_site) -> None:
    _, summary = filter_site
    assert len(summary.pages) == 61
    assert summary.broken_links == []
    assert summary.queries_run < 500
    evil = next(p for p in summary.pages if "evil-facet-xss" in p.as_posix()).read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in evil


def _edit(project: Path, old: str, new: str) -> Path:
    page = project / "explorer.md"
    text = page.read_text()
    assert old in text
    page.write_text(text.replace(old, new, 1))
    return page


@pytest.fixture()
def explorer_copy(tmp_path: Path) -> Path:
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    shutil.rmtree(pages / "facets")
    return pages


def _line(page: Path, text: str) -> int:
    return next(i for i, line in enumerate(page.read_text().splitlines(), 1) if text in line)


def _build(pages: Path, warehouse: Path, out: Path, **kwargs: object):
    return render_site(pages, warehouse, out, markdown_pages=(), sources_dir=SOURCES, **kwargs)


KIND = "('${inputs.kind.value}' = 'all' or kind = '${inputs.kind.value}')"
CATEGORY = "('${inputs.category.value}' = 'all' or category = '${inputs.category.value}')"


@pytest.mark.parametrize(
    ("old", "new", "query", "fragment"),
    [
        (  # the order follows an input
            "order by maturity_score desc nulls last",
            "order by case when '${inputs.kind.value}' = 'all' then maturity_score"
            " else stars end desc nulls last, full_name",
            "explorer",
            "returns rows in another order than at the defaults",
        ),
        (  # a limit that follows an input
            "order by maturity_score desc nulls last",
            "order by maturity_score desc nulls last"
            "\nlimit case when '${inputs.min_stars.value}' = '0' then 1000 else 5 end",
            "explorer",
            "options on their own keep",
        ),
        (  # an OR between two inputs
            f"{KIND}\n  and {CATEGORY}",
            "(('${inputs.kind.value}' = 'all' and '${inputs.category.value}' = 'all')"
            " or kind = '${inputs.kind.value}' or category = '${inputs.category.value}')",
            "explorer",
            "an `or` between inputs",
        ),
        (  # a default that filters
            "<Dropdown name=kind data={kinds} value=kind",
            "<Dropdown name=kind data={kinds} value=kind defaultValue=tool",
            "explorer",
            "with kind='all' (the other inputs at their defaults) it returns a row",
        ),
        (  # an aggregate of the filtered rows
            "<BigValue data={explorer}",
            "```sql counted\nselect count(*) as n from ${explorer}\n```\n\n"
            "<BigValue data={counted} value=n/>\n<BigValue data={explorer}",
            "counted",
            "an aggregate such as count(*)",
        ),
    ],
)
def test_filters_that_are_not_separable_fail_the_build(
    explorer_copy: Path,
    warehouse: Path,
    tmp_path: Path,
    old: str,
    new: str,
    query: str,
    fragment: str,
) -> None:
    page = _edit(explorer_copy, old, new)
    with pytest.raises(RenderError) as err:
        _build(explorer_copy, warehouse, tmp_path / "out")
    message = str(err.value)
    line = _line(page, f"```sql {query}")
    assert message.startswith(f"{page}:{line}: query '{query}': inputs "), message
    assert "give 10,290 combinations (max 400)" in message
    assert "its filters are not separable" in message
    assert fragment in message


@pytest.mark.parametrize(
    ("addition", "anchor", "fragment"),
    [
        ("<BarChart data={explorer} x=full_name y=stars/>", "<BarChart", "not <BarChart>"),
        ("{#if explorer.length > 0}\nSome.\n{/if}", "{#if", "not `{#if explorer.length > 0}`"),
        ("{#each explorer as r}\n- {r.full_name}\n{/each}", "{#each", "not `{#each explorer}`"),
        ("Total {fmt(explorer.length, 'num0')}.", "Total", "not `{fmt(explorer.length, 'num0')}`"),
        (
            "<DataTable data={explorer} rows={inputs.min_stars.value}/>",
            "rows={inputs",
            "<DataTable> whose props (other than data) depend on inputs",
        ),
    ],
)
def test_what_cannot_follow_that_many_combinations_fails_clearly(
    explorer_copy: Path, warehouse: Path, tmp_path: Path, addition: str, anchor: str, fragment: str
) -> None:
    page = explorer_copy / "explorer.md"
    page.write_text(page.read_text() + "\n" + addition + "\n")
    with pytest.raises(RenderError) as err:
        _build(explorer_copy, warehouse, tmp_path / "out")
    message = str(err.value)
    assert message.startswith(f"{page}:{_line(page, anchor)}: inputs "), message
    assert "can follow them (filtered in the browser)" in message
    assert fragment in message


def test_details_is_drawn_once_and_its_contents_follow_the_filter(
    explorer_copy: Path, warehouse: Path, tmp_path: Path
) -> None:
    page = explorer_copy / "explorer.md"
    page.write_text(
        page.read_text()
        + '\n<Details title="Again">\nAgain {explorer.length} rows.\n\n'
        + "<DataTable data={explorer} rows=5/>\n</Details>\n"
    )
    doc = _build(explorer_copy, warehouse, tmp_path / "out").pages[0].read_text()
    details = re.search(r"<details.*?</details>", doc, re.S).group(0)
    assert '<span class="atlas-live" data-filter="atlas-filter-1" data-live="count">60' in details
    assert 'data-query="explorer" data-filter="atlas-filter-1"' in details
    assert len(_scripts(doc, "atlas-filter")) == 1  # one row filter per query


def test_a_lower_cap_filters_in_the_browser_and_every_combination_matches_sql(
    explorer_copy: Path, warehouse: Path, tmp_path: Path
) -> None:
    """Three dropdowns, 6 x 7 x 5 = 210 combinations over a cap of 20: checked exhaustively."""
    page = explorer_copy / "explorer.md"
    text = page.read_text()
    text = re.sub(r"<Dropdown name=(category|language) .*?</Dropdown>\n", "", text, flags=re.S)
    text = text.replace(CATEGORY, "true").replace(
        "('${inputs.language.value}' = 'all' or language = '${inputs.language.value}')", "true"
    )
    page.write_text(text)
    summary = _build(explorer_copy, warehouse, tmp_path / "out", max_variants=20)
    doc = summary.pages[0].read_text()
    spec = json.loads(_scripts(doc, "atlas-filter")[0])
    names = [r[0] for r in json.loads(_scripts(doc, "atlas-table-data")[0])["cells"]]
    kinds, stages = _options(doc, "kind"), _options(doc, "stage")
    stars = [0, 10, 100, 1000, 10000]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for k, s, m in itertools.product(range(len(kinds)), range(len(stages)), range(5)):
            keep = set(range(spec["rows"]))
            for name, index in (("kind", k), ("stage", s), ("min_stars", m)):
                keep &= _rows(spec["inputs"][name][index], spec["rows"])
            expected = con.execute(
                "select full_name from marts.repository_facets"
                " where ($1 = 'All kinds' or kind = $1) and ($2 = 'All stages' or stage = $2)"
                " and stars >= $3",
                [kinds[k], stages[s], stars[m]],
            ).fetchall()
            assert sorted(names[i] for i in keep) == sorted(r[0] for r in expected)


def test_a_thousand_rows_and_forty_options_stay_small(tmp_path: Path) -> None:
    warehouse = build_warehouse(tmp_path / "big.duckdb", facets=1000)
    pages = tmp_path / "pages"
    shutil.copytree(PAGES, pages)
    shutil.rmtree(pages / "facets")
    summary = _build(pages, warehouse, tmp_path / "out")
    doc = summary.pages[0].read_text()
    spec = json.loads(_scripts(doc, "atlas-filter")[0])
    assert spec["rows"] == 1000
    assert sum(len(o) for o in spec["inputs"].values()) == 6 + 8 + 9 + 11 + 5
    assert len(_scripts(doc, "atlas-filter")[0]) < 8_000  # about 170 characters per option
    assert len(doc) < 400_000  # mostly the table itself, written once
    assert summary.queries_run < 600


def test_row_sets_use_the_shorter_encoding() -> None:
    assert encode(0b1010, 4) == [1, 3]
    dense = (1 << 100) - 1 - 1
    assert isinstance(encode(dense, 100), str)
    assert _rows(encode(dense, 100), 100) == set(range(1, 100))


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select a, b as score from t order by score desc nulls last, 1", [1, 0]),
        ("select t.a, t.b from t order by t.b", [1]),
        ("select a from t order by lower(a)", None),
        ("select a from t order by b", None),
        ("select a from t", None),
        ("select a from t order by a limit 3", [0]),
        ("with u as (select a from t) select a from u order by A", [0]),
    ],
)
def test_order_columns_are_read_from_duckdbs_parse_tree(sql: str, expected) -> None:
    with duckdb.connect() as con:
        con.execute("create table t (a varchar, b integer)")
        columns = [d[0] for d in con.execute(sql).description]
        assert order_columns(con, sql, columns) == expected
