"""Unsupervised activity-curve shapes, to set beside the rule-based stages.

Each repository's smoothed monthly activity (up to `as_of`) is resampled to a fixed number of
points over its own lifetime and divided by its maximum, so only the shape remains, not size or
age. KMeans groups the shapes; k is chosen by silhouette over a configured range, with a fixed
seed. Clusters are numbered by where their centroid peaks (0 = earliest peak), and labelled with
the centroid's peak position and final level, so the crosstab against stages can be read directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from ml.config import config_section, load_ml_config
from ml.lifecycle.series import monthly_series


def shape_vectors(
    activity_monthly: pd.DataFrame, as_of: pd.Timestamp | str, config: dict[str, Any] | None = None
) -> pd.DataFrame:
    """One row per eligible repository, columns `p00..pNN`: its curve resampled and max-normalised.

    Eligible: at least `shape.min_months` months observed and some activity.
    """
    c = config_section("lifecycle", config)
    shape = c["shape"]
    points = int(shape["resample_points"])
    grid = np.linspace(0.0, 1.0, points)
    series = monthly_series(activity_monthly, pd.Timestamp(as_of), c["activity_column"])
    rows: dict[int, np.ndarray] = {}
    for repository_id, values in series.items():
        if len(values) < int(shape["min_months"]):
            continue
        smoothed = values.rolling(int(c["smoothing_months"]), min_periods=1).mean().to_numpy()
        resampled = np.interp(grid, np.linspace(0.0, 1.0, len(smoothed)), smoothed)
        if resampled.max() <= 0:
            continue
        rows[repository_id] = resampled / resampled.max()
    columns = [f"p{i:02d}" for i in range(points)]
    vectors = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    vectors.index.name = "repository_id"
    return vectors


def _label(centroid: np.ndarray) -> str:
    peak = int(np.argmax(centroid)) / (len(centroid) - 1)
    return f"peak at {peak:.0%} of lifetime, ends at {centroid[-1]:.0%} of peak"


def activity_shapes(
    activity_monthly: pd.DataFrame, as_of: pd.Timestamp | str, config: dict[str, Any] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster the activity shapes: (assignments, centroids).

    assignments (`ml_activity_shapes`): `repository_id`, `shape_cluster` (Int64, NULL when not
    eligible or too few repositories to cluster), `shape_label`, `silhouette` (of the chosen k).
    centroids: `shape_cluster`, `position` (0..1 of lifetime), `level` (share of the peak).
    """
    config = load_ml_config() if config is None else config
    shape = config_section("lifecycle", config)["shape"]
    vectors = shape_vectors(activity_monthly, as_of, config)
    all_ids = sorted(activity_monthly["repository_id"].unique())
    assignments = pd.DataFrame({"repository_id": all_ids})
    assignments["shape_cluster"] = pd.array([pd.NA] * len(all_ids), dtype="Int64")
    assignments["shape_label"] = pd.Series([None] * len(all_ids), dtype="object")
    assignments["silhouette"] = np.nan
    empty_centroids = pd.DataFrame(columns=["shape_cluster", "position", "level"])
    distinct = len(np.unique(vectors.to_numpy().round(9), axis=0)) if len(vectors) else 0
    k_max = min(int(shape["k_max"]), distinct - 1)
    if k_max < int(shape["k_min"]):
        return assignments, empty_centroids

    x = vectors.to_numpy()
    best: tuple[float, int, np.ndarray, np.ndarray] | None = None
    # One thread: KMeans' OpenMP threads oversubscribe a shared machine (20x slower measured),
    # and the result does not depend on the thread count.
    with threadpool_limits(limits=1):
        for k in range(int(shape["k_min"]), k_max + 1):
            model = KMeans(
                n_clusters=k, n_init=int(shape["n_init"]), random_state=int(shape["seed"])
            )
            labels = model.fit_predict(x)
            score = float(silhouette_score(x, labels))
            if best is None or score > best[0] + 1e-12:
                best = (score, k, labels, model.cluster_centers_)
    assert best is not None
    score, _, labels, centers = best
    # Renumber so cluster 0 peaks earliest; ties broken by final level, then by first point.
    order = sorted(
        range(len(centers)),
        key=lambda i: (int(np.argmax(centers[i])), round(centers[i][-1], 9), centers[i][0]),
    )
    renumber = {old: new for new, old in enumerate(order)}
    clusters = pd.Series([renumber[label] for label in labels], index=vectors.index)
    labels_text = {renumber[i]: _label(centers[i]) for i in range(len(centers))}
    by_id = assignments.set_index("repository_id")
    by_id.loc[clusters.index, "shape_cluster"] = clusters.to_numpy()
    by_id.loc[clusters.index, "shape_label"] = [labels_text[c] for c in clusters]
    by_id.loc[clusters.index, "silhouette"] = score
    points = np.linspace(0.0, 1.0, centers.shape[1])
    centroids = pd.DataFrame(
        [
            {"shape_cluster": renumber[i], "position": p, "level": float(v)}
            for i in range(len(centers))
            for p, v in zip(points, centers[i], strict=True)
        ]
    ).sort_values(["shape_cluster", "position"], ignore_index=True)
    return by_id.reset_index(), centroids


def shape_stage_crosstab(shapes: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """How rule-based stages spread over shape clusters, in long form for the report.

    Columns: `shape_cluster`, `shape_label`, `stage`, `repositories`, `share_of_cluster`.
    Repositories without a cluster are left out.
    """
    joined = shapes.dropna(subset=["shape_cluster"]).merge(
        stages[["repository_id", "stage"]], on="repository_id", how="inner"
    )
    counts = (
        joined.groupby(["shape_cluster", "shape_label", "stage"])
        .size()
        .rename("repositories")
        .reset_index()
    )
    totals = counts.groupby("shape_cluster")["repositories"].transform("sum")
    counts["share_of_cluster"] = counts["repositories"] / totals
    return counts.sort_values(["shape_cluster", "stage"], ignore_index=True)
