"""The back-test's origins and what could be known at each one.

Origins run back from the build's as_of in steps of `step_months` to `first_origin`, so the
latest origin is the as_of the marts describe and its scores are ml_maturity's. At an earlier
origin the signals are recomputed from the git history up to that instant, in the same windows as
fct_repository_signals (tests check the recomputation against that mart at as_of). Signals the
warehouse knows only from the search observation (stars, forks, license, owner type, last push,
archived) are unmeasured there: a 2023 star count is not what a reader knew in 2020, and a 2023
push time would tell the future. Age is measured, since a creation date is fixed once made.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ml.config import config_section
from ml.lifecycle.series import naive_utc, naive_utc_series

#: Git window of the signals and stage features, in months (as in fct_repository_signals).
WINDOW_MONTHS = 12
#: Days per month in every "months since" figure (the mean Gregorian month, as in the marts).
DAYS_PER_MONTH = 30.4375

GIT_SIGNAL_COLUMNS = (
    "months_since_last_commit",
    "commits_last_12m",
    "commits_prev_12m",
    "active_authors_last_12m",
    "active_authors_prev_12m",
    "contributor_absence_factor",
    "releases_last_12m",
    "shared_commits",
)


def origins_back(as_of: pd.Timestamp | str, first: pd.Timestamp | str, step_months: int) -> list:
    """`as_of` and every `step_months` before it down to `first` (inclusive), earliest first.
    Raises ValueError on a non-positive step."""
    step = int(step_months)
    if step <= 0:
        raise ValueError(f"step_months must be > 0, got {step}")
    latest, first = naive_utc(as_of), naive_utc(first)
    origins = []
    k = 0
    while (origin := latest - pd.DateOffset(months=step * k)) >= first:
        origins.append(origin)
        k += 1
    return sorted(origins)


def backtest_origins(as_of: pd.Timestamp | str, config: dict[str, Any] | None = None) -> list:
    """The back-test's origins: as_of minus multiples of `step_months`, down to `first_origin`
    (inclusive), earliest first. Raises ValueError on a non-positive step."""
    c = config_section("backtest", config)
    try:
        return origins_back(as_of, c["first_origin"], c["step_months"])
    except ValueError as exc:
        raise ValueError(f"backtest: {exc}") from None


def months_between(start: pd.Series, finish: pd.Timestamp) -> pd.Series:
    """Months from `start` to `finish` as in the marts: calendar days crossed / 30.4375, 2 dp."""
    days = (naive_utc(finish).normalize() - naive_utc_series(start).dt.normalize()).dt.days
    return (days / DAYS_PER_MONTH).round(2)


def contributor_absence(commits: pd.DataFrame) -> pd.Series:
    """CHAOSS contributor absence factor of each repository's commits in one window
    (`repository_id`, `author_id`): the fewest authors whose commits make up at least half of
    its commits, by repository. A repository without commits there is left out (its factor is
    0)."""
    per_author = commits.groupby(["repository_id", "author_id"], observed=True).size()
    ordered = per_author.reset_index(name="commits").sort_values(
        ["repository_id", "commits"], ascending=[True, False], kind="stable"
    )
    grouped = ordered.groupby("repository_id", observed=True)["commits"]
    ordered["authors"] = grouped.cumcount() + 1
    half = 2 * grouped.cumsum() >= grouped.transform("sum")
    return ordered[half].groupby("repository_id", observed=True)["authors"].min()


def git_signals_at(
    origin: pd.Timestamp,
    repositories: pd.DataFrame,
    commits: pd.DataFrame,
    releases: pd.DataFrame,
) -> pd.DataFrame:
    """The signals of every repository in `repositories` as they stood at `origin`.

    repositories: `repository_id`, `created_at`, `has_git_history`, `git_observed_until`.
    commits: every commit of the histories (`repository_id`, `committed_at`, `author_id`,
    `is_counted`: counted for this repository, see int_commits_attributed).
    releases: `repository_id`, `published_at` (fct_releases: GitHub releases, else git tags).
    Returns one row per repository: `repository_id`, `as_of` (= origin), `age_months`, then
    GIT_SIGNAL_COLUMNS; a git signal is NaN unless the history is complete and observed through
    the end of its window (`origin`, or the previous window's end for the `_prev_12m` ones: a
    shorter window would undercount; `shared_commits` needs only a history), and every other
    scored signal is NaN.
    """
    origin = naive_utc(origin)
    start, previous = (
        origin - pd.DateOffset(months=WINDOW_MONTHS),
        origin - pd.DateOffset(months=2 * WINDOW_MONTHS),
    )
    out = pd.DataFrame({"repository_id": repositories["repository_id"].to_numpy()})
    out["as_of"] = origin
    created = naive_utc_series(repositories["created_at"]).reset_index(drop=True)
    out["age_months"] = months_between(created, origin).where(created <= origin).to_numpy()
    history = repositories["has_git_history"].fillna(False).astype(bool).to_numpy()
    until = naive_utc_series(repositories["git_observed_until"])
    observed = history & (until >= origin).fillna(False).to_numpy()
    # The previous window needs the history to reach only its own end, as in the mart.
    previous_observed = history & (until >= start).fillna(False).to_numpy()

    times = naive_utc_series(commits["committed_at"])
    seen = commits[times <= origin].assign(committed_at=times[times <= origin])
    counted = seen[seen["is_counted"].astype(bool)]
    in_last = counted[counted["committed_at"] > start]
    in_prev = counted[(counted["committed_at"] > previous) & (counted["committed_at"] <= start)]
    ids = out["repository_id"]

    def by_repository(rows: pd.DataFrame) -> Any:
        # observed=True: the ids may be categoricals (commits_for_windows)
        return rows.groupby("repository_id", observed=True)

    by_last = by_repository(in_last)
    last_commit = by_repository(counted)["committed_at"].max()
    values = {
        "months_since_last_commit": months_between(ids.map(last_commit), origin),
        "commits_last_12m": ids.map(by_last.size()).fillna(0),
        "commits_prev_12m": ids.map(by_repository(in_prev).size()).fillna(0),
        "active_authors_last_12m": ids.map(by_last["author_id"].nunique()).fillna(0),
        "active_authors_prev_12m": ids.map(by_repository(in_prev)["author_id"].nunique()).fillna(0),
        "contributor_absence_factor": ids.map(contributor_absence(in_last)).fillna(0),
        "shared_commits": ids.map(
            by_repository(seen[~seen["is_counted"].astype(bool)]).size()
        ).fillna(0),
    }
    published = naive_utc_series(releases["published_at"])
    window = releases[(published > start) & (published <= origin)]
    values["releases_last_12m"] = ids.map(window.groupby("repository_id").size()).fillna(0)
    for column in GIT_SIGNAL_COLUMNS:
        mask = {"shared_commits": history}.get(
            column, previous_observed if column.endswith("_prev_12m") else observed
        )
        out[column] = pd.Series(values[column]).astype(float).where(mask).to_numpy()
    return out


def signals_at(
    origin: pd.Timestamp,
    as_of: pd.Timestamp,
    signals: pd.DataFrame,
    repositories: pd.DataFrame,
    commits: pd.DataFrame,
    releases: pd.DataFrame,
) -> pd.DataFrame:
    """Every scored signal at `origin`: fct_repository_signals itself at the build's `as_of`,
    else `git_signals_at` with the search-observed signals unmeasured (NaN). Same columns as
    `signals`, one row per repository of `repositories`."""
    if naive_utc(origin) == naive_utc(as_of):
        keep = signals[signals["repository_id"].isin(repositories["repository_id"])]
        return keep.reset_index(drop=True)
    recomputed = git_signals_at(origin, repositories, commits, releases)
    out = pd.DataFrame(
        {c: np.nan for c in signals.columns if c not in recomputed.columns},
        index=recomputed.index,
    )
    out = pd.concat([recomputed, out], axis=1)[
        [*recomputed.columns, *[c for c in signals.columns if c not in recomputed.columns]]
    ]
    out["is_archived"] = False
    return out
