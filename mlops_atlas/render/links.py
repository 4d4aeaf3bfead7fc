"""Where each page is written, and links rewritten so the site works from any folder.

Routes follow Evidence: `pages/index.md` is `/`, `pages/about.md` is `/about`,
`pages/repos/index.md` is `/repos`, and `pages/repos/[repo].md` is a template for
`/repos/<value>`. Every page is written as `<route>/index.html`, and every internal
link becomes a relative path ending in `index.html`, so the build works from a static
server rooted at the output folder, under a sub-path, or opened from disk.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from mlops_atlas.render.layout import relative

_TEMPLATE = re.compile(r"^\[([A-Za-z_]\w*)\]$")
_SAFE_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class Route:
    """A page source and the URL path it serves (`''` for the site root)."""

    source: Path
    path: str
    param: str | None = None  # set for templates such as [repo].md

    @property
    def name(self) -> str:
        """The page's name for `markdown_pages`: its path, or `index` for the root."""
        return self.path or "index"


def discover_routes(pages_dir: Path) -> tuple[list[Route], list[Route]]:
    """(static routes, templated routes) for every `.md` under pages_dir."""
    static: list[Route] = []
    templates: list[Route] = []
    for source in sorted(pages_dir.rglob("*.md")):
        parts = list(source.relative_to(pages_dir).with_suffix("").parts)
        if m := _TEMPLATE.match(parts[-1]):
            templates.append(Route(source, "/".join(parts[:-1]), m.group(1)))
            continue
        if parts[-1] == "index":
            parts = parts[:-1]
        static.append(Route(source, "/".join(parts)))
    return static, templates


def slugify(value: str) -> str:
    """A folder name for a template value: readable, and distinct for distinct values.

    Characters outside [a-z0-9._-] (and upper case) become `-`; whenever that changed
    the value a short hash of the original is appended, so `a/b` and `a-b` differ.
    """
    slug = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-.")[:80]
    if slug != value or not slug:
        digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug}-{digest}" if slug else digest
    return slug


def safe_url(url: str) -> str:
    """A URL from data, or `#` when its scheme could run script (javascript:, data:)."""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    if scheme and scheme not in _SAFE_SCHEMES:
        return "#"
    return url


def fill_url(url: str, raws: Mapping[str, str]) -> str:
    """Put page values back into a link written with placeholder tokens.

    A value that starts the URL goes in as written (it may be a whole link); elsewhere it
    is percent-quoted. A URL that took any value is passed through `safe_url`.
    """
    tokens = [t for t in raws if t in url]
    for token in tokens:
        raw = raws[token]
        if url.startswith(token):
            url = url.replace(token, raw, 1)
        url = url.replace(token, quote(raw, safe="/"))
    return safe_url(url) if tokens else url


@dataclass
class LinkResolver:
    """Maps internal links to relative file paths and records templated pages to build."""

    static: list[Route]
    templates: list[Route]
    wanted: dict[tuple[Path, str], str] = field(default_factory=dict)  # -> output dir
    broken: set[str] = field(default_factory=set)
    current_dir: str = ""
    # (link, its result) of each href while a part drawn once per template is drawn
    drawn_links: list[tuple[str, str]] | None = None

    def __post_init__(self) -> None:
        self._by_path = {r.path: r for r in self.static}

    def output_dir(self, route: Route, value: str | None = None) -> str:
        if route.param is None:
            return route.path
        assert value is not None
        return posixpath.join(route.path, slugify(value)) if route.path else slugify(value)

    def _target(self, path: str) -> str | None:
        """The output folder a site path maps to, registering templated pages."""
        path = path.strip("/")
        if path.endswith("index.html"):
            path = path[: -len("index.html")].strip("/")
        if path in self._by_path:
            return self._by_path[path].path
        for tpl in sorted(self.templates, key=lambda r: -len(r.path)):
            prefix = f"{tpl.path}/" if tpl.path else ""
            if path.startswith(prefix) and len(path) > len(prefix):
                value = unquote(path[len(prefix) :])
                out = self.output_dir(tpl, value)
                self.wanted.setdefault((tpl.source, value), out)
                return out
        return None

    def href(self, url: str) -> str:
        """A link as written on a page, made relative to the page being rendered."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return url
        target = self._target(parts.path)
        if target is None:
            self.broken.add(url)
            target = parts.path.strip("/")
        rel = relative(self.current_dir, target)
        if parts.query:
            rel += f"?{parts.query}"
        if parts.fragment:
            rel += f"#{parts.fragment}"
        if self.drawn_links is not None:
            self.drawn_links.append((url, rel))
        return rel

    def rewrite_html(self, fragment: str) -> str:
        """Rewrite every `href="/..."` in trusted HTML (markdown-it output, page HTML)."""

        def fix(m: re.Match[str]) -> str:
            url = html.unescape(m.group(2))
            return f'{m.group(1)}"{html.escape(self.href(url))}"'

        return re.sub(r'(\bhref=)"(/[^"]*)"', fix, fragment)
