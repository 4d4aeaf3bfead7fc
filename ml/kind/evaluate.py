"""Honest measurement of the kind classifier, on labels it never learnt from.

Two evaluations, each run twice (with the README as features and without):

* `cross_validation`: stratified K-fold over the train split; every labelled repository is
  predicted by a model trained on the other folds only.
* `test`: the model trained on the whole train split predicts the held-out test split once. No
  setting is chosen by looking at it.

Each is scored over all scored repositories and separately over those with and without a README:
precision and recall per kind (Wilson intervals), tool-vs-not accuracy, accuracy and macro-F1
(bootstrap), each beside the accuracy of always answering the most common training kind.
`ml.kind.shares` reuses the out-of-sample predictions to correct the kind shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.config import config_section
from ml.evaluation import SUBSETS, out_of_fold, per_class_rows, readme_subset, summary_row
from ml.kind.model import fit_kind_model, labelled_rows, predict_kinds, train_kind_model

EVALUATIONS = ("cross_validation", "test")
FEATURE_SETS = {"with_readme": True, "without_readme": False}
TOOL = "tool"
TOOL_VS_NOT = "tool_vs_not"
ALL_KINDS = "all"


def _frame(rows: pd.DataFrame, predicted: pd.DataFrame, fold: np.ndarray | int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "repository_id": rows["repository_id"].astype(str).to_numpy(),
            "kind": rows["label_kind"].to_numpy(),
            "predicted_kind": predicted["kind"].to_numpy(),
            "confidence": predicted["confidence"].to_numpy(),
            "has_readme": _has_readme(rows),
            "fold": fold,
        }
    )


def _has_readme(rows: pd.DataFrame) -> np.ndarray:
    if "has_readme" not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    return rows["has_readme"].fillna(False).astype(bool).to_numpy()


def cross_validated_kinds(
    repos: pd.DataFrame,
    labels: pd.DataFrame,
    config: dict | None = None,
    use_readme: bool = True,
) -> pd.DataFrame:
    """Out-of-fold predictions for every labelled repository of the train split.

    Columns: `repository_id`, `kind` (hand label), `predicted_kind`, `confidence`, `has_readme`,
    `fold`.
    """
    settings = config_section("kind", config)
    kinds = list(settings["kinds"])
    rows = labelled_rows(repos, labels)
    if "split" in rows.columns:
        rows = rows[rows["split"] == "train"].reset_index(drop=True)

    def fit_predict(train_idx: np.ndarray, test_idx: np.ndarray) -> pd.DataFrame:
        model = fit_kind_model(rows.iloc[train_idx], kinds, settings, use_readme)
        return predict_kinds(model, rows.iloc[test_idx]).assign(_row=test_idx)

    parts, fold_of = out_of_fold(
        rows["label_kind"].to_numpy(), fit_predict, int(settings["cv_folds"]), int(settings["seed"])
    )
    predicted = pd.concat(parts).set_index("_row").sort_index()
    return _frame(rows, predicted, fold_of).sort_values("repository_id").reset_index(drop=True)


def held_out_kinds(
    repos: pd.DataFrame,
    labels: pd.DataFrame,
    config: dict | None = None,
    use_readme: bool = True,
) -> pd.DataFrame:
    """Predictions for the test split by the model trained on the whole train split (same
    columns as `cross_validated_kinds`, fold -1). Empty when the labels have no test split."""
    rows = labelled_rows(repos, labels)
    if "split" not in rows.columns:
        return _frame(rows.iloc[0:0], rows.iloc[0:0].assign(kind=[], confidence=[]), -1)
    test = rows[rows["split"] == "test"].reset_index(drop=True)
    # the deployed model's fit (on the train split), made once per build
    model = train_kind_model(repos, labels, config, use_readme)
    return _frame(test, predict_kinds(model, test), -1)


def kind_cross_validations(
    repos: pd.DataFrame, labels: pd.DataFrame, config: dict | None = None
) -> dict[str, pd.DataFrame]:
    """`cross_validated_kinds` for each feature set: the part of the evaluation that fits a
    model per fold (a build computes it in a process of its own and keeps it, ml/memo.py)."""
    return {
        features: cross_validated_kinds(repos, labels, config, use_readme)
        for features, use_readme in FEATURE_SETS.items()
    }


def kind_predictions(
    repos: pd.DataFrame,
    labels: pd.DataFrame,
    config: dict | None = None,
    cross_validations: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Every out-of-sample prediction the kind metrics are computed from: both evaluations,
    both feature sets (columns of `cross_validated_kinds` plus `evaluation`, `features`).
    `cross_validations`: `kind_cross_validations` of the same inputs, if computed already."""
    if cross_validations is None:
        cross_validations = kind_cross_validations(repos, labels, config)
    parts = []
    for features, use_readme in FEATURE_SETS.items():
        parts.append(
            cross_validations[features].assign(evaluation="cross_validation", features=features)
        )
        held_out = held_out_kinds(repos, labels, config, use_readme)
        parts.append(held_out.assign(evaluation="test", features=features))
    return pd.concat(parts, ignore_index=True)


