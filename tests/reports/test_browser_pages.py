"""The real site (paper and dashboard, rendered from the mirror's warehouse) in headless
Chromium, served from 127.0.0.1 only.

Screenshots go to test-artifacts/screenshots/pages/ (git-ignored); the closing note cites
that folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from mlops_atlas.paths import PROJECT_ROOT
from mlops_atlas.render.links import slugify
from tests.reports.browser import require_chromium, serve, watched_page

PAGES = PROJECT_ROOT / "reports" / "pages"
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots" / "pages"


@pytest.fixture(scope="module")
def served(real_site) -> Iterator[str]:
    require_chromium()
    out, _ = real_site
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    with serve(out) as url:
        yield url


def _sql(warehouse: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(query).fetchall()


@pytest.fixture()
def browser(tmp_path: Path):
    """A fresh Chromium page, the console errors and outside requests it saw, and `shot`."""
    with watched_page(
        tmp_path / "profile", lambda name, _: SCREENSHOTS / f"{name}.png", width=1280
    ) as (page, seen, shot):
        yield page, seen, shot
    assert seen["errors"] == []
    assert seen["outside"] == []
    assert seen["dialogs"] == []


def _charts_drawn(page) -> int:
    """Wait until every chart on the page has its plotly SVG; the number of charts."""
    charts = page.locator(".atlas-chart").count()
    if charts:
        page.wait_for_function(
            "n => document.querySelectorAll('.atlas-chart svg.main-svg').length >= n", arg=charts
        )
    return charts


def _rows_shown(table) -> int:
    """The row count the table's pager states ("1,009 rows · page 1 of 41")."""
    return int(table.locator(".atlas-pager").inner_text().split(" rows")[0].replace(",", ""))


def _explorer_count(warehouse: Path, where: str) -> int:
    return _sql(
        warehouse,
        f"""
        select count(*)
        from marts.dim_repositories as r
        left join ml.ml_repository_kind as k on k.repository_id = r.repository_id
        left join ml.ml_tool_categories as c on c.repository_id = r.repository_id
        left join ml.ml_maturity as m on m.repository_id = r.repository_id
        where {where}
        """,
    )[0][0]


@pytest.mark.timeout(300)
def test_pages_draw_in_chromium(served: str, browser, mirror_warehouse: Path) -> None:
    page, _, shot = browser
    if (PAGES / "index.md").exists():
        page.goto(served)
        assert _charts_drawn(page) >= 1
        shot("paper")

    page.goto(served + "explorer/index.html")
    table = page.locator(".atlas-table")
    assert table.locator("tbody tr").count() == 25
    assert _rows_shown(table) == _explorer_count(mirror_warehouse, "true")
    shot("explorer")

    page.goto(served + "categories/index.html")
    assert _charts_drawn(page) >= 2
    shot("categories")
    page.locator(".atlas-table").get_by_role("link", name="serving", exact=True).click()
    page.wait_for_url(f"{served}categories/serving/index.html")
    assert page.inner_text("h1") == "serving"
    assert _charts_drawn(page) >= 3
    shot("category-serving")

    page.goto(served + "owners/index.html")
    assert _charts_drawn(page) == 2
    shot("owners")
    first = page.locator(".atlas-table tbody a").first
    owner = first.inner_text()
    first.click()
    page.wait_for_url(f"{served}owners/{slugify(owner)}/index.html")
    assert page.inner_text("h1") == owner
    assert page.locator(".atlas-table tbody tr").count() >= 1
    shot("owner")


@pytest.mark.timeout(300)
def test_explorer_dropdowns_filter_the_table(served: str, browser, mirror_warehouse: Path) -> None:
    page, _, shot = browser
    page.goto(served + "explorer/index.html")
    table = page.locator(".atlas-table")
    count = page.locator(".atlas-live[data-live=count]")

    def check(where: str) -> int:
        expected = _explorer_count(mirror_warehouse, where)
        assert _rows_shown(table) == expected, where
        assert count.inner_text().replace(",", "") == str(expected), where
        return expected

    everything = check("true")
    page.select_option("select[data-input=kind]", label="tool")
    tools = check("k.kind = 'tool'")
    assert 0 < tools < everything
    page.select_option("select[data-input=min_stars]", label="1,000+")
    popular_tools = check("k.kind = 'tool' and coalesce(r.stars, 0) >= 1000")
    assert 0 < popular_tools < tools
    page.select_option("select[data-input=language]", label="Python")
    check("k.kind = 'tool' and coalesce(r.stars, 0) >= 1000 and r.language = 'Python'")
    shot("explorer-filtered")
    # Every shown row obeys the filters: a tool with at least 1,000 stars.
    cells = table.locator("tbody tr").evaluate_all(
        "trs => trs.map(tr => Array.from(tr.cells).map(td => td.textContent))"
    )
    assert cells and all(row[2] == "tool" for row in cells)
    assert all(int(row[6].replace(",", "")) >= 1000 for row in cells)

    page.select_option("select[data-input=language]", label="All languages")
    page.select_option("select[data-input=min_stars]", label="Any")
    page.select_option("select[data-input=category]", label="serving")
    check("k.kind = 'tool' and c.category = 'serving'")
    page.select_option("select[data-input=kind]", label="All kinds")
    page.select_option("select[data-input=stage]", label="trough of disillusionment")
    check("c.category = 'serving' and m.stage = 'trough of disillusionment'")
    page.select_option("select[data-input=category]", label="All categories")
    page.select_option("select[data-input=stage]", label="All stages")
    assert check("true") == everything


@pytest.mark.timeout(300)
def test_explorer_link_opens_the_repository_page(
    served: str, browser, mirror_warehouse: Path
) -> None:
    page, _, shot = browser
    # The most mature repository with a commit history: its page has every section.
    (full_name,) = _sql(
        mirror_warehouse,
        """
        select full_name
        from ml.ml_maturity
        where repository_id in (select repository_id from marts.fct_repository_activity_monthly)
        order by maturity_score desc, full_name
        limit 1
        """,
    )[0]
    page.goto(served + "explorer/index.html")
    table = page.locator(".atlas-table")
    table.locator(".atlas-search").fill(full_name)
    table.get_by_role("link", name=full_name, exact=True).click()
    page.wait_for_url(f"{served}repos/{slugify(full_name)}/index.html")
    assert page.inner_text("h1") == full_name
    assert _charts_drawn(page) == 2  # monthly commits; authors and releases
    main = page.inner_text("main")
    for heading in ("What it is", "Maturity score", "Activity", "Lifecycle stage", "Releases"):
        assert heading in main
    assert page.locator(f'a[href="https://github.com/{full_name}"]').count() == 1
    shot("repository")

    owner = full_name.split("/")[0]
    page.locator("main").get_by_role("link", name=owner, exact=True).click()
    page.wait_for_url(f"{served}owners/{slugify(owner)}/index.html")
    assert page.inner_text("h1") == owner
    assert page.locator(".atlas-table").get_by_role("link", name=full_name, exact=True).count() == 1
