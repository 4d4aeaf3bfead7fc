"""Fitted (and forecast) values of the ecosystem growth curves in ml_ecosystem_curve: one row per
topic and month. Evaluates the curves ml_ecosystem_curve fitted (ml/ecosystem/growth.py
`fitted_values`) instead of fitting them again."""

import pandas as pd

from ml.config import load_ml_config
from ml.ecosystem.growth import fitted_values, monthly_series


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = load_ml_config()
    as_of_frame = dbt.ref("int_as_of").df()
    as_of = pd.Timestamp(as_of_frame["as_of_at"].iloc[0])
    fits = dbt.ref("ml_ecosystem_curve").df().rename(columns={"topic": "group"})
    series = monthly_series(dbt.ref("fct_ecosystem_monthly").df(), "topic", as_of)
    out = fitted_values(fits, series, config).rename(columns={"group": "topic"})
    out["month"] = pd.to_datetime(out["month"])
    out.insert(
        0, "topic_month_id", out["topic"].astype(str) + ":" + out["month"].dt.strftime("%Y-%m-%d")
    )
    out["is_forecast"] = out["is_forecast"].astype(bool)
    return out
