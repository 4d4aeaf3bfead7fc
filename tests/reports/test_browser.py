"""The built fixture site in real headless Chromium, served from 127.0.0.1 only."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlops_atlas.paths import PROJECT_ROOT
from tests.reports.browser import require_chromium, serve, watched_page

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture()
def served_site(built_site: tuple[Path, object]) -> Iterator[str]:
    with serve(built_site[0]) as url:
        yield url


@pytest.fixture()
def served_filter_site(filter_site: tuple[Path, object]) -> Iterator[str]:
    with serve(filter_site[0]) as url:
        yield url


@pytest.fixture()
def browser_page(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh Chromium page plus the console errors, outside requests and dialogs it saw."""
    require_chromium()
    shots = SCREENSHOTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    with watched_page(
        tmp_path / "profile", lambda name, n: shots / f"{n:02d}-{name}.png"
    ) as watched:
        yield watched


@pytest.mark.timeout(120)
def test_site_in_chromium(served_site: str, browser_page) -> None:
    page, seen, shot = browser_page
    page.goto(served_site)
    page.wait_for_selector(".atlas-chart svg.main-svg")
    page.wait_for_function("document.querySelectorAll('.atlas-chart .main-svg').length >= 3")
    assert page.locator(".atlas-chart").count() == 3
    # Each figure drew its traces: the horizontal bar chart has one bar per language.
    assert page.locator(".atlas-chart").nth(0).locator("g.point").count() == 5
    shot("index")

    region = page.locator(".atlas-region div.atlas-variant")
    filtered = region.locator(".atlas-table tbody tr")
    assert filtered.count() == 6
    assert "Showing 6 repositories for All languages" in page.inner_text("main")

    page.select_option("select[data-input=language]", label="Python")
    page.wait_for_function(
        "document.querySelector('.atlas-region .atlas-table tbody').rows.length === 2"
    )
    assert filtered.all_inner_texts()[0].startswith("acme/serve")
    assert "Showing 2 repositories for Python" in page.inner_text("main")
    page.select_option("select[data-input=language]", label="O'Caml")
    page.wait_for_function(
        "document.querySelector('.atlas-region .atlas-table tbody').rows.length === 1"
    )
    assert filtered.first.inner_text().startswith("gamma/monitor")
    shot("dropdown-ocaml")

    repos = page.locator(".atlas-table").first
    assert repos.locator("tbody tr").count() == 5  # rows=5, six repositories
    assert "page 1 of 2" in repos.locator(".atlas-pager").inner_text()
    repos.locator(".atlas-search").fill("alert")
    assert repos.locator("tbody tr").count() == 1
    # The description is shown as text, not run as script.
    assert repos.locator("tbody td").nth(1).inner_text() == "<script>alert(1)</script>"
    repos.locator(".atlas-search").fill("")
    repos.locator("th", has_text="Stars").locator("button").click()  # descending first
    repos.locator("th", has_text="Stars").locator("button").click()  # then ascending
    assert repos.locator("tbody tr").first.inner_text().startswith("nulls/none")
    shot("sorted-ascending")

    repos.locator(".atlas-search").fill("reilly")
    repos.locator("tbody a", has_text="O'Reilly/ml-book").click()
    page.wait_for_selector("h1")
    assert page.url.startswith(served_site + "repos/o-reilly-ml-book-")
    assert page.inner_text("h1") == "O'Reilly/ml-book"
    assert page.locator(".atlas-bigvalue-value").first.inner_text() == "800"
    assert "Examples for the O'Reilly book" in page.inner_text("main")
    shot("repository-page")

    page.click("nav a:has-text('About')")
    page.wait_for_url(served_site + "about/index.html")
    page.click("text=one repository")
    page.wait_for_selector(".atlas-chart .main-svg")
    assert page.inner_text("h1") == "acme/serve"
    shot("linked-from-about")

    assert seen["errors"] == []
    assert seen["outside"] == []
    assert seen["dialogs"] == []
    assert len(seen["shots"]) == 5


def _shown_rows(table) -> list[list[str]]:
    """Every row the table shows for its current filter, search and sort, page by page."""
    pager = table.locator(".atlas-pager")
    while (
        pager.locator("button", has_text="Prev").count()
        and pager.locator("button", has_text="Prev").is_enabled()
    ):
        pager.locator("button", has_text="Prev").click()
    rows: list[list[str]] = []
    while True:
        rows += table.locator("tbody tr").evaluate_all(
            "trs => trs.map(tr => Array.from(tr.cells).map(td => td.textContent))"
        )
        following = pager.locator("button", has_text="Next")
        if not following.count() or not following.is_enabled():
            return rows
        following.click()


def _facets(warehouse: Path, where: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select full_name, stars, maturity_score from marts.repository_facets"
            f" where {where} order by maturity_score desc nulls last"
        ).fetchall()


def _number(text: str) -> float:
    return float(text.replace(",", "")) if text else -1.0


