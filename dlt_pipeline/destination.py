"""Where a load writes: the DuckDB warehouse file (the default), or a lake folder of Parquet
tables through dlt's `filesystem` destination (`<lake>/raw_github/<table>/*.parquet`), which Spark
and DuckDB both read.

dlt merges into Delta and Iceberg tables only; for Parquet a `merge` table falls back to `append`,
so a re-run would add every row again. `settle` does the merge after each load instead: it keeps
the latest row of each primary key (the latest load wins, as dlt's merge does), and the nested
rows of those rows only, and writes each such table back as one file. A crash part-way leaves
rows twice, never none, and the next load's `settle` removes the copies.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow as pa
from dlt.common.schema.utils import get_columns_names_with_prop

from dlt_pipeline.tables import DUCKDB_TYPES, Table
from mlops_atlas.lake import quote_literal, quote_name
from mlops_atlas.paths import pipelines_dir_for

#: The lake's file format: Parquet, which Spark, DuckDB and pandas read without extras.
LAKE_FILE_FORMAT = "parquet"
_COMPACTED = "compacted"


def destination(warehouse_path: Path, *, lake: bool = False) -> Any:
    """The dlt destination for a warehouse: its DuckDB file, or the lake folder it names."""
    if lake:
        return dlt.destinations.filesystem(bucket_url=str(Path(warehouse_path).resolve()))
    return dlt.destinations.duckdb(str(warehouse_path))


def pipelines_dir(warehouse_path: Path, *, lake: bool = False) -> Path:
    """dlt's local state: beside a DuckDB file, inside a lake folder (each is self-contained)."""
    return Path(warehouse_path) / ".dlt" if lake else pipelines_dir_for(Path(warehouse_path))


def is_lake(pipeline: dlt.Pipeline) -> bool:
    return pipeline.destination.destination_name == "filesystem"


def file_format(pipeline: dlt.Pipeline, preferred: str | None = None) -> str | None:
    """The file format a load writes: Parquet into a lake, else `preferred` (None: dlt's)."""
    return LAKE_FILE_FORMAT if is_lake(pipeline) else preferred


def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet"))


def _children(tables: dict[str, Any], parent: str) -> list[str]:
    return [name for name, t in tables.items() if t.get("parent") == parent]


def _write(con: duckdb.DuckDBPyConnection, select: str, folder: Path, load_id: str) -> None:
    """Write `select` as the table's only file: to a hidden name, renamed into place, then the
    older files removed (readers skip names starting with a dot)."""
    old = _files(folder)
    hidden = folder / f".{_COMPACTED}.parquet"
    con.execute(f"copy ({select}) to {quote_literal(str(hidden))} (format parquet)")
    final = folder / f"{load_id}.{_COMPACTED}.{secrets.token_hex(4)}.parquet"
    os.replace(hidden, final)
    for path in old:
        path.unlink()


def _settle_children(
    con: duckdb.DuckDBPyConnection,
    dataset: Path,
    tables: dict[str, Any],
    parent: str,
    load_id: str,
) -> None:
    """Keep the nested rows (lists dlt split into child tables) of the kept `parent` rows."""
    for child in _children(tables, parent):
        folder = dataset / child
        if not _files(folder):
            continue
        source = f"read_parquet({quote_literal(str(folder / '*.parquet'))}, union_by_name = true)"
        con.execute(
            f"create or replace temp table {quote_name(child)} as select * from {source} "
            f"where _dlt_parent_id in (select _dlt_id from {quote_name(parent)})"
        )
        _settle_children(con, dataset, tables, child, load_id)
        _write(con, f"select * from {quote_name(child)}", folder, load_id)


