"""Centroid curves of the activity shapes in ml_activity_shapes, for drawing each shape: one row
per shape and resampled point (position 0..1 of lifetime, level = mean share of the members' own
peaks). The same fit
as ml_activity_shapes, made once per build (ml/memo.py)."""

from ml.config import ml_config
from ml.lifecycle.shapes import activity_shapes
from ml.memo import remembered
from ml.warehouse import as_of_instant, observed_until


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    activity = dbt.ref("fct_repository_activity_monthly").df()

    until = observed_until(dbt.ref("dim_repositories").df())
    _, centroids = remembered(
        activity_shapes, activity, as_of, ml_config(dbt.config.get("ml_settings")), until
    )
    centroids = centroids.astype(
        {"shape_id": "int64", "point": "int64", "position": "float64", "level": "float64"}
    )
    key = centroids["shape_id"].astype(str) + ":" + centroids["point"].astype(str)
    centroids.insert(0, "shape_point_id", key)
    return centroids
