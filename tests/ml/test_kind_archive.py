"""The text models on the January 2023 archive: the kind model against the labelled sample
(cross-validated on the train split, scored once on the test split), the kind shares, the task
clusters named by the labelled tools, and the 20-topic model."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from ml.categories import load_category_labels
from ml.categories.labels import categorised
from ml.clusters import cluster_tools
from ml.config import load_ml_config
from ml.kind import (
    cross_validated_kinds,
    held_out_kinds,
    kind_shares,
    load_kind_labels,
    metrics_from_predictions,
    predict_kinds,
    train_kind_model,
)
from ml.labels.match import match_labels
from ml.labels.strata import design_weights, stratum
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
def labels(archive, config) -> pd.DataFrame:
    return match_labels(load_kind_labels(config=config), archive)


@pytest.fixture(scope="module")
def kind_run(archive, labels, config):
    # Without README text (the archive frame has none): the metadata model.
    cv = cross_validated_kinds(archive, labels, config, use_readme=False)
    test = held_out_kinds(archive, labels, config, use_readme=False)
    model = train_kind_model(archive, labels, config, use_readme=False)
    return cv, test, predict_kinds(model, archive)


def test_every_archive_label_names_an_archive_repository(archive, labels, config) -> None:
    everything = load_kind_labels(config=config)
    git_only = everything["repository_id"].str.startswith("git:")
    assert len(labels) == int((~git_only).sum()), "only the git-only labels are not in the archive"


def test_kind_metrics_on_the_labelled_sample(labels, kind_run, config) -> None:
    cv, test, predictions = kind_run
    kinds = config["kind"]["kinds"]
    train_ids = set(labels.loc[labels["split"] == "train", "repository_id"])
    test_ids = set(labels.loc[labels["split"] == "test", "repository_id"])
    assert set(cv["repository_id"]) == train_ids
    assert set(test["repository_id"]) == test_ids
    for scored in (cv, test):
        per_kind, confusion = metrics_from_predictions(scored, kinds)
        assert confusion["n"].sum() == len(scored)
        accuracy = (scored["kind"] == scored["predicted_kind"]).mean()
        majority = labels.loc[labels["split"] == "train", "kind"].value_counts().index[0]
        baseline = (scored["kind"] == majority).mean()
        print(f"\n{len(scored)} labels, accuracy {accuracy:.3f} (baseline {baseline:.3f})")
        print(per_kind.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        assert accuracy > baseline, "better than always answering the most common kind"
    assert predictions["repository_id"].is_unique


def test_kind_shares_on_the_archive(archive, labels, kind_run, config) -> None:
    cv, test, predictions = kind_run
    strata = pd.Series(
        [stratum(s, False) for s in archive["stars"]], index=archive["repository_id"]
    )
    out_of_sample = pd.concat([cv, test], ignore_index=True)
    out_of_sample["stratum"] = out_of_sample["repository_id"].map(strata)
    out_of_sample["weight"] = design_weights(out_of_sample["stratum"], strata).to_numpy()
    shares = kind_shares(predictions, out_of_sample, strata, config)
    print("\n" + shares.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    material = shares.set_index("kind").loc["learning_material"]
    assert 0 <= material["share_corrected_low"] <= material["share_corrected"]
    assert material["share_corrected"] <= material["share_corrected_high"] <= 1
    assert shares["n_repositories"].iloc[0] == len(archive)
    assert shares["n_labelled_sample"].iloc[0] == len(labels)


def test_clusters_on_archive_tools(archive, kind_run, config) -> None:
    _, _, predictions = kind_run
    curated = pd.read_csv(SEED_PATH)
    category_labels = categorised(match_labels(load_category_labels(config=config), archive))
    result = cluster_tools(archive, predictions, curated, category_labels)
    metrics = result.metrics.iloc[0]
    print("\n" + result.metrics.to_string(index=False))
    assert metrics["n_tools"] == len(result.tool_clusters)
    assert metrics["n_voters"] == int((category_labels["split"] == "train").sum())
    assert -1 <= metrics["silhouette"] <= 1


def test_twenty_topics_on_archive_descriptions(archive) -> None:
    result = fit_topics(archive)
    assert result.topics["topic_id"].nunique() == 20
    described = archive["description"].fillna("").str.strip() != ""
    has_topic = result.repository_topics["topic_id"].notna()
    assert (has_topic <= described.to_numpy()).all()
    assert has_topic.sum() >= 0.9 * described.sum()
