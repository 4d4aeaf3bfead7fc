"""A part of a templated page that reads nothing differing between its pages is drawn once
for them all (html_blocks.HtmlRenderer.drawn); every page must still read as if drawn afresh."""

from __future__ import annotations

import html
import re
from pathlib import Path

from mlops_atlas.render import render_site
from mlops_atlas.render.context import MAX_VARIANTS
from mlops_atlas.render.layout import PLOTLY_ASSET, NavItem
from mlops_atlas.render.links import discover_routes
from mlops_atlas.render.writer import PageWriter, SiteSpec

from .conftest import REPOSITORIES

TEMPLATE = """---
title: "{params.repo}"
---

```sql repo
select * from warehouse.repositories where repo_full_name = '${params.repo}'
```

```sql everyone
select repo_full_name, stars from warehouse.repositories order by stars desc, repo_full_name
```

```sql monthly
select month_date, stars_gained from warehouse.stars_monthly
where repo_full_name = 'acme/serve' order by month_date
```

<Details title="Shared chart">

Gained by acme/serve, month by month; see [about](/about).

<LineChart data={monthly} x=month_date y=stars_gained title="Stars gained"/>

</Details>

<Details title="Every repository">

{#each everyone as e}
- [{e.repo_full_name}](/repos/{e.repo_full_name}): {fmt(e.stars, 'num0')} stars
{/each}

</Details>

<Details title="This page">This is {params.repo}.</Details>

```sql through
select min(repo_full_name) as name from ${repo}
```

<Details title="Through a query">Its query found {through[0].name}.</Details>

{#each repo as r}
<Details title="Its row">Its description: {r.description}</Details>
{/each}

{#each repo as monthly}
<Details title="Its row, named as a query">Named {monthly.repo_full_name}.</Details>
{/each}

{#each everyone as everyone}
<Details title="Every row, named as its query">Row {everyone.repo_full_name}.</Details>
{/each}
"""


def _by_stars(row: tuple) -> tuple:
    """The order of query `everyone`: stars descending, then name."""
    return (-row[3], row[0])


def _details(page: str, title: str) -> str:
    match = re.search(
        rf'<details class="atlas-details"><summary>{title}</summary>.*?</details>', page, re.S
    )
    assert match, f"no <Details> titled {title!r}"
    return match.group(0)


def _spec(project: Path, warehouse: Path, out: Path) -> SiteSpec:
    return SiteSpec(
        pages_dir=project / "pages",
        warehouse_path=warehouse,
        sources_dir=project / "sources",
        out_dir=out,
        nav=[NavItem("Home", "")],
        site_title="Atlas",
        max_variants=MAX_VARIANTS,
        log_sql=False,
    )


def test_shared_parts_read_as_drawn_afresh(project: Path, warehouse: Path, tmp_path: Path) -> None:
    (project / "pages" / "repos" / "[repo].md").write_text(TEMPLATE)
    summary = render_site(project / "pages", warehouse, tmp_path / "out", markdown_pages=())
    pages = {p.parent.name: p.read_text() for p in summary.pages if p.parent.parent.name == "repos"}
    assert len(pages) == len(REPOSITORIES)
    shared = {_details(text, "Shared chart") for text in pages.values()}
    assert len(shared) == 1, "a part reading nothing of the page differs between pages"
    assert 'href="../../about/index.html"' in shared.pop()
    for slug, text in pages.items():
        # the chart inside the shared part brings plotly to every page, not only the first
        assert re.search(rf'<script src="[./]*{re.escape(PLOTLY_ASSET)}">', text), slug
    for name, *_ in REPOSITORIES:
        text = next(t for t in pages.values() if f"This is {html.escape(name)}." in t)
        # a part linking to every page of the template links to this one as itself
        everyone = _details(text, "Every repository")
        assert f'<a href="index.html">{html.escape(name)}</a>' in everyone, name
        assert everyone.count('href="index.html"') == 1, name
    for name, description, *_ in REPOSITORIES:
        found = [t for t in pages.values() if f"This is {html.escape(name)}." in t]
        assert len(found) == 1, name  # the part reading the page's value, drawn for each
        # and the part reading a query that reads another that reads the page's value
        assert f"Its query found {html.escape(name)}." in found[0], name
        if description is not None:
            assert f"Its description: {html.escape(description)}" in found[0], name
        # a loop's row named as a query is the row, as the page reads it
        assert f"Named {html.escape(name)}." in found[0], name
        rows = re.findall(r"Row (.*?)\.</", found[0])
        assert rows == [html.escape(n) for n, *_ in sorted(REPOSITORIES, key=_by_stars)], name


def test_a_page_drawn_alone_is_the_same_file(
    project: Path, warehouse: Path, tmp_path: Path
) -> None:
    """Each page equals the same page written first by a writer of its own, which draws every
    part; only the part reading nothing of the page (with a link that resolves the same from
    every page) is kept for the next pages."""
    (project / "pages" / "repos" / "[repo].md").write_text(TEMPLATE)
    _, templates = discover_routes(project / "pages")
    route = next(r for r in templates if r.path == "repos")
    shared = PageWriter(_spec(project, warehouse, tmp_path / "shared"))
    for name, *_ in REPOSITORIES:
        target = shared.write(route, name).target
        alone = PageWriter(_spec(project, warehouse, tmp_path / "alone"))
        assert alone.write(route, name).target == target
        first = (tmp_path / "shared" / target / "index.html").read_text()
        again = (tmp_path / "alone" / target / "index.html").read_text()
        assert first == again, name
    kept = {_part(d.html): d.charts for d in shared.drawn[route.source].values() if d is not None}
    # the two parts reading no param or row of the page, and the chart inside the first
    assert kept == {"Shared chart": True, "Every repository": False, "figure": True}


def _part(html_text: str) -> str:
    """A drawn part by its <Details> title, or by its first tag."""
    title = re.match(r'<details class="atlas-details"><summary>(.*?)</summary>', html_text)
    return title.group(1) if title else re.match(r"<(\w+)", html_text).group(1)  # type: ignore[union-attr]
