"""How the supervised text models are measured, in one place for the kind and category models.

Every figure carries its n and an interval: a Wilson score interval for a proportion (accuracy,
precision, recall, coverage), a percentile bootstrap over the scored repositories for macro-F1.
Predictions are scored "end to end": a repository the model abstained on is a miss, never left
out, so a model cannot look better by answering less.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.model_selection import StratifiedKFold

#: What an abstaining model predicts; never a class, so it always counts as a miss.
ABSTAINED = "(abstained)"
#: The scored repositories a figure is computed over: all, those with a README, those without.
SUBSETS = ("all", "with_readme", "without_readme")


def readme_subset(scored: pd.DataFrame, subset: str) -> pd.DataFrame:
    """The rows of `scored` (with a boolean `has_readme`) a subset of SUBSETS covers."""
    if subset == "with_readme":
        return scored[scored["has_readme"]]
    if subset == "without_readme":
        return scored[~scored["has_readme"]]
    return scored


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; (nan, nan) when n is 0."""
    if n == 0:
        return float("nan"), float("nan")
    z = float(norm.ppf(0.5 + level / 2))
    p = successes / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return float(low), float(high)


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]) -> float:
    """Mean F1 over `classes` (a class with no labels and no predictions scores 0, as in
    sklearn's zero_division=0); predictions outside `classes` (abstentions) lower recall."""
    scores = []
    for cls in classes:
        tp = float(np.sum((y_true == cls) & (y_pred == cls)))
        predicted = float(np.sum(y_pred == cls))
        actual = float(np.sum(y_true == cls))
        scores.append(2 * tp / (predicted + actual) if predicted + actual else 0.0)
    return float(np.mean(scores)) if scores else float("nan")


def macro_f1_of_draws(
    y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str], draws: np.ndarray
) -> np.ndarray:
    """`macro_f1` of every resample at once: one value per row of `draws` (resamples x rows of
    indices, `bootstrap_draws`), the same numbers as calling `macro_f1` on each row."""
    codes = {cls: i for i, cls in enumerate(classes)}
    true_codes = np.array([codes.get(v, -1) for v in y_true], dtype=int)[draws]
    pred_codes = np.array([codes.get(v, -1) for v in y_pred], dtype=int)[draws]
    scores = np.zeros((len(draws), len(classes)))
    for j in range(len(classes)):
        actual_mask, predicted_mask = true_codes == j, pred_codes == j
        tp = np.sum(actual_mask & predicted_mask, axis=1).astype(float)
        total = (predicted_mask.sum(axis=1) + actual_mask.sum(axis=1)).astype(float)
        np.divide(2 * tp, total, out=scores[:, j], where=total > 0)
    if not len(classes):
        return np.full(len(draws), np.nan)
    return scores.mean(axis=1)


def bootstrap_draws(n: int, samples: int, seed: int) -> np.ndarray:
    """The resampled row indices of a percentile bootstrap (samples x n), drawn in order from
    one seeded generator; (0 x n) when there is nothing to draw."""
    if n == 0 or samples <= 0:
        return np.zeros((0, n), dtype=np.int64)
    rng = np.random.default_rng(seed)
    return np.array([rng.integers(0, n, n) for _ in range(samples)])


def bootstrap_interval(
    statistic: Callable[[np.ndarray], float],
    n: int,
    samples: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap of `statistic(indices)` over `n` resampled rows; (nan, nan) for
    n = 0."""
    if n == 0 or samples <= 0:
        return float("nan"), float("nan")
    values = np.array([statistic(draw) for draw in bootstrap_draws(n, samples, seed)])
    return percentile_interval(values, level)


def percentile_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central `level` interval of bootstrap statistics (non-finite ones left out)."""
    values = values[np.isfinite(values)]
    if not len(values):
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


def out_of_fold(
    labels: np.ndarray,
    fit_predict: Callable[[np.ndarray, np.ndarray], Any],
    folds: int,
    seed: int,
) -> tuple[list[Any], np.ndarray]:
    """Stratified K-fold: `fit_predict(train_idx, test_idx)` for every fold, so each row is
    predicted by a model that never saw its label. Returns the per-fold results and the fold
    number of each row. Classes with fewer members than folds appear in fewer test folds."""
    n_splits = min(int(folds), len(labels))
    if n_splits < 2:
        raise ValueError("cross-validation needs at least two labelled repositories")
    smallest = pd.Series(labels).value_counts().min()
    splitter = StratifiedKFold(
        n_splits=max(2, min(n_splits, int(smallest))) if smallest < n_splits else n_splits,
        shuffle=True,
        random_state=int(seed),
    )
    fold_of = np.zeros(len(labels), dtype=int)
    results = []
    for fold, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        fold_of[test_idx] = fold
        results.append(fit_predict(train_idx, test_idx))
    return results, fold_of


def per_class_rows(
    y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str], level: float
) -> list[dict[str, Any]]:
    """Precision and recall of each class with their Wilson intervals, F1, support and the
    number predicted."""
    rows = []
    for cls in classes:
        tp = int(np.sum((y_true == cls) & (y_pred == cls)))
        predicted = int(np.sum(y_pred == cls))
        support = int(np.sum(y_true == cls))
        precision = tp / predicted if predicted else float("nan")
        recall = tp / support if support else float("nan")
        p_low, p_high = wilson_interval(tp, predicted, level)
        r_low, r_high = wilson_interval(tp, support, level)
        f1 = 2 * tp / (predicted + support) if predicted + support else float("nan")
        rows.append(
            {
                "class": cls,
                "support": support,
                "n_predicted": predicted,
                "precision": precision,
                "precision_low": p_low,
                "precision_high": p_high,
                "recall": recall,
                "recall_low": r_low,
                "recall_high": r_high,
                "f1": f1,
            }
        )
    return rows


def summary_row(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    classes: Sequence[str],
    baseline_class: str | None,
    settings: dict,
) -> dict[str, Any]:
    """End-to-end accuracy (Wilson), macro-F1 (bootstrap), coverage (share not abstained) and
    the accuracy of always answering `baseline_class` (the most common training label)."""
    level = float(settings["interval_level"])
    n = len(y_true)
    hits = int(np.sum(y_true == y_pred))
    assigned = int(np.sum(y_pred != ABSTAINED))
    low, high = wilson_interval(hits, n, level)
    draws = bootstrap_draws(n, int(settings["bootstrap_samples"]), int(settings["seed"]))
    f1_low, f1_high = (
        percentile_interval(macro_f1_of_draws(y_true, y_pred, classes, draws), level)
        if len(draws)
        else (float("nan"), float("nan"))
    )
    baseline = float(np.mean(y_true == baseline_class)) if n and baseline_class else float("nan")
    return {
        "n": n,
        "n_assigned": assigned,
        "coverage": assigned / n if n else float("nan"),
        "accuracy": hits / n if n else float("nan"),
        "accuracy_low": low,
        "accuracy_high": high,
        "accuracy_assigned": hits / assigned if assigned else float("nan"),
        "macro_f1": macro_f1(y_true, y_pred, classes) if n else float("nan"),
        "macro_f1_low": f1_low,
        "macro_f1_high": f1_high,
        "baseline_accuracy": baseline,
    }
