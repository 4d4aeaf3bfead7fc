"""The text models on the January 2023 archive: cross-validated kind metrics against the hand
labels, task clusters against the curated seed, and the 20-topic model."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from ml.clusters import cluster_tools
from ml.config import load_ml_config
from ml.kind import (
    cross_validated_kinds,
    kind_shares,
    load_kind_labels,
    metrics_from_predictions,
    predict_kinds,
    train_kind_model,
)
from ml.kind.labels import default_labels_path
from ml.topics import fit_topics
from tests.ml.fixtures_text import archive_repositories

SEED_PATH = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "curated_tools.csv"


@pytest.fixture(scope="module")
def archive(mirror: Path) -> pd.DataFrame:
    return archive_repositories(mirror)


@pytest.fixture(scope="module")
def config() -> dict:
    cfg = copy.deepcopy(load_ml_config())
    cfg["kind"]["bootstrap_samples"] = 300
    return cfg


@pytest.fixture(scope="module")
def labels(config) -> pd.DataFrame:
    if not default_labels_path(config).exists():
        pytest.skip(f"no hand labels yet at {default_labels_path(config)}")
    return load_kind_labels(config=config)


@pytest.fixture(scope="module")
def kind_run(archive, labels, config):
    cv = cross_validated_kinds(archive, labels, config)
    predictions = predict_kinds(train_kind_model(archive, labels, config), archive)
    return cv, predictions


def test_kind_cross_validated_metrics_on_hand_labels(archive, labels, kind_run, config) -> None:
    cv, predictions = kind_run
    kinds = config["kind"]["kinds"]
    per_kind, confusion = metrics_from_predictions(cv, kinds)
    assert sorted(cv["repository_id"]) == sorted(labels["repository_id"])
    assert confusion["n"].sum() == len(labels)
    assert per_kind["support"].sum() == len(labels)
    accuracy = (cv["kind"] == cv["predicted_kind"]).mean()
    majority = labels["kind"].value_counts(normalize=True).max()
    print(f"\nkind model, {len(labels)} hand labels, out-of-fold accuracy {accuracy:.3f}")
    print(per_kind.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    # Better than always answering the most common kind.
    assert accuracy > majority
    assert len(predictions) == len(archive)
    assert predictions["repository_id"].is_unique


def test_kind_shares_on_the_archive(archive, labels, kind_run, config) -> None:
    cv, predictions = kind_run
    shares = kind_shares(predictions, archive, labels, config, cv=cv)
    print("\n" + shares.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    material = shares.set_index("kind").loc["learning_material"]
    assert 0 <= material["share_corrected_low"] <= material["share_corrected"]
    assert material["share_corrected"] <= material["share_corrected_high"] <= 1
    assert shares["n_repositories"].iloc[0] == len(archive)


def test_clusters_on_archive_tools(archive, kind_run) -> None:
    if not SEED_PATH.exists():
        pytest.skip(f"no curated seed yet at {SEED_PATH}")
    _, predictions = kind_run
    curated = pd.read_csv(SEED_PATH)
    result = cluster_tools(archive, predictions, curated)
    metrics = result.metrics.iloc[0]
    print("\n" + result.metrics.to_string(index=False))
    names = result.tool_clusters.drop_duplicates("cluster_id")
    print(
        names[["cluster_id", "cluster_name", "category", "category_share"]].to_string(index=False)
    )
    assert metrics["n_tools"] == len(result.tool_clusters)
    assert -1 <= metrics["silhouette"] <= 1
    assert 0 <= metrics["coverage"] <= 1


def test_twenty_topics_on_archive_descriptions(archive) -> None:
    result = fit_topics(archive)
    assert result.topics["topic_id"].nunique() == 20
    described = archive["description"].fillna("").str.strip() != ""
    has_topic = result.repository_topics["topic_id"].notna()
    assert (has_topic <= described.to_numpy()).all()
    assert has_topic.sum() >= 0.9 * described.sum()
