"""Whole-site builds over the fixture warehouse: pages, links, escaping, inputs, errors."""

from __future__ import annotations

import html
import json
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from mlops_atlas import render as render_package
from mlops_atlas.render import RenderError, RenderSummary, page_context, render_site
from mlops_atlas.render.charts import PALETTE
from mlops_atlas.render.layout import SCRIPT_ASSET, STYLE_ASSET
from mlops_atlas.render.links import slugify
from mlops_atlas.render.lookups import KEY
from mlops_atlas.render.page import parse_page
from mlops_atlas.render.queries import QueryRunner, Sources, makes_source_table
from tests.reports.conftest import FIXTURES

REPO_NAMES = [
    "acme/serve",
    "beta/track",
    "evil/xss",
    "O'Reilly/ml-book",
    "gamma/monitor",
    "nulls/none",
]


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def _scripts(doc: str, cls: str) -> list[object]:
    return [
        json.loads(m)
        for m in re.findall(
            rf'<script type="application/json" class="{cls}">(.*?)</script>', doc, re.S
        )
    ]


def test_every_linked_repository_gets_a_page(built_site) -> None:
    out, summary = built_site
    written = sorted(p.relative_to(out).as_posix() for p in summary.pages)
    expected = ["about/index.html", "index.html"] + [
        f"repos/{slugify(n)}/index.html" for n in REPO_NAMES
    ]
    assert written == sorted(expected)
    assert summary.broken_links == []
    assert 10 <= summary.queries_run <= 40
    assert summary.seconds > 0
    # plotly.js is written once and referenced relatively; pages without charts skip it.
    assert (out / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert '<script src="assets/plotly.min.js">' in (out / "index.html").read_text()
    acme = (out / "repos" / slugify("acme/serve") / "index.html").read_text()
    assert '<script src="../../assets/plotly.min.js">' in acme
    assert "plotly.min.js" not in (out / "about" / "index.html").read_text()


def test_every_page_loads_the_shared_stylesheet_and_script_from_the_site(built_site) -> None:
    out, summary = built_site
    static = Path(render_package.__file__).parent / "static"
    style = (static / "style.css").read_text(encoding="utf-8")
    script = (static / "app.js").read_text(encoding="utf-8")
    # written once, as the package holds them
    assert (out / STYLE_ASSET).read_text(encoding="utf-8") == style
    assert (out / SCRIPT_ASSET).read_text(encoding="utf-8") == script
    for page in summary.pages:
        doc = page.read_text(encoding="utf-8")
        head = doc[: doc.index("</head>")]
        links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', head)
        sources = re.findall(r'<script src="([^"]+)"></script>', head)
        # each by a path relative to the page that reaches the file from the page's folder
        assert [(page.parent / h).resolve() for h in links] == [(out / STYLE_ASSET).resolve()]
        assert (out / SCRIPT_ASSET).resolve() in [(page.parent / s).resolve() for s in sources]
        # and no longer inside the page
        assert "<style>" not in doc and style[:200] not in doc and script[:200] not in doc, page


def test_links_are_relative_and_nav_lists_top_pages(built_site) -> None:
    out, _ = built_site
    index = (out / "index.html").read_text()
    about = (out / "about" / "index.html").read_text()
    assert 'href="about/index.html"' in index
    assert f'href="repos/{slugify("acme/serve")}/index.html"' in index
    assert 'href="../index.html"' in about
    assert f'href="../repos/{slugify("acme/serve")}/index.html"' in about
    nav = re.search(r'<nav class="atlas-nav">(.*?)</nav>', about).group(1)
    assert re.findall(r">([^<]+)</a>", nav) == ["MLOps Atlas", "Fixture ecosystem", "About"]
    assert not re.search(r'href="/', index + about)


def test_database_text_is_escaped_everywhere(built_site) -> None:
    out, summary = built_site
    for page in summary.pages:
        assert "<script>alert(1)</script>" not in page.read_text(), page
    index = (out / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in index
    table = _scripts(index, "atlas-table-data")[0]
    assert table["cells"][2][1] == "<script>alert(1)</script>"  # JSON decodes back to the text
    evil = (out / "repos" / slugify("evil/xss") / "index.html").read_text()
    assert "<strong>evil/xss</strong>: &lt;script&gt;alert(1)&lt;/script&gt;" in evil
    md = (out / "markdown" / "index.md").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md and "<script>" not in md


def test_params_with_quotes_reach_sql_safely(built_site) -> None:
    out, _ = built_site
    page = (out / "repos" / slugify("O'Reilly/ml-book") / "index.html").read_text()
    assert "<h1>O&#x27;Reilly/ml-book</h1>" in page
    assert re.search(r'atlas-bigvalue-value">800<', page)
    # The history query (`= ${params.repo}`, unquoted) ran too: no rows, so no empty chart.
    assert '<p class="atlas-empty">Stars gained: no data to chart.</p>' in page
    assert "plotly.min.js" not in page
    acme = (out / "repos" / slugify("acme/serve") / "index.html").read_text()
    assert _scripts(acme, "atlas-figure")[0]["data"][0]["y"] == [100, 150, 90]


def test_dropdown_precomputes_every_option(built_site) -> None:
    out, _ = built_site
    index = (out / "index.html").read_text()
    assert re.findall(r'<option value="(\d+)"', index) == ["0", "1", "2", "3", "4"]
    labels = re.findall(r'<option value="\d+"(?: selected)?>([^<]*)</option>', index)
    assert [html.unescape(x) for x in labels] == [
        "All languages",
        "JavaScript",
        "Jupyter Notebook",
        "O'Caml",
        "Python",
    ]
    regions = _scripts(index, "atlas-variants")
    table_region = next(r for r in regions if "atlas-table" in r["0"])
    assert sorted(table_region) == ["0", "1", "2", "3", "4"]
    rows = {k: len(_scripts(v, "atlas-table-data")[0]["cells"]) for k, v in table_region.items()}
    assert rows == {"0": 6, "1": 1, "2": 1, "3": 1, "4": 2}
    assert "gamma/monitor" in table_region["3"]  # the O'Caml option, quote and all
    texts = [r for r in regions if "Showing" not in r["0"] and "atlas-table" not in r["0"]]
    assert {r["4"] for r in texts} >= {"2", "Python"}


def test_markdown_copy_has_svg_figures(built_site) -> None:
    out, summary = built_site
    assert [p.relative_to(out).as_posix() for p in summary.markdown] == [
        "markdown/index.md",
        "markdown/about.md",
    ]
    md = (out / "markdown" / "index.md").read_text()
    figures = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.svg)\)", md)
    assert figures == ["figures/index-1.svg", "figures/index-2.svg", "figures/index-3.svg"]
    for fig in figures:
        svg = (out / "markdown" / fig).read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Stars by language" in (out / "markdown" / figures[0]).read_text()
    assert "| Repository | Description | Stars | Created |" in md
    assert "_First 5 of 6 rows._" in md
    assert "**5,000**" in md and "**51.0%**" in md


