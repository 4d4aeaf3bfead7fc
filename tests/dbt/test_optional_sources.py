"""Every source is optional: the archive replayed beside a data mirror that holds neither git
histories nor READMEs (and, from the 2023 archive, no activity) builds with every test green;
the missing tables are empty but present, the text models fall back to metadata, and the paper
says which data is absent instead of reading it as zero."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mlops_atlas import pipeline
from mlops_atlas.paths import REPORTS_PAGES_DIR, REPORTS_SOURCES_DIR
from mlops_atlas.render import render_site

pytestmark = pytest.mark.timeout(1200)


@pytest.fixture(scope="module")
def bare(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive loaded with an empty data mirror (no git, no READMEs), then built."""
    root = tmp_path_factory.mktemp("bare")
    (root / "mirror").mkdir()
    warehouse = root / "atlas.duckdb"
    pipeline.load(warehouse, archive=pipeline.DEFAULT_ARCHIVE, mirror=root / "mirror")
    summary = pipeline.build(warehouse, target_dir=root / "target")
    assert summary.failed == 0 and summary.passed > 0
    return warehouse


def test_the_missing_tables_are_empty_but_present(bare: Path) -> None:
    with duckdb.connect(str(bare), read_only=True) as con:
        assert not con.execute(
            "select count(*) from information_schema.schemata where schema_name = 'raw_git'"
        ).fetchone()[0], "nothing of git was loaded"
        for table in (
            "staging.stg_git__commits",
            "staging.stg_git__tags",
            "staging.stg_git__histories",
            "raw_github.readmes",
            "raw_github.readme_fetches",
            "intermediate.int_readmes_cleaned",
        ):
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
        loaded = dict(
            con.execute("select data_source, is_loaded from marts.dim_data_sources").fetchall()
        )
        assert loaded["github_search"]
        assert not any(loaded[s] for s in ("git_commits", "git_histories", "github_readmes"))
        with_history, commits_known = con.execute(
            "select count(*) filter (where has_git_history), count(commits_last_12m) "
            "from marts.fct_repository_signals join marts.dim_repositories using (repository_id)"
        ).fetchone()
        assert with_history == 0 and commits_known == 0, "absent, not zero"
        assert not con.execute(
            "select count(*) filter (where has_readme) from ml.ml_repository_kind"
        ).fetchone()[0]


def test_the_text_models_fall_back_to_metadata(bare: Path) -> None:
    with duckdb.connect(str(bare), read_only=True) as con:
        tools = con.execute(
            "select is_readme_used, count(*) from ml.ml_tool_categories group by 1"
        ).fetchall()
        assert tools and all(not used for used, _ in tools)
        kind = con.execute("select * from ml.ml_kind_metrics").df()
        category = con.execute(
            "select * from ml.ml_category_metrics where features <> 'clusters'"
        ).df()
    for table, key in (
        (kind, ["evaluation", "repositories", "kind"]),
        (category, ["evaluation", "repositories", "row_type", "category", "predicted_category"]),
    ):
        with_readme = table[table["features"] == "with_readme"].drop(
            columns=["metric_id", "features"]
        )
        without = table[table["features"] == "without_readme"].drop(
            columns=["metric_id", "features"]
        )
        assert len(with_readme) > 0
        pd.testing.assert_frame_equal(
            with_readme.sort_values(key).reset_index(drop=True),
            without.sort_values(key).reset_index(drop=True),
        )
    # no repository has a README, so the "with README" subset scores nothing
    assert kind.loc[kind["repositories"] == "with_readme", "n"].fillna(0).eq(0).all()


def test_the_paper_says_which_data_is_absent(bare: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(REPORTS_PAGES_DIR / "index.md", pages / "index.md")
    render_site(pages, bare, tmp_path / "site", sources_dir=REPORTS_SOURCES_DIR)
    paper = " ".join((tmp_path / "site" / "markdown" / "index.md").read_text().split())
    assert "Data absent from this build." in paper
    absent = paper.split("Data absent from this build.")[1][:500]
    for source in ("git commits", "git histories", "GitHub releases", "README texts"):
        assert source in absent
    assert "GitHub search observations" not in absent
