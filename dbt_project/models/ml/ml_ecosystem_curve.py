"""Logistic growth curve of the ecosystem (ml/ecosystem/growth.py), overall (`all`), per topic, and
overall corrected for the search results GitHub's cap left out (`all, corrected for the search
cap`), fitted to cumulative repositories per month up to as_of. One row per series;
`cycle_position` places the latest month on the fitted curve, `finding_status` says when a fit
is not a finding."""

from ml.config import ml_config
from ml.ecosystem.growth import curve_table
from ml.warehouse import as_of_instant, ecosystem_monthly


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    monthly = ecosystem_monthly(
        dbt.ref("fct_ecosystem_monthly").df(),
        dbt.ref("stg_github__search_queries").df(),
        dbt.ref("stg_github__repository_observations").df(),
        dbt.ref("dim_repositories").df(),
    )
    return curve_table(monthly, "topic", as_of, ml_config(dbt.config.get("ml_settings")))
