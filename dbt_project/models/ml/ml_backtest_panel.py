"""The back-test panel (ml/backtest/panel.py): one row per repository and rolling origin (as_of
and every ml_backtest.step_months before it, back to first_origin), with the score, its parts,
stars, recency, recent commits, the stage, the learned predictors, and the outcomes after the
origin (maintained, growing) read from the git history, censored where the history ends early."""

import pandas as pd

from ml.backtest.panel import COMMIT_COLUMNS, BacktestInputs, backtest_panel
from ml.config import ml_config
from ml.own_process import call_in_own_process
from ml.warehouse import as_of_instant


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    details = dbt.ref("stg_github__repository_details").df()
    names = dbt.ref("int_repository_names").df()
    # A repository GitHub answered as gone (404, 410, 451), by the name it was asked under.
    gone = details[details["is_gone"].fillna(False).astype(bool)].assign(
        name_key=lambda f: f["requested_full_name"].str.lower()
    )
    gone = gone.merge(names, on="name_key", how="inner")[["repository_id", "recorded_at"]]
    # Each ref written out here: dbt finds refs by reading this file, not by running it.
    inputs = BacktestInputs.from_tables(
        as_of=as_of_instant(dbt.ref("int_as_of").df()),
        repositories=dbt.ref("dim_repositories").df(),
        signals=dbt.ref("fct_repository_signals").df(),
        activity=dbt.ref("fct_repository_activity_monthly").df(),
        commits=dbt.ref("int_commits_attributed").select(*COMMIT_COLUMNS).df(),
        releases=dbt.ref("fct_releases").df(),
        gone=gone.rename(columns={"recorded_at": "gone_at"}),
    )
    # the longest model: computed on a core of its own while dbt builds others beside it
    panel = call_in_own_process(backtest_panel, inputs, config)
    for column in ("maintained", "growing", "commits_in_horizon", "commits_in_outcome_window"):
        panel[column] = panel[column].astype("Int64")
    panel["origin"] = pd.to_datetime(panel["origin"])
    panel["as_of"] = inputs.as_of
    return panel
