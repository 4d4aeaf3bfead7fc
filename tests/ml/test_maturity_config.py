"""The ML config reader fails loudly and names the file or section at fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml.config import CONFIG_PATH, config_section, load_ml_config
from ml.maturity.score import signals_from_config


def test_project_config_has_every_maturity_section() -> None:
    config = load_ml_config()
    for section in ("maturity", "lifecycle", "ecosystem_curve", "backtest"):
        assert isinstance(config_section(section, config), dict)
    assert len(signals_from_config(config)) == 12
    assert load_ml_config(CONFIG_PATH) == config


def test_missing_file_and_non_mapping_are_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yml"
    with pytest.raises(FileNotFoundError, match=r"nope\.yml"):
        load_ml_config(missing)
    bad = tmp_path / "list.yml"
    bad.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"list\.yml"):
        load_ml_config(bad)
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    assert load_ml_config(empty) == {}


def test_missing_section_and_bad_signal_are_named() -> None:
    with pytest.raises(KeyError, match="'maturity'"):
        config_section("maturity", {"kind": {}})
    bad = {"maturity": {"signals": {"stars": {"column": "stars", "weight": 1, "threshold": 0}}}}
    with pytest.raises(ValueError, match="'stars'"):
        signals_from_config(bad)
