"""How much of the ecosystem is each kind, with an uncertainty interval.

The labelled sample is stratified (stars band x README, `ml.labels.strata`) and draws the
well-starred strata far more densely than the rest, so every estimate about the whole population
weights a label by its stratum's population over its sample size. Two estimates sit side by
side, because each fails differently:

* `share_labelled`: the weighted share in the labelled sample. Unbiased for the sampling frame
  but wide; its interval is a stratified percentile bootstrap (labels resampled within their
  stratum).
* `share_corrected`: the model's predicted share over all repositories, corrected for its
  measured misclassification ("adjusted classify and count"): with M[i, j] = P(predicted j |
  true i) estimated from weighted out-of-sample predictions (cross-validated on the train split,
  held-out on the test split), the true shares p solve q = Mᵀp for the predicted shares q,
  subject to p >= 0 and sum(p) = 1 (non-negative least squares). The interval is the same
  stratified bootstrap. A kind with fewer than `min_correction_support` labels keeps an identity
  row in M: its error rates cannot be estimated from a handful of labels. The correction is
  unstable between kinds the model confuses (learning vs example); their sum, the
  `learning_material` row, is the steadier figure.

`share_predicted` (raw classify and count) is reported too, since it is what a reader of the
per-repository table would count. One extra row sums the learning-material kinds from config.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from ml.config import config_section

LEARNING_MATERIAL = "learning_material"


def misclassification_matrix(
    cv: pd.DataFrame, kinds: list[str], min_support: int = 1, weights: pd.Series | None = None
) -> np.ndarray:
    """M[i, j] = P(predicted kinds[j] | true kinds[i]), each label counted with its weight;
    identity rows for kinds with fewer than `min_support` labels."""
    w = np.ones(len(cv)) if weights is None else np.asarray(weights, dtype=float)
    truth, guess = _codes(cv["kind"], kinds), _codes(cv["predicted_kind"], kinds)
    return _misclassification(truth, guess, w, len(kinds), min_support)


def _codes(values: pd.Series, kinds: list[str]) -> np.ndarray:
    """Position of each value in `kinds`, -1 for a value not among them."""
    index = {kind: i for i, kind in enumerate(kinds)}
    return np.array([index.get(k, -1) for k in values], dtype=int)


def _misclassification(
    truth: np.ndarray, guess: np.ndarray, w: np.ndarray, n_kinds: int, min_support: int
) -> np.ndarray:
    known = (truth >= 0) & (guess >= 0)
    counts = np.zeros((n_kinds, n_kinds))
    np.add.at(counts, (truth[known], guess[known]), w[known])
    support = np.bincount(truth[truth >= 0], minlength=n_kinds)
    totals = counts.sum(axis=1, keepdims=True)
    matrix = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    empty = support < max(min_support, 1)
    matrix[empty] = np.eye(n_kinds)[empty]
    return matrix


def corrected_shares(predicted_shares: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Solve q = Mᵀp for p >= 0 with sum(p) = 1 (the sum enforced as a heavily weighted row)."""
    k = len(predicted_shares)
    weight = 1e3
    a = np.vstack([matrix.T, weight * np.ones((1, k))])
    b = np.concatenate([predicted_shares, [weight]])
    p, _ = nnls(a, b)
    total = p.sum()
    return p / total if total > 0 else np.full(k, 1.0 / k)


def weighted_shares(kinds_of: np.ndarray, weights: np.ndarray, kinds: list[str]) -> np.ndarray:
    total = weights.sum()
    if total <= 0:
        return np.full(len(kinds), np.nan)
    return np.array([weights[kinds_of == k].sum() / total for k in kinds])


