"""The maturity score's definition (ml/maturity/score.py `score_definition`, from the ml_maturity var):
one row per signal with its source column, weight and share of the total weight, threshold,
scale, direction, normalisation formula and a one-line description, so reports show the
formula from the warehouse rather than typing it."""

from ml.config import ml_config
from ml.maturity.score import score_definition


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    return score_definition(ml_config(dbt.config.get("ml_settings")))
