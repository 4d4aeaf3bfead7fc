"""Kind classifier: training, prediction, out-of-sample metrics and kind shares on fixtures."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.kind import (
    cross_validated_kinds,
    held_out_kinds,
    kind_metrics,
    kind_predictions,
    kind_shares,
    load_kind_labels,
    metrics_from_predictions,
    predict_kinds,
    train_kind_model,
    wilson_interval,
)
from ml.kind.shares import corrected_shares, misclassification_matrix
from ml.labels.strata import design_weights
from tests.ml.fixtures_text import kind_repositories

KINDS = ["tool", "learning", "list", "example", "other"]


@pytest.fixture(scope="module")
def config() -> dict:
    cfg = copy.deepcopy(load_ml_config())
    cfg["kind"]["bootstrap_samples"] = 200
    return cfg


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.DataFrame]:
    return kind_repositories()


def test_predictions_have_documented_columns_and_probabilities(sample, config) -> None:
    repos, labels = sample
    predictions = predict_kinds(train_kind_model(repos, labels, config), repos)
    assert list(predictions.columns) == [
        "repository_id",
        "kind",
        "confidence",
        *[f"proba__{k}" for k in KINDS],
    ]
    assert predictions["repository_id"].tolist() == repos["repository_id"].tolist()
    proba = predictions[[f"proba__{k}" for k in KINDS]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(predictions["confidence"], proba.max(axis=1))
    assert (predictions["kind"].to_numpy() == labels["kind"].to_numpy()).mean() == 1.0


def test_training_and_prediction_are_deterministic(sample, config) -> None:
    repos, labels = sample
    first = predict_kinds(train_kind_model(repos, labels, config), repos)
    second = predict_kinds(train_kind_model(repos, labels, config), repos)
    pd.testing.assert_frame_equal(first, second)
    cv_a = cross_validated_kinds(repos, labels, config)
    cv_b = cross_validated_kinds(repos, labels, config)
    pd.testing.assert_frame_equal(cv_a, cv_b)


def test_cross_validated_metrics_shapes_and_values(sample, config) -> None:
    repos, labels = sample
    per_kind, confusion = metrics_from_predictions(
        cross_validated_kinds(repos, labels, config), KINDS
    )
    assert per_kind["kind"].tolist() == KINDS
    assert per_kind["support"].tolist() == [12] * 5
    assert per_kind[["precision", "recall", "f1"]].stack().between(0, 1).all()
    # Obvious fixture kinds: out-of-fold models still find them.
    assert (per_kind["recall"] >= 0.9).all(), per_kind
    assert len(confusion) == 25
    assert confusion["n"].sum() == len(labels)
    assert per_kind["n_predicted"].sum() == len(labels)


def test_out_of_fold_prediction_never_trains_on_its_own_label(sample, config) -> None:
    repos, labels = sample
    # A repository that looks exactly like a tool but is labelled "other": its own label would
    # pull an in-sample prediction towards "other"; out of fold only the tools decide.
    poisoned_id = labels.loc[labels["kind"] == "tool", "repository_id"].iloc[0]
    labels = labels.copy()
    labels.loc[labels["repository_id"] == poisoned_id, "kind"] = "other"
    cv = cross_validated_kinds(repos, labels, config)
    assert sorted(cv["repository_id"]) == sorted(labels["repository_id"])
    assert cv["repository_id"].is_unique
    row = cv.loc[cv["repository_id"] == poisoned_id].iloc[0]
    assert row["kind"] == "other"
    assert row["predicted_kind"] == "tool"


def test_kind_never_labelled_gets_zero_probability(sample, config) -> None:
    repos, labels = sample
    kept = labels.loc[labels["kind"] != "other"]
    predictions = predict_kinds(train_kind_model(repos, kept, config), repos)
    assert (predictions["proba__other"] == 0).all()
    assert "other" not in set(predictions["kind"])


def test_edge_case_texts_are_predicted(sample, config) -> None:
    repos, labels = sample
    model = train_kind_model(repos, labels, config)
    odd = repos.head(4).copy()
    odd["repository_id"] = ["1", "2", "3", "4"]
    odd["description"] = [None, "🚀🔥😀", "tool", "x" * (10 * 1024 * 1024)]
    odd["topics"] = [None, np.array(["mlops"]), [], None]
    odd["release_count"] = [None, None, 3, None]
    predictions = predict_kinds(model, odd)
    assert len(predictions) == 4
    assert predictions["kind"].isin(KINDS).all()
    assert np.isfinite(predictions["confidence"]).all()
    assert predict_kinds(model, odd.iloc[0:0]).empty


def _out_of_sample(repos, labels, config, strata) -> pd.DataFrame:
    cv = cross_validated_kinds(repos, labels, config)
    cv["stratum"] = cv["repository_id"].map(strata)
    cv["weight"] = design_weights(cv["stratum"], strata).to_numpy()
    return cv


def test_kind_shares_rows_sums_and_intervals(sample, config) -> None:
    repos, labels = sample
    predictions = predict_kinds(train_kind_model(repos, labels, config), repos)
    strata = pd.Series("one", index=repos["repository_id"])
    out_of_sample = _out_of_sample(repos, labels, config, strata)
    shares = kind_shares(predictions, out_of_sample, strata, config)
    assert shares["kind"].tolist() == [*KINDS, "learning_material"]
    per_kind = shares.iloc[:5]
    for column in ("share_predicted", "share_corrected", "share_labelled"):
        assert per_kind[column].sum() == pytest.approx(1.0)
    assert (shares["share_corrected_low"] <= shares["share_corrected"] + 1e-9).all()
    assert (shares["share_corrected"] <= shares["share_corrected_high"] + 1e-9).all()
    assert (shares["share_labelled_low"] <= shares["share_labelled"] + 1e-9).all()
    material = shares.set_index("kind")
    expected = material.loc[["learning", "list", "example"], "share_labelled"].sum()
    assert material.loc["learning_material", "share_labelled"] == pytest.approx(expected)
    assert material.loc["learning_material", "share_labelled"] == pytest.approx(0.6)
    pd.testing.assert_frame_equal(shares, kind_shares(predictions, out_of_sample, strata, config))


def test_labelled_shares_weight_each_stratum_by_its_population(sample, config) -> None:
    # Two strata: the first holds the tools and lists, the second everything else. The sample
    # holds every labelled repository, but the population has nine times as many of the second
    # stratum's: its kinds must weigh nine times as much per label.
    repos, labels = sample
    predictions = predict_kinds(train_kind_model(repos, labels, config), repos)
    first = set(labels.loc[labels["kind"].isin(["tool", "list"]), "repository_id"])
    strata = pd.Series(
        ["a" if r in first else "b" for r in repos["repository_id"]], index=repos["repository_id"]
    )
    population = pd.concat([strata, pd.Series(["b"] * 8 * int((strata == "b").sum()))])
    out_of_sample = _out_of_sample(repos, labels, config, strata)
    out_of_sample["weight"] = design_weights(out_of_sample["stratum"], population).to_numpy()
    shares = kind_shares(predictions, out_of_sample, population, config).set_index("kind")
    n_a, n_b = len(first), len(labels) - len(first)
    expected_tool = (n_a / 2) / (n_a + 9 * n_b)  # half of stratum a are tools, weight 1
    assert shares.loc["tool", "share_labelled"] == pytest.approx(expected_tool)
    assert shares.loc["learning_material", "share_labelled"] > 0.6


def test_wilson_interval_matches_known_value() -> None:
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4)
    assert high == pytest.approx(0.7634, abs=1e-4)
    assert np.isnan(wilson_interval(0, 0)[0])


def test_corrected_shares_undo_a_known_misclassification() -> None:
    truth = np.array([0.5, 0.3, 0.2])
    matrix = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.0, 0.3, 0.7]])
    observed = matrix.T @ truth
    np.testing.assert_allclose(corrected_shares(observed, matrix), truth, atol=1e-4)


def test_missing_labels_file_names_the_path(tmp_path) -> None:
    path = tmp_path / "nope" / "repository_kinds.csv"
    with pytest.raises(FileNotFoundError, match=r"nope/repository_kinds\.csv"):
        load_kind_labels(path)


def test_bad_labels_are_rejected_with_the_file_named(tmp_path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("repository_id,kind\n1,tool\n2,gadget\n")
    with pytest.raises(ValueError, match=r"labels\.csv.*gadget"):
        load_kind_labels(path)


def test_labelled_ids_absent_from_repositories_are_an_error(sample, config) -> None:
    repos, labels = sample
    extra = pd.concat([labels, pd.DataFrame({"repository_id": ["999999"], "kind": ["tool"]})])
    with pytest.raises(ValueError, match="999999"):
        train_kind_model(repos, extra, config)


def test_the_test_split_is_never_learnt_and_is_scored_once(sample, config) -> None:
    repos, labels = sample
    labels = labels.copy()
    labels["split"] = ["test" if i % 4 == 0 else "train" for i in range(len(labels))]
    test_ids = set(labels.loc[labels["split"] == "test", "repository_id"])
    cv = cross_validated_kinds(repos, labels, config)
    assert not set(cv["repository_id"]) & test_ids, "cross-validation uses the train split only"
    held_out = held_out_kinds(repos, labels, config)
    assert set(held_out["repository_id"]) == test_ids
    assert (held_out["fold"] == -1).all()
    # A test label changed to nonsense changes neither the deployed model nor the CV.
    flipped = labels.copy()
    flipped.loc[flipped["split"] == "test", "kind"] = "other"
    pd.testing.assert_frame_equal(
        predict_kinds(train_kind_model(repos, labels, config), repos),
        predict_kinds(train_kind_model(repos, flipped, config), repos),
    )


def test_metrics_table_covers_every_evaluation_feature_set_and_subset(sample, config) -> None:
    repos, labels = sample
    repos = repos.copy()
    repos["has_readme"] = [i % 2 == 0 for i in range(len(repos))]
    repos["readme"] = np.where(
        repos["has_readme"], repos["description"] + " readme words for this one", ""
    )
    labels = labels.assign(split=["test" if i % 3 == 0 else "train" for i in range(len(labels))])
    predictions = kind_predictions(repos, labels, config)
    table = kind_metrics(predictions, labels.loc[labels["split"] == "train", "kind"], config)
    assert table["metric_id"].is_unique
    assert set(table["evaluation"]) == {"cross_validation", "test"}
    assert set(table["features"]) == {"with_readme", "without_readme"}
    assert set(table["repositories"]) == {"all", "with_readme", "without_readme"}
    assert set(table["kind"]) == {*KINDS, "tool_vs_not", "all"}
    summary = table.set_index("metric_id")
    for evaluation in ("cross_validation", "test"):
        scored = predictions[
            (predictions["evaluation"] == evaluation) & (predictions["features"] == "with_readme")
        ]
        row = summary.loc[f"{evaluation}|with_readme|all|all"]
        assert row["n"] == len(scored)
        assert row["accuracy"] == pytest.approx((scored["kind"] == scored["predicted_kind"]).mean())
        assert row["accuracy_low"] <= row["accuracy"] <= row["accuracy_high"]
        subset = summary.loc[f"{evaluation}|with_readme|with_readme|all"]
        assert subset["n"] == int(scored["has_readme"].sum())
        tool = summary.loc[f"{evaluation}|with_readme|all|tool_vs_not"]
        truth, guess = scored["kind"] == "tool", scored["predicted_kind"] == "tool"
        assert tool["accuracy"] == pytest.approx((truth == guess).mean())
    # the baseline always answers the most common training kind
    most_common = labels.loc[labels["split"] == "train", "kind"].value_counts().index[0]
    test = predictions[
        (predictions["evaluation"] == "test") & (predictions["features"] == "with_readme")
    ]
    assert summary.loc["test|with_readme|all|all", "baseline_accuracy"] == pytest.approx(
        (test["kind"] == most_common).mean()
    )


def test_rarely_labelled_kinds_keep_an_identity_row() -> None:
    cv = pd.DataFrame(
        {
            "kind": ["tool"] * 10 + ["other"],
            "predicted_kind": ["tool"] * 8 + ["example"] * 2 + ["example"],
        }
    )
    matrix = misclassification_matrix(cv, KINDS, min_support=5)
    np.testing.assert_allclose(matrix[0], [0.8, 0, 0, 0.2, 0])
    np.testing.assert_allclose(matrix[4], [0, 0, 0, 0, 1])  # one "other" label: not trusted
    np.testing.assert_allclose(misclassification_matrix(cv, KINDS)[4], [0, 0, 0, 1, 0])
