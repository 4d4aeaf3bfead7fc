"""A tiny evaluator for the JavaScript-like expressions pages write inside `{...}`.

Supports what Evidence pages use in text and `{#if}`: paths (`q[0].col`, `q.length`,
`params.repo`, `inputs.x.value`), literals, `! && || == != === !== < <= > >=`,
parentheses, array and object literals (`{'serving': '#c0392b'}`, as Evidence's `seriesColors`
takes) and `fmt(value, 'pct1')`. Anything else is a syntax error,
so nothing from a page is ever handed to Python's `eval`.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
    r"|(?P<name>[A-Za-z_$][\w$]*)|(?P<op>===|!==|==|!=|<=|>=|&&|\|\||[!<>()\[\]{}:.,+\-]))"
)


class ExprError(Exception):
    """A page expression cannot be parsed or refers to something unknown."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class _Node:
    kind: str
    value: Any = None
    args: tuple[_Node, ...] = ()


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ExprError(f"cannot read expression `{text}` at `{text[pos:]}`")
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise ExprError(f"expected `{value or 'a value'}` in `{self.text}`")
        self.i += 1
        return tok

    def parse(self) -> _Node:
        node = self.binary(0)
        if self.peek() is not None:
            raise ExprError(f"unexpected `{self.peek()[1]}` in `{self.text}`")  # type: ignore[index]
        return node

    _LEVELS = (("||",), ("&&",), ("==", "!=", "===", "!=="), ("<", "<=", ">", ">="), ("+", "-"))

    def binary(self, level: int) -> _Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in self._LEVELS[level]:
            self.i += 1
            node = _Node("bin", tok[1], (node, self.binary(level + 1)))
        return node

    def unary(self) -> _Node:
        tok = self.peek()
        if tok and tok[1] in ("!", "-"):
            self.i += 1
            return _Node("not" if tok[1] == "!" else "neg", None, (self.unary(),))
        return self.postfix(self.primary())

    def primary(self) -> _Node:
        kind, value = self.take()
        if kind == "num":
            return _Node("lit", float(value) if "." in value else int(value))
        if kind == "str":
            return _Node("lit", re.sub(r"\\(.)", r"\1", value[1:-1]))
        if kind == "name":
            literals = {"true": True, "false": False, "null": None, "undefined": None}
            if value in literals:
                return _Node("lit", literals[value])
            return _Node("name", value)
        if value == "(":
            node = self.binary(0)
            self.take(")")
            return node
        if value == "[":
            return _Node("list", None, self.items("]"))
        if value == "{":
            return self.mapping()
        raise ExprError(f"unexpected `{value}` in `{self.text}`")

    def postfix(self, node: _Node) -> _Node:
        while (tok := self.peek()) and tok[1] in (".", "[", "("):
            self.i += 1
            if tok[1] == ".":
                node = _Node("attr", self.take()[1], (node,))
            elif tok[1] == "[":
                node = _Node("index", None, (node, self.binary(0)))
                self.take("]")
            else:
                if node.kind != "name":
                    raise ExprError(f"only named functions can be called in `{self.text}`")
                node = _Node("call", node.value, self.items(")"))
        return node

    def mapping(self) -> _Node:
        """An object literal after its `{`: `key: value` pairs, keys as names or strings."""
        pairs: list[_Node] = []
        while (tok := self.peek()) and tok[1] != "}":
            kind, key = self.take()
            if kind not in ("name", "str", "num"):
                raise ExprError(f"an object key must be a name or a string in `{self.text}`")
            self.take(":")
            name = re.sub(r"\\(.)", r"\1", key[1:-1]) if kind == "str" else key
            pairs.append(_Node("pair", name, (self.binary(0),)))
            if (tok := self.peek()) and tok[1] == ",":
                self.i += 1
        self.take("}")
        return _Node("object", None, tuple(pairs))

    def items(self, close: str) -> tuple[_Node, ...]:
        """Comma-separated expressions up to `close` (array items, call arguments)."""
        found: list[_Node] = []
        while (tok := self.peek()) and tok[1] != close:
            found.append(self.binary(0))
            if (tok := self.peek()) and tok[1] == ",":
                self.i += 1
        self.take(close)
        return tuple(found)


_CACHE: dict[str, _Node] = {}


def parse(text: str) -> _Node:
    """Parse once and cache: the same expression is evaluated once per row of an `{#each}`."""
    node = _CACHE.get(text)
    if node is None:
        node = _Parser(text).parse()
        _CACHE[text] = node
    return node


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for arg in node.args:
        yield from _walk(arg)


@functools.cache
def roots(text: str) -> frozenset[str]:
    """Names an expression reads from its scope (queries, `params`, `inputs`, loop variables)."""
    return frozenset(node.value for node in _walk(parse(text)) if node.kind == "name")


@functools.cache
def input_names(text: str) -> frozenset[str]:
    """Inputs an expression reads directly, as in `inputs.category.value`."""
    return frozenset(
        node.value
        for node in _walk(parse(text))
        if node.kind == "attr" and node.args[0].kind == "name" and node.args[0].value == "inputs"
    )


