"""Measure the category classifier end to end, on tools it never learnt from, and put the
unsupervised clusters on the same scale.

Like the kind model: `cross_validation` over the train split (stratified K-fold) and `test` (the
model trained on the whole train split predicts the held-out test split once), each with and
without the README, scored over all tools and separately over those with and without a README.
Every scored tool counts: an abstention is a miss. Reported per slice: end-to-end accuracy
(Wilson), coverage, accuracy among assigned tools, accuracy counting the labelled secondary
category as right too, macro-F1 (bootstrap), the multi-class Brier score of the calibrated
probabilities, the accuracy of always answering the most common training category, precision
and recall per category, and the confusion matrix (label x answer, abstentions included).

The clusters' categories (`ml.clusters`) are scored the same way (features `clusters`), so the
discovery view's agreement with the labels sits beside the classifier's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ml.categories.labels import categorised
from ml.categories.model import (
    fit_category_model,
    predict_categories,
    predicted_label,
    proba_column,
    train_category_model,
)
from ml.config import config_section
from ml.evaluation import (
    ABSTAINED,
    SUBSETS,
    out_of_fold,
    per_class_rows,
    readme_subset,
    summary_row,
)

FEATURE_SETS = {"with_readme": True, "without_readme": False}
ALL_CATEGORIES = "all"


def labelled_tools(repos: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Tools with a category label (one of the six), joined to their label: `label_category`
    (primary), `label_secondary`, `split`. Labels naming no repository of `repos` are left out."""
    labels = categorised(labels)
    indexed = labels.assign(repository_id=labels["repository_id"].astype(str)).set_index(
        "repository_id"
    )
    keys = repos["repository_id"].astype(str)
    rows = repos.loc[keys.isin(indexed.index)].copy()
    keys = rows["repository_id"].astype(str)
    rows["label_category"] = keys.map(indexed["primary_category"]).to_numpy()
    rows["label_secondary"] = keys.map(indexed["secondary_category"]).fillna("").to_numpy()
    rows["split"] = keys.map(indexed["split"]).to_numpy() if "split" in indexed else "train"
    return rows.assign(_key=keys).sort_values("_key").drop(columns="_key").reset_index(drop=True)


