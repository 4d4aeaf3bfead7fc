"""Fitted (and forecast) values of the ecosystem growth curves in ml_ecosystem_curve: one row per
series and month. Evaluates the curves ml_ecosystem_curve fitted (ml/ecosystem/growth.py
`fitted_table`) over the same monthly counts, the search-cap corrected series included, instead
of fitting them again."""

from ml.config import ml_config
from ml.ecosystem.growth import fitted_table
from ml.own_process import call_in_own_process
from ml.warehouse import as_of_instant, ecosystem_monthly


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    curves = dbt.ref("ml_ecosystem_curve").df()
    monthly = ecosystem_monthly(
        dbt.ref("fct_ecosystem_monthly").df(),
        dbt.ref("stg_github__search_queries").df(),
        dbt.ref("stg_github__repository_observations").df(),
        dbt.ref("dim_repositories").df(),
    )
    config = ml_config(dbt.config.get("ml_settings"))
    # Evaluating every curve month by month takes most of a second: on a core of its own
    return call_in_own_process(fitted_table, curves, monthly, "topic", as_of, config)
