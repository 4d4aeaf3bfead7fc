"""The dashboard pages (explorer, categories, repositories, owners) over the real warehouse.

The whole site is rendered once for this module from the mirror's warehouse; the tests read
what the build wrote (pages, tables) and compare it with the warehouse itself.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mlops_atlas.paths import PROJECT_ROOT
from mlops_atlas.render.formats import format_value
from mlops_atlas.render.links import LinkResolver, discover_routes, slugify
from mlops_atlas.render.page import parse_page
from mlops_atlas.render.queries import QueryRunner, Sources
from mlops_atlas.render.site import RenderSummary, page_context, render_site

PAGES = PROJECT_ROOT / "reports" / "pages"
SOURCES = PROJECT_ROOT / "reports" / "sources"
# The pages this suite covers; the paper (index.md) has its own tests.
DASHBOARD_PAGES = [
    "explorer.md",
    "categories/index.md",
    "categories/[category].md",
    "repos/[repo].md",
    "owners/index.md",
    "owners/[owner].md",
]


@dataclass
class Site:
    out: Path
    summary: RenderSummary
    warehouse: Path

    def sql(self, query: str, params: list[Any] | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(query, params or []).fetchall()


@pytest.fixture(scope="module")
def site(real_site, mirror_warehouse: Path) -> Site:
    out, summary = real_site
    return Site(out, summary, mirror_warehouse)


@dataclass
class Table:
    """A DataTable as the build wrote it: header titles and every row's raw values."""

    titles: list[str]
    cells: list[list[str]]
    keys: list[list[Any]]
    links: list[str | None]

    def column(self, title: str) -> list[Any]:
        i = self.titles.index(title)
        return [row[i] for row in self.keys]


def tables(page: Path) -> dict[str, Table]:
    """Every DataTable of a built page, by the query that feeds it."""
    text = page.read_text(encoding="utf-8")
    found: dict[str, Table] = {}
    pattern = (
        r'<div class="atlas-table"[^>]*data-query="(?P<query>\w+)"[^>]*>.*?<thead>(?P<head>.*?)'
        r'</thead>.*?<script type="application/json" class="atlas-table-data">(?P<data>.*?)'
        r"</script>"
    )
    for m in re.finditer(pattern, text, re.S):
        titles = [html.unescape(t) for t in re.findall(r"<button[^>]*>(.*?)</button>", m["head"])]
        data = json.loads(m["data"])
        keys = data.get("keys")
        if keys is None:  # a browser-filtered table: sort keys per column, None = its text
            columns = data["columnKeys"]
            keys = [
                [row[c] if columns[c] is None else columns[c][r] for c in range(len(titles))]
                for r, row in enumerate(data["cells"])
            ]
        found.setdefault(m["query"], Table(titles, data["cells"], keys, data["links"]))
    return found


def page_of(out: Path, folder: str, value: str) -> Path:
    """Where the build wrote the templated page `/<folder>/<value>`."""
    return out / folder / slugify(value) / "index.html"


# --- the whole site -------------------------------------------------------------------------


def test_every_page_renders(site: Site) -> None:
    static, _ = discover_routes(PAGES)
    built = {p.relative_to(site.out).parent.as_posix() for p in site.summary.pages}
    for route in static:
        assert (route.path or ".") in built, f"{route.source} was not built"
    assert site.summary.broken_links == []
    for page in site.summary.pages:
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!doctype html>") and "</html>" in text, page
    # Every study category and the explorer's key routes have a page.
    for category in ("all-in-one", "data pipeline", "infrastructure", "monitoring", "serving"):
        assert page_of(site.out, "categories", category).is_file(), category
    assert (site.out / "explorer" / "index.html").is_file()
    assert (site.out / "owners" / "index.html").is_file()