def test_sql_injection_through_a_link_matches_nothing(
    project: Path, warehouse: Path, tmp_path: Path
) -> None:
    about = project / "pages" / "about.md"
    about.write_text(about.read_text() + "\n- [bad](/repos/x'%20or%20'1'='1)\n")
    summary = render_site(project / "pages", warehouse, tmp_path / "out", markdown_pages=())
    page = next(p for p in summary.pages if "x-or-1-1" in p.as_posix())
    text = page.read_text()
    assert "No repository called x&#x27; or &#x27;1&#x27;=&#x27;1." in text
    assert 'class="atlas-bigvalue"' not in text


@pytest.mark.parametrize(
    ("edit", "anchor", "fragments"),
    [
        (
            (
                "from warehouse.repositories\norder by stars desc",
                "from warehouse.no_such\norder by stars desc",
            ),
            "```sql repos",
            ["query 'repos': failed", "no_such"],
        ),
        (
            ("## By language", "<Sparkline data={repos}/>\n## By language"),
            "<Sparkline",
            ["unknown component <Sparkline>"],
        ),
        (
            ("## Growth", "<DataTable data={nope}/>\n## Growth"),
            "data={nope}",
            ["query 'nope'", "unknown query"],
        ),
        (
            ("## Growth", "Total {nope[0].n}\n## Growth"),
            "{nope[0].n}",
            ["query 'nope'", "unknown query or name"],
        ),
        (
            ("from ${repos}\norder by", "from ${nope}\norder by"),
            "```sql top",
            ["query 'top'", "unknown query `${nope}`"],
        ),
        (
            ("## Growth", "<BarChart data={repos} x=language y=stars_total/>\n## Growth"),
            "y=stars_total",
            ["query 'repos'", "no column `stars_total`"],
        ),
        (("fmt=num0/>", "fmt=bogus/>"), "fmt=bogus", ["unknown format `bogus`"]),
        (
            ("<Column id=stars fmt=num0/>", "<Column id=stars fmt=bogus/>"),
            "fmt=bogus",
            ["unknown format `bogus`"],
        ),
    ],
)
def test_errors_name_page_line_and_query(
    project: Path,
    warehouse: Path,
    tmp_path: Path,
    edit: tuple[str, str],
    anchor: str,
    fragments: list[str],
) -> None:
    index = project / "pages" / "index.md"
    text = index.read_text()
    assert edit[0] in text
    index.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(RenderError) as err:
        render_site(project / "pages", warehouse, tmp_path / "out")
    message = str(err.value)
    assert message.startswith(f"{index}:{_line_of(index, anchor)}: "), message
    for fragment in fragments:
        assert fragment in message


