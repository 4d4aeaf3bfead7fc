"""The lifecycle stage rules (ml/lifecycle/stages.py `stage_rules`, thresholds from
the ml_lifecycle var) in the order they are tried, each with its condition as text, so reports show the
rules ml_maturity applied rather than typing them."""

from ml.config import ml_config
from ml.lifecycle.stages import stage_rules


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    return stage_rules(ml_config(dbt.config.get("ml_settings")))
