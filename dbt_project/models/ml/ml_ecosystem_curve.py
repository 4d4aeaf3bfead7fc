"""Logistic growth curve of the ecosystem (ml/ecosystem/growth.py), overall (`all`), per topic, and
overall corrected for the search results GitHub's cap left out (`all, corrected for the search
cap`), fitted to cumulative repositories per month up to as_of. One row per series;
`cycle_position` places the latest month on the fitted curve, `finding_status` says when a fit
is not a finding."""

from ml.config import ml_config
from ml.ecosystem.growth import CAP_CORRECTED, curve_table
from ml.own_process import call_in_own_process
from ml.warehouse import as_of_instant, ecosystem_monthly, search_cap_shortfall


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    as_of = as_of_instant(dbt.ref("int_as_of").df())
    queries = dbt.ref("stg_github__search_queries").df()
    observations = dbt.ref("stg_github__repository_observations").df()
    repositories = dbt.ref("dim_repositories").df()
    monthly = ecosystem_monthly(
        dbt.ref("fct_ecosystem_monthly").df(), queries, observations, repositories
    )
    config = ml_config(dbt.config.get("ml_settings"))
    # A second of curve fits: on a core of its own, not holding this process's lock against
    # the models dbt builds beside it
    out = call_in_own_process(curve_table, monthly, "topic", as_of, config)
    # What the correction assumed, on its own row, so a report states it from data.
    missing, bound, _ = search_cap_shortfall(queries, observations, repositories)
    corrected = out["topic"] == CAP_CORRECTED
    out["search_cap_missing"] = missing
    out["search_cap_star_bound"] = bound
    out.loc[~corrected, ["search_cap_missing", "search_cap_star_bound"]] = None
    return out
