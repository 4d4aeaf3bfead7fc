"""The maturity score's definition (ml/maturity/score.py `score_definition`, from ml/config.yml):
one row per signal with its source column, weight and share of the total weight, threshold,
scale, direction, normalisation formula and a one-line description, so reports show the
formula from the warehouse rather than typing it."""

from ml.config import load_ml_config
from ml.maturity.score import score_definition


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    return score_definition(load_ml_config())
