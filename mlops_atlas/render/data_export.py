"""The warehouse's marts and model tables as Parquet files beside the pages, with a README of
their columns from dbt's own documentation, so a reader can take the data away and query it
with DuckDB (or any Parquet reader) without the warehouse or this project."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from mlops_atlas.render.queries import quote_literal

DATA_DIR = "data"
#: The schemas published: the marts and the models' tables (never raw data or staging).
DATA_SCHEMAS = ("marts", "ml")


@dataclass
class ExportedTable:
    """One table written: its file (relative to the data folder), rows and columns (name,
    type, description)."""

    schema: str
    name: str
    file: str
    rows: int
    description: str = ""
    columns: list[tuple[str, str, str]] = field(default_factory=list)


def _docs(manifest: Path | None) -> dict[tuple[str, str], dict[str, Any]]:
    """(schema, table) -> the dbt node (model or seed) documenting it, from `manifest`."""
    if manifest is None or not manifest.is_file():
        return {}
    nodes = json.loads(manifest.read_text(encoding="utf-8")).get("nodes", {})
    return {
        (n["schema"], n.get("alias") or n["name"]): n
        for n in nodes.values()
        if n.get("resource_type") in ("model", "seed")
    }


def _cell(text: str) -> str:
    """A markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def export_tables(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    out_dir: Path,
    *,
    manifest: Path | None = None,
    schemas: Sequence[str] = DATA_SCHEMAS,
) -> list[ExportedTable]:
    """Write every table and view of `schemas` in `catalog` to `out_dir/<schema>/<table>.parquet`
    and `out_dir/README.md` (each table's and column's description from dbt's `manifest`);
    returns what was written. A table dbt does not document is written and marked so."""
    docs = _docs(manifest)
    # names as literals, not bound parameters (see render/lookups.py: keyed_statement)
    wanted = ", ".join(quote_literal(schema) for schema in schemas) or "null"
    listed = con.execute(
        "select table_schema, table_name from information_schema.tables"
        f" where table_catalog = {quote_literal(catalog)} and table_schema in ({wanted})"
        " order by table_schema, table_name"
    ).fetchall()
    written: list[ExportedTable] = []
    for schema, name in listed:
        file = f"{schema}/{name}.parquet"
        path = out_dir / file
        path.parent.mkdir(parents=True, exist_ok=True)
        source = f'"{catalog}"."{schema}"."{name}"'
        # COPY answers the number of rows it wrote
        (rows,) = con.execute(  # type: ignore[misc]
            f"copy (select * from {source}) to {quote_literal(str(path))}"
            " (format parquet, compression zstd)"
        ).fetchone()
        node = docs.get((schema, name), {})
        described = node.get("columns", {})
        columns = [
            (column, dtype, described.get(column, {}).get("description", ""))
            for column, dtype in con.execute(
                "select column_name, data_type from information_schema.columns"
                f" where table_catalog = {quote_literal(catalog)}"
                f" and table_schema = {quote_literal(schema)}"
                f" and table_name = {quote_literal(name)} order by ordinal_position"
            ).fetchall()
        ]
        written.append(
            ExportedTable(schema, name, file, rows, node.get("description", ""), columns)
        )
    (out_dir / "README.md").write_text(readme(written, documented=bool(docs)), encoding="utf-8")
    return written


def readme(tables: Sequence[ExportedTable], *, documented: bool) -> str:
    """The data folder's README: how to query the files, then every table and column."""
    lines = [
        "# The data behind the reports",
        "",
        "Every mart (`marts/`) and model table (`ml/`) of the warehouse the pages were rendered",
        "from, one Parquet file per table. Query them with DuckDB, no warehouse needed:",
        "",
        "```sql",
        "-- duckdb, run in this folder",
        "select full_name, stars from 'marts/dim_repositories.parquet' order by stars desc limit 10;",
        "select m.full_name, m.evidence_level, m.maturity_score, m.score_low, m.score_high",
        "from 'ml/ml_maturity.parquet' as m order by m.maturity_score desc limit 10;",
        "```",
        "",
        "In Python: `duckdb.sql(\"select * from 'data/ml/ml_maturity.parquet'\").df()`, or",
        "`pandas.read_parquet`. Keys join across files as in the warehouse (`repository_id`).",
        "Descriptions are dbt's documentation of each model (its `_<folder>__models.yml`).",
        "",
    ]
    if not documented:
        lines += [
            "No dbt manifest was found beside the warehouse: columns are listed undocumented.",
            "",
        ]
    for t in tables:
        lines += [
            f"## {t.schema}.{t.name}",
            "",
            f"`{t.file}`, {t.rows:,} rows. {_cell(t.description) or '(not documented)'}",
            "",
            "| column | type | description |",
            "| --- | --- | --- |",
            *(f"| `{c}` | {_cell(d)} | {_cell(text)} |" for c, d, text in t.columns),
            "",
        ]
    return "\n".join(lines)
