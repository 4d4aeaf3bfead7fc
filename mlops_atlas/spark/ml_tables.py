"""The ML tables on Spark: each dbt Python model of `dbt_project/models/ml/` run by calling its
own `model(dbt, session)` with a stand-in for dbt's object, then written back as a Spark table.

dbt runs Python models only on Databricks among Spark targets (there they could run as they
are); on a session or a Thrift server they cannot. The features they read are small (one row per
repository, or per repository and month), so pandas holds them at any scale the marts reach.
The stand-in answers what the models ask of dbt: `ref()` (a Spark table, read into pandas the
way dbt-duckdb reads a DuckDB table, so the code sees the same frames), `config.get()` (the
model's config as dbt resolved it, vars included, from the manifest of the same build) and
`config()` (ignored). Reading the models' own files keeps this step right when they change.
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from mlops_atlas.lake import quote_name
from mlops_atlas.paths import DBT_PROJECT_DIR

_NODE_TYPES = ("model", "seed", "snapshot")


@dataclass
class MlRunSummary:
    """Rows written per table and seconds per model."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


class _Config:
    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    def __call__(self, **_: Any) -> None:
        """`dbt.config(materialized=..., schema=...)`: the manifest already holds the result."""

    def get(self, key: str, default: Any = None) -> Any:
        return self._config.get(key, default)


class _Relation:
    """What `dbt.ref()` returns: `.df()` gives the table as a pandas frame, `.select(*names)`
    the relation of only those columns (as on DuckDB and Databricks)."""

    def __init__(self, spark: Any, relation: str, selected: tuple[str, ...] = ()) -> None:
        self._spark = spark
        self.relation = relation
        self._selected = selected  # () = every column

    def select(self, *columns: str) -> _Relation:
        return _Relation(self._spark, self.relation, columns)

    def df(self) -> pd.DataFrame:
        return spark_table_to_pandas(self._spark, self.relation, self._selected)


class _Dbt:
    """The `dbt` object a Python model receives, answered from the manifest and Spark."""

    def __init__(self, spark: Any, manifest: dict[str, Any], node: dict[str, Any]) -> None:
        self._spark = spark
        self._relations = relations_by_name(manifest)
        self.config = _Config(dict(node.get("config", {})))
        self.this = relation_name(node)

    def ref(self, name: str, *_: Any, **__: Any) -> _Relation:
        if name not in self._relations:
            raise KeyError(f"ref({name!r}): no model or seed of that name in the manifest")
        return _Relation(self._spark, self._relations[name])

    def is_incremental(self) -> bool:
        return False


def relation_name(node: dict[str, Any]) -> str:
    return f"{node['schema']}.{node.get('alias') or node['name']}"


def relations_by_name(manifest: dict[str, Any]) -> dict[str, str]:
    return {
        node["name"]: relation_name(node)
        for node in manifest["nodes"].values()
        if node["resource_type"] in _NODE_TYPES
        and node["package_name"] == manifest_project(manifest)
    }


def manifest_project(manifest: dict[str, Any]) -> str:
    return str(manifest["metadata"].get("project_name") or "mlops_atlas")


def python_models(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The project's Python models, each after the models it refs (dbt's order)."""
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node.get("language") == "python"
    }
    ordered: list[dict[str, Any]] = []
    done: set[str] = set()

    def visit(uid: str) -> None:
        if uid in done:
            return
        done.add(uid)
        for parent in nodes[uid]["depends_on"]["nodes"]:
            if parent in nodes:
                visit(parent)
        ordered.append(nodes[uid])

    for uid in sorted(nodes):
        visit(uid)
    return ordered


def spark_table_to_pandas(spark: Any, relation: str, columns: Sequence[str] = ()) -> pd.DataFrame:
    """A Spark table (only `columns`, when given) as pandas, converted by DuckDB as dbt-duckdb's
    `ref().df()` converts, with Spark's instants as UTC wall-clock times (the DuckDB build's
    timestamps)."""
    table = spark.table(relation)
    arrow = (table.select(*columns) if columns else table).toArrow()
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        con.register("spark_table", arrow)
        described = con.execute("describe spark_table").fetchall()
        select = ", ".join(
            f"timezone('UTC', {quote_name(c[0])}) as {quote_name(c[0])}"
            if str(c[1]).upper() == "TIMESTAMP WITH TIME ZONE"
            else quote_name(c[0])
            for c in described
        )
        return con.execute(f"select {select} from spark_table").df()
    finally:
        con.close()


def write_spark_table(spark: Any, frame: pd.DataFrame, relation: str) -> int:
    """Write a model's frame as the Spark table `relation` (replaced), typed as dbt-duckdb types
    it (DuckDB reads the frame); a column with no value at all becomes a string column."""
    con = duckdb.connect(":memory:")
    try:
        con.register("model_frame", frame)
        columns = con.execute("describe model_frame").fetchall()
        select = ", ".join(
            f"cast({quote_name(c[0])} as varchar) as {quote_name(c[0])}"
            if str(c[1]).upper() == '"NULL"' or str(c[1]).upper() == "NULL"
            else quote_name(c[0])
            for c in columns
        )
        arrow = con.execute(f"select {select} from model_frame").fetch_arrow_table()
    finally:
        con.close()
    schema = relation.split(".", 1)[0]
    spark.sql(f"create database if not exists {schema}")
    spark.createDataFrame(arrow).write.mode("overwrite").format("parquet").saveAsTable(relation)
    return arrow.num_rows


def _load_model(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"atlas_ml_model_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the dbt Python model {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_ml_models(
    spark: Any, manifest_path: Path, project_dir: Path = DBT_PROJECT_DIR
) -> MlRunSummary:
    """Run every Python model of the manifest on Spark tables, in dependency order."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    summary = MlRunSummary()
    for node in python_models(manifest):
        started = time.monotonic()
        module = _load_model(project_dir / node["original_file_path"])
        frame = module.model(_Dbt(spark, manifest, node), spark)
        summary.rows[node["name"]] = write_spark_table(spark, frame, relation_name(node))
        summary.seconds[node["name"]] = time.monotonic() - started
    return summary
