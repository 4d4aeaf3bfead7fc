"""Fitted (and forecast) values of the ecosystem growth curves in ml_ecosystem_curve: one row per
topic and month."""

import pandas as pd

from ml.config import load_ml_config
from ml.ecosystem.growth import growth_curves


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = load_ml_config()
    as_of_frame = dbt.ref("int_as_of").df()
    as_of = pd.Timestamp(as_of_frame["as_of_at"].iloc[0])
    monthly = dbt.ref("fct_ecosystem_monthly").df()
    _, fitted = growth_curves(monthly, config, as_of=as_of, group_column="topic")
    out = fitted.rename(columns={"group": "topic"})
    out["month"] = pd.to_datetime(out["month"])
    out.insert(
        0, "topic_month_id", out["topic"].astype(str) + ":" + out["month"].dt.strftime("%Y-%m-%d")
    )
    out["is_forecast"] = out["is_forecast"].astype(bool)
    return out
