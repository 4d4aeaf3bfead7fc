"""The raw tables as a lake (dlt's filesystem destination, Parquet): a re-run keeps one row per
key as the DuckDB destination's merge does, nested rows follow their parent, and the loader's
questions get the same answers from a lake as from a DuckDB file."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb

from dlt_pipeline import destination
from dlt_pipeline.github.load import load_github
from dlt_pipeline.warehouse import count_rows, table_row_counts
from mlops_atlas.lake import attach_lake, lake_tables
from mlops_atlas.paths import RAW_GITHUB_DATASET


def _run(lake: Path, rows: list[dict]) -> None:
    pipeline = dlt.pipeline(
        pipeline_name="lake_merge",
        destination=destination.destination(lake, lake=True),
        dataset_name="raw_test",
        pipelines_dir=str(destination.pipelines_dir(lake, lake=True)),
    )
    items = dlt.resource(rows, name="items", primary_key="id", write_disposition="merge")
    pipeline.run(items, loader_file_format=destination.file_format(pipeline))
    destination.settle(pipeline)


def _read(lake: Path, sql: str) -> list[tuple]:
    con = duckdb.connect()
    attach_lake(con, lake)
    return con.execute(sql).fetchall()


def test_a_rerun_merges_on_the_key_and_drops_replaced_nested_rows(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    _run(lake, [{"id": 1, "name": "a", "tags": ["x", "y"]}, {"id": 2, "name": "b", "tags": ["z"]}])
    _run(lake, [{"id": 1, "name": "a2", "tags": ["w"]}])
    _run(lake, [{"id": 1, "name": "a2", "tags": ["w"]}])  # the same load again changes nothing
    assert _read(lake, "select id, name from raw_test.items order by id") == [(1, "a2"), (2, "b")]
    tags = _read(
        lake,
        "select i.id, t.value from raw_test.items i join raw_test.items__tags t "
        "on t._dlt_parent_id = i._dlt_id order by 1, 2",
    )
    assert tags == [(1, "w"), (2, "z")]
    assert _read(lake, "select count(*) from raw_test.items__tags") == [(2,)]
    # one file per table after the merge, and no hidden leftovers a reader could see
    assert len(list((lake / "raw_test" / "items").glob("*.parquet"))) == 1


def test_the_archive_loads_the_same_into_a_lake_as_into_duckdb(
    mirror: Path, tmp_path: Path
) -> None:
    lake, warehouse = tmp_path / "lake", tmp_path / "w.duckdb"
    first = load_github(lake, archive="zimmerman-2023", lake=True)
    again = load_github(lake, archive="zimmerman-2023", lake=True)
    into_duckdb = load_github(warehouse, archive="zimmerman-2023")
    assert first.rows == again.rows == into_duckdb.rows
    assert first.rows["repository_observations"] > 0
    tables = [t for (s, t) in lake_tables(lake) if s == RAW_GITHUB_DATASET]
    assert count_rows(lake, RAW_GITHUB_DATASET, tables) == count_rows(
        warehouse, RAW_GITHUB_DATASET, tables
    )
    assert table_row_counts(lake) == table_row_counts(warehouse)
