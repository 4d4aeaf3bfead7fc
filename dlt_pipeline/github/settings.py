"""GitHub source settings, read from `.dlt/config.toml` (section `sources.github`) with overrides.

The dataclass defaults equal the shipped `.dlt/config.toml` (a test holds them together), so a
setting means the same whether it comes from the file, the environment or the code. Values
from the environment arrive as text: each is converted to its field's type once, here, and a
value that does not convert stops the run with a message naming the setting.
"""

from __future__ import annotations

import json
import os
import typing
from dataclasses import dataclass, fields, replace
from typing import Any

import dlt

SECTION = "sources.github"


class SettingsError(ValueError):
    """A configured value has the wrong type; the message names the setting and the value."""


@dataclass(frozen=True)
class GitHubSettings:
    """Everything the GitHub source is tuned by (documented in `.dlt/config.toml`)."""

    topics: tuple[str, ...] = (
        "mlops",
        "model-management",
        "ml-ops",
        "mlops-platform",
        "model-serving",
        "feature-store",
        "model-monitoring",
        "experiment-tracking",
    )
    base_url: str = "https://api.github.com"
    per_page: int = 100
    search_result_cap: int = 1000
    search_start_date: str = "2008-01-01"
    search_interval_authenticated: float = 2.0
    search_interval_anonymous: float = 6.0
    request_timeout: float = 30.0
    max_retries: int = 5
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    max_rate_limit_wait_seconds: float = 900.0
    max_connection_failures: int = 3
    activity_min_stars: int = 100
    activity_repositories: tuple[str, ...] = ()
    readme_min_stars: int = 10
    max_pages_per_listing: int = 100
    stats_retry_count: int = 3
    stats_retry_seconds: float = 2.0

    @classmethod
    def from_config(cls, **overrides: Any) -> GitHubSettings:
        """Settings from dlt config (`sources.github.*`, file or environment), then overrides."""
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = dlt.config.get(f"{SECTION}.{f.name}")
            if value is not None:
                values[f.name] = coerce(f"{SECTION}.{f.name}", value, hints[f.name])
        settings = cls(**values)
        return replace(
            settings,
            **{k: coerce(k, v, hints[k]) for k, v in overrides.items()},
        )


def coerce(name: str, value: Any, kind: Any) -> Any:
    """`value` as `kind` (int, float, str or tuple[str, ...]); text from the environment is
    parsed. Raises SettingsError naming the setting."""
    try:
        if kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind is str:
            if not isinstance(value, str):
                raise ValueError
            return value
        if typing.get_origin(kind) is tuple:
            if isinstance(value, str):
                text = value.strip()
                value = json.loads(text) if text.startswith("[") else text.split(",")
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError
            return tuple(v.strip() for v in value if v.strip())
    except (TypeError, ValueError, json.JSONDecodeError):
        pass
    else:
        return value
    expected = {int: "a whole number", float: "a number", str: "text"}.get(kind, "a list of names")
    raise SettingsError(
        f"setting {name} must be {expected}, got {value!r} (from .dlt/config.toml or the "
        f"environment variable {name.upper().replace('.', '__')})"
    )


def github_token() -> str | None:
    """The GitHub token from `GITHUB_TOKEN` or dlt secrets (`sources.github.access_token`)."""
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        try:
            token = dlt.secrets.get(f"{SECTION}.access_token")
        except Exception:
            token = None
    return str(token).strip() if token else None
