"""The task-category classifier: calibrated probabilities, primary and secondary categories,
abstention, and its end-to-end measurement, on obvious fixture tools."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from ml.categories import (
    UNASSIGNED,
    category_metrics,
    category_predictions,
    cluster_predictions,
    fit_category_model,
    load_category_labels,
    predict_categories,
    proba_column,
)
from ml.categories.evaluate import labelled_tools
from ml.config import load_ml_config
from ml.evaluation import ABSTAINED
from tests.ml.fixtures_text import CATEGORY_WORDS, category_tools

CATEGORIES = list(CATEGORY_WORDS)


@pytest.fixture(scope="module")
def config() -> dict:
    cfg = copy.deepcopy(load_ml_config())
    cfg["categories"]["bootstrap_samples"] = 200
    return cfg


@pytest.fixture(scope="module")
def tools() -> tuple[pd.DataFrame, pd.DataFrame]:
    repos, _, _, labels = category_tools()
    return repos, labels


def _fit(repos, labels, settings, use_readme=True):
    rows = labelled_tools(repos, labels)
    return fit_category_model(rows[rows["split"] == "train"], CATEGORIES, settings, use_readme)


def test_predictions_have_documented_columns_and_consistent_answers(tools, config) -> None:
    repos, labels = tools
    settings = config["categories"]
    predictions = predict_categories(_fit(repos, labels, settings), repos)
    probabilities = [proba_column(c) for c in CATEGORIES]
    assert list(predictions.columns) == [
        "repository_id",
        "primary_category",
        "confidence",
        "secondary_category",
        "is_abstained",
        "category",
        *probabilities,
    ]
    proba = predictions[probabilities].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(predictions["confidence"], proba.max(axis=1))
    best = np.asarray(CATEGORIES)[proba.argmax(axis=1)]
    assert (predictions["primary_category"] == best).all()
    abstained = predictions["confidence"] < settings["abstain_below"]
    assert (predictions["is_abstained"] == abstained).all()
    assert (predictions.loc[abstained, "category"] == UNASSIGNED).all()
    assert (predictions.loc[~abstained, "category"] == best[~abstained]).all()
    second = np.sort(proba, axis=1)[:, -2]
    has_second = predictions["secondary_category"].notna()
    assert (has_second == ((second >= settings["secondary_min_probability"]) & ~abstained)).all()
    assert (predictions["secondary_category"] != predictions["primary_category"]).all()


def test_obvious_tools_are_placed_out_of_sample(tools, config) -> None:
    repos, labels = tools
    predictions = category_predictions(repos, labels, config)
    test = predictions[
        (predictions["evaluation"] == "test") & (predictions["features"] == "with_readme")
    ]
    assert len(test) == int((labels["split"] == "test").sum())
    assert (test["answer"] == test["category"]).mean() >= 0.9
    cv = predictions[predictions["evaluation"] == "cross_validation"]
    assert set(cv["repository_id"]) == set(labels.loc[labels["split"] == "train", "repository_id"])


def test_abstention_counts_as_a_miss(tools, config) -> None:
    repos, labels = tools
    cautious = copy.deepcopy(config)
    cautious["categories"]["abstain_below"] = 1.01  # never confident enough
    predictions = category_predictions(repos, labels, cautious)
    assert (predictions["answer"] == ABSTAINED).all()
    table = category_metrics(predictions, labels["primary_category"], cautious)
    summary = table[(table["row_type"] == "summary") & (table["n"] > 0)]
    # (cross-validation, test) x (with, without README) x (all tools, those without a README)
    assert len(summary) == 8
    assert (summary["coverage"] == 0).all()
    assert (summary["accuracy"] == 0).all(), "an abstention is a miss, never left out"
    assert (summary["macro_f1"] == 0).all()
    confusion = table[
        (table["row_type"] == "confusion") & (table["predicted_category"] == ABSTAINED)
    ]
    assert confusion["count"].sum() == len(predictions)


def test_metrics_table_adds_up(tools, config) -> None:
    repos, labels = tools
    predictions = category_predictions(repos, labels, config)
    train = labels.loc[labels["split"] == "train", "primary_category"]
    table = category_metrics(predictions, train, config)
    assert table["metric_id"].is_unique
    summary = table[table["row_type"] == "summary"].set_index(
        ["evaluation", "features", "repositories"]
    )
    for (evaluation, features), group in predictions.groupby(["evaluation", "features"]):
        row = summary.loc[(evaluation, features, "all")]
        assert row["n"] == len(group)
        assert row["accuracy"] == pytest.approx((group["answer"] == group["category"]).mean())
        assert row["coverage"] == pytest.approx((group["answer"] != ABSTAINED).mean())
        assert row["accuracy_any"] >= row["accuracy"]
        assert row["accuracy_low"] <= row["accuracy"] <= row["accuracy_high"]
        assert 0 <= row["brier_score"] <= 2
        cells = table[
            (table["row_type"] == "confusion")
            & (table["evaluation"] == evaluation)
            & (table["features"] == features)
        ]
        assert cells["count"].sum() == len(group)
        assert len(cells) == len(CATEGORIES) * (len(CATEGORIES) + 1)


def test_the_readme_can_carry_the_evidence(config) -> None:
    # Descriptions say nothing; the README names the task. With it the tools are placed, without
    # it the classifier has nothing to go on.
    repos, _, _, labels = category_tools()
    repos = repos.copy()
    repos["readme"] = repos["description"]
    repos["has_readme"] = True
    repos["description"] = "A tool"
    repos["name"] = "tool"
    repos["topics"] = None
    predictions = category_predictions(repos, labels, config)
    test = predictions[predictions["evaluation"] == "test"]
    accuracy = test.groupby("features").apply(
        lambda g: (g["answer"] == g["category"]).mean(), include_groups=False
    )
    assert accuracy["with_readme"] >= 0.9
    assert accuracy["without_readme"] <= 0.5


def test_without_any_readme_the_model_runs_on_metadata(tools, config) -> None:
    repos, labels = tools
    model = _fit(repos, labels, config["categories"], use_readme=True)
    assert not model.use_readme, "no training README: the README part is left out, not an error"
    assert len(predict_categories(model, repos)) == len(repos)


def test_a_category_too_small_to_calibrate_is_still_learnt(tools, config) -> None:
    repos, labels = tools
    labels = labels.copy()
    lone = labels.index[(labels["primary_category"] == "monitoring") & (labels["split"] == "train")]
    labels = labels.drop(lone[1:])  # one monitoring tool left to train on
    model = _fit(repos, labels, config["categories"])
    assert not model.calibrated
    assert set(predict_categories(model, repos)["primary_category"]) <= set(CATEGORIES)


def test_clusters_are_scored_on_the_same_scale(tools, config) -> None:
    repos, labels = tools
    clusters = pd.DataFrame(
        {"repository_id": repos["repository_id"], "category": [UNASSIGNED] + ["serving"] * 59}
    )
    test_labels = labels[labels["split"] == "test"]
    scored = cluster_predictions(clusters, repos, test_labels, "test")
    assert (scored["features"] == "clusters").all()
    assert len(scored) == len(test_labels)
    expected = (test_labels["primary_category"] == "serving").sum()
    assert (scored["answer"] == scored["category"]).sum() == expected


def test_none_labels_neither_train_nor_score(tools, config) -> None:
    repos, labels = tools
    labels = labels.copy()
    labels.loc[labels.index[0], "primary_category"] = "none"
    rows = labelled_tools(repos, labels)
    assert labels.loc[labels.index[0], "repository_id"] not in set(rows["repository_id"])


def test_bad_category_labels_name_the_file(tmp_path, config) -> None:
    path = tmp_path / "cats.csv"
    path.write_text("repository_id,primary_category,secondary_category\n1,serving,serving\n")
    with pytest.raises(ValueError, match=r"cats\.csv.*secondary equals primary"):
        load_category_labels(path, config=config)
    path.write_text("repository_id,primary_category,secondary_category\n1,cooking,\n")
    with pytest.raises(ValueError, match=r"cats\.csv.*cooking"):
        load_category_labels(path, config=config)
    with pytest.raises(FileNotFoundError, match="nope"):
        load_category_labels(tmp_path / "nope.csv", config=config)
