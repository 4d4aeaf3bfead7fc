"""Numbered tokens that hold a value's or a component's place in a page's markdown.

A page is written as markdown with a token where each value or component goes (so the renders
of a templated page share their markdown text), then the tokens are filled in one pass: what a
token is filled with is not searched again, so a value whose text looks like a token stays.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

_TOKEN = re.compile(r"<p>(atlasslot\d+x)</p>|(atlasslot\d+x)")


def slot_token(number: int) -> str:
    """The token of a page's slot `number`: letters and digits only, which markdown keeps."""
    return f"atlasslot{number}x"


def fill_slots(text: str, slots: Mapping[str, str], blocks: Collection[str] = ()) -> str:
    """`text` with each token of `slots` replaced by its text. A token of `blocks` that is a
    paragraph of its own (`<p>token</p>`) replaces the paragraph; any other token keeps what is
    around it. Text that looks like a token but is none of `slots` stays as it is."""

    def fill(m: re.Match[str]) -> str:
        token = m.group(1) or m.group(2)
        if token not in slots:
            return m.group(0)
        if m.group(1) is not None and token not in blocks:
            return f"<p>{slots[token]}</p>"
        return slots[token]

    return _TOKEN.sub(fill, text)
