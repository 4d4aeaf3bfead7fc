"""The `column_checks` data test (dbt_project/tests/generic/column_checks.sql) on the main job's
warehouse: the SQL dbt compiled for ml_timeline's rules passes on the built table, and on a
copy where one row breaks each rule it names exactly those columns and rules, with their counts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import yaml

from mlops_atlas.paths import DBT_PROJECT_DIR, dbt_target_for

MODEL = "ml_timeline"


def _compiled_checks(warehouse: Path, model: str) -> str:
    results = json.loads((dbt_target_for(warehouse) / "run_results.json").read_text())["results"]
    manifest = json.loads((dbt_target_for(warehouse) / "manifest.json").read_text())
    for result in results:
        node = manifest["nodes"].get(result["unique_id"], {})
        if (node.get("test_metadata") or {}).get("name") == "column_checks" and node[
            "attached_node"
        ].endswith(f".{model}"):
            assert result["status"] == "pass", result
            return result["compiled_code"]
    raise AssertionError(f"no column_checks test of {model} ran")


def test_every_model_with_rules_checks_them_in_one_test() -> None:
    """Each model or seed declares its column rules once, at the model, and names only its own
    columns (a misspelt column would only fail at build time)."""
    files = sorted(DBT_PROJECT_DIR.glob("models/**/_*models.yml")) + sorted(
        DBT_PROJECT_DIR.glob("seeds/_*.yml")
    )
    checked = 0
    for path in files:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for model in spec.get("models", []) + spec.get("seeds", []):
            columns = {c["name"] for c in model.get("columns", [])}
            tests = [t for t in model.get("data_tests") or [] if "column_checks" in t]
            assert len(tests) <= 1, f"{path.name}: {model['name']} has two column_checks tests"
            for test in tests:
                checked += 1
                for rule, named in test["column_checks"]["arguments"].items():
                    unknown = set(named) - columns
                    assert not unknown, f"{path.name}: {model['name']} {rule} names {unknown}"
    assert checked > 50


def test_broken_rules_are_named_with_their_counts(mirror_warehouse: Path, tmp_path: Path) -> None:
    sql = _compiled_checks(mirror_warehouse, MODEL)
    copy = tmp_path / "atlas.duckdb"
    shutil.copyfile(mirror_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        assert con.execute(sql).fetchall() == [], "the built table breaks a rule"
        first, second, third = [
            row[0]
            for row in con.execute(
                f"select timeline_id from ml.{MODEL} where stage_position is not null "
                "order by timeline_id limit 3"
            ).fetchall()
        ]
        con.execute(
            f"insert into ml.{MODEL} select * from ml.{MODEL} where timeline_id = ?", [first]
        )
        con.execute(f"update ml.{MODEL} set full_name = null where timeline_id = ?", [second])
        con.execute(
            f"update ml.{MODEL} set stage_position = 1.5, years_before_as_of = -1, "
            "stage = 'no such stage' where timeline_id = ?",
            [third],
        )
        broken = sorted(con.execute(sql).fetchall())
    finally:
        con.close()
    assert broken == [
        ("full_name", "not_null", 1),
        ("stage", "accepted_values", 1),
        ("stage_position", "unit_interval", 1),
        ("timeline_id", "unique", 1),
        ("years_before_as_of", "non_negative", 1),
    ]
