"""The components the practitioner's pages need, on the fixture warehouse: the hype cycle, labelled
and linked scatter points, series colours from a query or an object, and CSV downloads."""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path

import duckdb
import pytest

from mlops_atlas.render import RenderError
from mlops_atlas.render.hype_cycle import curve, place
from mlops_atlas.render.links import slugify

PHASES = ("idea", "alpha", "beta", "growth")
CYCLE_PAGE = (
    "```sql facets\n"
    "select full_name, stage, maturity_score, category, stars,\n"
    "    case when stars >= 5000 then full_name end as label,\n"
    "    case when stars >= 5000 then '/repos/' || full_name end as repo_link\n"
    "from warehouse.facets order by stars desc, full_name\n```\n\n"
    "```sql phases\nselect phase from (values (1, 'idea'), (2, 'alpha'), (3, 'beta'),"
    " (4, 'growth')) as t(n, phase) order by n\n```\n\n"
    "```sql colours\nselect * from (values ('serving', '#440154'), ('training', '#7ad151'))"
    " as t(series, colour)\n```\n\n"
    "<HypeCycle data={facets} stage=stage position=maturity_score phases={phases}"
    " series=category tooltipTitle=full_name label=label link=repo_link seriesColors={colours}"
    ' title="The cycle"/>\n\n'
    "<ScatterPlot data={facets} x=stars y=maturity_score series=category label=label"
    " link=repo_link seriesColors={{'serving': '#d95f02', \"data\": '#525252'}}/>\n\n"
    "<DataTable data={facets} rows=5/>\n"
)


def _figures(doc: str) -> list[dict]:
    return [
        json.loads(m)
        for m in re.findall(
            r'<script type="application/json" class="atlas-figure">(.*?)</script>', doc, re.S
        )
    ]


def _table_payload(doc: str) -> dict:
    found = re.search(
        r'<script type="application/json" class="atlas-table-data">(.*?)</script>', doc, re.S
    )
    assert found
    return json.loads(found.group(1))


def _facets(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select full_name, stage, maturity_score, category, stars from marts.repository_facets"
            " order by stars desc, full_name"
        ).fetchall()


def test_the_curve_rises_peaks_falls_and_levels() -> None:
    heights = [curve(i / 10) for i in range(51)]
    top = heights.index(max(heights))
    bottom = min(range(20, 31), key=lambda i: heights[i])
    assert 10 <= top < 20  # the peak lies in the second phase
    assert 20 <= bottom <= 30 and heights[bottom] < heights[top] / 3  # the trough in the third
    assert all(a <= b for a, b in itertools.pairwise(heights[: top + 1]))
    assert heights[30] < heights[40] and abs(heights[50] - heights[45]) < 0.05  # slope, plateau
    # A row sits inside its phase, at its position; a stage off the cycle is not placed.
    assert place("beta", 0.0, list(PHASES))[0] > 2 and place("beta", 1.0, list(PHASES))[0] < 3
    assert place("beta", None, list(PHASES))[0] == pytest.approx(2.5)
    assert place("archived", 0.5, list(PHASES)) is None


def test_hype_cycle_places_colours_labels_and_links_points(
    build_page, warehouse: Path, tmp_path: Path
) -> None:
    doc = build_page("cycle", CYCLE_PAGE)
    cycle, scatter = _figures(doc)
    rows = _facets(warehouse)
    on_cycle = [r for r in rows if r[1] in PHASES]
    points = [(x, y) for t in cycle["data"][1:] for x, y in zip(t["x"], t["y"], strict=True)]
    # Every row of a phase is drawn, on the curve, at its phase and position; none other.
    assert len(points) == len(on_cycle) and len(on_cycle) < len(rows)
    assert all(y == curve(x, len(PHASES)) for x, y in points)
    expected = sorted(place(r[1], r[2], list(PHASES))[0] for r in on_cycle)
    assert sorted(x for x, _ in points) == expected
    assert cycle["layout"]["xaxis"]["ticktext"] == list(PHASES)
    # One trace per category in first-seen order; the query's colours win over the palette.
    traces = {t["name"]: t for t in cycle["data"][1:]}
    assert traces["serving"]["marker"]["line"]["color"] == "#440154"
    assert traces["training"]["marker"]["line"]["color"] == "#7ad151"
    assert (
        scatter["data"][[t["name"] for t in scatter["data"]].index("serving")]["marker"]["line"][
            "color"
        ]
        == "#d95f02"
    )
    # Labels only where the query gives one; links relative to the page, and their pages built.
    labelled = {r[0] for r in on_cycle if r[4] >= 5000}
    shown = {text for t in cycle["data"][1:] for text in t["text"] if text}
    assert shown == {html.escape(n, quote=False) for n in labelled} and shown
    links = {link for t in cycle["data"][1:] for link in t["customdata"] if link}
    assert links == {f"../repos/{slugify(n)}/index.html" for n in labelled}
    for name in labelled:
        assert (tmp_path / "out" / "repos" / slugify(name) / "index.html").exists()
    assert "atlas-chart-cycle atlas-linked" in doc
    # The markdown copy draws the same cycle as SVG, with the phases and the labels.
    svg = next((tmp_path / "out" / "markdown" / "figures").glob("cycle-1.svg")).read_text()
    assert all(p in svg for p in PHASES) and any(html.escape(n) in svg for n in labelled)


