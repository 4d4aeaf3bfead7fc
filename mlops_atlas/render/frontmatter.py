"""Split a page's YAML frontmatter from its body, keeping body line numbers exact."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mlops_atlas.render.errors import RenderError


def split_frontmatter(text: str, page: Path) -> tuple[dict[str, Any], str, int]:
    """Return (frontmatter, body, line of the body's first line).

    The body keeps its own lines so that errors can add the returned offset.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text, 1
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            raw = "".join(lines[1:end])
            try:
                meta = yaml.safe_load(raw) or {}
            except yaml.YAMLError as exc:
                raise RenderError(page, 2, f"bad frontmatter YAML: {exc}") from exc
            if not isinstance(meta, dict):
                raise RenderError(page, 2, "frontmatter must be a mapping such as `title: ...`")
            return meta, "".join(lines[end + 1 :]), end + 2
    raise RenderError(page, 1, "frontmatter opened with `---` but never closed")
