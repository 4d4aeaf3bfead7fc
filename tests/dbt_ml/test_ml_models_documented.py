"""Static checks of the dbt Python models in dbt_project/models/ml (no warehouse needed): every
model is documented in _ml__models.yml, its key is checked not_null + unique, it materialises as a
table in the `ml` schema."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

ML_MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "ml"
PY_MODELS = sorted(ML_MODELS.glob("*.py"))


def _documented() -> dict[str, dict]:
    spec = yaml.safe_load((ML_MODELS / "_ml__models.yml").read_text(encoding="utf-8"))
    return {m["name"]: m for m in spec["models"]}


def _rules(model: dict, column: str) -> set[str]:
    """The column_checks rules the model declares for `column`."""
    rules = set()
    for test in model.get("data_tests", []) or []:
        if isinstance(test, dict) and "column_checks" in test:
            for rule, columns in test["column_checks"]["arguments"].items():
                if column in columns:
                    rules.add(rule)
    return rules


def test_there_are_ml_models() -> None:
    assert PY_MODELS, f"no Python models in {ML_MODELS}"


@pytest.mark.parametrize("path", PY_MODELS, ids=lambda p: p.stem)
def test_model_documented_with_tested_key(path: Path) -> None:
    documented = _documented()
    assert path.stem in documented, f"{path.name} is not documented in _ml__models.yml"
    model = documented[path.stem]
    assert model.get("description"), f"{path.stem} has no description"
    first = model["columns"][0]["name"]
    assert {"not_null", "unique"} <= _rules(model, first), (
        f"{path.stem}: key column {first} needs the not_null and unique checks"
    )


@pytest.mark.parametrize("path", PY_MODELS, ids=lambda p: p.stem)
def test_model_is_table_in_ml_schema(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    config_kwargs: dict[str, object] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id == "dbt" and node.func.attr == "config":
            config_kwargs.update({k.arg: ast.literal_eval(k.value) for k in node.keywords})
    assert config_kwargs.get("materialized") == "table", path.name
    assert config_kwargs.get("schema") == "ml", path.name