def test_refuses_to_clear_a_folder_it_did_not_build(
    project: Path, warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        render_site(project / "pages", warehouse, out, markdown_pages=())
    assert (out / "keep.txt").read_text() == "mine"
    (out / "keep.txt").unlink()
    first = render_site(project / "pages", warehouse, out, markdown_pages=())
    (project / "pages" / "about.md").unlink()
    second = render_site(project / "pages", warehouse, out, markdown_pages=())
    assert len(first.pages) == 8
    assert not (out / "about").exists() and len(second.pages) == 7  # about linked acme only


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_that_fails_halfway_leaves_the_previous_site_whole(
    project: Path, warehouse: Path, tmp_path: Path, workers: int
) -> None:
    """The site is written beside the output and swapped in when complete: a build stopped
    by an error (or an interrupt) leaves the previous site as it was, and no half-build. An
    error in a worker process comes back whole, naming the page and its line."""
    out = tmp_path / "out"
    first = render_site(project / "pages", warehouse, out, markdown_pages=())
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = project / "pages" / "zz-last.md"  # rendered after every other static page
    broken.write_text("# Last\n\n{missing_query[0].x}\n")
    with pytest.raises(RenderError, match=rf"{re.escape(str(broken))}:3: ") as err:
        render_site(project / "pages", warehouse, out, markdown_pages=(), workers=workers)
    assert err.value.page == broken and err.value.line == 3
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before and len(first.pages) == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "reports"]


def test_a_page_that_fails_in_a_batch_fails_on_its_own(project: Path, warehouse: Path) -> None:
    """Workers write templated pages in batches; each page of a batch keeps its own outcome,
    so the pages beside a failing one are written and the error belongs to its own page. (A
    real worker process: it ends as soon as its pool shuts down.)"""
    from mlops_atlas.render import writer
    from mlops_atlas.render.links import discover_routes

    template = project / "pages" / "repos" / "[repo].md"
    template.write_text(
        template.read_text() + "\n{#if params.repo == 'beta/track'}\n{missing_query[0].x}\n{/if}\n"
    )
    _, (route,) = discover_routes(project / "pages")
    spec = writer.SiteSpec(
        pages_dir=project / "pages",
        warehouse_path=warehouse,
        sources_dir=project / "sources",
        out_dir=project / "out",
        nav=[],
        site_title="t",
        max_variants=64,
        log_sql=False,
    )
    pages = [(route, "acme/serve"), (route, "beta/track"), (route, "gamma/monitor")]
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, spawn, initializer=writer.start_worker, initargs=(spec,)) as pool:
        first, failed, last = pool.submit(writer.write_in_worker, pages).result()
    assert isinstance(first, writer.PageResult) and isinstance(last, writer.PageResult)
    assert isinstance(failed, RenderError) and failed.page == template
    assert failed.line == _line_of(template, "{missing_query[0].x}")
    assert (project / "out" / last.target / "index.html").is_file()


