"""The page shell: head, nav bar, footer; the stylesheet and script every page shares."""

from __future__ import annotations

import html
from dataclasses import dataclass
from importlib import resources

PLOTLY_ASSET = "assets/plotly.min.js"
STYLE_ASSET = "assets/atlas.css"
SCRIPT_ASSET = "assets/atlas.js"


def _static(name: str) -> str:
    return (
        resources.files("mlops_atlas.render").joinpath("static", name).read_text(encoding="utf-8")
    )


#: The files every page links to, by their path in the site, with their text: written once
#: for the whole site, not into every page (render/README.md).
SHARED_ASSETS: dict[str, str] = {STYLE_ASSET: _static("style.css"), SCRIPT_ASSET: _static("app.js")}


@dataclass(frozen=True)
class NavItem:
    title: str
    out_dir: str  # output folder of the page ('' for the root)


def relative(out_dir: str, target_dir: str, file: str = "index.html") -> str:
    """The link from the page in folder `out_dir` to `file` in `target_dir` (site folders,
    relative to its root), as `posixpath.relpath` gives it for such clean paths, without
    asking the operating system for the current folder on each of a site's many links."""
    target = [p for p in f"{target_dir}/{file}".split("/") if p and p != "."]
    start = [p for p in out_dir.split("/") if p and p != "."]
    common = 0
    while common < min(len(start), len(target)) and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "."


def page_html(
    *, title: str, body: str, out_dir: str, nav: list[NavItem], site_title: str, charts: bool
) -> str:
    """A complete HTML document; its stylesheet and script, and plotly.min.js on a page with
    charts, are files of the site's assets folder (SHARED_ASSETS, PLOTLY_ASSET)."""
    links = "".join(
        f'<a href="{html.escape(relative(out_dir, item.out_dir))}"'
        f"{' aria-current=page' if item.out_dir == out_dir else ''}>{html.escape(item.title)}</a>"
        for item in nav
    )
    plotly = (
        f'<script src="{html.escape(relative(out_dir, "", PLOTLY_ASSET))}"></script>'
        if charts
        else ""
    )
    home = html.escape(relative(out_dir, ""))
    style = html.escape(relative(out_dir, "", STYLE_ASSET))
    script = html.escape(relative(out_dir, "", SCRIPT_ASSET))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{html.escape(title)} · {html.escape(site_title)}</title>
<link rel="stylesheet" href="{style}">
{plotly}
<script src="{script}"></script>
</head>
<body>
<nav class="atlas-nav"><a class="brand" href="{home}">{html.escape(site_title)}</a>{links}</nav>
<main>
{body}
</main>
<footer>Built by mlops-atlas from the local warehouse; no data is fetched when viewing.</footer>
</body>
</html>
"""
