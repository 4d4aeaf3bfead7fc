"""What happened after each origin, read from the git history strictly after it.

Two outcomes over the `horizon_months` after an origin t, counting only the commits counted for
the repository (int_commits_attributed):
- maintained: a commit in the last `outcome_window_months` of the horizon, (t + h - w, t + h];
- growing: more commits in (t, t + h] than in the year before, (t - 12 months, t].
A history observed for less than the horizon is censored (silence after its snapshot is
unobserved, not inactivity), as is one that ends before the origin. A repository without a
complete history, or whose every commit is counted for another repository (a shared history),
has no outcome of its own. A repository GitHub reported as gone (deleted, or unavailable) after
the origin and by the horizon's end has disappeared: that is an outcome, neither maintained nor
growing, not a missing value, with or without a history; one reported gone later is judged on
its history like any other.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ml.config import config_section
from ml.lifecycle.series import naive_utc, naive_utc_series

CENSOR_REASONS = (
    "no history",
    "shared history",
    "history ends before the origin",
    "history ends before the horizon",
)

OUTCOME_COLUMNS = [
    "repository_id",
    "origin",
    "horizon_end",
    "maintained",
    "growing",
    "commits_in_horizon",
    "commits_in_outcome_window",
    "is_gone",
    "is_censored",
    "censor_reason",
]


def horizon(origin: pd.Timestamp, config: dict[str, Any] | None = None) -> tuple:
    """(window start, horizon end) of the maintained outcome after `origin`."""
    c = config_section("backtest", config)
    months, window = int(c["horizon_months"]), int(c["outcome_window_months"])
    if not 0 < window <= months:
        raise ValueError(
            f"backtest: need 0 < outcome_window_months ({window}) <= horizon_months ({months})"
        )
    end = naive_utc(origin) + pd.DateOffset(months=months)
    return end - pd.DateOffset(months=window), end


def outcomes_at(
    origin: pd.Timestamp,
    repositories: pd.DataFrame,
    counted_commits: pd.DataFrame,
    gone: pd.DataFrame | None = None,
    config: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Outcomes of every repository in `repositories` after `origin` (OUTCOME_COLUMNS).

    repositories: `repository_id`, `has_git_history`, `git_observed_until`, `shared_commits`
    (commits of its history counted elsewhere, any time). counted_commits: `repository_id`,
    `committed_at` of the commits counted for each repository, at any time. gone (optional):
    `repository_id`, `gone_at` (when GitHub first reported it gone).
    `maintained` and `growing` are Int64 (NULL when censored); `censor_reason` is one of
    CENSOR_REASONS or NULL; `is_gone` marks a disappearance inside the horizon.
    """
    origin = naive_utc(origin)
    window_start, end = horizon(origin, config)
    year_before = origin - pd.DateOffset(months=12)
    ids = repositories["repository_id"].reset_index(drop=True)
    times = naive_utc_series(counted_commits["committed_at"])
    frame = counted_commits.assign(committed_at=times)

    def count(after: pd.Timestamp, until: pd.Timestamp) -> pd.Series:
        rows = frame[(frame["committed_at"] > after) & (frame["committed_at"] <= until)]
        return (
            ids.map(rows.groupby("repository_id", observed=True).size()).fillna(0).astype("int64")
        )

    in_horizon, in_window, before = (
        count(origin, end),
        count(window_start, end),
        count(year_before, origin),
    )
    has_own = ids.isin(frame["repository_id"])
    until = naive_utc_series(repositories["git_observed_until"]).reset_index(drop=True)
    history = repositories["has_git_history"].fillna(False).astype(bool).reset_index(drop=True)
    shared = repositories["shared_commits"].fillna(0).reset_index(drop=True) > 0
    gone_at = pd.Series(pd.NaT, index=ids.index)
    if gone is not None and len(gone):
        first_gone = (
            gone.assign(gone_at=naive_utc_series(gone["gone_at"]))
            .groupby("repository_id")["gone_at"]
            .min()
        )
        gone_at = naive_utc_series(ids.map(first_gone))
    is_gone = ((gone_at > origin) & (gone_at <= end)).fillna(False).to_numpy()

    reason = np.select(
        [
            ~history.to_numpy(),
            (shared & ~has_own).to_numpy(),
            (until < origin).fillna(True).to_numpy(),
            (until < end).fillna(True).to_numpy(),
        ],
        list(CENSOR_REASONS),
        default="",
    )
    # A disappearance inside the horizon is an outcome, whatever the history says (or lacks).
    reason = np.where(is_gone, "", reason)
    censored = reason != ""
    unknown = censored | ~history.to_numpy()
    maintained = np.where(is_gone, 0, (in_window > 0).astype(int))
    growing = np.where(is_gone, 0, (in_horizon > before).astype(int))
    out = pd.DataFrame(
        {
            "repository_id": ids,
            "origin": origin,
            "horizon_end": end,
            "maintained": pd.array(np.where(censored, pd.NA, maintained), dtype="Int64"),
            "growing": pd.array(np.where(censored, pd.NA, growing), dtype="Int64"),
            "commits_in_horizon": pd.array(np.where(unknown, pd.NA, in_horizon), dtype="Int64"),
            "commits_in_outcome_window": pd.array(
                np.where(unknown, pd.NA, in_window), dtype="Int64"
            ),
            "is_gone": is_gone,
            "is_censored": censored,
            "censor_reason": pd.Series(reason).replace("", None).to_numpy(),
        }
    )
    return out[OUTCOME_COLUMNS]
