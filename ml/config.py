"""The ML models' settings: the `ml_*` vars of dbt_project.yml, one section per model family.

Inside `dbt build`, each ML model receives the vars dbt resolved (its `ml_settings` config, so
`--vars` governs the run and dbt's manifest records it) and passes them to `ml_config`. Code
run outside dbt (tests, notebooks) gets the shipped defaults from the same file. Models take
the parsed dict (or one section of it) as an argument.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mlops_atlas.paths import DBT_PROJECT_FILE

#: dbt var `ml_<section>` holds section `<section>`.
VAR_PREFIX = "ml_"


def load_ml_config(path: Path | None = None) -> dict[str, Any]:
    """The shipped ML settings: every `ml_*` var of dbt_project.yml (or `path`), by section.

    Raises FileNotFoundError naming the path, and ValueError when the file has no vars mapping,
    so a broken config fails loudly instead of silently falling back to other values.
    """
    project = Path(path) if path is not None else DBT_PROJECT_FILE
    if not project.is_file():
        raise FileNotFoundError(f"dbt project file not found: {project}")
    # Parsing the file takes a tenth of a second and every ML model of a build asks for it:
    # parsed once per content, and each caller gets its own copy to change.
    return copy.deepcopy(_parse_ml_config(project.read_text(encoding="utf-8"), str(project)))


@lru_cache(maxsize=4)
def _parse_ml_config(text: str, project: str) -> dict[str, Any]:
    parsed = yaml.safe_load(text) or {}
    variables = parsed.get("vars") if isinstance(parsed, dict) else None
    if not isinstance(variables, dict):
        raise ValueError(f"{project} has no `vars` mapping")
    return {
        name.removeprefix(VAR_PREFIX): value
        for name, value in variables.items()
        if name.startswith(VAR_PREFIX) and isinstance(value, Mapping)
    }


def _merged(default: Any, given: Any) -> Any:
    if isinstance(default, Mapping) and isinstance(given, Mapping):
        return {
            key: _merged(default.get(key), given[key]) if key in given else default[key]
            for key in {**default, **given}
        }
    return given


def ml_config(given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings a build runs with: `given` (section -> the var's value, as dbt resolved it)
    merged into the shipped defaults, so a `--vars` override may name only what it changes."""
    defaults = load_ml_config()
    return _merged(defaults, dict(given or {}))


def config_section(name: str, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The `name` section of `config` (the whole parsed config; the shipped one when None).

    Raises KeyError naming the section, rather than running a model on silent defaults.
    """
    if config is None:
        config = load_ml_config()
    if name in config and isinstance(config[name], Mapping):
        return dict(config[name])
    raise KeyError(f"ML config has no section {name!r} (sections: {sorted(config)})")
