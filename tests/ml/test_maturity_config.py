"""The ML settings (the ml_* vars of dbt_project.yml): read from the one file, merged with a
build's overrides, and a broken file or section fails loudly, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.config import config_section, load_ml_config, ml_config
from ml.maturity.score import signals_from_config
from mlops_atlas.paths import DBT_PROJECT_FILE


def test_project_config_has_every_maturity_section() -> None:
    config = load_ml_config()
    for section in ("maturity", "lifecycle", "ecosystem_curve", "backtest"):
        assert isinstance(config_section(section, config), dict)
    assert len(signals_from_config(config)) == 12
    assert load_ml_config(DBT_PROJECT_FILE) == config
    for section in ("kind", "clusters", "topics"):
        assert isinstance(config_section(section, config), dict)


def test_a_build_override_changes_only_what_it_names() -> None:
    shipped = load_ml_config()
    merged = ml_config({"lifecycle": {"trough_level": 0.3}, "maturity": shipped["maturity"]})
    assert merged["lifecycle"]["trough_level"] == 0.3
    assert shipped["lifecycle"]["trough_level"] != 0.3
    rest = {k: v for k, v in merged["lifecycle"].items() if k != "trough_level"}
    assert rest == {k: v for k, v in shipped["lifecycle"].items() if k != "trough_level"}
    assert merged["kind"] == shipped["kind"] and ml_config(None) == shipped


def test_missing_file_and_non_mapping_are_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    with pytest.raises(FileNotFoundError, match=r"nope\.yml"):
        load_ml_config(missing)
    bad = tmp_path / "list.yml"
    bad.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"list\.yml"):
        load_ml_config(bad)
    no_vars = tmp_path / "no_vars.yml"
    no_vars.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no_vars\.yml"):
        load_ml_config(no_vars)


def test_missing_section_and_bad_signal_are_named() -> None:
    with pytest.raises(KeyError, match="'maturity'"):
        config_section("maturity", {"kind": {}})
    bad = {"maturity": {"signals": {"stars": {"column": "stars", "weight": 1, "threshold": 0}}}}
    with pytest.raises(ValueError, match="'stars'"):
        signals_from_config(bad)
