"""Logistic growth curve of the ecosystem (ml/ecosystem/growth.py), overall (`all`) and per topic,
fitted to cumulative repositories per month from fct_ecosystem_monthly up to as_of. One row per
topic; `cycle_position` places the latest month on the fitted curve."""

from ml.config import ml_config
from ml.ecosystem.growth import curve_table
from ml.warehouse import as_of_instant


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    monthly = dbt.ref("fct_ecosystem_monthly").df()
    return curve_table(monthly, "topic", as_of, ml_config(dbt.config.get("ml_settings")))
