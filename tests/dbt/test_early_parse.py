"""dbt parses while the data loads: the build that follows finds the parse done, and a parse
stopped halfway leaves the last build's artifacts as they were."""

from __future__ import annotations

import time
from pathlib import Path

from mlops_atlas.dbt_runner import PARTIAL_PARSE_FILE, EarlyParse, run_dbt
from mlops_atlas.paths import dbt_logs_for, dbt_target_for


def test_the_build_after_an_early_parse_parses_nothing(tmp_path: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"  # parsing never opens it
    target = dbt_target_for(warehouse)
    early = EarlyParse(warehouse)
    assert early.hand_to(target)
    assert (target / PARTIAL_PARSE_FILE).is_file()
    assert not (target / "manifest.json").exists()  # the parse wrote in a folder of its own
    assert not warehouse.exists()  # so it can run while the load holds the warehouse
    run_dbt("ls --select ml_stage_rules", warehouse, target_dir=target, capture_output=True)
    log = (dbt_logs_for(warehouse) / "dbt.log").read_text(encoding="utf-8")
    after_parse = log.rsplit("Running with dbt", 1)[-1]  # the ls command's own lines
    assert "no changes found, skipping parsing" in after_parse
    assert "Starting full parse" not in after_parse


def test_a_stopped_parse_leaves_the_last_build_alone(tmp_path: Path) -> None:
    warehouse = tmp_path / "atlas.duckdb"
    target = dbt_target_for(warehouse)
    target.mkdir(parents=True)
    (target / "manifest.json").write_text('{"from": "the last build"}', encoding="utf-8")
    early = EarlyParse(warehouse)
    time.sleep(3)  # dbt has started parsing
    early.stop()
    assert (target / "manifest.json").read_text(encoding="utf-8") == '{"from": "the last build"}'
    assert not (target / PARTIAL_PARSE_FILE).exists()
    early.stop()  # stopping again is harmless
