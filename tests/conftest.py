"""Fixtures shared by every test area: where the read-only mirror of real data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlt_pipeline.paths import mirror_root
from tests.dbt_runs import dbt_build


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The shared data mirror (`ATLAS_MIRROR`); tests that need real data skip without it."""
    root = mirror_root()
    if root is None:
        pytest.skip("ATLAS_MIRROR is not set and ../shared/data does not exist")
    return root


@pytest.fixture(scope="session")
def mirror_warehouse(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The main job's warehouse, built once per session from the mirror: the zimmerman-2023
    archive and the git histories, loaded and `dbt build` at the default as_of.

    Read it only (open read-only, or copy it first): the dbt and report tests share it.
    """
    from dlt_pipeline.git.load import load_git_histories
    from dlt_pipeline.github.load import load_github

    scratch = tmp_path_factory.mktemp("mirror_warehouse")
    warehouse = scratch / "atlas.duckdb"
    load_github(warehouse, archive="zimmerman-2023")
    load_git_histories(warehouse, mirror=mirror, progress=False)
    dbt_build(warehouse, scratch)
    return warehouse


@pytest.fixture(scope="session")
def real_site(mirror_warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real pages (reports/pages) rendered once per session over `mirror_warehouse`:
    `(out_dir, RenderSummary)`. The paper, dashboard and browser tests read it; none writes."""
    from dlt_pipeline.paths import REPORTS_DIR
    from reports.render.site import render_site

    out = tmp_path_factory.mktemp("real_site") / "site"
    return out, render_site(REPORTS_DIR / "pages", mirror_warehouse, out)
