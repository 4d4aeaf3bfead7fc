"""Activity shapes against lifecycle stages (ml/lifecycle/shapes.py `shape_stage_crosstab`): one
row per shape and stage that occur together, with the number of repositories and their share of
the shape and of the stage. Shapes from ml_activity_shapes, stages from ml_maturity."""

from ml.lifecycle.shapes import shape_stage_crosstab


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    shapes = dbt.ref("ml_activity_shapes").df()
    stages = dbt.ref("ml_maturity").df()[["repository_id", "stage"]]
    return shape_stage_crosstab(shapes.drop(columns=["stage"]), stages)
