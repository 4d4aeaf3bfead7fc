"""How much of the ecosystem is each kind, with an uncertainty interval.

Two estimates sit side by side, because each fails differently:

* `share_labelled`: the share in the hand-labelled sample, which `ml/labels/sample.py` draws at
  random from the archive, with a Wilson score interval. Unbiased but wide (about 180 labels).
* `share_corrected`: the model's predicted share over all repositories, corrected for its
  measured misclassification ("adjusted classify and count"): with M[i, j] = P(predicted j |
  true i) estimated from the cross-validated predictions, the true shares p solve q = Mᵀp for the
  predicted shares q, subject to p >= 0 and sum(p) = 1 (non-negative least squares). The interval
  is a percentile bootstrap over the labelled sample (resampling which labelled repositories
  estimate M). A kind with fewer than `min_correction_support` labels in the (resampled) sample
  keeps an identity row in M: its error rates cannot be estimated from a handful of labels, so
  for it the model's own count is trusted rather than letting one label swing the correction.
  The correction is unstable between kinds the model confuses with each other (learning vs
  example); their sum, the `learning_material` row, is the steadier figure.

`share_predicted` (raw classify and count) is reported too, since it is what a reader of the
per-repository table would count. One extra row sums the learning-material kinds from config.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from scipy.stats import norm

from ml.config import config_section
from ml.kind.evaluate import cross_validated_kinds

LEARNING_MATERIAL = "learning_material"


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion; (nan, nan) when n is 0."""
    if n == 0:
        return float("nan"), float("nan")
    z = float(norm.ppf(0.5 + level / 2))
    p = successes / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def misclassification_matrix(
    cv: pd.DataFrame, kinds: list[str], min_support: int = 1
) -> np.ndarray:
    """M[i, j] = P(predicted kinds[j] | true kinds[i]); identity rows below `min_support` labels."""
    counts = (
        pd.crosstab(cv["kind"], cv["predicted_kind"])
        .reindex(index=kinds, columns=kinds, fill_value=0)
        .to_numpy(dtype=float)
    )
    totals = counts.sum(axis=1, keepdims=True)
    matrix = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    empty = totals[:, 0] < max(min_support, 1)
    matrix[empty] = np.eye(len(kinds))[empty]
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


def kind_shares(
    predictions: pd.DataFrame,
    repos: pd.DataFrame,
    labels: pd.DataFrame,
    config: dict | None = None,
    cv: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of repositories of each kind, three ways, with intervals (see module docstring).

    `predictions` is `predict_kinds` output; only repositories in `repos` count. `cv` is
    `cross_validated_kinds` output (computed here when not given). Columns: `kind`,
    `n_repositories`, `n_predicted`, `share_predicted`, `share_corrected`, `share_corrected_low`,
    `share_corrected_high`, `n_labelled_sample`, `n_labelled`, `share_labelled`,
    `share_labelled_low`, `share_labelled_high`, `interval_level`. The last row,
    `learning_material`, sums the configured learning-material kinds.
    """
    settings = config_section("kind", config)
    kinds = list(settings["kinds"])
    level = float(settings["interval_level"])
    ids = set(repos["repository_id"].astype("int64"))
    population = predictions.loc[predictions["repository_id"].astype("int64").isin(ids)]
    n_repositories = len(population)
    n_predicted = population["kind"].value_counts().reindex(kinds, fill_value=0).to_numpy()
    q = n_predicted / n_repositories if n_repositories else np.zeros(len(kinds))

    if cv is None:
        cv = cross_validated_kinds(repos, labels, config)
    cv = cv.loc[cv["repository_id"].astype("int64").isin(ids)].reset_index(drop=True)
    min_support = int(settings["min_correction_support"])
    point = corrected_shares(q, misclassification_matrix(cv, kinds, min_support))

    rng = np.random.default_rng(int(settings["seed"]))
    n_boot = int(settings["bootstrap_samples"])
    material = [kinds.index(k) for k in settings["learning_material_kinds"] if k in kinds]
    boot = np.empty((n_boot, len(kinds) + 1))
    for b in range(n_boot):
        sample = cv.iloc[rng.integers(0, len(cv), len(cv))]
        shares = corrected_shares(q, misclassification_matrix(sample, kinds, min_support))
        boot[b, :-1] = shares
        boot[b, -1] = shares[material].sum()
    alpha = (1 - level) / 2
    low, high = np.quantile(boot, [alpha, 1 - alpha], axis=0) if len(cv) else (np.nan, np.nan)

    labelled_counts = cv["kind"].value_counts().reindex(kinds, fill_value=0).to_numpy()
    rows = []
    names = [*kinds, LEARNING_MATERIAL]
    for i, name in enumerate(names):
        if name == LEARNING_MATERIAL:
            n_pred, share_pred = n_predicted[material].sum(), q[material].sum()
            share_corr, n_lab = point[material].sum(), labelled_counts[material].sum()
        else:
            n_pred, share_pred, share_corr, n_lab = (
                n_predicted[i],
                q[i],
                point[i],
                labelled_counts[i],
            )
        lab_low, lab_high = wilson_interval(int(n_lab), len(cv), level)
        rows.append(
            {
                "kind": name,
                "n_repositories": n_repositories,
                "n_predicted": int(n_pred),
                "share_predicted": float(share_pred),
                "share_corrected": float(share_corr),
                "share_corrected_low": float(np.atleast_1d(low)[i] if len(cv) else np.nan),
                "share_corrected_high": float(np.atleast_1d(high)[i] if len(cv) else np.nan),
                "n_labelled_sample": len(cv),
                "n_labelled": int(n_lab),
                "share_labelled": float(n_lab / len(cv)) if len(cv) else float("nan"),
                "share_labelled_low": lab_low,
                "share_labelled_high": lab_high,
                "interval_level": level,
            }
        )
    return pd.DataFrame(rows)
