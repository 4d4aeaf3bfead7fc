"""The real site (paper and dashboard, rendered from the mirror's warehouse) in headless
Chromium, served from 127.0.0.1 only.

Screenshots go to test-artifacts/screenshots/pages/ (git-ignored); the first screen of the
paper and of the explorer also to test-artifacts/screenshots/readme/, as the JPEGs the README
shows (docs/screenshots/ holds the copies taken from there).
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
README_SHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots" / "readme"


def _first_screen(page, name: str) -> None:
    """What a reader sees on opening the page, small enough to commit beside the README."""
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(README_SHOTS / f"{name}.jpg"), type="jpeg", quality=70)


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
        _first_screen(page, "paper")

    page.goto(served + "explorer/index.html")
    table = page.locator(".atlas-table")
    assert table.locator("tbody tr").count() == 25
    assert _rows_shown(table) == _explorer_count(mirror_warehouse, "true")
    shot("explorer")
    _first_screen(page, "explorer")

    page.goto(served + "categories/index.html")
    assert _charts_drawn(page) >= 2
    shot("categories")
    page.locator(".atlas-table").get_by_role("link", name="serving", exact=True).click()
    page.wait_for_url(f"{served}categories/serving/index.html")
    assert page.inner_text("h1") == "serving"
    assert _charts_drawn(page) >= 3
    shot("category-serving")

    page.goto(served + "owners/index.html")
    assert _charts_drawn(page) == 3  # maintainers, stars, repositories
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


# Pages and interactions a practitioner uses: the hype cycle, the evidence filter, the CSV
# downloads, the ecosystem over time and who builds it.

ON_CYCLE = "select series from reference.report_palette where palette = 'stage' and is_cycle_phase"


def _cycle_points(page) -> list[dict]:
    """The hype-cycle figure's traces after the curve: name, points, labels, links."""
    return page.evaluate(
        """() => document.querySelector('.atlas-chart-cycle .atlas-plot').data.slice(1)
            .map(t => ({name: t.name, n: t.x.length, text: t.text || [],
                        links: t.customdata || []}))"""
    )


def _tools_on_cycle(warehouse: Path, category: str | None = None) -> dict[str, int]:
    where = "" if category is None else f"and c.category = '{category}'"
    return dict(
        _sql(
            warehouse,
            f"""
            select c.category, count(*)
            from ml.ml_tool_categories as c
            inner join ml.ml_maturity as m on m.repository_id = c.repository_id
            where m.stage in ({ON_CYCLE}) {where}
            group by c.category
            """,
        )
    )


def _download(page, table) -> list[dict[str, str]]:
    """Click the table's Download CSV button; the file's rows as dicts."""
    import csv
    import io

    with page.expect_download() as info:
        table.locator(".atlas-download").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.timeout(300)
