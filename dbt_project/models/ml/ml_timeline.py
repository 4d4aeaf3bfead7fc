"""Stage and score of every repository at several dates (ml/timeline/snapshots.py): as_of and
every ml_timeline.step_months before it back to first_date, recomputed from the history up to each
date rather than by rebuilding the warehouse per date; the score over the signals every date can
measure (the git history), so scores of different dates compare."""

import pandas as pd

from ml.backtest.panel import COMMIT_COLUMNS, BacktestInputs
from ml.config import ml_config
from ml.own_process import call_in_own_process
from ml.timeline.snapshots import stage_timeline
from ml.warehouse import as_of_instant


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    # Each ref written out here: dbt finds refs by reading this file, not by running it.
    inputs = BacktestInputs.from_tables(
        as_of=as_of_instant(dbt.ref("int_as_of").df()),
        repositories=dbt.ref("dim_repositories").df(),
        signals=dbt.ref("fct_repository_signals").df(),
        activity=dbt.ref("fct_repository_activity_monthly").df(),
        commits=dbt.ref("int_commits_attributed").select(*COMMIT_COLUMNS).df(),
        releases=dbt.ref("fct_releases").df(),
    )
    # Python work of seconds: on a core of its own, not sharing this process's lock with the
    # models dbt builds beside it
    timeline = call_in_own_process(stage_timeline, inputs, config)
    timeline["snapshot_at"] = pd.to_datetime(timeline["snapshot_at"])
    return timeline
