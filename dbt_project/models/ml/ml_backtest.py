"""Back-test of the maturity judgements (ml/backtest/survival.py): score and stage every
repository from signals and monthly activity measured at as_of, then read from the git history
after as_of whether it was still maintained (a commit in the last outcome_window_months of the
horizon_months after as_of). Histories observed for less than the horizon are censored.
One row per repository. Meaningful when as_of lies at least the horizon before the git
observations end (e.g. --vars '{as_of: 2023-01-21}'); with the default as_of everything is
censored."""

import pandas as pd

from ml.backtest.survival import run_backtest
from ml.config import ml_config


def backtest_inputs(dbt):
    as_of_frame = dbt.ref("int_as_of").df()
    as_of = pd.Timestamp(as_of_frame["as_of_at"].iloc[0])
    dim = dbt.ref("dim_repositories").df()
    signals = dbt.ref("fct_repository_signals").df()
    activity = dbt.ref("fct_repository_activity_monthly").df()[
        ["repository_id", "month", "commits"]
    ]
    git_commits = dbt.ref("stg_git__commits").df()[["git_repository", "committed_at"]]

    with_git = dim[
        dim["has_git_history"].fillna(False).astype(bool) & dim["git_repository"].notna()
    ]
    histories = (
        with_git[["repository_id", "git_observed_until"]]
        .rename(columns={"git_observed_until": "observed_until"})
        .dropna(subset=["observed_until"])
    )
    commits = git_commits.merge(
        with_git[["repository_id", "git_repository"]], on="git_repository", how="inner"
    )[["repository_id", "committed_at"]]
    archived = signals.set_index("repository_id")["is_archived"].fillna(False).astype(bool)
    activity = activity.assign(is_archived=activity["repository_id"].map(archived).fillna(False))
    return as_of, signals, activity, commits, histories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    as_of, signals, activity, commits, histories = backtest_inputs(dbt)
    result = run_backtest(signals, activity, commits, histories, as_of, config)
    out = result.per_repository.copy()
    out["as_of"] = as_of
    out["outcome"] = out["outcome"].astype("Int64")
    # text even when no repository has a stage (a warehouse without git histories)
    out["stage"] = out["stage"].astype("string")
    out["commits_in_window"] = out["commits_in_window"].astype("Int64")
    return out
