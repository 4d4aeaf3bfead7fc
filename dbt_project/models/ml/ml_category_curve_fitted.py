"""Fitted (and forecast) values of the per-category growth curves in ml_category_curve: one row
per category and month. Evaluates the stored curves (ml/ecosystem/growth.py `fitted_table`)
over the same monthly counts instead of fitting them again."""

from ml.config import ml_config
from ml.ecosystem.growth import fitted_table
from ml.warehouse import as_of_instant, tool_category_monthly


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    curves = dbt.ref("ml_category_curve").df()
    monthly = tool_category_monthly(
        dbt.ref("dim_repositories").df(), dbt.ref("ml_tool_categories").df(), as_of
    )
    return fitted_table(
        curves, monthly, "category", as_of, ml_config(dbt.config.get("ml_settings"))
    )
