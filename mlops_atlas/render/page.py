"""Parse an Evidence-style page into its queries and a small tree of blocks.

The tree has four node kinds: markdown text, components (`<BarChart .../>`), `{#if}`
and `{#each}` blocks. Markdown itself is left to markdown-it at render time; this
parser only finds what Evidence adds on top, and records the source line of each
node so errors can point at it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlops_atlas.render.errors import RenderError
from mlops_atlas.render.frontmatter import split_frontmatter

# Components this renderer draws, with the children each may hold.
COMPONENTS: dict[str, frozenset[str]] = {
    "DataTable": frozenset({"Column"}),
    "Column": frozenset(),
    "BarChart": frozenset(),
    "LineChart": frozenset(),
    "ScatterPlot": frozenset(),
    "HypeCycle": frozenset(),
    "BigValue": frozenset(),
    "Value": frozenset(),
    "Dropdown": frozenset({"DropdownOption"}),
    "DropdownOption": frozenset(),
    "Details": frozenset({"*"}),
    "Alert": frozenset({"*"}),
}
# Components that sit inside a line of text rather than starting a block.
INLINE_COMPONENTS = frozenset({"Value"})
# Components that only make sense inside a parent.
CHILD_ONLY = {"Column": "DataTable", "DropdownOption": "Dropdown"}

_SQL_FENCE = re.compile(r"^```sql[ \t]+([A-Za-z_]\w*)[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
_BAD_SQL_FENCE = re.compile(r"^```sql\b(.*)$", re.M)
CODE_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.M | re.S)
_TOKEN = re.compile(
    r"<(?P<open>[A-Z]\w*)"
    r"|</(?P<close>[A-Z]\w*)\s*>"
    r"|\{#if\s+(?P<if>[^}]*)\}"
    r"|\{:else\s+if\s+(?P<elif>[^}]*)\}"
    r"|(?P<else>\{:else\s*\})"
    r"|(?P<endif>\{/if\s*\})"
    r"|\{#each\s+(?P<each>[^}]*)\}"
    r"|(?P<endeach>\{/each\s*\})"
)
_IF_TAGS = frozenset({"if", "elif", "else", "endif"})
_EACH = re.compile(r"^(?P<src>.+?)\s+as\s+(?P<var>[A-Za-z_]\w*)(?:\s*,\s*(?P<idx>[A-Za-z_]\w*))?$")


@dataclass(frozen=True)
class Expr:
    """A `{...}` prop value, kept as source text and evaluated at render time."""

    text: str


@dataclass
class Query:
    name: str
    sql: str
    line: int


@dataclass
class Text:
    markdown: str
    line: int


@dataclass
class Component:
    name: str
    props: dict[str, Any]
    line: int
    children: list[Node] = field(default_factory=list)


@dataclass
class IfBlock:
    # (condition, body) pairs; condition None is the final {:else}.
    branches: list[tuple[str | None, list[Node]]]
    line: int


@dataclass
class EachBlock:
    source: str
    var: str
    index_var: str | None
    body: list[Node]
    line: int


Node = Text | Component | IfBlock | EachBlock


@dataclass
class Page:
    """A parsed page file: what the renderer needs, with source lines for errors."""

    path: Path
    meta: dict[str, Any]
    queries: dict[str, Query]
    nodes: list[Node]

    @property
    def title(self) -> str | None:
        title = self.meta.get("title")
        return str(title) if title is not None else None

    @functools.cached_property
    def dropdowns(self) -> list[Component]:
        """The page's <Dropdown>s in page order, found once (every page of a template asks)."""
        return [n for n, _ in walk(self.nodes) if isinstance(n, Component) and n.name == "Dropdown"]


def children(node: Node) -> list[Node]:
    """The nodes directly inside `node`: a component's, every `{#if}` branch's, a loop's body."""
    if isinstance(node, Component):
        return node.children
    if isinstance(node, IfBlock):
        return [child for _, body in node.branches for child in body]
    if isinstance(node, EachBlock):
        return node.body
    return []


def walk(
    nodes: list[Node], bound: frozenset[str] = frozenset()
) -> Iterator[tuple[Node, frozenset[str]]]:
    """Every node of `nodes` and inside them, in page order, each with the names the loops
    around it within `nodes` bind (an `{#each}`'s row and index, in its body), after `bound`."""
    for node in nodes:
        yield node, bound
        inner = bound
        if isinstance(node, EachBlock):
            inner = bound | {node.var, *([node.index_var] if node.index_var else [])}
        yield from walk(children(node), inner)


