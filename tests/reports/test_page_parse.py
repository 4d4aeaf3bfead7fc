"""Parsing pages: queries, components, blocks and their source lines; syntax errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_atlas.render import RenderError
from mlops_atlas.render.page import Component, EachBlock, Expr, IfBlock, Text, parse_page

PAGE = """---
title: Hello
---
# Head {q[0].n}

```sql q
select 1 as n
```

Text <Value data={q} column=n fmt=pct1/> more.

<DataTable data={q} search=true rows=20 link=url>
  <Column id=n title="Big N"/>
</DataTable>

{#if q.length > 0}
yes
{:else if q.length == 0}
no
{:else}
never
{/if}
{#each q as row, i}
- {row.n}
{/each}

```python
<NotAComponent>
```
"""


def test_parse_queries_nodes_and_lines() -> None:
    page = parse_page(Path("p.md"), PAGE)
    assert page.title == "Hello"
    assert list(page.queries) == ["q"]
    assert page.queries["q"].sql == "select 1 as n"
    assert page.queries["q"].line == 6
    kinds = [
        type(n).__name__ for n in page.nodes if not (isinstance(n, Text) and not n.markdown.strip())
    ]
    assert kinds == ["Text", "Component", "Text", "Component", "IfBlock", "EachBlock", "Text"]
    value = page.nodes[1]
    assert isinstance(value, Component) and value.line == 10
    assert value.props == {"data": Expr("q"), "column": "n", "fmt": "pct1"}
    table = next(n for n in page.nodes if isinstance(n, Component) and n.name == "DataTable")
    assert table.line == 12
    assert table.props["rows"] == "20" and table.props["link"] == "url"
    assert [(c.name, c.props["title"], c.line) for c in table.children] == [("Column", "Big N", 13)]
    block = next(n for n in page.nodes if isinstance(n, IfBlock))
    assert [cond for cond, _ in block.branches] == ["q.length > 0", "q.length == 0", None]
    each = next(n for n in page.nodes if isinstance(n, EachBlock))
    assert (each.source, each.var, each.index_var, each.line) == ("q", "row", "i", 23)
    # Components inside other code fences are left as text.
    assert "<NotAComponent>" in page.nodes[-1].markdown


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("ok\n\n<Chart data={q}/>\n", 6, "unknown component <Chart>"),
        ("<DataTable data={q}>\n<Column id=a/>\n", 4, "<DataTable> is never closed"),
        ("{#if x}\nhi\n", 4, "`{#if}` is never closed"),
        ("text\n{/each}\n", 5, "unexpected `{/each}`"),
        ("<DataTable data={q}>\n<BarChart/>\n</DataTable>", 5, "<BarChart> cannot sit inside"),
        ("```sql\nselect 1\n```\n", 4, "needs a name"),
        ("```sql a\nselect 1\n```\n```sql a\nselect 2\n```\n", 7, "query 'a': defined twice"),
    ],
)
def test_syntax_errors_name_page_and_line(body: str, line: int, fragment: str) -> None:
    with pytest.raises(RenderError) as err:
        parse_page(Path("pages/bad.md"), "---\ntitle: x\n---\n" + body)
    assert err.value.line == line
    assert str(err.value).startswith(f"pages/bad.md:{line}: ")
    assert fragment in str(err.value)


def test_if_tags_on_their_own_lines_take_their_line_break() -> None:
    # A tag line is not blank: dropping the tag must not leave a blank line behind, which
    # would split the paragraph around it. Lines stay true for errors.
    page = parse_page(
        Path("p.md"), "---\ntitle: x\n---\none\n  {#if a}\ntwo {b}\n{:else}\nthree\n{/if}\nfour"
    )
    first, block, last = page.nodes
    assert isinstance(first, Text) and first.markdown == "one\n"
    assert isinstance(block, IfBlock) and block.line == 5
    assert [(b[0].markdown, b[0].line) for _, b in block.branches] == [
        ("two {b}\n", 6),
        ("three\n", 8),
    ]
    assert isinstance(last, Text) and (last.markdown, last.line) == ("four", 10)
    # A tag sharing its line with text keeps the line break, as written.
    inline = parse_page(Path("p.md"), "one {#if a}two{/if}\nthree").nodes
    assert [n.markdown for n in inline if isinstance(n, Text)] == ["one ", "\nthree"]
