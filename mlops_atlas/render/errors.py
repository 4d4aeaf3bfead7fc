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
        self.message = message
        self.query = query
        where = f"{self.page}:{line}"
        what = f"query '{query}': " if query else ""
        super().__init__(f"{where}: {what}{message}")

    def __reduce__(self) -> tuple[object, ...]:
        # rebuilt from its parts when a worker process sends it back (site.py)
        return (_rebuild, (self.page, self.line, self.message, self.query))


def _rebuild(page: Path, line: int, message: str, query: str | None) -> RenderError:
    return RenderError(page, line, message, query=query)
