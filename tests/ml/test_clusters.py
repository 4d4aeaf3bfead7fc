"""Task clusters: k by silhouette, categories voted by labelled train tools, held-out votes,
edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.clusters import UNASSIGNED, cluster_terms, cluster_tools, heldout_categories, vote
from ml.config import load_ml_config
from tests.ml.fixtures_text import CATEGORY_WORDS, _row, category_tools

SETTINGS = {"min_labelled_members": 2, "min_majority_share": 0.5, "agreement_folds": 5, "seed": 1}


@pytest.fixture(scope="module")
def fixture() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return category_tools()


@pytest.fixture(scope="module")
def result(fixture):
    return cluster_tools(*fixture)


def test_outputs_have_documented_columns(result, fixture) -> None:
    repos, *_ = fixture
    assert list(result.tool_clusters.columns) == [
        "repository_id",
        "cluster_id",
        "cluster_name",
        "category",
        "category_share",
        "heldout_category",
        "x",
        "y",
    ]
    assert list(result.cluster_terms.columns) == ["cluster_id", "rank", "term", "weight"]
    assert list(result.metrics.columns) == [
        "k",
        "silhouette",
        "n_tools",
        "n_voters",
        "n_assigned_clusters",
    ]
    assert sorted(result.tool_clusters["repository_id"]) == sorted(repos["repository_id"])
    assert np.isfinite(result.tool_clusters[["x", "y"]].to_numpy()).all()


def test_six_obvious_categories_are_recovered(result) -> None:
    metrics = result.metrics.iloc[0]
    assert metrics["k"] == 6
    assert 0 < metrics["silhouette"] <= 1
    assert metrics["n_tools"] == 60
    assert metrics["n_voters"] == 30, "only the train split votes"
    # Every fixture tool lands with its category's words (topic = category slug).
    categories = list(CATEGORY_WORDS)
    clusters = result.tool_clusters.set_index("repository_id")
    truth = [categories[(int(i) - 5001) // 10] for i in clusters.index]
    assert clusters["category"].tolist() == truth
    assert (clusters["category_share"] == 1.0).all()
    # Voted by the other folds only, every voting tool still gets its own category back; the
    # test split's tools do not vote and get no held-out category.
    voters = clusters[clusters["heldout_category"].notna()]
    assert len(voters) == 30
    assert (voters["heldout_category"] == voters["category"]).all()
    # The silhouette reported is the best over the k tried.
    assert metrics["silhouette"] == pytest.approx(result.k_scores["silhouette"].max())


def test_cluster_terms_are_ranked_and_name_the_clusters(result) -> None:
    terms = result.cluster_terms
    for _, group in terms.groupby("cluster_id"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert group["weight"].is_monotonic_decreasing
        assert len(group) <= 10
    first = terms.loc[terms["rank"] == 1].set_index("cluster_id")["term"]
    names = result.tool_clusters.drop_duplicates("cluster_id").set_index("cluster_id")
    for cluster_id, term in first.items():
        assert names.loc[cluster_id, "cluster_name"].startswith(term)


def test_clustering_is_deterministic(fixture, result) -> None:
    again = cluster_tools(*fixture)
    for a, b in zip(result, again, strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_cluster_terms_from_a_stored_clustering_match_the_run(fixture, result) -> None:
    # ml_cluster_terms rebuilds the terms from ml_tool_clusters instead of clustering again.
    repos = fixture[0]
    terms = cluster_terms(repos, result.tool_clusters)
    pd.testing.assert_frame_equal(terms, result.cluster_terms, check_exact=True)
    shuffled = result.tool_clusters.sample(frac=1.0, random_state=0)
    pd.testing.assert_frame_equal(cluster_terms(repos, shuffled), result.cluster_terms)


def test_a_conflicting_label_does_not_vote_for_itself(fixture) -> None:
    repos, kinds, curated, labels = fixture
    labels = labels.copy()
    victim = labels.index[(labels["primary_category"] == "serving") & (labels["split"] == "train")][
        0
    ]
    labels.loc[victim, "primary_category"] = "monitoring"
    clusters = cluster_tools(repos, kinds, curated, labels).tool_clusters.set_index("repository_id")
    # Held out, the relabelled tool's cluster is voted "serving" by the other folds' tools.
    assert clusters.loc[labels.loc[victim, "repository_id"], "heldout_category"] == "serving"
    # A test-split label never votes: relabelling one changes nothing.
    test_victim = labels.index[labels["split"] == "test"][0]
    labels.loc[test_victim, "primary_category"] = "monitoring"
    again = cluster_tools(repos, kinds, curated, labels).tool_clusters.set_index("repository_id")
    pd.testing.assert_series_equal(clusters["category"], again["category"])


def test_vote_leaves_thin_or_split_evidence_unassigned() -> None:
    cluster_of = {"1": 0, "2": 0, "3": 1, "4": 2, "5": 2, "6": 3, "7": 3, "8": 3, "9": 4}
    categories = {
        "1": ["serving"],
        "2": ["serving"],  # cluster 0: two agree
        "3": ["monitoring"],  # cluster 1: one member only
        "4": ["serving"],
        "5": ["monitoring"],  # cluster 2: tie
        "6": ["serving"],
        "7": ["monitoring"],
        "8": ["infrastructure"],  # cluster 3: 1/3 share
    }
    mapping = vote(cluster_of, categories, SETTINGS).set_index("cluster_id")
    assert mapping.loc[0, "category"] == "serving"
    assert mapping.loc[0, "category_share"] == 1.0
    assert mapping.loc[1, "category"] == UNASSIGNED
    assert mapping.loc[2, "category"] == UNASSIGNED
    assert mapping.loc[3, "category"] == UNASSIGNED
    assert mapping.loc[3, "category_share"] == pytest.approx(1 / 3)
    assert mapping.loc[4, "category"] == UNASSIGNED  # no labelled member at all
    assert np.isnan(mapping.loc[4, "category_share"])


def test_heldout_categories_never_use_a_tools_own_label() -> None:
    # Two tools alone in a cluster with different labels: held out, each sees only the other.
    cluster_of = {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    categories = {
        "1": ["serving"],
        "2": ["monitoring"],
        "3": ["infrastructure"],
        "4": ["infrastructure"],
        "5": ["infrastructure"],
    }
    settings = {**SETTINGS, "min_labelled_members": 1, "agreement_folds": 5}
    heldout = heldout_categories(cluster_of, categories, settings)
    assert heldout == {
        "1": "monitoring",
        "2": "serving",
        "3": "infrastructure",
        "4": "infrastructure",
        "5": "infrastructure",
    }


def test_fewer_tools_than_clusters(fixture) -> None:
    repos, kinds, curated, labels = fixture
    for n, expected_k in ((1, 1), (2, 1), (3, 2)):
        result = cluster_tools(repos.head(n), kinds, curated.head(1), labels.head(1))
        assert result.metrics.iloc[0]["k"] == expected_k
        assert len(result.tool_clusters) == n
        assert result.tool_clusters["cluster_id"].max() < max(expected_k, 1)


def test_no_tools_gives_empty_tables(fixture) -> None:
    repos, kinds, _, labels = fixture
    result = cluster_tools(
        repos,
        kinds.assign(kind="learning"),
        pd.DataFrame(columns=["full_name", "category"]),
        labels.iloc[0:0],
    )
    assert result.tool_clusters.empty
    assert result.metrics.iloc[0]["n_tools"] == 0


def test_edge_case_descriptions(fixture) -> None:
    repos, kinds, curated, labels = fixture
    odd = pd.DataFrame(
        [
            _row(1, "🚀", None, topics=None),
            _row(2, "x", "🚀🔥😀", topics=[]),
            _row(3, "serve", "serving", topics=None),
            _row(4, "big", "kubernetes cluster " * 600_000, topics=None),
        ]
    )
    all_repos = pd.concat([repos, odd], ignore_index=True)
    all_kinds = pd.concat(
        [kinds, pd.DataFrame({"repository_id": ["1", "2", "3", "4"], "kind": "tool"})]
    )
    result = cluster_tools(all_repos, all_kinds, curated, labels)
    clusters = result.tool_clusters.set_index("repository_id")
    for no_text in ("1", "2"):
        assert clusters.loc[no_text, "cluster_id"] == -1
        assert clusters.loc[no_text, "cluster_name"] == "no text"
        assert clusters.loc[no_text, "category"] == UNASSIGNED
    assert clusters.loc["3", "cluster_id"] >= 0
    assert clusters.loc["4", "category"] == "infrastructure"


def test_curated_and_labelled_tools_are_clustered_even_when_not_predicted_tool(fixture) -> None:
    repos, kinds, curated, labels = fixture
    result = cluster_tools(repos, kinds.assign(kind="example"), curated, labels.iloc[0:0])
    assert result.metrics.iloc[0]["n_tools"] == len(curated)
    result = cluster_tools(repos, kinds.assign(kind="example"), curated.iloc[0:0], labels)
    assert result.metrics.iloc[0]["n_tools"] == len(labels)
    config = load_ml_config()
    assert config["clusters"]["k_min"] <= result.metrics.iloc[0]["k"] <= config["clusters"]["k_max"]
