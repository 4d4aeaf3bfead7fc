"""Agreement between two label passes over the same repositories: Cohen's kappa.

A second pass re-labels a seeded subsample under other evidence (the README in view for kinds,
metadata alone for categories); kappa says how much the two passes agree beyond what their
label frequencies alone would give. Its interval is a percentile bootstrap over the compared
repositories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.evaluation import bootstrap_draws, percentile_interval


def cohen_kappa(first: np.ndarray, second: np.ndarray) -> float:
    """Cohen's kappa of two label sequences; 1.0 when both passes agree on a single label
    (no chance correction is possible), NaN without rows."""
    n = len(first)
    if n == 0:
        return float("nan")
    observed = float(np.mean(first == second))
    labels = np.union1d(first, second)
    expected = float(sum(np.mean(first == lab) * np.mean(second == lab) for lab in labels))
    if np.isclose(expected, 1.0):
        return 1.0 if np.isclose(observed, 1.0) else float("nan")
    return (observed - expected) / (1 - expected)


def _kappa_of_draws(first: np.ndarray, second: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """`cohen_kappa` of every resample (rows of `draws`) at once, with the same arithmetic: a
    label missing from a resample adds an exact zero to its expected agreement."""
    labels = np.union1d(first, second)
    a = np.searchsorted(labels, first)[draws]
    b = np.searchsorted(labels, second)[draws]
    observed = np.mean(a == b, axis=1)
    expected = np.zeros(len(draws))
    for code in range(len(labels)):
        expected = expected + np.mean(a == code, axis=1) * np.mean(b == code, axis=1)
    chance_only = np.isclose(expected, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = (observed - expected) / (1 - expected)
    return np.where(chance_only, np.where(np.isclose(observed, 1.0), 1.0, np.nan), kappa)


def pass_agreement(
    first: pd.DataFrame,
    second: pd.DataFrame,
    column: str,
    samples: int,
    seed: int,
    level: float,
    second_column: str | None = None,
) -> dict[str, float]:
    """n, raw agreement and kappa (with its interval) of `column` between two passes, over the
    repositories (`repository_id`) both label."""
    merged = first[["repository_id", column]].merge(
        second[["repository_id", second_column or column]].rename(
            columns={second_column or column: "_second"}
        ),
        on="repository_id",
    )
    a = merged[column].astype(str).to_numpy()
    b = merged["_second"].astype(str).to_numpy()
    draws = bootstrap_draws(len(a), samples, seed)
    low, high = (
        percentile_interval(_kappa_of_draws(a, b, draws), level)
        if len(draws)
        else (float("nan"), float("nan"))
    )
    return {
        "n": len(a),
        "agreement": float(np.mean(a == b)) if len(a) else float("nan"),
        "kappa": cohen_kappa(a, b),
        "kappa_low": low,
        "kappa_high": high,
    }


def agreement_table(
    kinds: pd.DataFrame,
    kinds_readme_pass: pd.DataFrame,
    categories: pd.DataFrame,
    categories_metadata_pass: pd.DataFrame,
    curated: pd.DataFrame,
    settings: dict,
) -> pd.DataFrame:
    """The ml_label_agreement table: one row per comparison of two label passes.

    `kinds_readme_pass`: the first kind pass against the second (README in view);
    `categories_metadata_pass`: the first category pass (metadata and README) against the second
    (metadata alone), primary categories; `categories_curated`: the sampled tools' primary
    category against the curated list's category (seed curated_tools, matched by name), over
    the tools in both and in one of the six categories.
    """
    samples, seed = int(settings["bootstrap_samples"]), int(settings["seed"])
    level = float(settings["interval_level"])
    named = categories[categories["primary_category"] != "none"].assign(
        repository_id=lambda d: d["full_name"].str.lower()
    )
    curated_named = curated.assign(repository_id=curated["full_name"].str.lower())
    rows = [
        {
            "comparison": "kinds_readme_pass",
            "label_set": "kinds",
            "first_pass": "metadata",
            "second_pass": "metadata and README",
            **pass_agreement(kinds, kinds_readme_pass, "kind", samples, seed, level),
        },
        {
            "comparison": "categories_metadata_pass",
            "label_set": "categories",
            "first_pass": "metadata and README",
            "second_pass": "metadata",
            **pass_agreement(
                categories, categories_metadata_pass, "primary_category", samples, seed, level
            ),
        },
        {
            "comparison": "categories_curated",
            "label_set": "categories",
            "first_pass": "metadata and README (sample)",
            "second_pass": "curated list",
            **pass_agreement(
                named, curated_named, "primary_category", samples, seed, level, "category"
            ),
        },
    ]
    return pd.DataFrame(rows)
