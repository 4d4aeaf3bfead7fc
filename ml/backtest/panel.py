"""The back-test panel: one row per repository and origin, with every predictor as it stood at
the origin and the outcomes after it (the `ml_backtest_panel` table).

At each origin (ml/backtest/origins.py) the repositories that existed then are scored and staged
by the same functions as ml_maturity, from signals and monthly commits cut at the origin; the
outcomes come from commits strictly after it (ml/backtest/outcomes.py); the learned predictors
are fitted on earlier origins only (ml/backtest/learned.py). Inputs that reach past the build's
as_of are refused, since everything but the outcomes must be knowable at the origins.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ml.backtest.learned import learned_predictions, stage_prior_rates
from ml.backtest.origins import GIT_SIGNAL_COLUMNS, backtest_origins, signals_at
from ml.backtest.outcomes import OUTCOME_COLUMNS, outcomes_at
from ml.config import load_ml_config
from ml.lifecycle.series import naive_utc, naive_utc_series
from ml.lifecycle.stages import lifecycle_stages
from ml.maturity.score import maturity_scores
from ml.warehouse import observed_until, stage_context

OUTCOMES = ("maintained", "growing")

#: Predictor -> (panel column, with `{outcome}` where it depends on the outcome; direction:
#: +1 when a higher value should mean the outcome, -1 when lower should).
PREDICTORS: dict[str, tuple[str, int]] = {
    "maturity_score": ("maturity_score", 1),
    "score_static": ("score_static", 1),
    "score_activity": ("score_activity", 1),
    "stars": ("stars", 1),
    "months_since_last_commit": ("months_since_last_commit", -1),
    "commits_last_12m": ("commits_last_12m", 1),
    "stage": ("stage_prior_{outcome}", 1),
    "learned_model": ("learned_{outcome}", 1),
}

#: Stage-feature columns of lifecycle_stages the panel keeps (the others are signals already).
STAGE_FEATURES = [
    "stage",
    "stage_rule",
    "growth_ratio",
    "level_to_peak_24m",
    "months_since_peak_24m",
    "active_months_last_12m",
    "cv_last_12m",
    "months_since_activity",
]

PANEL_COLUMNS = [
    "panel_id",
    "repository_id",
    "full_name",
    "origin",
    "is_as_of_origin",
    "evidence_level",
    "maturity_score",
    "score_static",
    "score_activity",
    "stars",
    *GIT_SIGNAL_COLUMNS,
    "age_months",
    *STAGE_FEATURES,
    *(f"stage_prior_{outcome}" for outcome in OUTCOMES),
    *(f"learned_{outcome}" for outcome in OUTCOMES),
    *(c for c in OUTCOME_COLUMNS if c not in ("repository_id", "origin")),
]


#: The columns of int_commits_attributed the panel and the timeline read (the models ask dbt for
#: only these: its commit ids and hashes, as Python strings, took most of the table's reading).
COMMIT_COLUMNS = ("repository_id", "committed_at", "author_id", "is_counted")


@dataclass(frozen=True)
class BacktestInputs:
    """Warehouse frames the panel is built from (models/ml/ml_backtest_panel.py reads them).

    repositories: dim_repositories (`repository_id`, `full_name`, `created_at`,
    `has_git_history`, `git_observed_until`). signals: fct_repository_signals at `as_of`.
    activity: monthly commits (`repository_id`, `month`, `commits`), cut at `as_of`.
    commits: int_commits_attributed at any time (`repository_id`, `committed_at`, `author_id`,
    `is_counted`). releases: fct_releases (`repository_id`, `published_at`). gone: optional
    (`repository_id`, `gone_at`), repositories GitHub reported gone.
    """

    as_of: pd.Timestamp
    repositories: pd.DataFrame
    signals: pd.DataFrame
    activity: pd.DataFrame
    commits: pd.DataFrame
    releases: pd.DataFrame
    gone: pd.DataFrame | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (the panel and the timeline each send the inputs to a process of their own)
        with the commits' text columns as codes into their distinct values: pickling 443,767
        repository and author ids as strings took 0.3 s of dbt's process per model, the codes
        a few milliseconds. Unpickled as they were."""
        fields = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        fields["commits"], coded = _text_as_codes(self.commits)
        return (_unpickled_inputs, (fields, coded))

    @classmethod
    def from_tables(
        cls,
        *,
        as_of: pd.Timestamp,
        repositories: pd.DataFrame,
        signals: pd.DataFrame,
        activity: pd.DataFrame,
        commits: pd.DataFrame,
        releases: pd.DataFrame,
        gone: pd.DataFrame | None = None,
    ) -> BacktestInputs:
        """The inputs from whole warehouse tables (as dbt hands them to a model), keeping only
        the columns the panel reads of the large ones."""
        return cls(
            as_of=as_of,
            repositories=repositories,
            signals=signals,
            activity=activity[["repository_id", "month", "commits"]],
            commits=commits[list(COMMIT_COLUMNS)],
            releases=releases[["repository_id", "published_at"]],
            gone=gone,
        )


