"""Fitted (and forecast) values of the ecosystem growth curves in ml_ecosystem_curve: one row per
topic and month. Evaluates the curves ml_ecosystem_curve fitted (ml/ecosystem/growth.py
`fitted_table`) instead of fitting them again."""

from ml.config import ml_config
from ml.ecosystem.growth import fitted_table
from ml.warehouse import as_of_instant


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    curves = dbt.ref("ml_ecosystem_curve").df()
    monthly = dbt.ref("fct_ecosystem_monthly").df()
    return fitted_table(curves, monthly, "topic", as_of, ml_config(dbt.config.get("ml_settings")))
