"""Logistic growth curve of each task category of tools (ml/ecosystem/growth.py), and of all tools
(`all tools`): fitted to cumulative tools created per month (dim_repositories.created_at, up to
as_of), categories from ml_tool_categories (the classifier; `unassigned` when it abstained). One row per category, the columns of
ml_ecosystem_curve; categories with too few tools get no fit and a fit_status that says so."""

from ml.config import ml_config
from ml.ecosystem.growth import curve_table
from ml.warehouse import as_of_instant, tool_category_monthly


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    monthly = tool_category_monthly(
        dbt.ref("dim_repositories").df(), dbt.ref("ml_tool_categories").df(), as_of
    )
    return curve_table(monthly, "category", as_of, ml_config(dbt.config.get("ml_settings")))
