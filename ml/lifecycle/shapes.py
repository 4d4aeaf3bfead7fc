"""Unsupervised activity-curve shapes, to set beside the rule-based stages.

Each repository's smoothed monthly activity (up to `as_of`) is resampled to a fixed number of
points over its own lifetime and divided by its maximum, so only the shape remains, not size or
age. KMeans groups the shapes; k is chosen by silhouette over a configured range, with a fixed
seed. Shapes are numbered by where their centroid peaks (0 = earliest peak), and labelled with
the centroid's peak position and final level, so the crosstab against stages can be read directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from ml.config import config_section, load_ml_config
from ml.lifecycle.series import monthly_series


def shape_vectors(
    activity_monthly: pd.DataFrame,
    as_of: pd.Timestamp | str,
    config: dict[str, Any] | None = None,
    observed_until: Mapping[Any, pd.Timestamp] | None = None,
) -> pd.DataFrame:
    """One row per eligible repository, columns `p00..pNN`: its curve resampled and max-normalised.

    Eligible: at least `shape.min_months` months observed and some activity.
    """
    c = config_section("lifecycle", config)
    shape = c["shape"]
    points = int(shape["resample_points"])
    grid = np.linspace(0.0, 1.0, points)
    series = monthly_series(
        activity_monthly, pd.Timestamp(as_of), c["activity_column"], observed_until
    )
    rows: dict[int, np.ndarray] = {}
    for repository_id, values in series.items():
        if len(values) < int(shape["min_months"]):
            continue
        smoothed = values.rolling(int(shape["smoothing_months"]), min_periods=1).mean().to_numpy()
        resampled = np.interp(grid, np.linspace(0.0, 1.0, len(smoothed)), smoothed)
        if resampled.max() <= 0:
            continue
        rows[repository_id] = resampled / resampled.max()
    columns = [f"p{i:02d}" for i in range(points)]
    vectors = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    vectors.index.name = "repository_id"
    return vectors


def _describe(centroid: np.ndarray) -> tuple[float, float, str]:
    """A centroid's peak position (0..1 of lifetime), end level and label.

    The end level is the centroid's last point: its members' mean final activity as a share of
    each one's own peak (the vectors are max-normalised), so it reads "ends at x% of peak".
    """
    peak_position = int(np.argmax(centroid)) / (len(centroid) - 1)
    end_level = float(centroid[-1])
    label = f"peak at {peak_position:.0%} of lifetime, ends at {end_level:.0%} of peak"
    return peak_position, end_level, label


SHAPE_COLUMNS = [
    "repository_id",
    "shape_id",
    "shape_label",
    "shape_peak_position",
    "shape_end_level",
    "silhouette",
    "k",
]
CENTROID_COLUMNS = ["shape_id", "point", "position", "level", "shape_label"]


def activity_shapes(
    activity_monthly: pd.DataFrame,
    as_of: pd.Timestamp | str,
    config: dict[str, Any] | None = None,
    observed_until: Mapping[Any, pd.Timestamp] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster the activity shapes: (assignments, centroids).

    assignments: SHAPE_COLUMNS, one row per repository in `activity_monthly`: `shape_id` (Int64,
    NULL when not eligible or too few repositories to cluster), the shape's `shape_label`,
    `shape_peak_position` and `shape_end_level` (see `_describe`), and the run's `silhouette`
    and `k` (NULL with the shape).
    centroids: CENTROID_COLUMNS, one row per shape and resampled point: `point` (0..n-1),
    `position` (0..1 of lifetime), `level` (mean share of the members' own peaks).
    """
    config = load_ml_config() if config is None else config
    shape = config_section("lifecycle", config)["shape"]
    vectors = shape_vectors(activity_monthly, as_of, config, observed_until)
    all_ids = sorted(activity_monthly["repository_id"].unique())
    assignments = pd.DataFrame({"repository_id": all_ids}, columns=SHAPE_COLUMNS)
    for column in ("shape_id", "k"):
        assignments[column] = pd.array([pd.NA] * len(all_ids), dtype="Int64")
    assignments["shape_label"] = pd.Series([None] * len(all_ids), dtype="object")
    for column in ("shape_peak_position", "shape_end_level", "silhouette"):
        assignments[column] = np.nan
    empty_centroids = pd.DataFrame(columns=CENTROID_COLUMNS)
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
    score, k, labels, centers = best
    # Renumber so shape 0 peaks earliest; ties broken by final level, then by first point.
    order = sorted(
        range(len(centers)),
        key=lambda i: (int(np.argmax(centers[i])), round(centers[i][-1], 9), centers[i][0]),
    )
    centers = centers[order]  # row i is now shape i
    described = [_describe(center) for center in centers]
    renumber = {old: new for new, old in enumerate(order)}
    shape_ids = np.array([renumber[label] for label in labels])
    by_id = assignments.set_index("repository_id")
    rows = vectors.index
    by_id.loc[rows, "shape_id"] = shape_ids
    by_id.loc[rows, "shape_peak_position"] = [described[i][0] for i in shape_ids]
    by_id.loc[rows, "shape_end_level"] = [described[i][1] for i in shape_ids]
    by_id.loc[rows, "shape_label"] = [described[i][2] for i in shape_ids]
    by_id.loc[rows, "silhouette"] = score
    by_id.loc[rows, "k"] = k
    points = np.linspace(0.0, 1.0, centers.shape[1])
    centroids = pd.DataFrame(
        [
            {
                "shape_id": i,
                "point": j,
                "position": float(points[j]),
                "level": float(centers[i][j]),
                "shape_label": described[i][2],
            }
            for i in range(len(centers))
            for j in range(len(points))
        ],
        columns=CENTROID_COLUMNS,
    )
    return by_id.reset_index(), centroids


def shape_stage_crosstab(shapes: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """How rule-based stages spread over activity shapes, in long form for the report.

    Columns: `shape_stage_id` (`shape_id:stage`), `shape_id`, `shape_label`, `stage`,
    `repositories`, `share_of_shape` (of the shape's repositories), `share_of_stage` (of the
    shaped repositories in that stage). Only combinations that occur get a row; repositories
    without a shape are left out.
    """
    joined = shapes.dropna(subset=["shape_id"]).merge(
        stages[["repository_id", "stage"]], on="repository_id", how="inner"
    )
    counts = (
        joined.groupby(["shape_id", "shape_label", "stage"])
        .size()
        .rename("repositories")
        .reset_index()
    )
    counts["share_of_shape"] = counts["repositories"] / counts.groupby("shape_id")[
        "repositories"
    ].transform("sum")
    counts["share_of_stage"] = counts["repositories"] / counts.groupby("stage")[
        "repositories"
    ].transform("sum")
    counts.insert(0, "shape_stage_id", counts["shape_id"].astype(str) + ":" + counts["stage"])
    return counts.sort_values(["shape_id", "stage"], ignore_index=True)
