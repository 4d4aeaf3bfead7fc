"""Fixtures for the report renderer: a small real DuckDB warehouse and the fixture pages."""

from __future__ import annotations

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


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    # One parameterised statement (executemany would import pandas, slowing every run).
    row = "(" + ", ".join("?" * len(rows[0])) + ")"
    values = [v for r in rows for v in r]
    con.execute(f"insert into {table} values " + ", ".join([row] * len(rows)), values)


def build_warehouse(path: Path) -> Path:
    """Write the fixture warehouse: `marts.dim_repositories` and a monthly stars fact."""
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
    from reports.render import render_site

    out = tmp_path_factory.mktemp("site") / "build"
    summary = render_site(FIXTURES / "pages", warehouse, out, markdown_pages=("index", "about"))
    return out, summary
