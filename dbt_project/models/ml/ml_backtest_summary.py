"""The back-test's figures (ml/backtest/summary.py) from ml_backtest_panel: ROC AUC with bootstrap
intervals per predictor, outcome, origin (and pooled) and population, each against the recency
baseline on the same rows (row_type `auc`); outcome rate per stage with Wilson intervals
(`stage`); the learned model's calibration (`calibration`); what was scored and censored per
origin (`origin`). The outcome's definition travels with the figures."""

from ml.backtest.summary import backtest_summary
from ml.config import config_section, ml_config
from ml.own_process import map_in_own_processes


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    panel = dbt.ref("ml_backtest_panel").df()
    # The bootstrap: seconds of Python after the panel, at the build's end. Each outcome's
    # figures in a process of their own, the two side by side.
    out = backtest_summary(panel, config, map_in_own_processes)
    backtest = config_section("backtest", config)
    out["horizon_months"] = int(backtest["horizon_months"])
    out["outcome_window_months"] = int(backtest["outcome_window_months"])
    out["interval_level"] = float(backtest["interval_level"])
    out["as_of"] = panel["as_of"].max() if len(panel) else None
    return out
