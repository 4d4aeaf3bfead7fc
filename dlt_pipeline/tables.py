"""How every raw table is declared: its columns, primary key and write disposition, once.

Declared columns make a table exist after any run, even one that returned no rows for it; the
rest of a table's columns are inferred from the data (GitHub's JSON). Both GitHub sources fetch
in one sequential generator (what they fetch next depends on what they fetched before) and mark
each batch for its table with `Table.rows`; the git source gives each table its own resource
with `Table.resource`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TTableSchemaColumns

#: Arrow and DuckDB types of the declared column types (timestamps are UTC instants).
ARROW_TYPES = {
    "text": pa.string(),
    "bigint": pa.int64(),
    "bool": pa.bool_(),
    "double": pa.float64(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
DUCKDB_TYPES = {
    "text": "varchar",
    "bigint": "bigint",
    "bool": "boolean",
    "double": "double",
    "timestamp": "timestamp with time zone",
}


@dataclass(frozen=True)
class Column:
    data_type: str
    nullable: bool = True
    description: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    primary_key: tuple[str, ...]
    columns: Mapping[str, Column]
    write_disposition: str = "merge"

    def column_hints(self) -> TTableSchemaColumns:
        """dlt column hints, a fresh dict per column: dlt annotates hint dicts in place, and one
        dict shared between columns (or tables) would carry a key's non-null flag to the others."""
        hints: TTableSchemaColumns = {}
        for name, column in self.columns.items():
            hint: dict[str, Any] = {
                "name": name,
                "data_type": column.data_type,
                "nullable": column.nullable,
            }
            if column.description:
                hint["description"] = column.description
            hints[name] = hint  # type: ignore[assignment]
        return hints

    def arrow_schema(self) -> pa.Schema:
        """The declared columns as an Arrow schema, in order (rows handed to dlt as Arrow)."""
        return pa.schema(
            [
                pa.field(name, ARROW_TYPES[c.data_type], nullable=c.nullable)
                for name, c in self.columns.items()
            ]
        )

    def rows(self, rows: Any) -> Any:
        """`rows` marked for this table, from a generator that feeds several tables."""
        hints = dlt.mark.make_hints(
            table_name=self.name,
            primary_key=list(self.primary_key),
            write_disposition=self.write_disposition,
            columns=self.column_hints(),
        )
        return dlt.mark.with_hints(rows, hints, create_table_variant=True)

    def materialize(self) -> Any:
        """A marker that creates this table, rows or not."""
        return self.rows(dlt.mark.materialize_table_schema())

    def resource(self, data: Any, **kwargs: Any) -> Any:
        """A dlt resource writing `data` to this table."""
        return dlt.resource(
            data,
            name=self.name,
            primary_key=list(self.primary_key),
            write_disposition=self.write_disposition,
            columns=self.column_hints(),
            **kwargs,
        )


def by_name(*tables: Table) -> dict[str, Table]:
    return {table.name: table for table in tables}
