"""Routing rows of one generator to several raw tables, each with its own key and columns.

Both GitHub sources fetch in one sequential generator (what they fetch next depends on what they
fetched before) and route each batch to its table with that table's hints.
"""

from __future__ import annotations

from typing import Any, TypedDict

import dlt


class TableSpec(TypedDict):
    primary_key: list[str]
    #: declared columns; the rest is inferred from GitHub's JSON. Declaring them makes the table
    #: exist after any run, even one that returned no rows for it.
    columns: dict[str, dict[str, Any]]


def routed(specs: dict[str, TableSpec], table: str, rows: Any) -> Any:
    """`rows` marked for `table` (merge on its primary key).

    Each column's hints are copied on their own: dlt annotates hint dicts in place, and one dict
    shared between columns (or tables) would carry a key's non-null flag to the others.
    """
    spec = specs[table]
    hints = dlt.mark.make_hints(
        table_name=table,
        primary_key=spec["primary_key"],
        write_disposition="merge",
        columns={name: dict(hints) for name, hints in spec["columns"].items()},
    )
    return dlt.mark.with_hints(rows, hints, create_table_variant=True)


def materialize_all(specs: dict[str, TableSpec]) -> list[Any]:
    """Markers that create every table of `specs`, rows or not."""
    return [routed(specs, table, dlt.mark.materialize_table_schema()) for table in specs]