def settle(pipeline: dlt.Pipeline) -> None:
    """Merge the lake's `merge` tables on their primary keys after a load (see the module doc).
    Does nothing for a DuckDB destination, whose own merge already did it."""
    if not is_lake(pipeline):
        return
    dataset = Path(pipeline.destination.config_params["bucket_url"]) / pipeline.dataset_name
    con = duckdb.connect(":memory:")
    try:
        for schema in pipeline.schemas.values():
            tables = schema.data_tables()
            by_name = {t["name"]: t for t in tables}
            for table in tables:
                keys = get_columns_names_with_prop(table, "primary_key")
                if table.get("parent") or table.get("write_disposition") != "merge" or not keys:
                    continue
                folder = dataset / table["name"]
                files = _files(folder)
                if not files or (len(files) == 1 and f".{_COMPACTED}." in files[0].name):
                    continue
                source = f"read_parquet({quote_literal(str(folder / '*.parquet'))}, union_by_name = true)"
                partition = ", ".join(quote_name(k) for k in keys)
                con.execute(
                    f"create or replace temp table {quote_name(table['name'])} as "
                    f"select * from {source} qualify row_number() over (partition by {partition} "
                    "order by _dlt_load_id desc) = 1"
                )
                latest = con.execute(f"select max(_dlt_load_id) from {quote_name(table['name'])}")
                load_id = str(latest.fetchone()[0] or "empty")
                _settle_children(con, dataset, by_name, table["name"], load_id)
                _write(con, f"select * from {quote_name(table['name'])}", folder, load_id)
    finally:
        con.close()


#: dlt adds its `_dlt_load_id` and `_dlt_id` columns to Arrow rows only when asked; a lake's
#: merge (`settle`) keeps the latest load of each key by them, as for every other table.
ARROW_DLT_COLUMNS = {
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID": "true",
}


@contextlib.contextmanager
def arrow_with_dlt_columns() -> Iterator[None]:
    """While extracting and normalizing Arrow rows: give them dlt's load id and row id columns
    (the variables dlt reads these settings from, set for these steps only and restored after)."""
    saved = {name: os.environ.get(name) for name in ARROW_DLT_COLUMNS}
    os.environ.update(ARROW_DLT_COLUMNS)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def merge_arrow(
    warehouse_path: Path, dataset: str, table: Table, frames: list[pa.Table], load_id: str
) -> int:
    """Write `frames` into the DuckDB table `dataset.table` as dlt's merge would (a row whose
    key is already there replaces it), in one transaction, and return the rows written.

    For tables of many narrow rows (git commits) dlt's own path, rows to files to a staging
    table to a merge, costs several times reading them; this is one insert from Arrow. The
    table is created as dlt creates it (the declared columns, `_dlt_load_id`, `_dlt_id`) when
    missing, so dlt finds it in place when it loads the same table's declaration; `_dlt_id` is
    DuckDB's hash of the key, so reloading a row gives it the same id.
    """
    frames = [f for f in frames if f.num_rows]
    if not frames:
        return 0
    rows = pa.concat_tables(frames)
    name = f"{quote_name(dataset)}.{quote_name(table.name)}"
    columns = ", ".join(
        f"{quote_name(column)} {DUCKDB_TYPES[spec.data_type]}{'' if spec.nullable else ' not null'}"
        for column, spec in table.columns.items()
    )
    keys = [quote_name(key) for key in table.primary_key]
    on = " and ".join(f"t.{key} = i.{key}" for key in keys)
    row_id = "hash(" + ", ".join(f"i.{key}" for key in keys) + ")::varchar"
    with duckdb.connect(str(warehouse_path)) as con:
        # Rows go in on every core, in no set order (a table has none; half the time of one
        # insert in order for the mirror's 443,767 commits).
        con.execute("set preserve_insertion_order = false")
        con.register("incoming", rows)
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {quote_name(dataset)}")
        con.execute(
            f"create table if not exists {name} ({columns}, "
            "_dlt_load_id varchar not null, _dlt_id varchar not null)"
        )
        con.execute(f"delete from {name} as t using incoming as i where {on}")
        con.execute(
            f"insert into {name} by name select i.*, ? as _dlt_load_id, {row_id} as _dlt_id "
            "from incoming as i",
            [load_id],
        )
        con.execute("commit")
    return rows.num_rows
