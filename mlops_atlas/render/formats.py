"""Evidence's value formats (`fmt=pct1`, `fmt=usd`, `fmt='#,##0.0'`) as plain Python.

Named formats follow Evidence's built-ins; a small Excel-style code reader covers
`#,##0.00`, `0.0%` and `$#,##0`. An unknown format is an error, not a silent default.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import re
from collections.abc import Callable
from typing import Any


class FormatError(ValueError):
    """The `fmt` is neither a known name nor a readable Excel-style code."""


def _number(decimals: int, *, commas: bool = True, prefix: str = "", scale: str = "") -> Callable:
    divisor = decimal.Decimal({"": "1", "k": "1000", "m": "1000000", "b": "1000000000"}[scale])
    spec = f"{',' if commas else ''}.{decimals}f"

    def fmt(value: Any) -> str:
        number = _decimal(value)
        if scale:
            number /= divisor
        number = _round(number, decimals)
        sign = "-" if number < 0 else ""
        return f"{sign}{prefix}{abs(number):{spec}}{scale}"

    return fmt


def _decimal(value: Any) -> decimal.Decimal:
    # a float as its shortest text (0.1 is 0.1, not 0.1000000000000000055...), so that it
    # rounds as it reads; an integer exactly
    if isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, int):
        return decimal.Decimal(value)
    return decimal.Decimal(repr(float(value)))


@functools.cache
def _quantum(decimals: int) -> decimal.Decimal:
    """1, 0.1, 0.01, ...: what a number of decimals rounds to (made once, not for every value)."""
    return decimal.Decimal(1).scaleb(-decimals)


def _round(number: decimal.Decimal, decimals: int) -> decimal.Decimal:
    # Half away from zero, as people (and Evidence) expect: 1234.5 -> 1,235.
    return number.quantize(_quantum(decimals), rounding=decimal.ROUND_HALF_UP)


def _percent(decimals: int) -> Callable:
    return lambda value: f"{_round(_decimal(value) * 100, decimals):,.{decimals}f}%"


def _date(pattern: str) -> Callable:
    def fmt(value: Any) -> str:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.date):
            raise FormatError(f"{value!r} is not a date")
        return value.strftime(pattern).replace(" 0", " ")

    return fmt


NAMED: dict[str, Callable[[Any], str]] = {
    **{f"num{d}": _number(d) for d in range(5)},
    **{f"num{d}{s}": _number(d, scale=s) for d in range(3) for s in "kmb"},
    **{f"pct{d}": _percent(d) for d in range(4)},
    **{f"usd{d}": _number(d, prefix="$") for d in range(3)},
    **{f"usd{d}{s}": _number(d, prefix="$", scale=s) for d in range(3) for s in "kmb"},
    "usd": _number(2, prefix="$"),
    "pct": _percent(1),
    "id": _number(0, commas=False),
    "date": _date("%Y-%m-%d"),
    "shortdate": _date("%b %d, %Y"),
    "longdate": _date("%B %d, %Y"),
    "mmm": _date("%b"),
    "mmmm": _date("%B"),
    "yyyy": _date("%Y"),
    "datetime": _date("%Y-%m-%d %H:%M"),
}

_EXCEL = re.compile(r"^(?P<prefix>[$€£]?)(?P<int>[#0,]*0)(?:\.(?P<dec>0+))?(?P<pct>%?)$")


def _excel(code: str) -> Callable[[Any], str] | None:
    m = _EXCEL.match(code)
    if m is None:
        return None
    decimals = len(m.group("dec") or "")
    if m.group("pct"):
        return _percent(decimals)
    return _number(decimals, commas="," in m.group("int"), prefix=m.group("prefix"))


@functools.cache
def formatter(fmt: str) -> Callable[[Any], str]:
    """The function for a `fmt` prop; raises FormatError naming the format if unknown. Found
    once per format: a page's tables ask for every cell."""
    fn = NAMED.get(fmt.strip()) or _excel(fmt.strip())
    if fn is None:
        raise FormatError(
            f"unknown format `{fmt}` "
            f"(use one of {', '.join(sorted(NAMED))} or a code like '#,##0.0')"
        )
    return fn


_PLAIN_NUMBER_COLUMNS = re.compile(r"(^|_)(id|year|number)$", re.I)


def format_value(value: Any, fmt: str | None = None, column: str | None = None) -> str:
    """Display text for one value; None is the empty string so tables show blank cells.

    Without `fmt`, numbers get thousands separators except id/year columns.
    """
    return column_formatter(fmt, column)(value)


_FORMATTABLE = (int, float, decimal.Decimal, dt.date, str)


@functools.cache
def column_formatter(fmt: str | None, column: str | None = None) -> Callable[[Any], str]:
    """`format_value` for every value of one column: the format found and the column's name
    read once, not for each cell. Raises FormatError naming an unknown `fmt`."""
    if fmt:
        fn = formatter(fmt)

        def formatted(value: Any) -> str:
            if value is None:
                return ""
            if isinstance(value, bool) or not isinstance(value, _FORMATTABLE):
                return str(value)
            try:
                return fn(value)
            except (ValueError, TypeError, ArithmeticError):  # a value it cannot take
                return str(value)

        return formatted
    plain_integers = bool(column and _PLAIN_NUMBER_COLUMNS.search(column))

    def default(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value) if plain_integers else f"{value:,}"
        if isinstance(value, float | decimal.Decimal):
            number = float(value)
            if number != number:  # NaN
                return ""
            return f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}"
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        return str(value)

    return default


def title_case(column: str) -> str:
    """Evidence's default title for a column: `star_count` -> `Star Count`."""
    return " ".join(w[:1].upper() + w[1:] for w in re.split(r"[_\s]+", column) if w)