def row_reference(text: str) -> tuple[str, int | None, str | None] | None:
    """`q.length` as (q, None, None), `q[2].col` as (q, 2, "col"); None for anything else."""
    node = parse(text)
    if node.kind == "attr" and node.args[0].kind == "name":
        return (node.args[0].value, None, None) if node.value == "length" else None
    if node.kind != "attr" or node.args[0].kind != "index":
        return None
    base, index = node.args[0].args
    if base.kind == "name" and index.kind == "lit" and type(index.value) is int:
        return base.value, index.value, node.value
    return None


def evaluate(
    text: str, scope: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]
) -> Any:
    """Evaluate with JavaScript-ish semantics: missing rows are `None`, never an IndexError."""
    return _compiled(text)(scope, functions)


_Compiled = Callable[[Mapping[str, Any], Mapping[str, Callable[..., Any]]], Any]


@functools.cache
def _compiled(text: str) -> _Compiled:
    """An expression turned once into nested closures: a template's text is evaluated for
    every page, row and option, and walking its tree each time took 1.4-2.7 times as long."""
    return _compile(parse(text))


def _compile(node: _Node) -> _Compiled:
    kind = node.kind
    if kind == "lit":
        value = node.value
        return lambda scope, functions: value
    if kind == "name":
        name = node.value

        def lookup(scope: Mapping[str, Any], functions: Any) -> Any:
            if name not in scope:
                raise ExprError(f"unknown name `{name}`", name=name)
            return scope[name]

        return lookup
    if kind == "object":
        keys = [pair.value for pair in node.args]
        values = [_compile(pair.args[0]) for pair in node.args]
        return lambda scope, functions: {
            k: v(scope, functions) for k, v in zip(keys, values, strict=True)
        }
    args = [_compile(a) for a in node.args]
    if kind == "list":
        return lambda scope, functions: [a(scope, functions) for a in args]
    if kind == "attr":
        base, key = args[0], node.value
        return lambda scope, functions: _attr(base(scope, functions), key)
    if kind == "index":
        return _index(*args)
    if kind == "call":
        return _call(node.value, args)
    if kind == "not":
        return lambda scope, functions: not truthy(args[0](scope, functions))
    if kind == "neg":
        return _negate(args[0])
    return _binary(node.value, *args)


def _index(base: _Compiled, key: _Compiled) -> _Compiled:
    def index(scope: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> Any:
        value, k = base(scope, functions), key(scope, functions)
        if isinstance(value, list | tuple) and isinstance(k, int | float):
            i = int(k)
            return value[i] if 0 <= i < len(value) else None
        return _attr(value, k) if isinstance(k, str) else None

    return index


def _call(name: str, args: list[_Compiled]) -> _Compiled:
    def call(scope: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> Any:
        if name not in functions:
            raise ExprError(f"unknown function `{name}`", name=name)
        return functions[name](*[a(scope, functions) for a in args])

    return call


def _negate(arg: _Compiled) -> _Compiled:
    def negate(scope: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> Any:
        value = arg(scope, functions)
        return None if value is None else -value

    return negate


def _binary(op: str, left: _Compiled, right: _Compiled) -> _Compiled:
    if op == "&&":
        return lambda s, f: right(s, f) if truthy(value := left(s, f)) else value
    if op == "||":
        return lambda s, f: value if truthy(value := left(s, f)) else right(s, f)
    compute = _OPERATORS[op]
    return lambda s, f: compute(left(s, f), right(s, f))


def _arithmetic(op: str) -> Callable[[Any, Any], Any]:
    def compute(left: Any, right: Any) -> Any:
        if op == "+" and (isinstance(left, str) or isinstance(right, str)):
            return f"{'' if left is None else left}{'' if right is None else right}"
        if left is None or right is None:  # as in SQL: a missing value stays missing
            return None
        try:
            return left + right if op == "+" else left - right
        except TypeError as exc:
            raise ExprError(f"cannot compute {left!r} {op} {right!r}") from exc

    return compute


def _comparison(op: str) -> Callable[[Any, Any], bool]:
    order = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]

    def compare(left: Any, right: Any) -> bool:
        if left is None or right is None:
            return False
        try:
            return order(left, right)
        except TypeError as exc:
            raise ExprError(f"cannot compare {left!r} {op} {right!r}") from exc

    return compare


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "===": operator.eq,
    "!=": operator.ne,
    "!==": operator.ne,
    **{op: _arithmetic(op) for op in ("+", "-")},
    **{op: _comparison(op) for op in ("<", "<=", ">", ">=")},
}


def _attr(base: Any, key: str) -> Any:
    if base is None:
        return None
    if key == "length" and isinstance(base, list | tuple | str):
        return len(base)
    if isinstance(base, Mapping):
        if key in base:
            return base[key]
        keys = getattr(base, "columns", None) or list(base)
        raise ExprError(f"no column `{key}` (columns: {', '.join(map(str, keys))})", name=key)
    raise ExprError(f"cannot read `.{key}` of {type(base).__name__}")


def truthy(value: Any) -> bool:
    """JavaScript truthiness, for `{#if}` and `! && ||`: an empty array is true, "" false."""
    if isinstance(value, list | tuple | Mapping):
        return True
    return bool(value)
