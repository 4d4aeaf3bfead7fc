"""Predictors learned from earlier origins only: a maintenance model and the stage's record.

The maintenance model follows Coelho, Valente, Silva and Shihab ("Identifying unmaintained
projects in GitHub", ESEM 2018): a random forest over a project's recent activity features. For
an origin t it is trained on the panel rows of origins whose outcome window had closed by t
(origin + horizon <= t), so nothing it learns was unknown at t, and it scores the rows at t.
The stage as a predictor is scored the same way: a repository's value is the outcome rate of its
stage over those earlier rows (the overall rate for a stage they do not hold). The first origins,
with no closed window before them, get no prediction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from threadpoolctl import threadpool_limits

from ml.config import config_section


def _training_rows(
    panel: pd.DataFrame, origin: pd.Timestamp, outcome: str, months: int
) -> pd.Series:
    closed = panel["origin"] + pd.DateOffset(months=months) <= origin
    return closed & panel[outcome].notna()


def _eligible(panel: pd.DataFrame, features: list[str]) -> pd.Series:
    """Rows whose git window was observed at their origin (the activity features exist)."""
    return panel["commits_last_12m"].notna() & panel[features].notna().any(axis=1)


def learned_predictions(
    panel: pd.DataFrame, outcome: str, config: dict[str, Any] | None = None
) -> pd.Series:
    """The maintenance model's probability of `outcome` for every panel row (NaN where no model
    could be trained before the row's origin or the row has no activity features)."""
    c = config_section("backtest", config)
    model_settings = c["learned_model"]
    features = list(model_settings["features"])
    months = int(c["horizon_months"])
    eligible = _eligible(panel, features)
    predictions = pd.Series(np.nan, index=panel.index)
    for origin in sorted(panel["origin"].unique()):
        train = _training_rows(panel, origin, outcome, months) & eligible
        test = (panel["origin"] == origin) & eligible
        y = panel.loc[train, outcome].astype(int)
        if not test.any() or y.nunique() < 2:
            continue
        model = RandomForestClassifier(
            n_estimators=int(model_settings["n_estimators"]),
            min_samples_leaf=int(model_settings["min_samples_leaf"]),
            max_features="sqrt",
            class_weight="balanced",
            random_state=int(model_settings["seed"]),
            # One thread: a tree on a few thousand rows takes about a millisecond, less than
            # handing it to another thread costs, and dbt runs another model beside this one.
            # The trees' probabilities are then also summed in one order, to the last bit.
            n_jobs=1,
        )
        with threadpool_limits(limits=1):
            model.fit(panel.loc[train, features].astype(float).to_numpy(), y.to_numpy())
            proba = model.predict_proba(panel.loc[test, features].astype(float).to_numpy())
        predictions[test] = proba[:, list(model.classes_).index(1)]
    return predictions


def stage_prior_rates(
    panel: pd.DataFrame, outcome: str, config: dict[str, Any] | None = None
) -> pd.Series:
    """For every panel row, the `outcome` rate of its stage over the rows of origins whose
    outcome window had closed by its origin (NaN when there are none)."""
    months = int(config_section("backtest", config)["horizon_months"])
    rates = pd.Series(np.nan, index=panel.index)
    for origin in sorted(panel["origin"].unique()):
        train = _training_rows(panel, origin, outcome, months)
        if not train.any():
            continue
        known = panel.loc[train, outcome].astype(float)
        by_stage = known.groupby(panel.loc[train, "stage"]).mean()
        at = panel["origin"] == origin
        rates[at] = panel.loc[at, "stage"].map(by_stage).fillna(known.mean()).to_numpy()
    return rates
