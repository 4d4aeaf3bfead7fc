"""Shape clustering of activity curves: recovers constructed families, deterministically."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.config import load_ml_config
from ml.lifecycle.shapes import activity_shapes, shape_stage_crosstab, shape_vectors
from ml.lifecycle.stages import lifecycle_stages

CONFIG = load_ml_config()
AS_OF = pd.Timestamp("2023-01-18")


def _families(per_family: int = 8) -> tuple[pd.DataFrame, dict[int, str]]:
    """Rising, early-peak-then-fade and flat curves, with noise and varied size and length."""
    rng = np.random.default_rng(7)
    frames, family = [], {}
    repository_id = 0
    for name in ("rising", "faded", "flat"):
        for _ in range(per_family):
            repository_id += 1
            n = int(rng.integers(24, 60))
            t = np.linspace(0, 1, n)
            size = rng.uniform(5, 100)
            if name == "rising":
                curve = t**2
            elif name == "faded":
                curve = np.exp(-(((t - 0.2) / 0.1) ** 2)) + 0.05
            else:
                curve = np.full(n, 0.8)
            values = np.round(size * curve * rng.uniform(0.9, 1.1, n))
            months = pd.date_range(end="2023-01-01", periods=n, freq="MS")
            frames.append(
                pd.DataFrame({"repository_id": repository_id, "month": months, "commits": values})
            )
            family[repository_id] = name
    return pd.concat(frames, ignore_index=True), family


def test_vectors_are_resampled_and_max_normalised() -> None:
    activity, _ = _families(2)
    vectors = shape_vectors(activity, AS_OF, CONFIG)
    assert vectors.shape == (6, CONFIG["lifecycle"]["shape"]["resample_points"])
    np.testing.assert_allclose(vectors.max(axis=1), 1.0)
    assert (vectors.to_numpy() >= 0).all()


def test_clusters_recover_constructed_families() -> None:
    activity, family = _families()
    shapes, centroids = activity_shapes(activity, AS_OF, CONFIG)
    assert shapes["shape_id"].notna().all()
    assert shapes["shape_id"].nunique() == 3
    # Each family lands in exactly one cluster, and clusters do not mix families.
    joined = shapes.assign(family=shapes["repository_id"].map(family))
    assert (joined.groupby("family")["shape_id"].nunique() == 1).all()
    assert (joined.groupby("shape_id")["family"].nunique() == 1).all()
    # Cluster 0 peaks earliest: the faded family.
    assert set(joined.loc[joined["shape_id"] == 0, "family"]) == {"faded"}
    assert len(centroids) == 3 * CONFIG["lifecycle"]["shape"]["resample_points"]


def test_too_few_repositories_leave_clusters_null() -> None:
    activity, _ = _families(1)
    short = activity[activity["repository_id"] == 1]
    shapes, centroids = activity_shapes(short, AS_OF, CONFIG)
    assert shapes["shape_id"].isna().all() and centroids.empty


def test_crosstab_counts_every_clustered_repository_once() -> None:
    activity, _ = _families()
    shapes, _ = activity_shapes(activity, AS_OF, CONFIG)
    stages = lifecycle_stages(activity, AS_OF, CONFIG)
    table = shape_stage_crosstab(shapes, stages)
    assert table["repositories"].sum() == 24
    np.testing.assert_allclose(table.groupby("shape_id")["share_of_shape"].sum(), 1.0)


def test_shapes_are_deterministic() -> None:
    activity, _ = _families()
    first = activity_shapes(activity, AS_OF, CONFIG)
    second = activity_shapes(activity.sample(frac=1.0, random_state=3), AS_OF, CONFIG)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_each_shape_is_described_by_its_centroid() -> None:
    activity, _ = _families()
    shapes, centroids = activity_shapes(activity, AS_OF, CONFIG)
    points = CONFIG["lifecycle"]["shape"]["resample_points"]
    assert (shapes["k"] == 3).all() and shapes["silhouette"].nunique() == 1
    assert centroids["point"].tolist() == list(range(points)) * 3
    for shape_id, curve in centroids.groupby("shape_id"):
        members = shapes[shapes["shape_id"] == shape_id]
        peak = curve["position"].iloc[int(np.argmax(curve["level"]))]
        assert (members["shape_peak_position"] == peak).all()
        assert (members["shape_end_level"] == curve["level"].iloc[-1]).all()
        assert (members["shape_label"] == curve["shape_label"].iloc[0]).all()
    # Shapes are numbered by where they peak.
    by_shape = shapes.groupby("shape_id")["shape_peak_position"].first()
    assert by_shape.is_monotonic_increasing


def test_crosstab_is_keyed_and_shares_add_up() -> None:
    activity, _ = _families()
    shapes, _ = activity_shapes(activity, AS_OF, CONFIG)
    table = shape_stage_crosstab(shapes, lifecycle_stages(activity, AS_OF, CONFIG))
    assert table["shape_stage_id"].is_unique
    assert table["shape_stage_id"].iloc[0] == f"0:{table['stage'].iloc[0]}"
    np.testing.assert_allclose(table.groupby("stage")["share_of_stage"].sum(), 1.0)
