"""Summary of the back-test (ml/backtest/survival.py): ROC AUC of the maturity score, and of stars
as the naive baseline, for "still maintained" at the horizon (row_type `auc`, one row per
predictor), and the maintained rate per lifecycle stage (row_type `stage`, one row per stage)."""

import pandas as pd

from ml.backtest.survival import evaluate
from ml.config import config_section, ml_config


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    per_repository = dbt.ref("ml_backtest").df()
    as_of = per_repository["as_of"].iloc[0] if len(per_repository) else pd.NaT
    per_repository["is_censored"] = per_repository["is_censored"].astype(bool)
    summary, by_stage = evaluate(per_repository)
    auc = summary.assign(row_type="auc", summary_id="auc:" + summary["predictor"])
    stage = by_stage.rename(columns={"maintained": "positives"}).assign(
        row_type="stage", summary_id="stage:" + by_stage["stage"]
    )
    out = pd.concat([auc, stage], ignore_index=True)
    columns = [
        "summary_id",
        "row_type",
        "predictor",
        "stage",
        "roc_auc",
        "n",
        "positives",
        "negatives",
        "outcome_rate",
        "censored",
        "no_history",
    ]
    out = out.reindex(columns=columns)
    for column in ("n", "positives", "negatives", "censored", "no_history"):
        out[column] = out[column].astype("Int64")
    out["as_of"] = as_of
    # The outcome's definition travels with the figures, so a report can state it from data.
    backtest = config_section("backtest", ml_config(dbt.config.get("ml_settings")))
    out["horizon_months"] = int(backtest["horizon_months"])
    out["outcome_window_months"] = int(backtest["outcome_window_months"])
    return out
