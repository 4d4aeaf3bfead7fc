"""The README source and the text models' tables in the real warehouse (zimmerman-2023 archive,
the mirror's READMEs and git histories, built once by the `mirror_warehouse` fixture and only
read here). Figures are recomputed from the tables they come from or from the label files, not
typed in."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from dlt_pipeline.github.readmes import MIRROR_FILE, read_mirror_readmes
from ml.categories import load_category_labels, proba_column
from ml.config import load_ml_config
from ml.evaluation import ABSTAINED
from ml.kind import load_kind_labels
from mlops_atlas.paths import DBT_PROJECT_FILE

CONFIG = load_ml_config()
CATEGORIES = CONFIG["categories"]["categories"]


@pytest.fixture(scope="module")
def con(mirror_warehouse: Path):
    connection = duckdb.connect(str(mirror_warehouse), read_only=True)
    yield connection
    connection.close()


def df(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_every_mirror_readme_reaches_its_repository(con, mirror: Path) -> None:
    rows = read_mirror_readmes(mirror / MIRROR_FILE, "zimmerman-2023")
    assert con.execute("select count(*) from raw_github.readmes").fetchone()[0] == len(rows)
    names = {r["repository_full_name"].lower() for r in rows}
    reached = df(
        con,
        """
        select d.full_name, d.other_full_names, r.readme_chars, r.readme_text
        from intermediate.int_readmes_cleaned as r
        inner join marts.dim_repositories as d using (repository_id)
        """,
    )
    # each repository of the warehouse seen under a README's name has that README
    expected = df(
        con,
        "select repository_id from intermediate.int_repository_names where name_key in "
        "(select lower(repository_full_name) from raw_github.readmes)",
    )
    assert len(reached) == expected["repository_id"].nunique() > 0
    assert len(names) >= len(reached)
    # git-only repositories find their README through the name their history was asked under
    git_only = df(
        con,
        "select d.repository_id from marts.dim_repositories as d"
        " inner join intermediate.int_readmes_cleaned as r using (repository_id) where d.is_git_only",
    )
    all_git_only = con.execute(
        "select count(*) from marts.dim_repositories where is_git_only"
    ).fetchone()[0]
    assert len(git_only) == all_git_only > 0


def test_cleaned_readmes_hold_words_not_markup(con) -> None:
    texts = df(con, "select readme_text from intermediate.int_readmes_cleaned where has_readme")
    joined = "\n".join(texts["readme_text"])
    for markup in ("](http", "<img", "```", "<!--", "shields.io", "<a href"):
        assert markup not in joined, markup
    max_chars = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))["vars"][
        "readme_max_chars"
    ]
    assert (texts["readme_text"].str.len() <= max_chars).all()


def test_every_repository_gets_a_kind_and_the_labels_are_the_files(con) -> None:
    kinds = df(con, "select * from ml.ml_repository_kind")
    dim = df(con, "select repository_id, is_git_only from marts.dim_repositories")
    assert set(kinds["repository_id"]) == set(dim["repository_id"])
    assert (
        kinds.loc[kinds["repository_id"].isin(dim.loc[dim["is_git_only"], "repository_id"]), "kind"]
        .notna()
        .all()
    )
    proba = kinds[[f"proba__{k}" for k in CONFIG["kind"]["kinds"]]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    labels = load_kind_labels().set_index("repository_id")
    labelled = kinds[kinds["is_labelled"]].set_index("repository_id")
    assert set(labelled.index) == set(labels.index)  # zimmerman-2023 holds every label
    assert (labelled["label_kind"] == labels.loc[labelled.index, "kind"]).all()
    assert (labelled["label_split"] == labels.loc[labelled.index, "split"]).all()


def test_kind_evaluation_scores_each_split_as_designed(con) -> None:
    evaluation = df(con, "select * from ml.ml_kind_evaluation")
    labels = load_kind_labels()
    for features in ("with_readme", "without_readme"):
        part = evaluation[evaluation["features"] == features]
        cv = part[part["evaluation"] == "cross_validation"]
        test = part[part["evaluation"] == "test"]
        assert set(cv["repository_id"]) == set(
            labels.loc[labels["split"] == "train", "repository_id"]
        )
        assert set(test["repository_id"]) == set(
            labels.loc[labels["split"] == "test", "repository_id"]
        )
    metrics = df(con, "select * from ml.ml_kind_metrics").set_index("metric_id")
    for (evaluation_name, features), group in evaluation.groupby(["evaluation", "features"]):
        row = metrics.loc[f"{evaluation_name}|{features}|all|all"]
        assert row["n"] == len(group)
        assert row["accuracy"] == pytest.approx((group["kind"] == group["predicted_kind"]).mean())
        readme = group[group["has_readme"]]
        row = metrics.loc[f"{evaluation_name}|{features}|with_readme|tool"]
        hits = ((readme["kind"] == "tool") & (readme["predicted_kind"] == "tool")).sum()
        assert row["recall"] == pytest.approx(hits / (readme["kind"] == "tool").sum())


def test_kind_shares_sum_to_one_with_intervals(con) -> None:
    shares = df(con, "select * from ml.ml_kind_shares").set_index("kind")
    kinds = CONFIG["kind"]["kinds"]
    for column in ("share_predicted", "share_corrected", "share_labelled"):
        assert shares.loc[kinds, column].sum() == pytest.approx(1.0)
    material = shares.loc["learning_material"]
    assert (
        material["share_corrected_low"]
        <= material["share_corrected"]
        <= material["share_corrected_high"]
    )
    assert material["n_labelled_sample"] == len(load_kind_labels())


def test_tool_categories_follow_their_rules(con) -> None:
    tools = df(con, "select * from ml.ml_tool_categories")
    settings = CONFIG["categories"]
    proba = tools[[proba_column(c) for c in CATEGORIES]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert (tools["is_abstained"] == (tools["confidence"] < settings["abstain_below"])).all()
    assert (tools.loc[tools["is_abstained"], "category"] == "unassigned").all()
    assigned = tools[~tools["is_abstained"]]
    assert (assigned["category"] == assigned["primary_category"]).all()
    assert (
        tools["secondary_category"].dropna()
        != tools.loc[tools["secondary_category"].notna(), "primary_category"]
    ).all()
    # the tool set: predicted tools, the labelled tools and the curated tools
    predicted = set(
        df(con, "select repository_id from ml.ml_repository_kind where kind = 'tool'")[
            "repository_id"
        ]
    )
    category_labels = load_category_labels()
    labelled = set(
        category_labels.loc[category_labels["primary_category"] != "none", "repository_id"]
    )
    curated = set(
        df(
            con,
            "select d.repository_id from reference.curated_tools as c"
            " inner join marts.dim_repositories as d on lower(d.full_name) = lower(c.full_name)",
        )["repository_id"]
    )
    assert set(tools["repository_id"]) == predicted | labelled | curated
    assert tools["is_readme_used"].all() and tools["is_calibrated"].all()


def test_category_metrics_are_the_evaluation_recounted(con) -> None:
    evaluation = df(con, "select * from ml.ml_category_evaluation")
    metrics = df(con, "select * from ml.ml_category_metrics")
    summary = metrics[metrics["row_type"] == "summary"].set_index(
        ["evaluation", "features", "repositories"]
    )
    for (name, features), group in evaluation.groupby(["evaluation", "features"]):
        row = summary.loc[(name, features, "all")]
        assert row["n"] == len(group)
        assert row["accuracy"] == pytest.approx((group["answer"] == group["category"]).mean())
        assert row["coverage"] == pytest.approx((group["answer"] != ABSTAINED).mean())
    labels = load_category_labels()
    in_scope = labels[labels["primary_category"] != "none"]
    for split, name in (("train", "cross_validation"), ("test", "test")):
        expected = set(in_scope.loc[in_scope["split"] == split, "repository_id"])
        for features in ("with_readme", "without_readme", "clusters"):
            got = evaluation[
                (evaluation["evaluation"] == name) & (evaluation["features"] == features)
            ]
            assert set(got["repository_id"]) == expected, (name, features)


def test_label_agreement_and_sets_count_the_files(con) -> None:
    agreement = df(con, "select * from ml.ml_label_agreement").set_index("comparison")
    readme_pass = load_kind_labels(key="readme_pass_labels_path")
    metadata_pass = load_category_labels(key="metadata_pass_labels_path")
    assert agreement.loc["kinds_readme_pass", "n"] == len(readme_pass)
    assert agreement.loc["categories_metadata_pass", "n"] == len(metadata_pass)
    for row in agreement.itertuples():
        assert -1 <= row.kappa_low <= row.kappa <= row.kappa_high <= 1
    sets = df(con, "select * from ml.ml_label_sets").set_index("label_set")
    assert (
        sets.loc["kinds", "n_labels"]
        == sets.loc["kinds", "n_in_warehouse"]
        == len(load_kind_labels())
    )
    assert (
        sets.loc["kinds", "n_train"] + sets.loc["kinds", "n_test"] == sets.loc["kinds", "n_labels"]
    )


def test_clusters_are_scored_beside_the_classifier(con) -> None:
    clusters = df(con, "select * from ml.ml_tool_clusters")
    tools = df(con, "select repository_id from ml.ml_tool_categories")
    assert set(clusters["repository_id"]) == set(tools["repository_id"])
    both = clusters[
        (clusters["category"] != "unassigned") & (clusters["classifier_category"] != "unassigned")
    ]
    assert clusters["run__n_both_assigned"].iloc[0] == len(both)
    assert clusters["run__classifier_agreement"].iloc[0] == pytest.approx(
        (both["category"] == both["classifier_category"]).mean()
    )
