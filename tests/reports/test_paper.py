"""The paper (reports/pages/index.md) rendered from the real warehouse built from the mirror.

The site is rendered once per module, with every page of the project (the dashboard pages
render too), and the paper's numbers are checked against the marts queried here directly.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest

from ml.labels.provenance import CURATED_STATEMENT, LABELS_STATEMENT
from mlops_atlas.paths import PROJECT_ROOT
from mlops_atlas.render.formats import format_value
from mlops_atlas.render.page import parse_page
from mlops_atlas.render.queries import PageQueries, QueryRunner, Sources
from mlops_atlas.render.site import render_site

PAGES = PROJECT_ROOT / "reports" / "pages"
SOURCES = PROJECT_ROOT / "reports" / "sources"
PAPER = PAGES / "index.md"
SCRIPT = '<script>alert("atlas")</script>'


@pytest.fixture(scope="module")
def site(real_site):
    return real_site


@pytest.fixture(scope="module")
def html(site) -> str:
    return (site[0] / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def markdown(site) -> str:
    return (site[0] / "markdown" / "index.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def marts(mirror_warehouse: Path):
    con = duckdb.connect(str(mirror_warehouse), read_only=True)
    yield con
    con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def _text(html: str) -> str:
    """Visible text of the HTML with tags dropped and whitespace collapsed."""
    text = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return " ".join(text.split())


def test_paper_renders_with_its_sections(site, html: str) -> None:
    out, summary = site
    assert out / "index.html" in summary.pages
    assert "<h1>The open-source MLOps ecosystem, measured again</h1>" in html
    for heading in (
        "Abstract",
        "1. Data and method",
        "2. The ecosystem at a glance",
        "3. Growth",
        "4. What the repositories are",
        "5. Task categories",
        "6. Maturity",
        "7. Key players",
        "8. Did maturity predict survival?",
        "9. Reproducing the 2023 study",
        "10. Limitations",
    ):
        assert f"<h2>{heading}</h2>" in html, heading


def test_every_query_of_the_paper_returns_rows(mirror_warehouse: Path) -> None:
    page = parse_page(PAPER)
    queries = PageQueries(page)
    assert len(page.queries) >= 40
    runner = QueryRunner(mirror_warehouse, Sources.load(SOURCES))
    try:
        empty = [name for name in page.queries if not runner.run(queries.sql(name, {}, {})).rows]
    finally:
        runner.close()
    assert empty == []


def test_headline_numbers_equal_the_marts(markdown: str, marts) -> None:
    repositories = _one(marts, "select count(*) from marts.dim_repositories")
    assert f"**{format_value(repositories, 'num0')} repositories**" in markdown

    median_stars = _one(marts, "select median(stars) from marts.dim_repositories")
    assert f"The median repository has {format_value(median_stars, 'num0')} stars" in markdown

    share, low, high = marts.execute(
        "select share_corrected, share_corrected_low, share_corrected_high"
        " from ml.ml_kind_shares where kind = 'learning_material'"
    ).fetchone()
    flat = " ".join(markdown.split())
    assert f"**{format_value(share, 'pct1')}** of the ecosystem" in flat
    assert f"interval {format_value(low, 'pct1')} to {format_value(high, 'pct1')}" in flat

    inflection = _one(
        marts,
        "select strftime(inflection_month, '%B %Y') from ml.ml_ecosystem_curve where topic = 'all'",
    )
    assert f"**{inflection}**" in markdown

    score_auc, recency_auc, n, low, high = marts.execute(
        "select max(roc_auc) filter (where predictor = 'maturity_score'),"
        " max(roc_auc) filter (where predictor = 'months_since_last_commit'),"
        " max(n) filter (where predictor = 'maturity_score'),"
        " max(difference_low) filter (where predictor = 'maturity_score'),"
        " max(difference_high) filter (where predictor = 'maturity_score')"
        " from ml.ml_backtest_summary where row_type = 'auc' and origin_label = 'pooled'"
        " and population = 'all' and outcome = 'maintained'"
    ).fetchone()
    assert (
        f"(AUC {format_value(score_auc, 'num2')} against {format_value(recency_auc, 'num2')},"
        f" {format_value(n, 'num0')} repository-origins)" in flat
    )
    verdict = "worse than" if high < 0 else "better than" if low > 0 else "no better than"
    assert f"still maintained a year later {verdict} the date of their last commit" in flat

    k, silhouette = marts.execute(
        "select max(run__k), max(run__silhouette) from ml.ml_tool_clusters"
    ).fetchone()
    assert (
        f"The best k was **{k}**, with a silhouette of **{format_value(silhouette, 'num3')}**"
        in flat
    )

    with_history = _one(marts, "select count(*) from marts.dim_repositories where has_git_history")
    assert f"Only {format_value(with_history, 'num0')} of" in flat


def test_kind_and_category_figures_equal_the_model_tables(markdown: str, marts) -> None:
    flat = " ".join(markdown.split())
    n, accuracy, tool = marts.execute(
        """
        select max(n) filter (where kind = 'all'), max(accuracy) filter (where kind = 'all'),
               max(accuracy) filter (where kind = 'tool_vs_not')
        from ml.ml_kind_metrics
        where evaluation = 'test' and features = 'with_readme' and repositories = 'all'
        """
    ).fetchone()
    assert f"On the {format_value(n, 'num0')} held-out repositories it is right for" in flat
    assert f"**{format_value(accuracy, 'pct0')}**" in flat
    assert f"a tool from everything else for **{format_value(tool, 'pct0')}**" in flat
    n, accuracy, coverage = marts.execute(
        """
        select n, accuracy, coverage from ml.ml_category_metrics
        where row_type = 'summary' and evaluation = 'test' and features = 'with_readme'
          and repositories = 'all'
        """
    ).fetchone()
    assert f"**On the held-out test split** ({format_value(n, 'num0')} tools)" in flat
    assert f"gives the labelled primary category to **{format_value(accuracy, 'pct0')}**" in flat
    assert f"answering for {format_value(coverage, 'pct0')}" in flat
    for category, tools in marts.execute(
        "select category, count(*) from ml.ml_tool_categories group by 1"
    ).fetchall():
        assert f"[{category}](" in markdown and f"): {tools} tools," in flat, category


def test_the_paper_states_how_the_labels_were_made(html: str) -> None:
    text = unescape(_text(html))
    assert " ".join(LABELS_STATEMENT.split()) in text
    assert " ".join(CURATED_STATEMENT.split()) in text


def test_no_readme_text_reaches_the_site(site, mirror_warehouse: Path) -> None:
    """README texts are used as features, never republished: no cleaned README passage of any
    length worth quoting appears on any page of the site."""
    with duckdb.connect(str(mirror_warehouse), read_only=True) as con:
        texts = [
            t
            for (t,) in con.execute(
                "select readme_text from intermediate.int_readmes_cleaned where readme_chars >= 400"
            ).fetchall()
        ]
    assert texts
    pages = [p.read_text(encoding="utf-8") for p in site[0].rglob("*.html")]
    pages += [p.read_text(encoding="utf-8") for p in site[0].rglob("*.md")]
    corpus = " ".join(" ".join(pages).split())
    for text in texts:
        words = text.split()
        passage = " ".join(words[len(words) // 2 : len(words) // 2 + 12])
        assert passage not in corpus, passage


def test_reproduction_table_sets_the_study_beside_the_archive(html: str, marts) -> None:
    study = dict(
        marts.execute(
            "select figure_id, study_value from reference.study_2023_reported"
            " where figure_kind = 'count'"
        ).fetchall()
    )
    assert study["search_total_mlops"] == 1103
    total, items = marts.execute(
        "select total_count, items from raw_github.search_queries where search_topic = 'mlops'"
    ).fetchone()
    text = _text(html)
    assert f"1,103 repositories {format_value(total, 'num0')}" in text
    assert f"1,000 repositories {format_value(items, 'num0')}" in text


def test_markdown_copy_has_its_svg_figures(site, markdown: str) -> None:
    out = site[0]
    figures = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.svg)\)", markdown)
    assert len(figures) >= 10
    for figure in figures:
        svg = (out / "markdown" / figure).read_text(encoding="utf-8")
        assert "<svg" in svg
    leftover = re.findall(r"\{[#:/]?[A-Za-z_][^}]*\}", markdown)
    assert leftover == [], "expressions left unrendered"


def test_every_link_of_the_paper_leads_to_a_built_page(site, html: str) -> None:
    out = site[0]
    hrefs = re.findall(r'href="([^"]+)"', html)
    internal = [h for h in hrefs if not urlsplit(h).scheme and not h.startswith("#")]
    assert any("repos/" in h for h in internal)
    assert any("owners/" in h for h in internal)
    assert any("categories/" in h for h in internal)
    missing = [h for h in internal if not (out / unquote(urlsplit(h).path)).resolve().is_file()]
    assert missing == []


def test_values_from_github_are_escaped(mirror_warehouse: Path, tmp_path: Path) -> None:
    """Hostile repository text and topics show as text, never as markup, in both outputs."""
    warehouse = tmp_path / "atlas.duckdb"
    shutil.copy(mirror_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(f"update marts.dim_repositories set description = '{SCRIPT}'")
        con.execute(
            f"update marts.fct_topics set topic = '{SCRIPT}' where topic = 'machine-learning'"
        )
        con.execute(f"update ml.ml_cluster_terms set term = '{SCRIPT}' where rank = 1")
    finally:
        con.close()
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(PAPER, pages / "index.md")
    out = tmp_path / "site"
    render_site(pages, warehouse, out, sources_dir=SOURCES)
    html = (out / "index.html").read_text(encoding="utf-8")
    markdown = (out / "markdown" / "index.md").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert" in html
    assert "<script>alert" not in html
    assert "<script>alert" not in markdown
