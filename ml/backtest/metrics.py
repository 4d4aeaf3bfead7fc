"""ROC AUC with a cluster bootstrap interval, and the Wilson interval of a rate.

A back-test row is a repository at one origin, and the pooled table holds the same repository at
several origins, so rows are not independent: the bootstrap resamples repositories (all of a
repository's rows together), and the same draws serve every predictor of one comparison, so the
difference between two predictors' AUCs gets its own interval from paired draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.stats import norm


def weighted_auc(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC of `scores` for binary `labels` under each row of `weights` (draws x rows, or one
    row of weights): the weighted Mann-Whitney statistic, ties counted half. NaN where a draw
    holds only one class. With unit weights it equals sklearn's roc_auc_score."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    scores = np.asarray(scores, dtype=float)
    positive = np.asarray(labels, dtype=bool)
    order = np.argsort(scores, kind="mergesort")
    ordered = scores[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    # each row's group of tied scores, in ascending order of score
    group = np.empty(len(order), dtype=np.int64)
    group[order] = np.cumsum(starts) - 1
    rows = np.arange(len(order))

    def per_group(mask: np.ndarray) -> np.ndarray:
        """Each draw's total weight per group of the rows in `mask` (draws x groups): a sparse
        product, exact since the weights are whole counts."""
        member = sparse.csr_matrix(
            (np.ones(int(mask.sum())), (group[mask], rows[mask])),
            shape=(int(starts.sum()), len(order)),
        )
        return np.asarray((member @ weights.T).T)

    pos, neg = per_group(positive), per_group(~positive)
    below = np.cumsum(neg, axis=1) - neg
    numerator = (pos * (below + 0.5 * neg)).sum(axis=1)
    denominator = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def cluster_weights(clusters: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Row weights of `draws` cluster-bootstrap resamples (draws x rows): each draw picks as many
    clusters as there are, with replacement, and a row weighs as often as its cluster was picked."""
    codes, index = np.unique(clusters, return_inverse=True)
    picks = rng.multinomial(len(codes), np.full(len(codes), 1.0 / len(codes)), size=draws)
    return picks[:, index].astype(float)


@dataclass(frozen=True)
class AucResult:
    """AUC with its bootstrap interval and class counts."""

    auc: float
    low: float
    high: float
    n: int
    positives: int
    negatives: int


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if not len(values):
        return np.nan, np.nan
    alpha = (1.0 - level) / 2.0
    return float(np.quantile(values, alpha)), float(np.quantile(values, 1.0 - alpha))


def auc_with_interval(
    scores: np.ndarray, labels: np.ndarray, draw_weights: np.ndarray, level: float
) -> tuple[AucResult, np.ndarray]:
    """(AucResult, the AUC of every draw) for one predictor on rows with `draw_weights`."""
    labels = np.asarray(labels, dtype=bool)
    positives = int(labels.sum())
    point = float(weighted_auc(scores, labels, np.ones(len(labels)))[0]) if len(labels) else np.nan
    draws = weighted_auc(scores, labels, draw_weights) if len(labels) else np.array([np.nan])
    low, high = _interval(draws, level) if np.isfinite(point) else (np.nan, np.nan)
    result = AucResult(point, low, high, len(labels), positives, len(labels) - positives)
    return result, draws


def difference_interval(
    draws: np.ndarray, baseline_draws: np.ndarray, level: float
) -> tuple[float, float]:
    """Interval of AUC(predictor) - AUC(baseline) over paired draws (same resamples)."""
    return _interval(draws - baseline_draws, level)


def wilson_interval(successes: int, n: int, level: float) -> tuple[float, float]:
    """Wilson score interval of a rate; (NaN, NaN) when n is 0."""
    if n == 0:
        return np.nan, np.nan
    z = float(norm.ppf(1.0 - (1.0 - level) / 2.0))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(centre - half, 0.0)), float(min(centre + half, 1.0))