def test_hype_cycle_needs_its_phases(build_page) -> None:
    with pytest.raises(RenderError, match=r"phases=\{query\}"):
        build_page(
            "bad",
            "```sql f\nselect * from warehouse.facets\n```\n\n"
            "<HypeCycle data={f} stage=stage position=maturity_score/>\n",
        )
    with pytest.raises(RenderError, match="label= and link= on scatter plots only"):
        build_page(
            "bad",
            "```sql f\nselect * from warehouse.facets\n```\n\n"
            "<BarChart data={f} x=kind y=stars link=full_name/>\n",
        )


def test_tables_carry_every_query_column_for_download(build_page, warehouse: Path) -> None:
    doc = build_page("cycle", CYCLE_PAGE)
    payload = _table_payload(doc)
    download = payload["download"]
    assert download["columns"] == [
        "full_name",
        "stage",
        "maturity_score",
        "category",
        "stars",
        "label",
        "repo_link",
    ]
    # A shown column is read from the table's sort keys, the others from their own values: the
    # CSV the page builds has the query's rows exactly.
    rebuilt = [
        tuple(
            payload["keys"][i][shown] if shown is not None else download["extra"][c][i]
            for c, shown in enumerate(download["shown"])
        )
        for i in range(len(payload["keys"]))
    ]
    assert [r[:5] for r in rebuilt] == [tuple(r) for r in _facets(warehouse)]
    assert '<button type="button" class="atlas-download"' in doc
    plain = build_page(
        "plain",
        "```sql f\nselect * from warehouse.facets\n```\n\n<DataTable data={f} downloadable=false/>\n",
    )
    assert "download" not in _table_payload(plain)
    assert 'class="atlas-download"' not in plain


def test_series_colours_must_be_an_object_or_a_query(build_page) -> None:
    with pytest.raises(RenderError, match="seriesColors must be an object"):
        build_page(
            "bad",
            "```sql f\nselect * from warehouse.facets\n```\n\n"
            "<ScatterPlot data={f} x=stars y=maturity_score seriesColors={['#fff']}/>\n",
        )


def test_escaped_labels_reach_plotly_as_text(build_page) -> None:
    doc = build_page(
        "xss",
        "```sql f\nselect full_name, stars, maturity_score, description as label"
        " from warehouse.facets where description like '%script%'\n```\n\n"
        "<ScatterPlot data={f} x=stars y=maturity_score label=label/>\n",
    )
    (figure,) = _figures(doc)
    assert figure["data"][0]["text"] == ["&lt;script&gt;alert(1)&lt;/script&gt;"]
    assert "<script>alert(1)" not in doc


def test_text_that_looks_like_a_slot_stays_as_it_is(build_page, tmp_path: Path) -> None:
    # A page is rendered as markdown with each value and component first held by a numbered
    # token, then filled in; a value from the warehouse that reads like a token is shown as it
    # is, not filled with another value's HTML.
    looks = " ".join(f"atlasslot{i}x" for i in range(1, 9))
    doc = build_page(
        "tokens",
        f"```sql q\nselect '{looks}' as t, 'the second' as n\n```\n\n"
        "First: {q[0].t}. Second: {q[0].n}. "
        "<Value data={q} column=n/>\n\n<BigValue data={q} value=t/>\n",
    )
    assert doc.count(looks) == 2
    assert doc.count("the second") == 2
    assert "atlasslot" not in doc.replace(looks, "")
    # the page's markdown copy fills its tokens the same way
    copy = (tmp_path / "out" / "markdown" / "tokens.md").read_text()
    assert copy.count(looks) == 2
    assert copy.count("the second") == 2
    assert "atlasslot" not in copy.replace(looks, "")