def test_two_failing_templated_pages_fail_as_in_one_process(
    project: Path, warehouse: Path, tmp_path: Path
) -> None:
    """With pages written in batches by workers, a build whose templated pages fail names the
    first failing page in page order (templated pages in value order), as one process does."""
    template = project / "pages" / "repos" / "[repo].md"
    template.write_text(
        template.read_text()
        + "\n{#if params.repo == 'beta/track'}\n{missing_for_beta[0].x}\n{/if}\n"
        + '\n{#if params.repo == "O\'Reilly/ml-book"}\n{missing_for_book[0].x}\n{/if}\n'
    )
    errors = {}
    for workers in (1, 2):
        with pytest.raises(RenderError) as err:
            render_site(
                project / "pages", warehouse, tmp_path / "out", markdown_pages=(), workers=workers
            )
        errors[workers] = (err.value.page, err.value.line, str(err.value))
    assert errors[1] == errors[2]
    assert errors[2][:2] == (template, _line_of(template, "{missing_for_book[0].x}"))


def _fixture_site(
    warehouse: Path, out: Path, **options: Any
) -> tuple[RenderSummary, list[str], dict[Path, bytes]]:
    """The fixture site built into `out` with its markdown copies and `options`: the build's
    summary, the statements it ran and its files (path in the site, bytes)."""
    log: list[str] = []
    summary = render_site(
        FIXTURES / "pages",
        warehouse,
        out,
        markdown_pages=("index", "about"),
        sql_log=log,
        **options,
    )
    files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return summary, log, files


def test_worker_processes_write_the_same_site(warehouse: Path, built_site, tmp_path: Path) -> None:
    """Pages written by two worker processes make the same site as one process: the same
    files byte for byte, the same pages in the same order, the same broken links, the same
    statements run (each worker makes the source tables it needs itself)."""
    one_out, _ = built_site
    builds = {}
    for workers in (1, 2):
        out = tmp_path / f"workers-{workers}"
        summary, log, files = _fixture_site(warehouse, out, workers=workers)
        pages = [p.relative_to(out) for p in summary.pages]
        builds[workers] = (summary, log, files, pages)
    one, one_log, one_files, one_pages = builds[1]
    two, two_log, two_files, two_pages = builds[2]
    assert two_files == one_files
    html_files = {path: data for path, data in one_files.items() if path.suffix == ".html"}
    assert html_files == {p.relative_to(one_out): p.read_bytes() for p in one_out.rglob("*.html")}
    # templated pages, found through the links of written pages, were written too
    assert sum(p.parent.parent.name == "repos" for p in two_pages) >= 3
    assert two_pages == one_pages
    assert (
        [p.relative_to(tmp_path / "workers-2") for p in two.markdown]
        == [p.relative_to(tmp_path / "workers-1") for p in one.markdown]
        == [Path("markdown/index.md"), Path("markdown/about.md")]
    )
    assert two.broken_links == one.broken_links
    assert set(two_log) == set(one_log) and two.queries_run == len(two_log)
    # one process made each source table once; each worker makes the ones its pages need, so
    # with two some tables were made more than once
    made = [sql for sql in two_log if makes_source_table(sql)]
    assert len(set(made)) == len([sql for sql in one_log if makes_source_table(sql)])
    assert len(made) > len(set(made))


