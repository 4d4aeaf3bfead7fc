"""Maturity score (ml/maturity/score.py) and lifecycle stage (ml/lifecycle/stages.py) per repository.

One row per repository in dim_repositories, as of int_as_of: the OpenSSF-style score over the
signals of its evidence level, with its interval, static and activity parts, rank within the
level, and per-signal normalised values and contributions; then the stage read from its recent
trajectory, with the rule and the feature values that fired it and its position in the stage.
"""

from ml.config import ml_config
from ml.lifecycle.stages import lifecycle_stages
from ml.maturity.score import maturity_scores
from ml.own_process import call_in_own_process
from ml.warehouse import as_of_instant, observed_until, stage_context


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))

    as_of = as_of_instant(dbt.ref("int_as_of").df())
    described = dbt.ref("dim_repositories").df()
    repositories = described[["repository_id", "full_name"]]
    signals = repositories[["repository_id"]].merge(
        dbt.ref("fct_repository_signals").df(), on="repository_id", how="left"
    )
    activity = dbt.ref("fct_repository_activity_monthly").df()[
        ["repository_id", "month", "commits"]
    ]
    activity = activity[activity["repository_id"].isin(repositories["repository_id"])]

    scores = maturity_scores(signals, config)
    # Every repository gets a stage, those without monthly activity from an empty series. A git
    # history observed only until before as_of: its later months are unknown, not silent.
    # Each repository's monthly series is read in Python: on a core of its own
    stages = call_in_own_process(
        lifecycle_stages,
        activity,
        as_of,
        config,
        repositories=stage_context(signals),
        observed_until=observed_until(described),
    )
    out = repositories.merge(scores, on="repository_id", how="left").merge(
        stages, on="repository_id", how="left"
    )
    out.insert(2, "as_of", as_of)
    return out
