"""Honest measurement of the kind classifier: stratified K-fold cross-validated predictions.

Every labelled repository is predicted by a model trained on the other folds only, so no label
ever scores its own prediction. Per-kind precision/recall/F1 and the confusion matrix are computed
from those predictions; `ml.kind.shares` reuses the same predictions to correct shares.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from ml.config import config_section
from ml.kind.model import _labelled_rows, fit_kind_model, predict_kinds


def cross_validated_kinds(
    repos: pd.DataFrame, labels: pd.DataFrame, config: dict | None = None
) -> pd.DataFrame:
    """Out-of-fold predictions for every labelled repository.

    Columns: `repository_id`, `kind` (hand label), `predicted_kind`, `confidence`, `fold`.
    Kinds with fewer members than folds appear in fewer test folds (sklearn warns; we accept it
    rather than shrinking every fold's training set).
    """
    settings = config_section("kind", config)
    rows = _labelled_rows(repos, labels)
    n_splits = min(int(settings["cv_folds"]), len(rows))
    if n_splits < 2:
        raise ValueError("cross-validation needs at least two labelled repositories")
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=int(settings["seed"]))
    parts: list[pd.DataFrame] = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        folds = list(splitter.split(rows, rows["label_kind"]))
    for fold, (train_idx, test_idx) in enumerate(folds):
        model = fit_kind_model(rows.iloc[train_idx], list(settings["kinds"]), settings)
        test = rows.iloc[test_idx]
        predicted = predict_kinds(model, test)
        parts.append(
            pd.DataFrame(
                {
                    "repository_id": test["repository_id"].astype("int64").to_numpy(),
                    "kind": test["label_kind"].to_numpy(),
                    "predicted_kind": predicted["kind"].to_numpy(),
                    "confidence": predicted["confidence"].to_numpy(),
                    "fold": fold,
                }
            )
        )
    return pd.concat(parts, ignore_index=True).sort_values("repository_id").reset_index(drop=True)


def metrics_from_predictions(
    cv: pd.DataFrame, kinds: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-kind metrics and long-form confusion matrix from out-of-fold predictions.

    per_kind: `kind`, `precision`, `recall`, `f1`, `support` (labelled), `n_predicted`.
    confusion: `kind` (hand label), `predicted_kind`, `n`: every pair of kinds, zeros included.
    """
    precision, recall, f1, support = precision_recall_fscore_support(
        cv["kind"], cv["predicted_kind"], labels=kinds, zero_division=0
    )
    n_predicted = cv["predicted_kind"].value_counts().reindex(kinds, fill_value=0)
    per_kind = pd.DataFrame(
        {
            "kind": kinds,
            "precision": precision.astype(float),
            "recall": recall.astype(float),
            "f1": f1.astype(float),
            "support": support.astype("int64"),
            "n_predicted": n_predicted.to_numpy().astype("int64"),
        }
    )
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


def evaluate_kind_model(
    repos: pd.DataFrame, labels: pd.DataFrame, config: dict | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cross-validated (per_kind_metrics, confusion); see `metrics_from_predictions` for columns."""
    kinds = list(config_section("kind", config)["kinds"])
    return metrics_from_predictions(cross_validated_kinds(repos, labels, config), kinds)


def accuracy(confusion: pd.DataFrame) -> float:
    """Share of labelled repositories whose out-of-fold prediction matches the hand label."""
    total = confusion["n"].sum()
    hits = confusion.loc[confusion["kind"] == confusion["predicted_kind"], "n"].sum()
    return float(hits / total) if total else float(np.nan)
