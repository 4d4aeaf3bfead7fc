"""The back-test's statistics against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest
from sklearn.metrics import roc_auc_score

from ml.backtest.metrics import (
    auc_with_interval,
    cluster_weights,
    difference_interval,
    weighted_auc,
    wilson_interval,
)


def test_weighted_auc_with_unit_weights_is_sklearns_auc_ties_included() -> None:
    rng = np.random.default_rng(1)
    for _ in range(20):
        n = int(rng.integers(5, 300))
        scores = rng.integers(0, 8, n).astype(float)  # many ties
        labels = rng.random(n) < rng.uniform(0.1, 0.9)
        if labels.all() or not labels.any():
            continue
        ours = weighted_auc(scores, labels, np.ones(n))[0]
        assert ours == pytest.approx(roc_auc_score(labels, scores))


def test_integer_weights_equal_repeating_rows() -> None:
    rng = np.random.default_rng(2)
    scores, labels = rng.normal(size=40), rng.random(40) < 0.4
    weights = rng.integers(0, 4, 40)
    repeated = np.repeat(np.arange(40), weights)
    expected = roc_auc_score(labels[repeated], scores[repeated])
    assert weighted_auc(scores, labels, weights)[0] == pytest.approx(expected)


def test_single_class_gives_nan() -> None:
    assert np.isnan(weighted_auc(np.arange(5.0), np.ones(5, bool), np.ones(5))[0])


def test_cluster_weights_move_a_clusters_rows_together() -> None:
    clusters = np.array(["a", "a", "b", "c", "c", "c"])
    weights = cluster_weights(clusters, 200, np.random.default_rng(3))
    assert weights.shape == (200, 6)
    assert (weights[:, 0] == weights[:, 1]).all() and (weights[:, 3] == weights[:, 5]).all()
    # Each draw picks three clusters with replacement.
    picks = weights[:, [0, 2, 3]].sum(axis=1)
    assert (picks == 3).all()


def test_interval_brackets_the_estimate_and_paired_differences_of_equals_are_zero() -> None:
    rng = np.random.default_rng(4)
    scores = rng.normal(size=300)
    labels = rng.random(300) < 1 / (1 + np.exp(-2 * scores))
    weights = cluster_weights(np.arange(300), 500, rng)
    result, draws = auc_with_interval(scores, labels, weights, 0.95)
    assert result.low < result.auc < result.high
    assert (result.n, result.positives + result.negatives) == (300, 300)
    assert len(draws) == 500
    low, high = difference_interval(draws, draws, 0.95)
    assert low == high == 0.0


def test_wilson_interval_matches_scipy() -> None:
    for successes, n in [(0, 10), (3, 10), (10, 10), (57, 289)]:
        ci = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson_interval(successes, n, 0.95) == pytest.approx((ci.low, ci.high))
    assert all(np.isnan(wilson_interval(0, 0, 0.95)))