def parse_page(path: Path, text: str | None = None) -> Page:
    """Read and parse one page; raises RenderError naming the line of any syntax fault."""
    if text is None:
        text = path.read_text(encoding="utf-8")
    meta, body, first_line = split_frontmatter(text, path)

    def line_of(pos: int) -> int:
        return first_line + body.count("\n", 0, pos)

    queries: dict[str, Query] = {}
    for m in _SQL_FENCE.finditer(body):
        name = m.group(1)
        if name in queries:
            raise RenderError(path, line_of(m.start()), "defined twice", query=name)
        queries[name] = Query(name, m.group(2).strip().rstrip(";"), line_of(m.start()))
    for m in _BAD_SQL_FENCE.finditer(body):
        if not re.fullmatch(r"[ \t]+[A-Za-z_]\w*[ \t]*", m.group(1)):
            raise RenderError(
                path, line_of(m.start()), "a ```sql block needs a name: ```sql my_query"
            )
    # Blank out the query blocks (keeping their newlines) so line numbers stay true.
    body = _SQL_FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), body)
    nodes = _Parser(path, body, line_of).parse()
    return Page(path=path, meta=meta, queries=queries, nodes=nodes)


class _Parser:
    def __init__(self, path: Path, body: str, line_of: Any) -> None:
        self.path = path
        self.body = body
        self.line_of = line_of
        self.pos = 0
        self.fences = [(m.start(), m.end()) for m in CODE_FENCE.finditer(body)]

    def error(self, pos: int, message: str) -> RenderError:
        return RenderError(self.path, self.line_of(pos), message)

    def _next_token(self) -> re.Match[str] | None:
        pos = self.pos
        while True:
            m = _TOKEN.search(self.body, pos)
            if m is None:
                return None
            fence = next((f for f in self.fences if f[0] <= m.start() < f[1]), None)
            if fence is None:
                return m
            pos = fence[1]

    def parse(self) -> list[Node]:
        nodes, stop = self._parse_until(set())
        if stop is not None:
            raise self.error(stop.start(), f"unexpected `{stop.group(0)}`")
        return nodes

    def _parse_until(self, stops: set[str]) -> tuple[list[Node], re.Match[str] | None]:
        """Parse nodes until a token whose kind is in `stops`; return it (consumed)."""
        nodes: list[Node] = []
        while True:
            m = self._next_token()
            if m is None:
                self._text(nodes, self.pos, len(self.body))
                self.pos = len(self.body)
                return nodes, None
            kind = m.lastgroup or ""
            start, end = self._if_tag_span(m) if kind in _IF_TAGS else (m.start(), m.end())
            self._text(nodes, self.pos, start)
            if kind in stops:
                self.pos = end
                return nodes, m
            if kind == "open":
                self.pos = m.end()
                nodes.append(self._component(m))
            elif kind == "if":
                self.pos = end
                nodes.append(self._if(m))
            elif kind == "each":
                self.pos = m.end()
                nodes.append(self._each(m))
            else:
                raise self.error(m.start(), f"unexpected `{m.group(0)}`")

    def _if_tag_span(self, m: re.Match[str]) -> tuple[int, int]:
        """The text an `{#if}`/`{:else}`/`{/if}` tag takes: on a line of its own, the whole
        line with its line break.

        Such a line is not blank, so for markdown it never ends a paragraph, a list or a
        table: `text\n{#if c}\nmore\n{/if}\nrest` is one paragraph, as in Evidence. Keeping
        both line breaks around a vanished tag would leave a blank line, splitting it in two.
        """
        body = self.body
        line_start = body.rfind("\n", 0, m.start()) + 1
        line_end = body.find("\n", m.end())
        line_end = len(body) if line_end < 0 else line_end
        if body[line_start : m.start()].strip(" \t") or body[m.end() : line_end].strip(" \t"):
            return m.start(), m.end()
        return max(line_start, self.pos), min(line_end + 1, len(body))

    def _text(self, nodes: list[Node], start: int, end: int) -> None:
        chunk = self.body[start:end]
        if chunk:
            nodes.append(Text(chunk, self.line_of(start)))

    def _if(self, m: re.Match[str]) -> IfBlock:
        branches: list[tuple[str | None, list[Node]]] = []
        cond: str | None = m.group("if").strip()
        while True:
            body, stop = self._parse_until({"elif", "else", "endif"})
            if stop is None:
                raise self.error(m.start(), "`{#if}` is never closed with `{/if}`")
            branches.append((cond, body))
            kind = stop.lastgroup
            if kind == "endif":
                return IfBlock(branches, self.line_of(m.start()))
            if cond is None:
                raise self.error(stop.start(), "nothing may follow `{:else}` but `{/if}`")
            cond = stop.group("elif").strip() if kind == "elif" else None

    def _each(self, m: re.Match[str]) -> EachBlock:
        spec = _EACH.match(m.group("each").strip())
        if spec is None:
            raise self.error(m.start(), "write `{#each query as row}` or `{#each query as row, i}`")
        body, stop = self._parse_until({"endeach"})
        if stop is None:
            raise self.error(m.start(), "`{#each}` is never closed with `{/each}`")
        # `{#each q as r}\n- item\n{/each}` should give one list, not items split by blank lines.
        if body and isinstance(body[0], Text) and body[0].markdown.startswith("\n"):
            body[0] = Text(body[0].markdown[1:], body[0].line + 1)
        return EachBlock(
            spec.group("src").strip(),
            spec.group("var"),
            spec.group("idx"),
            body,
            self.line_of(m.start()),
        )

    def _component(self, m: re.Match[str]) -> Component:
        name = m.group("open")
        start = m.start()
        if name not in COMPONENTS:
            known = ", ".join(sorted(COMPONENTS))
            raise self.error(start, f"unknown component <{name}> (this renderer knows {known})")
        props, self_closing = self._attributes(start)
        comp = Component(name, props, self.line_of(start))
        if self_closing:
            return comp
        allowed = COMPONENTS[name]
        while True:
            children, stop = self._parse_until({"close", "open"})
            for child in children:
                if isinstance(child, Text) and not child.markdown.strip():
                    continue
                if "*" not in allowed:
                    raise self.error(start, f"<{name}> holds only {sorted(allowed) or 'nothing'}")
                comp.children.append(child)
            if stop is None:
                raise self.error(start, f"<{name}> is never closed (add `/>` or `</{name}>`)")
            if stop.lastgroup == "close":
                if stop.group("close") != name:
                    raise self.error(stop.start(), f"`</{stop.group('close')}>` closes <{name}>")
                return comp
            child_name = stop.group("open")
            if child_name not in COMPONENTS:
                raise self.error(stop.start(), f"unknown component <{child_name}>")
            if "*" not in allowed and child_name not in allowed:
                raise self.error(stop.start(), f"<{child_name}> cannot sit inside <{name}>")
            comp.children.append(self._component(stop))

    def _attributes(self, start: int) -> tuple[dict[str, Any], bool]:
        body, pos = self.body, self.pos
        props: dict[str, Any] = {}
        while True:
            while pos < len(body) and body[pos].isspace():
                pos += 1
            if body.startswith("/>", pos):
                self.pos = pos + 2
                return props, True
            if body.startswith(">", pos):
                self.pos = pos + 1
                return props, False
            name_m = re.compile(r"[A-Za-z_][\w-]*").match(body, pos)
            if name_m is None:
                raise self.error(pos if pos < len(body) else start, "cannot read component props")
            key = name_m.group(0)
            pos = name_m.end()
            if not body.startswith("=", pos):
                props[key] = True
                continue
            pos += 1
            if pos >= len(body):
                raise self.error(start, f"prop `{key}` has no value")
            ch = body[pos]
            if ch in "\"'":
                end = body.find(ch, pos + 1)
                if end < 0:
                    raise self.error(pos, f"prop `{key}` opens a quote it never closes")
                props[key] = body[pos + 1 : end]
                pos = end + 1
            elif ch == "{":
                end = _matching_brace(body, pos)
                if end < 0:
                    raise self.error(pos, f"prop `{key}` opens `{{` it never closes")
                props[key] = Expr(body[pos + 1 : end].strip())
                pos = end + 1
            else:
                val_m = re.compile(r"[^\s/>]+|/(?!>)").match(body, pos)
                value = ""
                while val_m:
                    value += val_m.group(0)
                    pos = val_m.end()
                    val_m = re.compile(r"[^\s/>]+|/(?!>)").match(body, pos)
                props[key] = value
        # unreachable


def _matching_brace(text: str, pos: int) -> int:
    depth = 0
    quote = ""
    for i in range(pos, len(text)):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1
