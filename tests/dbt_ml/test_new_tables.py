"""The shape, category-curve, definition and release tables in the real warehouse (zimmerman-2023
archive plus the git mirror, built once by the `mirror_warehouse` fixture and only read here).

Numbers are checked against an independent path through the same data (raw tables, the config,
the functions the tables come from), not typed in, so they hold when the data or config change.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.lifecycle.stages import stage_rules
from ml.maturity.score import score_definition
from ml.warehouse import ALL_TOOLS

CONFIG = load_ml_config()
TABLES = [
    "ml.ml_activity_shapes",
    "ml.ml_activity_shape_centroids",
    "ml.ml_shape_stage_crosstab",
    "ml.ml_maturity",
    "ml.ml_category_curve",
    "ml.ml_category_curve_fitted",
    "ml.ml_tool_categories",
    "ml.ml_maturity_weights",
    "ml.ml_stage_rules",
    "marts.fct_releases",
    "marts.dim_repositories",
    "intermediate.int_as_of",
]


@pytest.fixture(scope="module")
def tables(mirror_warehouse: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(mirror_warehouse), read_only=True)
    try:
        frames = {name.split(".")[1]: con.execute(f"select * from {name}").df() for name in TABLES}
        # Tags dated at or before as_of of repositories in the ecosystem, from the raw load.
        frames["raw_tags"] = con.execute(
            """
            select d.repository_id, count(*) as tags
            from raw_git.tags as t
            inner join marts.dim_repositories as d on t.repository = d.git_repository
            where timezone('UTC', t.tagged_at) <= d.as_of
            group by d.repository_id
            """
        ).df()
    finally:
        con.close()
    return frames


def test_shapes_cover_eligible_repositories_and_the_crosstab_adds_up(tables: dict) -> None:
    shapes, crosstab = tables["ml_activity_shapes"], tables["ml_shape_stage_crosstab"]
    shape = CONFIG["lifecycle"]["shape"]
    assert len(shapes) > 0
    k = int(shapes["k"].iloc[0])
    assert shape["k_min"] <= k <= shape["k_max"]
    assert sorted(shapes["shape_id"].unique()) == list(range(k))
    assert shapes["silhouette"].nunique() == 1 and -1 < shapes["silhouette"].iloc[0] <= 1
    maturity = tables["ml_maturity"].set_index("repository_id")
    assert (maturity.loc[shapes["repository_id"], "months_observed"] >= shape["min_months"]).all()
    assert (maturity.loc[shapes["repository_id"], "stage"].to_numpy() == shapes["stage"]).all()
    # Every shaped repository is counted once in the crosstab.
    assert crosstab["repositories"].sum() == len(shapes)
    by_pair = shapes.groupby(["shape_id", "stage"]).size()
    assert crosstab.set_index(["shape_id", "stage"])["repositories"].to_dict() == by_pair.to_dict()
    centroids = tables["ml_activity_shape_centroids"]
    assert len(centroids) == k * shape["resample_points"]


def test_category_curves_fit_each_category_of_tools(tables: dict) -> None:
    curves = tables["ml_category_curve"].set_index("category")
    clusters = tables["ml_tool_categories"]
    as_of = tables["int_as_of"]["as_of_at"].iloc[0]
    assert set(curves.index) == set(clusters["category"]) | {ALL_TOOLS}
    # Tools known only from git have no GitHub creation time: they are in no curve.
    dated = clusters.merge(tables["dim_repositories"], on="repository_id")
    dated = dated[dated["created_at"] <= as_of]
    assert curves.loc[ALL_TOOLS, "latest_cumulative"] == len(dated)
    assert (curves["latest_month"] == as_of.replace(day=1, hour=0, minute=0, second=0)).all()
    counts = dated.groupby("category").size()
    minimum = CONFIG["ecosystem_curve"]["min_repositories"]
    for category, n in counts.items():
        assert curves.loc[category, "latest_cumulative"] == n
        if n < minimum:
            assert curves.loc[category, "fit_status"] == f"too few repositories ({n} < {minimum})"
            assert pd.isna(curves.loc[category, "saturation"])
    assert curves.loc[ALL_TOOLS, "fit_status"] == "ok"
    fitted = tables["ml_category_curve_fitted"]
    assert set(fitted["category"]) == set(curves.index[curves["saturation"].notna()])


def test_definition_tables_match_the_config(tables: dict) -> None:
    weights = tables["ml_maturity_weights"]
    assert weights["weight_share"].sum() == pytest.approx(1.0)
    pd.testing.assert_frame_equal(weights, score_definition(CONFIG), check_dtype=False)
    rules = tables["ml_stage_rules"]
    pd.testing.assert_frame_equal(rules, stage_rules(CONFIG), check_dtype=False)
    assert set(tables["ml_maturity"]["stage_rule"]) <= set(rules["stage_rule"])


def test_releases_are_the_git_tags_up_to_as_of(tables: dict) -> None:
    releases = tables["fct_releases"]
    as_of = tables["int_as_of"]["as_of_at"].iloc[0]
    assert len(releases) > 0
    assert (releases["published_at"] <= as_of).all()
    # The 2023 archive has no GitHub activity: every release is a git tag.
    assert set(releases["source"]) == {"git tag"}
    per_repository = releases.groupby("repository_id").size().to_dict()
    assert per_repository == tables["raw_tags"].set_index("repository_id")["tags"].to_dict()
