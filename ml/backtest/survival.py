"""Did the maturity judgements made at `as_of` predict which projects were still maintained?

Scores and stages are computed here from inputs cut at `as_of`, and the inputs are checked first:
signals measured at another date, or activity after `as_of`, would leak the future into the
prediction, so they are refused rather than trimmed. The outcome is read from git history after
`as_of`: "still maintained" means at least one commit in the last `outcome_window_months` of the
`horizon_months` after `as_of`. A history whose observation ends before the horizon is censored
(silence after the clone is unobserved, not inactivity) and a repository without history is
excluded; both are counted, neither is scored as dead.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ml.config import config_section, load_ml_config
from ml.lifecycle.series import naive_utc, naive_utc_series
from ml.lifecycle.stages import lifecycle_stages
from ml.maturity.score import maturity_scores

PER_REPOSITORY_COLUMNS = [
    "repository_id",
    "maturity_score",
    "stars",
    "stage",
    "outcome",
    "is_censored",
    "censor_reason",
    "commits_in_window",
]


class Backtest(NamedTuple):
    """The three back-test tables: per repository, AUC summary, outcome rate per stage."""

    per_repository: pd.DataFrame
    summary: pd.DataFrame
    by_stage: pd.DataFrame


def outcome_window(
    as_of: pd.Timestamp | str, config: dict[str, Any] | None = None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of the window whose commits count as "still maintained"; end is the horizon."""
    c = config_section("backtest", config)
    horizon, window = int(c["horizon_months"]), int(c["outcome_window_months"])
    if not 0 < window <= horizon:
        raise ValueError(
            f"backtest: need 0 < outcome_window_months ({window}) <= horizon ({horizon})"
        )
    start = naive_utc(as_of)
    end = start + pd.DateOffset(months=horizon)
    return end - pd.DateOffset(months=window), end


def check_scoring_inputs(
    signals: pd.DataFrame, activity_monthly: pd.DataFrame, as_of: pd.Timestamp | str
) -> None:
    """Raise ValueError when the scoring inputs were not measured at `as_of` (future leakage)."""
    cutoff = naive_utc(as_of)
    if "as_of" not in signals.columns:
        raise ValueError(
            "signals lack an 'as_of' column; cannot verify they were measured at as_of"
        )
    signal_dates = naive_utc_series(signals["as_of"])
    wrong = signals.loc[signal_dates != cutoff, "repository_id"]
    if len(wrong):
        found = sorted(signal_dates[signal_dates != cutoff].astype(str).unique())[:3]
        raise ValueError(
            f"signals measured at {found} differ from the back-test as_of {cutoff} "
            f"({len(wrong)} repositories, e.g. {wrong.tolist()[:5]})"
        )
    months = naive_utc_series(activity_monthly["month"])
    late = activity_monthly.loc[months > cutoff, "repository_id"]
    if len(late):
        raise ValueError(
            f"activity_monthly has {len(late)} rows after as_of {cutoff} "
            f"(latest {months.max()}, e.g. repositories {sorted(late.unique().tolist())[:5]})"
        )


