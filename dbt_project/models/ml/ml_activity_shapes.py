"""Unsupervised activity shapes (ml/lifecycle/shapes.py) beside the rule-based stages: KMeans over
each repository's max-normalised, resampled monthly activity up to as_of (k by silhouette, fixed
seed). One row per repository that has a shape, with its shape's label, peak position and end
level, the run's k and silhouette, and the repository's stage from ml_maturity."""

from ml.config import ml_config
from ml.lifecycle.shapes import activity_shapes
from ml.memo import remembered
from ml.warehouse import as_of_instant, observed_until


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    activity = dbt.ref("fct_repository_activity_monthly").df()
    maturity = dbt.ref("ml_maturity").df()[["repository_id", "full_name", "stage"]]

    until = observed_until(dbt.ref("dim_repositories").df())
    shapes, _ = remembered(
        activity_shapes, activity, as_of, ml_config(dbt.config.get("ml_settings")), until
    )
    shapes = shapes.dropna(subset=["shape_id"])
    shapes = shapes.astype({"shape_id": "int64", "k": "int64"})
    out = shapes.merge(maturity, on="repository_id", how="left")
    out.insert(1, "full_name", out.pop("full_name"))
    out["as_of"] = as_of
    return out.sort_values(["shape_id", "repository_id"], ignore_index=True)
