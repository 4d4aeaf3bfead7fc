"""The one error a build raises, so callers and tests can point at the page line at fault."""

from __future__ import annotations

from pathlib import Path


class RenderError(Exception):
    """A page cannot be built: names the page file, its line and, when relevant, the query.

    The message reads `pages/x.md:12: query 'top_repos': <why>` so an editor jumps there.
    """

    def __init__(
        self, page: Path | str, line: int, message: str, *, query: str | None = None
    ) -> None:
        self.page = Path(page)
        self.line = line
        self.query = query
        where = f"{self.page}:{line}"
        what = f"query '{query}': " if query else ""
        super().__init__(f"{where}: {what}{message}")