def outcomes(
    repository_ids: pd.Series | list[int],
    commits: pd.DataFrame,
    histories: pd.DataFrame,
    as_of: pd.Timestamp | str,
    config: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Outcome per repository: `repository_id`, `outcome` (Int64: 1 maintained, 0 not, NULL
    when censored), `is_censored`, `censor_reason` (`no history`, `observed until ... before
    horizon end ...`, or NULL), `commits_in_window`.
    """
    start, end = outcome_window(as_of, config)
    ids = pd.Series(pd.unique(pd.Series(repository_ids)), name="repository_id")
    observed = histories.assign(observed_until=naive_utc_series(histories["observed_until"]))
    observed = observed.groupby("repository_id")["observed_until"].max()
    committed = naive_utc_series(commits["committed_at"])
    in_window = commits.loc[(committed >= start) & (committed < end), "repository_id"]
    window_counts = in_window.value_counts()

    out = pd.DataFrame({"repository_id": ids})
    until = out["repository_id"].map(observed)
    counts = out["repository_id"].map(window_counts).fillna(0).astype("int64")
    no_history = until.isna()
    short = ~no_history & (until < end)
    out["outcome"] = pd.array((counts > 0).astype(int), dtype="Int64")
    out.loc[no_history | short, "outcome"] = pd.NA
    out["is_censored"] = no_history | short
    reason = pd.Series([None] * len(out), dtype="object")
    reason[no_history.to_numpy()] = "no history"
    reason[short.to_numpy()] = [
        f"observed until {u.date()}, before horizon end {end.date()}" for u in until[short]
    ]
    out["censor_reason"] = reason.to_numpy()
    out["commits_in_window"] = counts.where(~no_history).astype("Int64")
    return out


def _auc(frame: pd.DataFrame, predictor: str) -> dict[str, Any]:
    scored = frame.dropna(subset=[predictor, "outcome"])
    y = scored["outcome"].astype(int).to_numpy()
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    auc = (
        float(roc_auc_score(y, scored[predictor].astype(float).to_numpy()))
        if positives and negatives
        else np.nan
    )
    return {
        "predictor": predictor,
        "roc_auc": auc,
        "n": len(y),
        "positives": positives,
        "negatives": negatives,
    }


def evaluate(per_repository: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, by_stage) from a per-repository table with PER_REPOSITORY_COLUMNS.

    summary: `predictor` (`maturity_score`, and `stars` as the naive baseline), `roc_auc` (NULL
    when only one class is present), `n`, `positives`, `negatives`, `censored`, `no_history`.
    by_stage: `stage`, `n`, `maintained`, `outcome_rate`, over uncensored repositories.
    """
    reasons = per_repository["censor_reason"]
    no_history = int((reasons == "no history").sum())
    censored = int(per_repository["is_censored"].sum()) - no_history
    summary = pd.DataFrame([_auc(per_repository, p) for p in ("maturity_score", "stars")])
    summary["censored"] = censored
    summary["no_history"] = no_history
    known = per_repository[~per_repository["is_censored"]].assign(
        stage=lambda f: f["stage"].fillna("no activity data"),
        outcome=lambda f: f["outcome"].astype(int),
    )
    by_stage = (
        known.groupby("stage")["outcome"]
        .agg(n="size", maintained="sum")
        .reset_index()
        .sort_values("stage", ignore_index=True)
    )
    by_stage["n"] = by_stage["n"].astype("int64")
    by_stage["maintained"] = by_stage["maintained"].astype("int64")
    by_stage["outcome_rate"] = by_stage["maintained"] / by_stage["n"]
    return summary, by_stage


def run_backtest(
    signals: pd.DataFrame,
    activity_monthly: pd.DataFrame,
    commits: pd.DataFrame,
    histories: pd.DataFrame,
    as_of: pd.Timestamp | str,
    config: dict[str, Any] | None = None,
) -> Backtest:
    """Score and stage every repository in `signals` as of `as_of`, then compare with outcomes.

    per_repository (`ml_backtest`): PER_REPOSITORY_COLUMNS. See `evaluate` for the other two.
    Raises ValueError when the scoring inputs do not belong to `as_of` (see check_scoring_inputs).
    """
    check_scoring_inputs(signals, activity_monthly, as_of)
    config = load_ml_config() if config is None else config
    scores = maturity_scores(signals, config)[["repository_id", "maturity_score"]]
    stages = lifecycle_stages(activity_monthly, as_of, config)[["repository_id", "stage"]]
    per_repository = (
        scores.merge(signals[["repository_id", "stars"]], on="repository_id", how="left")
        .merge(stages, on="repository_id", how="left")
        .merge(
            outcomes(signals["repository_id"], commits, histories, as_of, config),
            on="repository_id",
            how="left",
        )
    )
    per_repository = per_repository[PER_REPOSITORY_COLUMNS].sort_values(
        "repository_id", ignore_index=True
    )
    summary, by_stage = evaluate(per_repository)
    return Backtest(per_repository, summary, by_stage)
