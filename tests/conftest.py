"""Fixtures shared by every test area: the read-only mirror of real data, and the warehouse
and site built from it once per test run by the pipeline a user runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_atlas import pipeline
from mlops_atlas.environment import prepare_process
from mlops_atlas.paths import mirror_root


class RecordingStages(pipeline.Stages):
    """The silent stages, remembering the last count each stage reported (done, total)."""

    def __init__(self, counts: dict[str, tuple[int, int | None]]) -> None:
        super().__init__()
        self.counts = counts
        self.current = ""

    def show(self, name, func):
        self.current = name
        return func()

    def count(self, done: int, total: int | None) -> None:
        self.counts[self.current] = (done, total)


#: what the mirror warehouse's stages counted, filled by the fixtures below
_STAGE_COUNTS: dict[str, tuple[int, int | None]] = {}
#: every statement the real site's render ran, in order
_REAL_SITE_SQL: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Tests run as the command line does: telemetry off, dlt reading the project's config."""
    prepare_process()


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The shared data mirror (`ATLAS_MIRROR`); tests that need real data skip without it."""
    root = mirror_root()
    if root is None:
        pytest.skip("ATLAS_MIRROR is not set and ../shared/data does not exist")
    return root


@pytest.fixture(scope="session")
def mirror_warehouse(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The main job's warehouse, built once per test run from the mirror with the main job's
    own stages (`pipeline.load` of the zimmerman-2023 archive and the git histories, then
    `pipeline.build` at the default as_of).

    Read it only (open read-only, or copy it first): the dbt and report tests share it.
    """
    warehouse = tmp_path_factory.mktemp("mirror_warehouse") / "atlas.duckdb"
    stages = RecordingStages(_STAGE_COUNTS)
    pipeline.load(warehouse, archive=pipeline.DEFAULT_ARCHIVE, mirror=mirror, stages=stages)
    pipeline.build(warehouse, stages=stages)
    return warehouse


@pytest.fixture(scope="session")
def real_site(mirror_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real pages (reports/pages) rendered once over `mirror_warehouse`:
    `(out_dir, RenderSummary)`. The paper, dashboard and browser tests read it; none writes."""
    out = tmp_path_factory.mktemp("real_site") / "site"
    stages = RecordingStages(_STAGE_COUNTS)
    return out, pipeline.render(mirror_warehouse, out, stages=stages, sql_log=_REAL_SITE_SQL)


@pytest.fixture(scope="session")
def real_site_sql(real_site) -> list[str]:
    """Every statement `real_site`'s render ran against DuckDB, in order."""
    return _REAL_SITE_SQL


@pytest.fixture(scope="session")
def stage_counts(mirror_warehouse: Path, real_site) -> dict[str, tuple[int, int | None]]:
    """(done, total) each stage of the mirror build last reported: git histories, dbt nodes,
    pages."""
    return dict(_STAGE_COUNTS)
