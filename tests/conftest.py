"""Fixtures shared by every test area: where the read-only mirror of real data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlt_pipeline.paths import mirror_root


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The shared data mirror (`ATLAS_MIRROR`); tests that need real data skip without it."""
    root = mirror_root()
    if root is None:
        pytest.skip("ATLAS_MIRROR is not set and ../shared/data does not exist")
    return root
