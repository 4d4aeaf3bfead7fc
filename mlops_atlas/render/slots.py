"""Numbered tokens that hold a value's or a component's place in a page's markdown.

A page is written as markdown with a token where each value or component goes (so the renders
of a templated page share their markdown text), then the tokens are filled in one pass: what a
token is filled with is not searched again, so a value whose text looks like a token stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TOKEN = re.compile(r"<p>(atlasslot\d+x)</p>|(atlasslot\d+x)")


def slot_token(number: int) -> str:
    """The token of a page's slot `number`: letters and digits only, which markdown keeps."""
    return f"atlasslot{number}x"


def fill_slots(text: str, filled: Callable[[str, bool], str | None]) -> str:
    """`text` with each token replaced by `filled(token, alone)`; `alone` says the token is
    a paragraph of its own (`<p>token</p>`, replaced whole). A token `filled` does not know
    (None) stays as it is."""

    def fill(m: re.Match[str]) -> str:
        alone = m.group(1) is not None
        replaced = filled(m.group(1) if alone else m.group(2), alone)
        return m.group(0) if replaced is None else replaced

    return _TOKEN.sub(fill, text)
