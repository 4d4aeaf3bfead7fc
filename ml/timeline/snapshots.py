"""Stage and score of every repository at several dates (the `ml_timeline` table).

One dbt build describes one instant, as_of. Rebuilding the warehouse as of each earlier date
would rerun every model for every date; instead this reads the history once and, at each date
(as_of and every `step_months` before it, down to `first_date`), recomputes what ml_maturity
computes from what could be known then, with the back-test's own functions
(`state_at` below, composed of the functions backtest_panel calls at each origin: the signals
cut at the date, the stage rules over the monthly commits up to it). That is sound because the stage and the git signals are functions of the
history up to the date and nothing else; what it cannot give is what GitHub search reported at a
past date (stars, forks, license, last push), since the archive observed those once.

So the score here is computed over the signals of the sources every date can measure
(`evidence_sources`, by default the git history alone): scores of different dates then rest on
the same signals and can be compared, and they are not the headline score of ml_maturity, which
adds the search signals at as_of. The stage is ml_maturity's own rule set; at as_of it is
ml_maturity's stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml.backtest.origins import origins_back, signals_at
from ml.backtest.panel import BacktestInputs, _existing, check_inputs, commits_for_windows
from ml.config import config_section, load_ml_config
from ml.lifecycle.series import naive_utc
from ml.lifecycle.stages import lifecycle_stages
from ml.maturity.score import maturity_scores, signals_from_config
from ml.warehouse import observed_until, stage_context

TIMELINE_COLUMNS = [
    "timeline_id",
    "repository_id",
    "full_name",
    "snapshot_at",
    "years_before_as_of",
    "is_as_of",
    "stage",
    "stage_rule",
    "stage_position",
    "evidence_level",
    "maturity_score",
    "score_low",
    "score_high",
    "rank_in_evidence",
    "repositories_in_evidence",
    "coverage",
    "commits_last_12m",
    "active_authors_last_12m",
    "months_since_last_commit",
    "growth_ratio",
]


@dataclass(frozen=True)
class History:
    """What every date reads from the inputs, prepared once: the commits (naive UTC times),
    each repository's first counted commit, and when each history was last observed."""

    repositories: pd.DataFrame
    commits: pd.DataFrame
    first_commit: pd.Series
    observed_until: dict


def prepare_history(inputs: BacktestInputs) -> History:
    """The inputs' history in the form `state_at` reads (after `check_inputs`)."""
    check_inputs(inputs)
    repositories = inputs.repositories.reset_index(drop=True)
    commits = commits_for_windows(inputs.commits)
    counted = commits[commits["is_counted"].astype(bool)]
    first_commit = counted.groupby("repository_id", observed=True)["committed_at"].min()
    return History(repositories, commits, first_commit, observed_until(repositories))


def state_at(
    inputs: BacktestInputs, history: History, date: pd.Timestamp, config: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(existing repositories, their signals, their stages) at `date`, by the functions the
    back-test applies at each origin (ml/backtest/panel.py), from what could be known then."""
    existing = _existing(history.repositories, history.first_commit, date)
    signals = signals_at(
        date, naive_utc(inputs.as_of), inputs.signals, existing, history.commits, inputs.releases
    )
    stages = lifecycle_stages(
        inputs.activity[inputs.activity["repository_id"].isin(existing["repository_id"])],
        date,
        config,
        repositories=stage_context(signals),
        observed_until=history.observed_until,
    )
    return existing, signals, stages


def timeline_dates(as_of: pd.Timestamp | str, config: dict[str, Any] | None = None) -> list:
    """as_of and every `step_months` before it, down to `first_date`, earliest first."""
    c = config_section("timeline", config)
    return origins_back(as_of, c["first_date"], c["step_months"])


def comparable_signals(signals: pd.DataFrame, config: dict[str, Any]) -> pd.DataFrame:
    """`signals` with every scored signal outside `evidence_sources` unmeasured (NaN), so a score
    rests on the same sources at every date."""
    sources = set(config_section("timeline", config)["evidence_sources"])
    out = signals.copy()
    for signal in signals_from_config(config):
        if signal.source not in sources:
            out[signal.column] = np.nan
    return out


def stage_timeline(inputs: BacktestInputs, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """TIMELINE_COLUMNS, one row per repository existing at each date (created by then, or with
    a counted commit by then), sorted by date and repository. Raises ValueError on inputs that
    reach past as_of (ml/backtest/panel.py `check_inputs`)."""
    config = load_ml_config() if config is None else config
    as_of = naive_utc(inputs.as_of)
    history = prepare_history(inputs)
    frames = []
    for date in timeline_dates(as_of, config):
        existing, signals, stages = state_at(inputs, history, date, config)
        scores = maturity_scores(comparable_signals(signals, config), config)
        frame = (
            existing[["repository_id", "full_name"]]
            .merge(stages, on="repository_id", how="left")
            .merge(scores, on="repository_id", how="left")
            .merge(
                signals[["repository_id", "active_authors_last_12m", "months_since_last_commit"]],
                on="repository_id",
                how="left",
            )
        )
        frame["snapshot_at"] = date
        frame["years_before_as_of"] = round((as_of - date).days / 365.2425)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["is_as_of"] = out["snapshot_at"] == as_of
    out["timeline_id"] = (
        out["repository_id"].astype(str) + "@" + out["snapshot_at"].dt.strftime("%Y-%m-%d")
    )
    out["years_before_as_of"] = out["years_before_as_of"].astype("int64")
    return out[TIMELINE_COLUMNS].sort_values(["snapshot_at", "repository_id"], ignore_index=True)
