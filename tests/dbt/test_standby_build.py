"""The main job's dbt build starts before the load (mlops_atlas/dbt_standby.py): its process
parses while the data loads (then imports what the Python models import) and builds when told, with the same result as a fresh `dbt build`;
stopped, it leaves the last build's artifacts as they were; a failing build names its nodes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from ml.own_process import imported_modules
from mlops_atlas.dbt_runner import (
    DBT_ENV_DEFAULTS,
    PARTIAL_PARSE_FILE,
    DbtFailed,
    invocation,
    node_counter,
)
from mlops_atlas.dbt_standby import StandbyBuild
from mlops_atlas.paths import DBT_PROJECT_DIR, dbt_logs_for, dbt_target_for
from mlops_atlas.unchanged import table_digest


def test_a_standby_build_builds_what_a_fresh_build_built(
    mirror_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    shutil.copyfile(mirror_warehouse, warehouse)
    standby = StandbyBuild(warehouse)
    try:
        counted: list[tuple[int, int | None]] = []
        summary = standby.build(on_line=node_counter(lambda d, t: counted.append((d, t))))
    finally:
        standby.stop()
    target = dbt_target_for(warehouse)
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert summary.failed == 0 and summary.nodes == len(results) > 150
    # as the main job's build: every data test, the unit tests left to the test suite
    assert not [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert sum(r["unique_id"].startswith("test.") for r in results) > 100
    # the process ended early only once the warehouse was closed: checkpointed, no log left
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    assert counted[-1] == (len(results), len(results))
    # the parse's manifest and saved parse are in the target, as after a fresh build
    assert (target / "manifest.json").is_file() and (target / PARTIAL_PARSE_FILE).is_file()
    build_args = json.loads((target / "run_results.json").read_text())["args"]
    assert build_args["target_path"] == str(target)
    # the log keeps dbt's own lines, not its debug lines (DBT_LOG_LEVEL_FILE)
    assert build_args["log_level_file"] == os.environ.get("DBT_LOG_LEVEL_FILE", "info")
    log = (dbt_logs_for(warehouse) / "dbt.log").read_text(encoding="utf-8")
    build_lines = log.rsplit("Running with dbt", 1)[-1]  # the build's own lines
    assert "Concurrency:" in build_lines and "Completed successfully" in build_lines
    assert "parsing" not in build_lines.lower()  # it neither parsed nor read a saved parse
    # the marts row for row; the ML tables the same rows (a topic weight or a cluster position
    # can differ from build to build in its last bits: the linear algebra sums in threads)
    assert table_digest(warehouse, ("marts",)) == table_digest(mirror_warehouse, ("marts",))
    assert _row_counts(warehouse, "ml") == _row_counts(mirror_warehouse, "ml")


def _row_counts(warehouse: Path, schema: str) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? and table_type = 'BASE TABLE'",
                [schema],
            ).fetchall()
        ]
        counts = {
            t: con.execute(f'select count(*) from {schema}."{t}"').fetchone()[0] for t in tables
        }
    assert counts, f"no tables in schema {schema}"
    return counts


def test_a_stopped_standby_leaves_the_last_build_alone(tmp_path: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    target = dbt_target_for(warehouse)
    target.mkdir(parents=True)
    (target / "manifest.json").write_text('{"from": "the last build"}', encoding="utf-8")
    standby = StandbyBuild(warehouse)
    assert standby.parsed()
    assert (standby.folder / "manifest.json").is_file()  # the parse wrote in its own folder
    assert not warehouse.exists()  # parsing never opens it, so it can run beside the load
    standby.stop()
    assert (target / "manifest.json").read_text(encoding="utf-8") == '{"from": "the last build"}'
    assert not (target / PARTIAL_PARSE_FILE).exists()
    standby.stop()  # stopping again is harmless


def test_a_project_edited_during_the_load_is_not_built_from_the_old_parse(
    tmp_path: Path,
) -> None:
    """The build's stamp records the project's files as they are when it runs, so a parse of
    older files must not be what it builds."""
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = tmp_path / "atlas.duckdb"
    standby = StandbyBuild(warehouse, project_dir=project)
    try:
        target = dbt_target_for(warehouse)
        assert standby.matches(target, None)
        assert not standby.matches(target, {"as_of": "2023-01-21"})
        assert not standby.matches(tmp_path / "elsewhere", None)
        model = project / "models" / "marts" / "ecosystem" / "dim_owners.sql"
        model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
        assert not standby.matches(target, None)
    finally:
        standby.stop()


def test_a_failing_standby_build_names_its_nodes(tmp_path: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"  # nothing loaded: the staging models find no table
    standby = StandbyBuild(warehouse)
    try:
        with pytest.raises(DbtFailed, match=r"dbt build failed \(exit 1\): model\.mlops_atlas\."):
            standby.build()
    finally:
        standby.stop()


def test_the_standby_imports_what_the_python_models_import() -> None:
    """What the standby imports while it waits: every module the project's Python models
    import, each importable here (a misspelt module would only be imported at its model)."""
    sources = [
        p.read_text(encoding="utf-8") for p in sorted(DBT_PROJECT_DIR.rglob("models/**/*.py"))
    ]
    modules = imported_modules(sources)
    assert {"pandas", "ml.backtest.panel", "ml.kind", "ml.memo"} <= set(modules)
    assert len(modules) == len(set(modules))
    assert all(importlib.util.find_spec(name) is not None for name in modules)
    # relative imports and sources that do not parse are left to the build
    assert imported_modules(["from .x import y\nimport json", "def broken(:"]) == ["json"]


def test_a_dbt_process_gets_the_build_defaults_unless_the_user_set_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A standby and a fresh dbt process alike: one BLAS and OpenMP thread, the log at info;
    a value the user set is kept."""
    for name in DBT_ENV_DEFAULTS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")
    _, env, _ = invocation(
        "build", tmp_path / "atlas.duckdb", DBT_PROJECT_DIR, tmp_path / "target", None, None, ()
    )
    assert env["DBT_LOG_LEVEL_FILE"] == "debug"
    assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == "1"
