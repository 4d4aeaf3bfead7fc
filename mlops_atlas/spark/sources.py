"""The lake's raw tables as Spark tables: `raw_github.<table>` and `raw_git.<table>`, external
tables over the Parquet folders the load wrote, so dbt's `source()` finds them on Spark as it
finds the DuckDB file's tables.

On a cluster the same statements (`source_statements`) register a lake in a bucket.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlops_atlas.lake import lake_tables, quote_literal
from mlops_atlas.paths import RAW_GIT_DATASET, RAW_GITHUB_DATASET

RAW_DATASETS = (RAW_GITHUB_DATASET, RAW_GIT_DATASET)


def source_statements(lake: Path) -> list[str]:
    """Spark SQL that (re)registers every raw table of the lake, its files read afresh."""
    statements = [f"create database if not exists {dataset}" for dataset in RAW_DATASETS]
    for (schema, table), folder in lake_tables(lake).items():
        if schema not in RAW_DATASETS:
            continue
        name = f"{schema}.{table}"
        statements += [
            f"drop table if exists {name}",
            f"create table {name} using parquet location {quote_literal(str(folder.resolve()))}",
        ]
    return statements


def register_sources(spark: Any, lake: Path) -> int:
    """Run `source_statements` in `spark`; returns the number of tables registered."""
    statements = source_statements(lake)
    for statement in statements:
        spark.sql(statement)
    return sum(s.startswith("create table") for s in statements)