def _text_as_codes(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """`frame` with its text columns that miss no value as categoricals, and their names."""
    coded = [c for c in frame.columns if frame[c].dtype == object and frame[c].notna().all()]
    return frame.astype(dict.fromkeys(coded, "category")), coded


def _unpickled_inputs(fields: dict[str, Any], coded: list[str]) -> BacktestInputs:
    commits = fields["commits"].astype(dict.fromkeys(coded, object))
    return BacktestInputs(**{**fields, "commits": commits})


def commits_for_windows(commits: pd.DataFrame) -> pd.DataFrame:
    """The commits as the panel and the timeline cut them into windows, origin after origin:
    naive UTC times, and ids that miss no value as categoricals (filtering and grouping the
    443,767 rows at each origin is several times faster on codes than on strings). Every
    grouping on them is `observed=True`, so it has the groups the strings would have."""
    coded, _ = _text_as_codes(commits)
    return coded.assign(committed_at=naive_utc_series(commits["committed_at"]))


def check_inputs(inputs: BacktestInputs) -> None:
    """Raise ValueError when an input that predictors read reaches past `as_of` (future leakage)
    or the signals were measured at another instant. Commits may: the outcomes need them."""
    cutoff = naive_utc(inputs.as_of)
    if "as_of" not in inputs.signals.columns:
        raise ValueError(
            "signals lack an 'as_of' column; cannot verify they were measured at as_of"
        )
    dates = naive_utc_series(inputs.signals["as_of"])
    if (dates != cutoff).any():
        wrong = inputs.signals.loc[dates != cutoff, "repository_id"].tolist()[:5]
        raise ValueError(
            f"signals measured at {sorted(dates.astype(str).unique())[:3]} differ from the "
            f"back-test as_of {cutoff} (e.g. repositories {wrong})"
        )
    for name, frame, column in (
        ("activity", inputs.activity, "month"),
        ("releases", inputs.releases, "published_at"),
    ):
        late = frame.loc[naive_utc_series(frame[column]) > cutoff, "repository_id"]
        if len(late):
            raise ValueError(
                f"{name} has {len(late)} rows after as_of {cutoff} "
                f"(e.g. repositories {sorted(late.astype(str).unique())[:5]})"
            )


def _existing(repositories: pd.DataFrame, first_commit: pd.Series, origin: pd.Timestamp):
    """Repositories that existed at `origin`: created by then (or, with no creation date, with
    a commit counted for them by then)."""
    created = naive_utc_series(repositories["created_at"])
    first = naive_utc_series(repositories["repository_id"].map(first_commit))
    return repositories[(created <= origin) | (created.isna() & (first <= origin))]


def backtest_panel(inputs: BacktestInputs, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """The panel (PANEL_COLUMNS), one row per repository existing at each origin, sorted by
    origin and repository. See the module docstring; raises ValueError on leaked inputs."""
    check_inputs(inputs)
    config = load_ml_config() if config is None else config
    as_of = naive_utc(inputs.as_of)
    repositories = inputs.repositories.reset_index(drop=True)
    commits = commits_for_windows(inputs.commits)
    counted = commits[commits["is_counted"].astype(bool)]
    first_commit = counted.groupby("repository_id", observed=True)["committed_at"].min()
    shared_total = (
        commits[~commits["is_counted"].astype(bool)].groupby("repository_id", observed=True).size()
    )
    until = observed_until(repositories)
    frames = []
    for origin in backtest_origins(as_of, config):
        existing = _existing(repositories, first_commit, origin)
        signals = signals_at(origin, as_of, inputs.signals, existing, commits, inputs.releases)
        scores = maturity_scores(signals, config)
        stages = lifecycle_stages(
            inputs.activity[inputs.activity["repository_id"].isin(existing["repository_id"])],
            origin,
            config,
            repositories=stage_context(signals),
            observed_until=until,
        )[["repository_id", *STAGE_FEATURES]]
        outcome_frame = outcomes_at(
            origin,
            existing.assign(shared_commits=existing["repository_id"].map(shared_total)),
            counted[["repository_id", "committed_at"]],
            inputs.gone,
            config,
        )
        frame = (
            existing[["repository_id", "full_name"]]
            .merge(signals, on="repository_id", how="left")
            .merge(scores, on="repository_id", how="left")
            .merge(stages, on="repository_id", how="left")
            .merge(outcome_frame.drop(columns="origin"), on="repository_id", how="left")
        )
        frame["origin"] = origin
        frame["stars"] = pd.to_numeric(frame["stars"], errors="coerce").astype(float)
        frames.append(frame[[c for c in PANEL_COLUMNS if c in frame.columns]])
    # In a fixed order before the learned model sees it: a forest's bootstrap draws rows by
    # position, so the order the engine returned the repositories in must not matter.
    panel = pd.concat(frames, ignore_index=True).sort_values(
        ["origin", "repository_id"], ignore_index=True
    )
    panel["is_as_of_origin"] = panel["origin"] == as_of
    panel["panel_id"] = (
        panel["repository_id"].astype(str) + "@" + panel["origin"].dt.strftime("%Y-%m-%d")
    )
    for outcome in OUTCOMES:
        panel[f"learned_{outcome}"] = learned_predictions(panel, outcome, config)
        panel[f"stage_prior_{outcome}"] = stage_prior_rates(panel, outcome, config)
    return panel[PANEL_COLUMNS].sort_values(["origin", "repository_id"], ignore_index=True)
