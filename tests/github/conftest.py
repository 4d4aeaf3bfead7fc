"""Fixtures for the GitHub load: a fake GitHub on 127.0.0.1 and settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dlt_pipeline.github.fake_server import FakeGitHub
from dlt_pipeline.github.load import GitHubLoadSummary, load_github
from dlt_pipeline.github.settings import GitHubSettings
from tests.github.support import TOKEN


@pytest.fixture
def fake_github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def settings_for(fake_github: FakeGitHub):
    def build(*topics: str, **overrides: object) -> GitHubSettings:
        values: dict[str, object] = {
            "topics": topics or ("mlops",),
            "base_url": fake_github.url,
            "per_page": 100,
            "search_interval_authenticated": 0.0,
            "search_interval_anonymous": 0.0,
            "request_timeout": 1.0,
            "max_retries": 3,
            "backoff_base_seconds": 0.01,
            "backoff_max_seconds": 0.05,
            "max_rate_limit_wait_seconds": 5.0,
        }
        values.update(overrides)
        return GitHubSettings(**values)  # type: ignore[arg-type]

    return build


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "atlas.duckdb"


@pytest.fixture
def live_load(settings_for, warehouse: Path, tmp_path: Path):
    """A live discovery run against the fake GitHub, recording under `tmp_path/a`."""

    def run(*topics: str, **kwargs: object) -> GitHubLoadSummary:
        return load_github(
            warehouse,
            settings=settings_for(*topics),
            token=TOKEN,
            archive_dir=tmp_path / "a",
            **kwargs,
        )

    return run