@pytest.mark.parametrize("workers", [1, 2])
def test_lookup_queries_run_as_written_make_the_same_site(
    warehouse: Path, tmp_path: Path, workers: int
) -> None:
    """With lookups off, in this process or in workers, a templated page's lookup queries run
    once per page as the page declares them, and the site is the same byte for byte as one built with a
    statement run once for all the pages (the benchmark's floor as pages declare it)."""
    one, keyed, one_files = _fixture_site(warehouse, tmp_path / "keyed")
    out = tmp_path / "as-written"
    summary, log, files = _fixture_site(warehouse, out, workers=workers, lookups=False)
    assert files == one_files
    assert [p.relative_to(out) for p in summary.pages] == [
        p.relative_to(tmp_path / "keyed") for p in one.pages
    ]
    repo_pages = sum(p.parent.parent.name == "repos" for p in summary.pages)
    assert repo_pages >= 3
    # each of the template's two queries: one keyed statement for all its pages, or one
    # statement per page
    assert sum(KEY in sql for sql in keyed) == 2
    assert not any(KEY in sql for sql in log)
    for table in ("repositories", "stars_monthly"):
        per_page = {sql for sql in log if f"from warehouse.{table}\nwhere repo_full_name" in sql}
        assert len(per_page) == repo_pages, table


def test_missing_values_stay_missing_in_expressions() -> None:
    from mlops_atlas.render import expressions

    scope = {"q": [{"a": None, "b": 2}]}
    assert expressions.evaluate("q[0].a - q[0].b", scope, {}) is None
    assert expressions.evaluate("-q[0].a", scope, {}) is None
    assert expressions.evaluate("q[0].b - 1", scope, {}) == 1
    assert expressions.evaluate("q[0].a - q[0].b > 0", scope, {}) is False


def test_too_many_option_combinations_are_refused_unless_separable(
    project: Path, warehouse: Path, tmp_path: Path
) -> None:
    """Past 400 option combinations (21 x 21 = 441) a region is filtered in the browser,
    which needs separable filters; a value computed from both inputs is not."""
    page = project / "pages" / "combos.md"
    page.write_text(
        "```sql options\nselect range as v from range(21)\n```\n\n"
        "<Dropdown name=a data={options} value=v/>\n"
        "<Dropdown name=b data={options} value=v/>\n\n"
        "```sql pair\nselect ${inputs.a.value} || ${inputs.b.value} as ab\n```\n\n"
        "Pair {pair[0].ab}\n"
    )
    with pytest.raises(RenderError) as err:
        render_site(project / "pages", warehouse, tmp_path / "out", markdown_pages=())
    assert str(err.value).startswith(f"{page}:{_line_of(page, '```sql pair')}: query 'pair': ")
    assert "give 441 combinations (max 400)" in str(err.value)
    assert "not separable" in str(err.value)


