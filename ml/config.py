"""The one reader of `ml/config.yml`: weights, thresholds, horizons and seeds of every ML model.

Models take the parsed dict (or one section of it) as an argument, so tests and dbt Python models
can pass their own values; when they pass nothing, the defaults come from this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

CONFIG_PATH = Path(__file__).resolve().parent / "config.yml"


def load_ml_config(path: Path | None = None) -> dict[str, Any]:
    """Parse the ML config (default `ml/config.yml`) into a dict of sections.

    Raises FileNotFoundError naming the path, and ValueError when the file is not a mapping,
    so a broken config fails loudly instead of silently falling back to other values.
    """
    config_path = Path(path) if path is not None else CONFIG_PATH
    if not config_path.is_file():
        raise FileNotFoundError(f"ML config not found: {config_path}")
    parsed = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise ValueError(
            f"ML config {config_path} must be a mapping of sections, got {type(parsed)}"
        )
    return parsed


def config_section(name: str, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The `name` section of `config` (the whole parsed config; read from disk when None).

    Raises KeyError naming the section, rather than running a model on silent defaults.
    """
    if config is None:
        config = load_ml_config()
    if name in config and isinstance(config[name], Mapping):
        return dict(config[name])
    raise KeyError(f"ML config has no section {name!r} (sections: {sorted(config)})")