def _real_values(site: Site) -> dict[str, dict[str, str]]:
    """A real value for each templated page, chosen so that every one of its queries has rows:
    the repository with the most releases among those with monthly activity, the category with
    the most tools among those some tool also has as a second task, the owner with the most
    stars."""
    (repo,) = site.sql(
        """
        select r.full_name
        from marts.dim_repositories as r
        inner join marts.fct_releases as rel on rel.repository_id = r.repository_id
        inner join ml.ml_tool_categories as c on c.repository_id = r.repository_id
        where r.repository_id in (select repository_id from marts.fct_repository_activity_monthly)
        group by r.full_name
        order by count(*) desc, r.full_name
        limit 1
        """
    )[0]
    (category,) = site.sql(
        "select category from ml.ml_tool_categories where category <> 'unassigned'"
        " and category in (select secondary_category from ml.ml_tool_categories)"
        " group by 1 order by count(*) desc, 1 limit 1"
    )[0]
    (owner,) = site.sql(
        "select owner_login from marts.dim_owners order by stars desc nulls last limit 1"
    )[0]
    return {
        "repos/[repo].md": {"repo": repo},
        "categories/[category].md": {"category": category},
        "owners/[owner].md": {"owner": owner},
    }


def _contexts(site: Site) -> Iterator[tuple[str, Any]]:
    """A render context per dashboard page (templated pages with a real value), built by the
    renderer's own code: its page parser, query composer, runner and dropdown inputs."""
    static, templates = discover_routes(PAGES)
    runner = QueryRunner(site.warehouse, Sources.load(SOURCES))
    links = LinkResolver(static, templates)
    values = _real_values(site)
    try:
        for name in DASHBOARD_PAGES:
            page = parse_page(PAGES / name)
            yield name, page_context(page, runner, links, values.get(name, {}))
    finally:
        runner.close()


def test_every_query_of_the_dashboard_returns_rows(site: Site) -> None:
    empty: list[str] = []
    checked = 0
    for name, ctx in _contexts(site):
        for query, q in ctx.page.queries.items():
            checked += 1
            if not ctx.result(query, q.line).rows:
                empty.append(f"{name}: {query} {ctx.params}")
            # A query behind dropdowns has rows for each option on its own.
            for input_name in sorted(ctx.queries.inputs_of(query)):
                for i, (value, _) in enumerate(ctx.inputs[input_name].options):
                    bound = ctx.with_bindings({input_name: i})
                    if not bound.result(query, q.line).rows:
                        empty.append(f"{name}: {query} with {input_name}={value!r}")
    assert checked > 20
    assert empty == []


# --- explorer and repository pages ----------------------------------------------------------


def test_one_repository_page_per_explorer_row(site: Site) -> None:
    explorer = tables(site.out / "explorer" / "index.html")["repositories"]
    (repositories,) = site.sql("select count(*) from marts.dim_repositories")[0]
    # At its defaults ("all" everywhere, any stars) the explorer lists every repository.
    assert len(explorer.cells) == repositories
    names = explorer.column("Repository")
    assert len(set(names)) == len(names)
    built = sorted(p.parent.name for p in (site.out / "repos").glob("*/index.html"))
    assert len(built) == len(explorer.cells)
    assert built == sorted(slugify(n) for n in names)


def test_repository_contributions_add_up_to_its_score(site: Site) -> None:
    scores = dict(
        site.sql("select full_name, maturity_score from ml.ml_maturity where maturity_score > 0")
    )
    assert len(scores) > 900
    for full_name, score in scores.items():
        page = page_of(site.out, "repos", full_name)
        signals = tables(page)["signals"]
        assert len(signals.cells) == 12, full_name
        contributions = [c or 0.0 for c in signals.column("Contribution")]
        assert sum(contributions) == pytest.approx(score, abs=1e-9), full_name
        shown = re.search(
            r'Maturity score</div><div class="atlas-bigvalue-value">([^<]*)<',
            page.read_text(encoding="utf-8"),
        )
        assert shown and shown[1] == format_value(score, "num2"), full_name


def test_repository_page_shows_its_signals_and_stage(site: Site) -> None:
    full_name, stage, reason = site.sql(
        """
        select m.full_name, m.stage, m.stage_reason
        from ml.ml_maturity as m
        where m.repository_id in (select repository_id from marts.fct_repository_activity_monthly)
          and m.stage <> 'insufficient history'
        order by m.maturity_score desc
        limit 1
        """
    )[0]
    page = page_of(site.out, "repos", full_name)
    text = html.unescape(page.read_text(encoding="utf-8"))
    assert f"<h1>{full_name}</h1>" in text
    assert stage in text and reason in text
    assert f'href="https://github.com/{full_name}"' in text
    signals = tables(page)["signals"]
    expected = dict(
        site.sql(
            """
            select w.signal, w.weight
            from ml.ml_maturity_weights as w
            """
        )
    )
    assert dict(zip(signals.column("Signal"), signals.column("Weight"), strict=True)) == expected
    assert "atlas-chart" in text  # its monthly activity
    assert "releases" in tables(page)


