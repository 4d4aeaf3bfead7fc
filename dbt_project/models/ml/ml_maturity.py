"""Maturity score (ml/maturity/score.py) and lifecycle stage (ml/lifecycle/stages.py) per repository.

One row per repository in dim_repositories: the OpenSSF-style score with its per-signal
normalised values and contributions, its coverage, and the rule-based stage with the features
and the reason that fired it, all as of int_as_of.
"""

import pandas as pd

from ml.config import ml_config
from ml.lifecycle.stages import lifecycle_stages
from ml.maturity.score import maturity_scores
from ml.warehouse import observed_until


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))

    as_of_frame = dbt.ref("int_as_of").df()
    as_of = pd.Timestamp(as_of_frame["as_of_at"].iloc[0])
    described = dbt.ref("dim_repositories").df()
    repositories = described[["repository_id", "full_name"]]
    signals = dbt.ref("fct_repository_signals").df()
    activity = dbt.ref("fct_repository_activity_monthly").df()[
        ["repository_id", "month", "commits"]
    ]

    signals = repositories[["repository_id"]].merge(signals, on="repository_id", how="left")
    scores = maturity_scores(signals, config)

    flags = signals[["repository_id"]].assign(
        is_archived=signals["is_archived"].fillna(False).astype(bool)
    )
    archived = flags.set_index("repository_id")["is_archived"].to_dict()
    activity = activity[activity["repository_id"].isin(archived)].copy()
    activity["is_archived"] = activity["repository_id"].map(archived)
    # Every repository gets a stage, those without monthly activity from an empty series.
    # A git history observed only until before as_of: its later months are unknown, not silent.
    stages = lifecycle_stages(
        activity, as_of, config, repositories=flags, observed_until=observed_until(described)
    )
    stages["first_month"] = pd.to_datetime(stages["first_month"])
    stages["peak_month"] = pd.to_datetime(stages["peak_month"])
    stages["months_since_peak"] = stages["months_since_peak"].astype("float64")
    stages["is_archived"] = stages["is_archived"].astype(bool)
    stages["months_unobserved"] = stages["months_unobserved"].astype("int64")

    out = repositories.merge(scores, on="repository_id", how="left").merge(
        stages, on="repository_id", how="left"
    )
    out.insert(2, "as_of", as_of)
    return out