def _check_filtered(page, table, warehouse: Path, where: str, column: int = 6) -> list[list[str]]:
    """The table, count and top value show exactly the rows SQL returns.

    Rows come in descending order of `column` (maturity, as the SQL sorts, unless a
    header was clicked); rows that tie may come in any order, as in DuckDB.
    """
    expected = _facets(warehouse, where)
    shown = _shown_rows(table)
    assert sorted(r[0] for r in shown) == sorted(r[0] for r in expected)
    keys = [_number(r[column]) for r in shown]
    assert keys == sorted(keys, reverse=True)
    assert page.locator(".atlas-live[data-live=count]").inner_text() == str(len(expected))
    assert table.locator(".atlas-pager").inner_text().startswith(f"{len(expected)} rows")
    top = page.locator(".atlas-value").inner_text()
    if not expected:
        assert top == "-"
        return shown
    # The most mature repository (one of those tied for the top score) and its stars.
    _, stars, _ = next(r for r in expected if r[2] == expected[0][2] and r[0] == top)
    assert page.locator(".atlas-bigvalue-value").inner_text() == f"{stars:,}"
    return shown


@pytest.mark.timeout(120)
def test_explorer_filters_rows_in_chromium(
    served_filter_site: str, browser_page, warehouse: Path
) -> None:
    page, seen, shot = browser_page
    page.goto(served_filter_site + "explorer/index.html")
    table = page.locator(".atlas-table")
    assert table.locator("tbody tr").count() == 10
    assert "60 rows · page 1 of 6" in table.locator(".atlas-pager").inner_text()
    _check_filtered(page, table, warehouse, "true")
    shot("explorer")

    # Two dropdowns: exactly the rows both keep (16 datasets, 45 with 10+ stars, 13 both).
    page.select_option("select[data-input=kind]", label="dataset")
    assert "of kind dataset;" in page.inner_text("main")  # a pre-rendered one-input region
    page.select_option("select[data-input=min_stars]", label="10+")
    shown = _check_filtered(page, table, warehouse, "kind = 'dataset' and stars >= 10")
    assert len(shown) == 13 and " of 2" in table.locator(".atlas-pager").inner_text()
    shot("kind-and-stars")

    # Sorting and searching work on the filtered rows.
    table.locator("th", has_text="Stars").locator("button").click()  # descending first
    by_stars = _check_filtered(page, table, warehouse, "kind = 'dataset' and stars >= 10", 5)
    assert sorted(by_stars) == sorted(shown)
    search = table.locator(".atlas-search")
    search.fill("reilly")
    assert [r[0] for r in _shown_rows(table)] == ["O'Reilly/facets"]
    search.fill("facet-xss")  # a platform: filtered out
    assert table.locator("tbody tr").count() == 0
    assert table.locator(".atlas-pager").inner_text().startswith("0 rows")
    shot("sorted-and-searched")

    # A third dropdown narrows further; going back to "All kinds" widens again.
    search.fill("")
    page.select_option("select[data-input=category]", label="training")
    where = "kind = 'dataset' and stars >= 10 and category = 'training'"
    _check_filtered(page, table, warehouse, where, column=5)  # still sorted by stars
    page.select_option("select[data-input=kind]", label="All kinds")
    _check_filtered(page, table, warehouse, "stars >= 10 and category = 'training'", column=5)
    page.select_option("select[data-input=category]", label="All categories")
    page.select_option("select[data-input=min_stars]", label="Any")
    search.fill("facet-xss")
    assert table.locator("tbody td").nth(7).inner_text() == "<script>alert(1)</script>"
    shot("script-as-text")

    # Links in filtered rows still work.
    page.select_option("select[data-input=kind]", label="dataset")
    search.fill("reilly")
    table.locator("tbody a", has_text="O'Reilly/facets").click()
    page.wait_for_selector("h1")
    assert page.url.startswith(served_filter_site + "facets/o-reilly-facets-")
    assert page.inner_text("h1") == "O'Reilly/facets"
    assert "is a dataset in stable: Examples for the O'Reilly book" in page.inner_text("main")
    shot("repository-page")

    assert seen["errors"] == []
    assert seen["outside"] == []
    assert seen["dialogs"] == []


# Boxes (left, top, right, bottom) of the parts of a plotly chart, as drawn.
_CHART_BOXES = """fig => {
  const boxes = sel => Array.from(fig.querySelectorAll(sel)).map(e => {
    const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  }).filter(b => b[2] > b[0] && b[3] > b[1]);
  return {
    figure: boxes('.main-svg'), legend: boxes('.legend .bg'), xtitle: boxes('.xtitle'),
    xticks: boxes('.xtick text'), plot: boxes('.nsewdrag'), title: boxes('.gtitle'),
  };
}"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.timeout(120)
def test_chart_legend_overlaps_nothing(served_site: str, browser_page) -> None:
    """The legend of a chart with several series clears the plot, ticks and axis title."""
    page, seen, _ = browser_page
    for width in (1200, 420):  # at 420 px the tick labels and legend crowd the foot
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(served_site)
        page.wait_for_function("document.querySelectorAll('.atlas-chart .main-svg').length >= 3")
        chart = page.locator(".atlas-chart").filter(has=page.locator(".legend"))
        assert chart.count() == 1  # stars gained per month, one line per repository
        chart.scroll_into_view_if_needed()
        boxes = chart.evaluate(_CHART_BOXES)
        (legend,), (xtitle,) = boxes["legend"], boxes["xtitle"]
        assert xtitle[3] <= legend[1]  # the axis title is above the legend
        figure = boxes["figure"][0]
        assert figure[1] <= legend[1] and legend[3] <= figure[3] + 0.5
        for part in ("xticks", "plot", "title", "xtitle"):
            assert not [b for b in boxes[part] if _overlap(b, legend)], (width, part)
        chart.screenshot(
            path=str(SCREENSHOTS / "test_chart_legend_overlaps_nothing" / f"{width}.png")
        )
    assert seen["errors"] == []