def _scored(rows: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    has = rows["has_readme"] if "has_readme" in rows.columns else pd.Series(False, rows.index)
    out = pd.DataFrame(
        {
            "repository_id": rows["repository_id"].astype(str).to_numpy(),
            "category": rows["label_category"].to_numpy(),
            "secondary": rows["label_secondary"].to_numpy(),
            "answer": predicted_label(predicted),
            "has_readme": has.fillna(False).astype(bool).to_numpy(),
        }
    )
    for column in [c for c in predicted.columns if c.startswith("proba__")]:
        out[column] = predicted[column].to_numpy()
    return out


def category_cross_validations(
    repos: pd.DataFrame, labels: pd.DataFrame, config: dict | None = None
) -> dict[str, pd.DataFrame]:
    """The cross-validated answers for the train split, for each feature set: the part of the
    evaluation that fits a model per fold (a build computes it in a process of its own and
    keeps it, ml/memo.py). Columns as `category_predictions` less `evaluation`, `features`."""
    settings = config_section("categories", config)
    categories = list(settings["categories"])
    train, _ = _train_and_test(repos, labels)
    answers = {}
    for features, use_readme in FEATURE_SETS.items():

        def fit_predict(
            train_idx: np.ndarray, test_idx: np.ndarray, use_readme: bool = use_readme
        ) -> pd.DataFrame:
            model = fit_category_model(train.iloc[train_idx], categories, settings, use_readme)
            return predict_categories(model, train.iloc[test_idx]).assign(_row=test_idx)

        folds, _ = out_of_fold(
            train["label_category"].to_numpy(),
            fit_predict,
            int(settings["cv_folds"]),
            int(settings["seed"]),
        )
        answers[features] = _scored(train, pd.concat(folds).set_index("_row").sort_index())
    return answers


def _train_and_test(repos: pd.DataFrame, labels: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = labelled_tools(repos, labels)
    train = rows[rows["split"] == "train"].reset_index(drop=True)
    test = rows[rows["split"] == "test"].reset_index(drop=True)
    return train, test


def category_predictions(
    repos: pd.DataFrame,
    labels: pd.DataFrame,
    config: dict | None = None,
    cross_validations: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every out-of-sample answer the metrics are computed from (both evaluations, both feature
    sets): `repository_id`, `category`, `secondary`, `answer`, `has_readme`, the probabilities,
    `evaluation`, `features`. `cross_validations`: `category_cross_validations` of the same
    inputs, if computed already."""
    settings = config_section("categories", config)
    if cross_validations is None:
        cross_validations = category_cross_validations(repos, labels, config)
    train, test = _train_and_test(repos, labels)
    parts = []
    for features, use_readme in FEATURE_SETS.items():
        cv = cross_validations[features]
        parts.append(cv.assign(evaluation="cross_validation", features=features))
        if len(test):
            # The deployed classifier (ml_tool_categories) is this same fit: made once.
            model = train_category_model(train, settings, use_readme)
            held_out = predict_categories(model, test)
            parts.append(_scored(test, held_out).assign(evaluation="test", features=features))
    return pd.concat(parts, ignore_index=True)


def cluster_predictions(
    clusters: pd.DataFrame, repos: pd.DataFrame, labels: pd.DataFrame, evaluation: str
) -> pd.DataFrame:
    """The clusters' categories in the shape of `category_predictions` (features `clusters`):
    `clusters` has `repository_id` and `category` (`unassigned`: an abstention)."""
    rows = labelled_tools(repos, labels)
    mapped = (
        rows[["repository_id"]]
        .astype(str)
        .merge(
            clusters[["repository_id", "category"]].astype({"repository_id": str}),
            on="repository_id",
            how="left",
        )
    )
    answer = mapped["category"].fillna("unassigned")
    frame = pd.DataFrame(
        {
            "primary_category": answer.to_numpy(),
            "is_abstained": (answer == "unassigned").to_numpy(),
        }
    )
    return _scored(rows, frame).assign(evaluation=evaluation, features="clusters")


def brier_score(scored: pd.DataFrame, categories: list[str]) -> float:
    """Mean multi-class Brier score (sum over categories of squared error); NaN without
    probabilities (the clusters)."""
    columns = [proba_column(c) for c in categories]
    if not len(scored) or not all(c in scored.columns for c in columns):
        return float("nan")
    proba = scored[columns].to_numpy(dtype=float)
    if np.isnan(proba).all():
        return float("nan")
    truth = np.array(
        [[1.0 if c == label else 0.0 for c in categories] for label in scored["category"]]
    )
    return float(np.mean(np.sum((proba - truth) ** 2, axis=1)))


def category_metrics(
    predictions: pd.DataFrame, training_labels: pd.Series, config: dict | None = None
) -> pd.DataFrame:
    """The `ml_category_metrics` table: per evaluation, feature set and README subset, a
    `summary` row, one `category` row per category and (over all tools) one `confusion` row per
    pair of labelled category and answer. `training_labels` (the train split's primary
    categories) give the baseline: the most common one."""
    settings = config_section("categories", config)
    categories = list(settings["categories"])
    level = float(settings["interval_level"])
    counts = training_labels.value_counts()
    baseline = str(counts.index[0]) if len(counts) else None
    rows: list[dict[str, Any]] = []
    for (evaluation, features), group in predictions.groupby(
        ["evaluation", "features"], sort=False
    ):
        for subset in SUBSETS:
            scored = readme_subset(group, subset)
            truth = scored["category"].to_numpy().astype(str)
            answer = scored["answer"].to_numpy().astype(str)
            key = {"evaluation": evaluation, "features": features, "repositories": subset}
            either = (answer == truth) | (answer == scored["secondary"].to_numpy().astype(str))
            summary = summary_row(truth, answer, categories, baseline, settings)
            rows.append(
                {
                    **key,
                    "row_type": "summary",
                    "category": ALL_CATEGORIES,
                    **summary,
                    "accuracy_any": float(either.mean()) if len(either) else float("nan"),
                    "brier_score": brier_score(scored, categories),
                }
            )
            for row in per_class_rows(truth, answer, categories, level):
                rows.append({**key, "row_type": "category", "category": row.pop("class"), **row})
            if subset == "all":
                for label in categories:
                    for guess in [*categories, ABSTAINED]:
                        count = int(np.sum((truth == label) & (answer == guess)))
                        rows.append(
                            {
                                **key,
                                "row_type": "confusion",
                                "category": label,
                                "predicted_category": guess,
                                "count": count,
                            }
                        )
    out = pd.DataFrame(rows)
    out["abstain_below"] = float(settings["abstain_below"])
    predicted = out["predicted_category"].fillna("") if "predicted_category" in out else ""
    out.insert(
        0,
        "metric_id",
        out["evaluation"]
        + "|"
        + out["features"]
        + "|"
        + out["repositories"]
        + "|"
        + out["row_type"]
        + "|"
        + out["category"]
        + "|"
        + predicted,
    )
    return out
