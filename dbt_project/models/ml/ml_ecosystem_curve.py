"""Logistic growth curve of the ecosystem (ml/ecosystem/growth.py), overall (`all`) and per topic,
fitted to cumulative repositories per month from fct_ecosystem_monthly up to as_of. One row per
topic; `cycle_position` places the latest month on the fitted curve."""

import pandas as pd

from ml.config import load_ml_config
from ml.ecosystem.growth import growth_curves


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = load_ml_config()
    as_of_frame = dbt.ref("int_as_of").df()
    as_of = pd.Timestamp(as_of_frame["as_of_at"].iloc[0])
    monthly = dbt.ref("fct_ecosystem_monthly").df()
    fits, _ = growth_curves(monthly, config, as_of=as_of, group_column="topic")
    out = fits.rename(columns={"group": "topic"})
    out["as_of"] = as_of
    return out
