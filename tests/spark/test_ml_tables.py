"""The ML step of the Spark engine reads the dbt Python models from the build's manifest: every
model of dbt_project/models/ml/ runs, after the models it refs, with the config dbt resolved."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_atlas.paths import DBT_PROJECT_DIR, dbt_target_for
from mlops_atlas.spark.ml_tables import _Dbt, python_models, relations_by_name


def _manifest(mirror_warehouse: Path) -> dict:
    return json.loads((dbt_target_for(mirror_warehouse) / "manifest.json").read_text())


def test_every_python_model_runs_after_the_models_it_refs(mirror_warehouse: Path) -> None:
    manifest = _manifest(mirror_warehouse)
    ordered = python_models(manifest)
    files = sorted(p.stem for p in (DBT_PROJECT_DIR / "models" / "ml").glob("*.py"))
    assert sorted(node["name"] for node in ordered) == files
    position = {node["unique_id"]: i for i, node in enumerate(ordered)}
    for node in ordered:
        for parent in node["depends_on"]["nodes"]:
            if parent in position:
                assert position[parent] < position[node["unique_id"]], node["name"]


def test_the_stand_in_answers_config_and_refs_from_the_manifest(mirror_warehouse: Path) -> None:
    manifest = _manifest(mirror_warehouse)
    node = manifest["nodes"]["model.mlops_atlas.ml_maturity"]
    dbt = _Dbt(spark=None, manifest=manifest, node=node)
    settings = dbt.config.get("ml_settings")
    assert settings["backtest"] == node["config"]["ml_settings"]["backtest"]
    assert isinstance(settings["maturity"], dict) and settings["maturity"]["signals"]
    assert dbt.ref("dim_repositories").relation == "marts.dim_repositories"
    assert relations_by_name(manifest)["curated_tools"] == "reference.curated_tools"
    assert dbt.config.get("no_such_key", "default") == "default"