def _contrast_on_white(color: str) -> float:
    """WCAG contrast ratio of `#rrggbb` against white."""

    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(color[i : i + 2], 16)) for i in (1, 3, 5))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_chart_axis_titles_legend_and_colours(build_page, tmp_path: Path) -> None:
    page = build_page(
        "charts",
        "```sql monthly\nselect * from warehouse.stars_monthly order by month_date\n```\n\n"
        "```sql facets\nselect * from warehouse.facets\n```\n\n"
        "<LineChart data={monthly} x=month_date y=stars_gained series=repo_full_name/>\n\n"
        '<LineChart data={monthly} x=month_date y=stars_gained xAxisTitle="" yAxisTitle=""/>\n\n'
        "<LineChart data={monthly} x=month_date y=stars_gained xAxisTitle=false"
        ' yAxisTitle="Stars"/>\n\n'
        "<LineChart data={monthly} x=month_date y=stars_gained xAxisTitle=true/>\n\n"
        "<ScatterPlot data={facets} x=stars y=maturity_score series=category/>\n",
    )
    figures = _scripts(page, "atlas-figure")

    def titles(figure: dict) -> tuple[str | None, str | None]:
        layout = figure["layout"]
        return tuple(layout[a].get("title", {}).get("text") for a in ("xaxis", "yaxis"))

    # Not given: the column's name; "" or false: no title (as in Evidence); true: the column's.
    assert [titles(f) for f in figures[:4]] == [
        ("Month Date", "Stars Gained"),
        (None, None),
        (None, "Stars"),
        ("Month Date", "Stars Gained"),
    ]
    # Legends sit at the foot of the figure, where plotly keeps the axis title clear of them
    # (a browser test measures it); a single series has none.
    legend = figures[0]["layout"]["legend"]
    assert (legend["yref"], legend["y"], legend["yanchor"]) == ("container", 0, "bottom")
    assert [f["layout"]["showlegend"] for f in figures[:2]] == [True, False]
    # Every series has its own colour, with at least 3:1 contrast on white.
    scatter = figures[4]["data"]
    assert len(scatter) >= 5
    colours = [t["marker"]["line"]["color"] for t in scatter]
    assert len(set(colours)) == len(colours)
    assert min(_contrast_on_white(c) for c in colours) >= 3
    assert len(PALETTE) >= 10 and min(_contrast_on_white(c) for c in PALETTE) >= 3
    # The markdown copy's SVGs follow the same titles.
    svgs = sorted((tmp_path / "out" / "markdown" / "figures").glob("charts-*.svg"))
    assert "Month Date" in svgs[0].read_text() and "Month Date" not in svgs[1].read_text()


def test_if_inside_a_paragraph_keeps_it_whole(build_page, tmp_path: Path) -> None:
    body = build_page(
        "prose",
        "```sql repos\nselect * from warehouse.repositories\n```\n\n"
        "There are\n{#if repos.length > 3}\nmany repositories\n{:else}\nfew repositories\n{/if}\n"
        "in the fixture.\n\n"
        "- first\n{#if repos.length > 3}\n- second\n{/if}\n- third\n\n"
        "{#if repos.length > 3}\nA paragraph of its own.\n{/if}\n\nThe last one.\n",
    )
    # One paragraph, as Evidence renders it; a list stays one tight list.
    assert "<p>There are\nmany repositories\nin the fixture.</p>" in body
    assert "<ul>\n<li>first</li>\n<li>second</li>\n<li>third</li>\n</ul>" in body
    # Blank lines around the block still make it a paragraph of its own.
    assert "<p>A paragraph of its own.</p>\n<p>The last one.</p>" in body
    md = (tmp_path / "out" / "markdown" / "prose.md").read_text()
    assert "There are\nmany repositories\nin the fixture.\n\n- first\n- second\n- third\n" in md


def test_page_context_runs_queries_as_the_page_would(warehouse: Path) -> None:
    runner = QueryRunner(warehouse, Sources.load(FIXTURES / "sources"))
    try:
        index = page_context(parse_page(FIXTURES / "pages" / "index.md"), runner)
        # The dropdown is an input at its default ("All languages").
        assert index.input_values()["language"]["label"] == "All languages"
        assert len(index.result("filtered", 1).rows) == 6
        python = [i for i, (v, _) in enumerate(index.inputs["language"].options) if v == "Python"]
        assert len(index.with_bindings({"language": python[0]}).result("filtered", 1).rows) == 2
        repo = parse_page(FIXTURES / "pages" / "repos" / "[repo].md")
        ctx = page_context(repo, runner, params={"repo": "O'Reilly/ml-book"})
        assert [r["stars"] for r in ctx.result("repo", 1).rows] == [800]
    finally:
        runner.close()


def test_links_between_site_folders_are_those_relpath_gives() -> None:
    import itertools
    import posixpath

    from mlops_atlas.render.layout import relative

    folders = ["", "repos", "repos/a", "repos/a/b", "repos/a/c", "owners/x", "assets"]
    for out_dir, target, file in itertools.product(folders, folders, ["index.html", "x.js"]):
        expected = posixpath.relpath(posixpath.join(target, file), out_dir or ".")
        assert relative(out_dir, target, file) == expected, (out_dir, target, file)
