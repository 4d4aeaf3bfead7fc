"""The back-test's figures (ml/backtest/summary.py) from ml_backtest_panel: ROC AUC with bootstrap
intervals per predictor, outcome, origin (and pooled) and population, each against the recency
baseline on the same rows (row_type `auc`); outcome rate per stage with Wilson intervals
(`stage`); the learned model's calibration (`calibration`); what was scored and censored per
origin (`origin`). The outcome's definition travels with the figures."""

from ml.backtest.summary import backtest_summary
from ml.config import config_section, ml_config
from ml.own_process import call_in_own_process


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    panel = dbt.ref("ml_backtest_panel").df()
    # the bootstrap (seconds of Python after the panel, the build's last model): on a core of
    # its own, not sharing this process's lock with the models dbt builds beside it
    out = call_in_own_process(backtest_summary, panel, config)
    backtest = config_section("backtest", config)
    out["horizon_months"] = int(backtest["horizon_months"])
    out["outcome_window_months"] = int(backtest["outcome_window_months"])
    out["interval_level"] = float(backtest["interval_level"])
    out["as_of"] = panel["as_of"].max() if len(panel) else None
    return out
