"""Fixtures for the report renderer: a small real DuckDB warehouse and the fixture pages."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import duckdb
import pytest

FIXTURES = Path(__file__).parent / "fixtures"

REPOSITORIES = [
    # repo_full_name, description, language, stars, forks, created_date
    ("acme/serve", "Serve models fast 🚀", "Python", 5000, 300, "2020-01-15"),
    ("beta/track", "Track experiments & metrics", "Python", 2500, 120, "2021-03-02"),
    ("evil/xss", "<script>alert(1)</script>", "JavaScript", 1200, 50, "2022-07-09"),
    ("O'Reilly/ml-book", "Examples for the O'Reilly book", "Jupyter Notebook", 800, 200, None),
    ("gamma/monitor", "Monitor drift", "O'Caml", 300, 12, "2023-05-30"),
    ("nulls/none", None, None, 10, None, "2024-01-01"),
]
STARS_MONTHLY = [
    ("acme/serve", "2024-01-01", 100),
    ("acme/serve", "2024-02-01", 150),
    ("acme/serve", "2024-03-01", 90),
    ("beta/track", "2024-01-01", 40),
    ("beta/track", "2024-02-01", 60),
    ("beta/track", "2024-03-01", 80),
]
# Facets of the explorer fixture (tests/reports/fixtures/filters): kind, category, stage,
# language and stars per repository, drawn from a fixed seed so tests can count on them.
KINDS = ["library", "tool", "platform", "framework", "dataset"]
CATEGORIES = ["serving", "training", "tracking", "monitoring", "data", "labeling", "search"]
STAGES = ["idea", "alpha", "beta", "growth", "stable", "mature", "legacy", "archived"]
LANGUAGES = ["Python", "Go", "Rust", "JavaScript", "O'Caml", "C++", "Java", "Julia", "R", "Scala"]


def facet_rows(count: int) -> list[tuple]:
    """(full_name, kind, category, stage, language, stars, maturity_score, description).

    The first `count // 10` kinds, categories, stages and languages are used (at least
    4, 5, 4 and 5), so a small table has few options; maturity scores tie often and are
    sometimes null; a description holds a script tag and a name holds a quote.
    """
    rng = random.Random(20240601)
    width = max(1, count // 10)
    kinds, cats = KINDS[: max(4, width)], CATEGORIES[: max(5, width)]
    stages, langs = STAGES[: max(4, width)], LANGUAGES[: max(5, width)]
    rows = []
    for i in range(count):
        name = f"org{i % 9}/facet-{i:04d}"
        description = f"Repository number {i} of the facet fixture"
        if i == 3:
            name, description = "O'Reilly/facets", "Examples for the O'Reilly book"
        elif i == 7:
            name, description = "evil/facet-xss", "<script>alert(1)</script>"
        score = None if rng.random() < 0.25 else round(rng.random(), 1)
        rows.append(
            (
                name,
                rng.choice(kinds),
                rng.choice(cats),
                rng.choice(stages),
                None if rng.random() < 0.1 else rng.choice(langs),
                int(10 ** rng.uniform(0, 4.7)),
                score,
                description,
            )
        )
    return rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    # One parameterised statement (executemany would import pandas, slowing every run).
    row = "(" + ", ".join("?" * len(rows[0])) + ")"
    values = [v for r in rows for v in r]
    con.execute(f"insert into {table} values " + ", ".join([row] * len(rows)), values)


def build_warehouse(path: Path, facets: int = 60) -> Path:
    """Write the fixture warehouse: `marts.dim_repositories`, a monthly stars fact and
    `marts.repository_facets` with `facets` generated rows."""
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_repositories (repo_full_name varchar, description varchar,"
            " language varchar, stars integer, forks integer, created_date date)"
        )
        _insert(con, "marts.dim_repositories", REPOSITORIES)
        con.execute(
            "create table marts.fct_repository_stars_monthly"
            " (repo_full_name varchar, month_date date, stars_gained integer)"
        )
        _insert(con, "marts.fct_repository_stars_monthly", STARS_MONTHLY)
        con.execute(
            "create table marts.repository_facets (full_name varchar, kind varchar,"
            " category varchar, stage varchar, language varchar, stars integer,"
            " maturity_score double, description varchar)"
        )
        rows = facet_rows(facets)
        for start in range(0, len(rows), 500):
            _insert(con, "marts.repository_facets", rows[start : start + 500])
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("warehouse") / "atlas.duckdb")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the fixture pages and sources that a test may edit."""
    root = tmp_path / "reports"
    shutil.copytree(FIXTURES / "pages", root / "pages")
    shutil.copytree(FIXTURES / "sources", root / "sources")
    return root


@pytest.fixture(scope="session")
def built_site(warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The fixture site rendered once per session (several tests read it)."""
    from mlops_atlas.render import render_site

    out = tmp_path_factory.mktemp("site") / "build"
    summary = render_site(FIXTURES / "pages", warehouse, out, markdown_pages=("index", "about"))
    return out, summary


@pytest.fixture(scope="session")
def filter_site(warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The explorer fixture (five dropdowns, 4,500 combinations) rendered once per session."""
    from mlops_atlas.render import render_site

    out = tmp_path_factory.mktemp("filters") / "build"
    summary = render_site(
        FIXTURES / "filters" / "pages",
        warehouse,
        out,
        markdown_pages=("explorer",),
        sources_dir=FIXTURES / "sources",
    )
    return out, summary


@pytest.fixture()
def build_page(project: Path, warehouse: Path, tmp_path: Path):
    """Add `pages/<name>.md` and build the site, with the page's markdown copy, into
    `tmp_path/out`; the page's HTML."""
    from mlops_atlas.render import render_site

    def build(name: str, text: str) -> str:
        (project / "pages" / f"{name}.md").write_text(text)
        render_site(project / "pages", warehouse, tmp_path / "out", markdown_pages=(name,))
        return (tmp_path / "out" / name / "index.html").read_text()

    return build