# --- categories and owners ------------------------------------------------------------------


def test_category_page_lists_exactly_its_tools(site: Site) -> None:
    categories = [
        c for (c,) in site.sql("select distinct category from ml.ml_tool_categories order by 1")
    ]
    assert len(categories) >= 6
    for category in categories:
        tools = tables(page_of(site.out, "categories", category))["tools"]
        expected = {
            name
            for (name,) in site.sql(
                """
                select r.full_name
                from ml.ml_tool_categories as c
                inner join marts.dim_repositories as r on r.repository_id = c.repository_id
                where c.category = ?
                """,
                [category],
            )
        }
        shown = tools.column("Tool")
        assert len(shown) == len(expected), category
        assert set(shown) == expected, category
        # Scores are ranked within an evidence level only, the richest level first.
        levels, scores = tools.column("Evidence"), tools.column("Maturity")
        for level in set(levels) - {None}:
            mine = [
                s for lv, s in zip(levels, scores, strict=True) if lv == level and s is not None
            ]
            assert mine == sorted(mine, reverse=True), (category, level)
        order = [lv for lv in levels if lv is not None]
        assert order == sorted(order, key=lambda lv: -len(lv.split(" + "))), category


def test_category_index_counts_match_the_classifier(site: Site) -> None:
    overview = tables(site.out / "categories" / "index.html")["overview"]
    counts = dict(site.sql("select category, count(*) from ml.ml_tool_categories group by 1"))
    assert dict(zip(overview.column("Category"), overview.column("Tools"), strict=True)) == counts


def test_owner_pages_list_their_repositories(site: Site) -> None:
    key_players = tables(site.out / "owners" / "index.html")["key_players"]
    assert len(key_players.cells) >= 20
    for owner in key_players.column("Owner")[:10]:
        page = page_of(site.out, "owners", owner)
        repos = tables(page)["repositories"]
        expected = {
            n
            for (n,) in site.sql(
                "select full_name from marts.dim_repositories where owner_login = ?", [owner]
            )
        }
        assert set(repos.column("Repository")) == expected, owner


def test_repository_page_shows_data_as_text(mirror_warehouse: Path, tmp_path: Path) -> None:
    """Descriptions, cluster names and tags come from GitHub: shown escaped, never as markup."""
    script = "<script>alert(1)</script> & <b>bold</b>"
    warehouse = tmp_path / "atlas.duckdb"
    shutil.copy(mirror_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        (full_name,) = con.execute(
            """
            select r.full_name
            from marts.dim_repositories as r
            inner join ml.ml_tool_clusters as c on c.repository_id = r.repository_id
            inner join ml.ml_tool_categories as t on t.repository_id = r.repository_id
            inner join marts.fct_releases as rel on rel.repository_id = r.repository_id
            where t.category <> 'unassigned'
            order by r.stars desc
            limit 1
            """
        ).fetchone()
        con.execute(
            "update marts.dim_repositories set description = ? where full_name = ?",
            [script, full_name],
        )
        con.execute(
            "update ml.ml_tool_clusters set cluster_name = ? where full_name = ?",
            [script, full_name],
        )
        con.execute("update marts.fct_releases set tag_name = ?", [script])
    pages = tmp_path / "pages"
    (pages / "repos").mkdir(parents=True)
    shutil.copy(PAGES / "repos" / "[repo].md", pages / "repos")
    (pages / "index.md").write_text(f"[the repository](/repos/{full_name})\n", encoding="utf-8")
    out = tmp_path / "site"
    render_site(pages, warehouse, out, markdown_pages=(), sources_dir=SOURCES)
    page = page_of(out, "repos", full_name)
    text = page.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<b>bold" not in text
    assert text.count(html.escape(script)) >= 2  # description and cluster name
    assert tables(page)["releases"].column("Tag")[0] == script