def _stratified_resample(strata: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row indices drawn with replacement within each stratum (sizes kept)."""
    picked = [
        rng.choice(members, len(members), replace=True)
        for members in (np.flatnonzero(strata == s) for s in np.unique(strata))
    ]
    return np.concatenate(picked) if picked else np.array([], dtype=int)


def kind_shares(
    predictions: pd.DataFrame,
    out_of_sample: pd.DataFrame,
    population_strata: pd.Series,
    config: dict | None = None,
) -> pd.DataFrame:
    """Share of repositories of each kind, three ways, with intervals (see module docstring).

    `predictions`: the deployed model's `kind` per repository of the population.
    `out_of_sample`: one row per labelled repository with `kind` (label), `predicted_kind` (a
    prediction made without its label), `stratum` and `weight` (`ml.labels.strata.design_weights`).
    `population_strata`: the stratum of every repository of the population.
    Columns: `kind`, `n_repositories`, `n_predicted`, `share_predicted`, `share_corrected`,
    `share_corrected_low`, `share_corrected_high`, `n_labelled_sample`, `n_labelled`,
    `share_labelled`, `share_labelled_low`, `share_labelled_high`, `interval_level`. The last row,
    `learning_material`, sums the configured learning-material kinds.
    """
    settings = config_section("kind", config)
    kinds = list(settings["kinds"])
    level = float(settings["interval_level"])
    min_support = int(settings["min_correction_support"])
    n_repositories = len(predictions)
    n_predicted = predictions["kind"].value_counts().reindex(kinds, fill_value=0).to_numpy()
    q = n_predicted / n_repositories if n_repositories else np.zeros(len(kinds))

    labelled = out_of_sample.reset_index(drop=True)
    weights = labelled["weight"].to_numpy(dtype=float)
    truth = labelled["kind"].to_numpy().astype(str)
    point = corrected_shares(q, misclassification_matrix(labelled, kinds, min_support, weights))
    labelled_point = weighted_shares(truth, weights, kinds)

    material = [kinds.index(k) for k in settings["learning_material_kinds"] if k in kinds]
    rng = np.random.default_rng(int(settings["seed"]))
    n_boot = int(settings["bootstrap_samples"]) if len(labelled) else 0
    boot_corrected = np.empty((n_boot, len(kinds) + 1))
    boot_labelled = np.empty((n_boot, len(kinds) + 1))
    strata = labelled["stratum"].to_numpy().astype(str)
    truth_codes = _codes(labelled["kind"], kinds)
    guess_codes = _codes(labelled["predicted_kind"], kinds)
    reweight = _Reweighting(strata, population_strata)
    for b in range(n_boot):
        idx = _stratified_resample(strata, rng)
        resampled_weights = reweight(idx)
        matrix = _misclassification(
            truth_codes[idx], guess_codes[idx], resampled_weights, len(kinds), min_support
        )
        shares = corrected_shares(q, matrix)
        boot_corrected[b] = [*shares, shares[material].sum()]
        lab = weighted_shares(truth[idx], resampled_weights, kinds)
        boot_labelled[b] = [*lab, lab[material].sum()]
    alpha = (1 - level) / 2

    def interval(boot: np.ndarray, i: int) -> tuple[float, float]:
        if not n_boot:
            return float("nan"), float("nan")
        low, high = np.nanquantile(boot[:, i], [alpha, 1 - alpha])
        return float(low), float(high)

    counts = pd.Series(truth).value_counts().reindex(kinds, fill_value=0).to_numpy()
    rows = []
    for i, name in enumerate([*kinds, LEARNING_MATERIAL]):
        picked = material if name == LEARNING_MATERIAL else [i]
        corrected_low, corrected_high = interval(boot_corrected, i)
        labelled_low, labelled_high = interval(boot_labelled, i)
        rows.append(
            {
                "kind": name,
                "n_repositories": n_repositories,
                "n_predicted": int(n_predicted[picked].sum()),
                "share_predicted": float(q[picked].sum()),
                "share_corrected": float(point[picked].sum()),
                "share_corrected_low": corrected_low,
                "share_corrected_high": corrected_high,
                "n_labelled_sample": len(labelled),
                "n_labelled": int(counts[picked].sum()),
                "share_labelled": float(labelled_point[picked].sum()) if len(labelled) else np.nan,
                "share_labelled_low": labelled_low,
                "share_labelled_high": labelled_high,
                "interval_level": level,
            }
        )
    return pd.DataFrame(rows)


class _Reweighting:
    """The design weights (`ml.labels.strata.design_weights`) of a resample of the labelled
    rows, N_h / n_h with n_h counted in the resample, computed on stratum codes: a thousand
    resamples through pandas took seconds."""

    def __init__(self, strata: np.ndarray, population_strata: pd.Series) -> None:
        names, self._codes = np.unique(strata, return_inverse=True)
        population = population_strata.value_counts()
        self._population = np.array([population.get(s, -1) for s in names], dtype=float)

    def __call__(self, idx: np.ndarray) -> np.ndarray:
        codes = self._codes[idx]
        sample = np.bincount(codes, minlength=len(self._population)).astype(float)
        population = np.where(self._population >= 0, self._population, sample)
        return population[codes] / sample[codes]
