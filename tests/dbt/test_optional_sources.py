"""Every source is optional: a warehouse loaded without git histories (and, from the 2023
archive, without activity) builds with every test green, its git tables empty but present,
and the paper says which data is absent instead of reading it as zero."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from mlops_atlas import pipeline
from mlops_atlas.paths import REPORTS_PAGES_DIR, REPORTS_SOURCES_DIR
from mlops_atlas.render import render_site


@pytest.fixture(scope="module")
def without_git(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("no_git") / "atlas.duckdb"
    pipeline.load(warehouse, archive=pipeline.DEFAULT_ARCHIVE, git=False, mirror=mirror)
    summary = pipeline.build(warehouse)
    assert summary.failed == 0 and summary.passed > 0
    return warehouse


def test_git_tables_are_empty_but_present(without_git: Path) -> None:
    with duckdb.connect(str(without_git), read_only=True) as con:
        assert not con.execute(
            "select count(*) from information_schema.schemata where schema_name = 'raw_git'"
        ).fetchone()[0], "nothing of git was loaded"
        for model in ("stg_git__commits", "stg_git__tags", "stg_git__histories"):
            assert con.execute(f"select count(*) from staging.{model}").fetchone()[0] == 0
        loaded = dict(
            con.execute("select data_source, is_loaded from marts.dim_data_sources").fetchall()
        )
        assert loaded["github_search"] and not loaded["git_commits"]
        assert not loaded["git_histories"] and not loaded["github_releases"]
        with_history, commits_known = con.execute(
            "select count(*) filter (where has_git_history), count(commits_last_12m) "
            "from marts.fct_repository_signals join marts.dim_repositories using (repository_id)"
        ).fetchone()
        assert with_history == 0 and commits_known == 0, "absent, not zero"


def test_the_paper_says_which_data_is_absent(without_git: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(REPORTS_PAGES_DIR / "index.md", pages / "index.md")
    render_site(pages, without_git, tmp_path / "site", sources_dir=REPORTS_SOURCES_DIR)
    paper = " ".join((tmp_path / "site" / "markdown" / "index.md").read_text().split())
    assert "Data absent from this build." in paper
    for source in ("git commits", "git histories", "GitHub releases"):
        assert source in paper
    assert "GitHub search observations" not in paper.split("Data absent from this build.")[1][:400]