def metrics_from_predictions(
    cv: pd.DataFrame, kinds: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-kind metrics and long-form confusion matrix from out-of-sample predictions.

    per_kind: `kind`, `precision`, `recall`, `f1`, `support` (labelled), `n_predicted`.
    confusion: `kind` (hand label), `predicted_kind`, `n`: every pair of kinds, zeros included.
    """
    rows = per_class_rows(cv["kind"].to_numpy(), cv["predicted_kind"].to_numpy(), kinds, 0.95)
    per_kind = pd.DataFrame(rows).rename(columns={"class": "kind"})
    per_kind = per_kind[["kind", "precision", "recall", "f1", "support", "n_predicted"]]
    per_kind[["precision", "recall", "f1"]] = per_kind[["precision", "recall", "f1"]].fillna(0.0)
    counts = pd.crosstab(cv["kind"], cv["predicted_kind"]).reindex(
        index=kinds, columns=kinds, fill_value=0
    )
    confusion = (
        counts.rename_axis(index="kind", columns="predicted_kind")
        .stack()
        .rename("n")
        .reset_index()
        .astype({"n": "int64"})
    )
    return per_kind, confusion


def kind_metrics(
    predictions: pd.DataFrame,
    training_labels: pd.Series,
    config: dict | None = None,
) -> pd.DataFrame:
    """The `ml_kind_metrics` table: one row per evaluation, feature set, README subset and kind,
    plus `tool_vs_not` and `all` summary rows (see `ml/evaluation.py` for the measures).
    `training_labels` (the train split's kinds) give the baseline: its most common kind."""
    settings = config_section("kind", config)
    kinds = list(settings["kinds"])
    level = float(settings["interval_level"])
    counts = training_labels.value_counts()
    baseline = str(counts.index[0]) if len(counts) else None
    rows = []
    for (evaluation, features), group in predictions.groupby(
        ["evaluation", "features"], sort=False
    ):
        for subset in SUBSETS:
            scored = readme_subset(group, subset)
            truth = scored["kind"].to_numpy().astype(str)
            guess = scored["predicted_kind"].to_numpy().astype(str)
            key = {"evaluation": evaluation, "features": features, "repositories": subset}
            for row in per_class_rows(truth, guess, kinds, level):
                rows.append({**key, "kind": row.pop("class"), **row})
            binary_truth = np.where(truth == TOOL, TOOL, "not tool")
            binary_guess = np.where(guess == TOOL, TOOL, "not tool")
            tool_baseline = TOOL if baseline == TOOL else "not tool"
            binary = summary_row(
                binary_truth, binary_guess, [TOOL, "not tool"], tool_baseline, settings
            )
            tool_row = per_class_rows(binary_truth, binary_guess, [TOOL], level)[0]
            tool_row.pop("class")
            rows.append({**key, "kind": TOOL_VS_NOT, **tool_row, **binary})
            rows.append(
                {**key, "kind": ALL_KINDS, **summary_row(truth, guess, kinds, baseline, settings)}
            )
    out = pd.DataFrame(rows)
    out.insert(
        0,
        "metric_id",
        out["evaluation"] + "|" + out["features"] + "|" + out["repositories"] + "|" + out["kind"],
    )
    return out
