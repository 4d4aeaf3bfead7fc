"""A warehouse without READMEs builds, and its text models are measured without them.

Every source is optional: replaying the archive with a data mirror that holds no README file
leaves the README tables present but empty, dbt builds every model and test, and the kind and
category models fall back to the repositories' metadata, so their "with README" figures equal
their "without README" ones instead of failing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from mlops_atlas import pipeline


@pytest.fixture(scope="module")
def warehouse(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("no_readmes")
    bare_mirror = root / "mirror"
    bare_mirror.mkdir()
    (bare_mirror / "git").symlink_to(mirror / "git", target_is_directory=True)
    warehouse = root / "atlas.duckdb"
    pipeline.load(warehouse, archive=pipeline.DEFAULT_ARCHIVE, mirror=bare_mirror)
    pipeline.build(warehouse, target_dir=root / "target", capture_output=True)
    return warehouse


@pytest.mark.timeout(1200)
def test_the_readme_tables_exist_and_are_empty(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in (
            "raw_github.readmes",
            "raw_github.readme_fetches",
            "intermediate.int_readmes_cleaned",
        ):
            assert con.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
        assert (
            con.execute(
                "select count(*) filter (where has_readme) from ml.ml_repository_kind"
            ).fetchone()[0]
            == 0
        )


def test_the_models_fall_back_to_metadata(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
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