def test_hype_cycle_draws_the_staged_tools_and_links_them(
    served: str, browser, mirror_warehouse: Path
) -> None:
    page, _, shot = browser
    page.goto(served + "hype-cycle/index.html")
    assert _charts_drawn(page) == 2  # the cycle and the count per stage
    traces = _cycle_points(page)
    assert {t["name"]: t["n"] for t in traces} == _tools_on_cycle(mirror_warehouse)
    # The twelve most starred tools on the cycle are named, each linking to its page.
    top = _sql(
        mirror_warehouse,
        f"""
        select r.full_name
        from ml.ml_tool_categories as c
        inner join ml.ml_maturity as m on m.repository_id = c.repository_id
        inner join marts.dim_repositories as r on r.repository_id = c.repository_id
        where m.stage in ({ON_CYCLE})
        order by r.stars desc nulls last, r.full_name
        limit 12
        """,
    )
    named = {text for t in traces for text in t["text"] if text}
    assert named == {name.split("/")[1] for (name,) in top}
    links = [link for t in traces for link in t["links"]]
    assert all(link and link.startswith("../repos/") for link in links)
    # The count per stage, the share without a stage said in words and not drawn.
    stages = page.locator(".atlas-table[data-query=stage_counts]")
    counted = {
        row["stage"]: int(row["tools"])
        for row in _download(page, stages)  # the CSV is the table's query, every row
    }
    expected = dict(
        _sql(
            mirror_warehouse,
            """
            select p.series, count(m.repository_id)
            from reference.report_palette as p
            left join (
                ml.ml_maturity as m
                inner join ml.ml_tool_categories as c on c.repository_id = m.repository_id
            ) on m.stage = p.series
            where p.palette = 'stage' and p.series <> 'insufficient history'
            group by p.series
            """,
        )
    )
    assert counted == expected
    (no_stage,) = _sql(
        mirror_warehouse,
        """
        select count(*) from ml.ml_tool_categories as c
        inner join ml.ml_maturity as m using (repository_id)
        where m.stage = 'insufficient history'
        """,
    )[0]
    assert f"{no_stage:,} (" in page.inner_text("main")
    shot("hype-cycle")

    # One category: the figure redraws with that category's tools only.
    page.select_option("select[data-input=category]", label="serving")
    page.wait_for_function(
        "() => document.querySelector('.atlas-chart-cycle svg.main-svg') !== null"
    )
    traces = _cycle_points(page)
    assert {t["name"]: t["n"] for t in traces} == _tools_on_cycle(mirror_warehouse, "serving")
    shot("hype-cycle-serving")

    # A click on a named point opens that tool's page: the named point farthest from any other
    # along the curve, so the click cannot land on a neighbour.
    xs = page.evaluate(
        "() => document.querySelector('.atlas-chart-cycle .atlas-plot').data.slice(1)"
        ".map(t => Array.from(t.x))"
    )
    points = [(x, i, j) for i, row in enumerate(xs) for j, x in enumerate(row)]
    trace, index = max(
        ((i, j) for _, i, j in points if traces[i]["text"][j]),
        key=lambda ij: min(abs(xs[ij[0]][ij[1]] - x) for x, i, j in points if (i, j) != ij),
    )
    link = traces[trace]["links"][index]
    page.locator(".atlas-chart-cycle").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([i, j]) => {
            const p = document.querySelector('.atlas-chart-cycle .atlas-plot');
            const t = p.data[i + 1], L = p._fullLayout, box = p.getBoundingClientRect();
            return [box.left + L._size.l + L.xaxis.l2p(t.x[j]),
                    box.top + L._size.t + L.yaxis.l2p(t.y[j])];
        }""",
        [trace, index],
    )
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_url("**/repos/**")
    assert page.url.endswith(link.removeprefix(".."))
    assert "Over time" in page.inner_text("main")


@pytest.mark.timeout(300)
def test_explorer_evidence_filter_and_download(
    served: str, browser, mirror_warehouse: Path
) -> None:
    page, _, shot = browser
    page.goto(served + "explorer/index.html")
    table = page.locator(".atlas-table")
    # Like with like: the default order lists the richest evidence level first.
    (richest,) = _sql(
        mirror_warehouse,
        "select evidence_level from ml.ml_maturity group by 1 order by max(signals_used) desc limit 1",
    )[0]
    first = table.locator("tbody tr").first.evaluate(
        "tr => Array.from(tr.cells).map(c => c.textContent)"
    )
    assert richest in first
    levels = [
        level
        for (level,) in _sql(
            mirror_warehouse, "select distinct evidence_level from ml.ml_maturity order by 1"
        )
    ]
    assert len(levels) >= 2
    for level in levels:
        page.select_option("select[data-input=evidence]", label=level)
        expected = _explorer_count(mirror_warehouse, f"m.evidence_level = '{level}'")
        assert _rows_shown(table) == expected, level
    level = levels[-1]
    page.select_option("select[data-input=evidence]", label=level)
    page.select_option("select[data-input=kind]", label="tool")
    where = f"m.evidence_level = '{level}' and k.kind = 'tool'"
    expected = _explorer_count(mirror_warehouse, where)
    assert 0 < expected == _rows_shown(table)
    shot("explorer-evidence")
    # The download holds the query's rows the filters keep, every column of the query.
    rows = _download(page, table)
    names = {
        n
        for (n,) in _sql(
            mirror_warehouse,
            f"""
            select r.full_name
            from marts.dim_repositories as r
            left join ml.ml_repository_kind as k on k.repository_id = r.repository_id
            left join ml.ml_tool_categories as c on c.repository_id = r.repository_id
            left join ml.ml_maturity as m on m.repository_id = r.repository_id
            where {where}
            """,
        )
    }
    assert len(rows) == expected and {r["full_name"] for r in rows} == names
    assert {"evidence_level", "coverage", "score_low", "score_high", "repo_link"} <= set(rows[0])
    assert {r["evidence_level"] for r in rows} == {level}


@pytest.mark.timeout(300)
def test_over_time_and_a_tools_dates(served: str, browser, mirror_warehouse: Path) -> None:
    page, _, shot = browser
    page.goto(served + "over-time/index.html")
    assert _charts_drawn(page) == 2
    per_date = _sql(
        mirror_warehouse,
        "select snapshot_at, count(*) from ml.ml_timeline group by 1 order by 1",
    )
    assert len(per_date) >= 2
    rows = _download(page, page.locator(".atlas-table[data-query=ecosystem]"))
    assert [int(r["repositories"]) for r in rows] == [n for _, n in per_date]
    shot("over-time")
    # A tool's page shows its stage and score at each date.
    full_name, dates = _sql(
        mirror_warehouse,
        """
        select t.full_name, count(*)
        from ml.ml_timeline as t
        inner join marts.dim_repositories as r using (repository_id)
        where t.stage <> 'insufficient history'
        group by t.full_name, r.stars
        order by r.stars desc, t.full_name
        limit 1
        """,
    )[0]
    page.goto(served + f"repos/{slugify(full_name)}/index.html")
    timeline = page.locator(".atlas-table[data-query=timeline]")
    assert timeline.locator("tbody tr").count() == dates
    stages = _sql(
        mirror_warehouse,
        f"select stage from ml.ml_timeline where full_name = '{full_name}' order by snapshot_at",
    )
    cells = timeline.locator("tbody tr").evaluate_all(
        "trs => trs.map(tr => tr.cells[1].textContent)"
    )
    assert cells == [s for (s,) in stages]


@pytest.mark.timeout(300)
def test_who_builds_it(served: str, browser, mirror_warehouse: Path) -> None:
    page, _, shot = browser
    page.goto(served + "builders/index.html")
    assert _charts_drawn(page) == 1
    (tools,) = _sql(
        mirror_warehouse,
        """
        select count(*) from marts.fct_repository_builders as b
        inner join ml.ml_tool_categories as c using (repository_id)
        """,
    )[0]
    assert _rows_shown(page.locator(".atlas-table[data-query=tools]")) == tools
    domains = page.locator(".atlas-table[data-query=domains]")
    rows = _download(page, domains)
    expected = _sql(
        mirror_warehouse,
        "select organisation_domain, authors from marts.fct_organisation_domains",
    )
    assert sorted((r["organisation_domain"], int(r["authors"])) for r in rows) == sorted(expected)
    # Never an address: no '@' anywhere on the page or in its download.
    assert "@" not in page.inner_text("main")
    assert all("@" not in v for r in rows for v in r.values())
    shot("builders")
