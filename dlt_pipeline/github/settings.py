"""GitHub source settings, read from `.dlt/config.toml` (section `sources.github`) with overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

import dlt


@dataclass(frozen=True)
class GitHubSettings:
    """Everything the GitHub source is tuned by; the defaults mirror `.dlt/config.toml`."""

    topics: tuple[str, ...] = ("mlops",)
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
    # activity (issue: activity history)
    activity_min_stars: int = 100
    activity_repositories: tuple[str, ...] = ()
    max_pages_per_listing: int = 100
    stats_retry_count: int = 3
    stats_retry_seconds: float = 2.0

    @classmethod
    def from_config(cls, **overrides: Any) -> GitHubSettings:
        """Settings from dlt config (`sources.github.*`), then explicit overrides."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = dlt.config.get(f"sources.github.{f.name}")
            if value is not None:
                values[f.name] = tuple(value) if isinstance(value, list) else value
        settings = cls(**values)
        return replace(
            settings, **{k: (tuple(v) if isinstance(v, list) else v) for k, v in overrides.items()}
        )


def github_token() -> str | None:
    """The GitHub token from `GITHUB_TOKEN` or dlt secrets (`sources.github.access_token`)."""
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        try:
            token = dlt.secrets.get("sources.github.access_token")
        except Exception:
            token = None
    return str(token).strip() if token else None
