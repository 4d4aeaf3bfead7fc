"""Where each repository sits on the study's maturity cycle, read from its recent trajectory.

The study's cycle (technology trigger, peak of inflated expectations, trough of disillusionment,
slope of enlightenment, plateau of productivity) is read from a repository's monthly commits up
to `as_of`, plus three states outside the cycle: `archived`, `insufficient history` and `dormant`.
Every rule reads named features over explicit windows, all of which a reader finds on the
repository's page: its age, commits in the last 12 months against the 12 before (the
year-on-year ratio), the current three-month level against the highest three-month level of the
last 24 months (the trailing peak), months since that peak, active authors and releases in the
last 12 months. Judging the present against a trailing peak rather than the all-time one keeps a
project that is busy today out of the trough because of a burst years ago; a year-on-year decline
is required for a trough, so a month's dip or a burst's gap is not one. The rules are tried in
order and the first that holds names the stage; `stage_reason` repeats it with the values.

The rules keep these invariants (tests/ml/test_lifecycle_stages.py checks them on random and
constructed histories): a repository growing year on year is never in the trough or dormant; a
technology trigger is younger than `young_months`, and no repository that young is on the
plateau; a trough needs a year-on-year decline with the current level at most `trough_level` of
the trailing peak. A repository whose every commit is counted for another repository (a shared
history, see int_commits_attributed) has no activity of its own and no stage.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml.config import config_section, load_ml_config
from ml.lifecycle.series import last_complete_month, monthly_series

STAGES = (
    "technology trigger",
    "peak of inflated expectations",
    "trough of disillusionment",
    "slope of enlightenment",
    "plateau of productivity",
    "dormant",
    "archived",
    "insufficient history",
)

#: The five stages of the cycle, in the cycle's order (the others lie outside it).
CYCLE = STAGES[:5]

FEATURE_COLUMNS = (
    "months_observed",
    "first_month",
    "commits_last_12m",
    "commits_prev_12m",
    "growth_ratio",
    "level_3m",
    "peak_24m",
    "peak_24m_month",
    "months_since_peak_24m",
    "level_to_peak_24m",
    "active_months_last_12m",
    "cv_last_12m",
    "authors_last_12m",
    "authors_prev_12m",
    "releases_last_12m",
    "months_since_activity",
    "shared_commits",
    "is_archived",
    "months_unobserved",
)

#: Context a caller may give per repository (`repositories` argument), read as features.
CONTEXT_COLUMNS = {
    "is_archived": "is_archived",
    "commits_last_12m": "commits_last_12m",
    "commits_prev_12m": "commits_prev_12m",
    "active_authors_last_12m": "authors_last_12m",
    "active_authors_prev_12m": "authors_prev_12m",
    "releases_last_12m": "releases_last_12m",
    "shared_commits": "shared_commits",
}

#: The windows named `_12m`, `_24m` and `_3m` are fixed: their names say so.
YEAR_MONTHS = 12
TRAILING_PEAK_MONTHS = 24
LEVEL_MONTHS = 3


@dataclass(frozen=True)
class Rule:
    """One stage rule: its condition as text (thresholds filled in), test, and reason template."""

    name: str
    stage: str
    condition: str
    holds: Callable[[dict[str, Any]], bool]
    reason: str


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return "n/a"
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m")
    return str(value)


def _ge(value: float, threshold: float) -> bool:
    return bool(not pd.isna(value) and value >= threshold)


def _le(value: float, threshold: float) -> bool:
    return bool(not pd.isna(value) and value <= threshold)


def _not_more_authors(f: dict[str, Any]) -> bool:
    """No more authors in the last 12 months than in the 12 before (true when either is unknown)."""
    last, prev = f["authors_last_12m"], f["authors_prev_12m"]
    return bool(pd.isna(last) or pd.isna(prev) or last <= prev)


def _settings(config: dict[str, Any] | None) -> dict[str, Any]:
    c = config_section("lifecycle", config)
    if float(c["growth_ratio"]) <= 1.0 or float(c["decline_ratio"]) >= 1.0:
        raise ValueError("lifecycle: need growth_ratio > 1 > decline_ratio")
    if int(c["young_months"]) < int(c["min_history_months"]):
        raise ValueError("lifecycle: young_months must be >= min_history_months")
    return c


def build_rules(config: dict[str, Any] | None = None) -> list[Rule]:
    """The ordered stage rules with thresholds from the `lifecycle` config section."""
    c = _settings(config)
    dormant, young = int(c["dormant_months"]), int(c["young_months"])
    grow, decline, hype = (
        float(c["growth_ratio"]),
        float(c["decline_ratio"]),
        float(c["hype_ratio"]),
    )
    trough, peak_months = float(c["trough_level"]), int(c["peak_recent_months"])
    history = int(c["min_history_months"])
    numbers = (
        "last 12 months {commits_last_12m} commits against {commits_prev_12m} in the 12 "
        "before ({growth_ratio}x)"
    )
    return [
        Rule(
            "archived",
            "archived",
            "is_archived is true",
            lambda f: bool(f["is_archived"]),
            "The repository is archived on GitHub.",
        ),
        Rule(
            "shared_history",
            "insufficient history",
            "shared_commits > 0 and no commit of its own (every commit is counted for another "
            "repository)",
            lambda f: _ge(f["shared_commits"], 1) and f["commits_total"] == 0,
            "Every one of the {shared_commits} commits of its history is also in another "
            "repository's history and is counted there, so it has no activity of its own.",
        ),
        Rule(
            "unobserved",
            "insufficient history",
            "months_unobserved > 0 (the history was observed only until before the analysis date)",
            lambda f: f["months_unobserved"] > 0,
            "The history was observed only until {months_unobserved} month(s) before the "
            "analysis date, so its recent activity is unknown.",
        ),
        Rule(
            "no_history",
            "insufficient history",
            "months_observed == 0 (no activity history up to the analysis date)",
            lambda f: f["months_observed"] == 0,
            "No activity history up to the analysis date (no git history was loaded, or the "
            "repository did not exist yet), so the stage is unknown.",
        ),
        Rule(
            "too_short",
            "insufficient history",
            f"months_observed < {history}",
            lambda f: f["months_observed"] < history,
            f"Only {{months_observed}} month(s) of activity up to the analysis date "
            f"(at least {history} needed).",
        ),
        Rule(
            "dormant",
            "dormant",
            f"months_since_activity >= {dormant} (no commit in the last {dormant} months)",
            lambda f: f["months_since_activity"] >= dormant,
            "No commit in the last {months_since_activity} months.",
        ),
        Rule(
            "declining",
            "trough of disillusionment",
            f"growth_ratio <= {decline} and level_to_peak_24m <= {trough} and "
            "authors_last_12m <= authors_prev_12m",
            lambda f: (
                _le(f["growth_ratio"], decline)
                and _le(f["level_to_peak_24m"], trough)
                and _not_more_authors(f)
            ),
            f"A decline over a year: {numbers}; the last 3 months average {{level_3m}} "
            "commits a month, {level_to_peak_24m} of the 24-month peak of {peak_24m} "
            "({peak_24m_month}); authors {authors_last_12m} against {authors_prev_12m} "
            f"(rules: ratio <= {decline}, level <= {trough} of the peak, no more authors).",
        ),
        Rule(
            "young",
            "technology trigger",
            f"months_observed < {young} (and not in a year-on-year decline)",
            lambda f: f["months_observed"] < young,
            f"Young ({{months_observed}} months, under {young}) and not in a decline: "
            f"{numbers}; {{authors_last_12m}} authors in the last 12 months.",
        ),
        Rule(
            "run_up",
            "peak of inflated expectations",
            f"growth_ratio >= {hype} and months_since_peak_24m <= {peak_months}",
            lambda f: _ge(f["growth_ratio"], hype) and _le(f["months_since_peak_24m"], peak_months),
            f"A run-up: {numbers}, with the 24-month peak {{months_since_peak_24m}} month(s) "
            f"ago; {{authors_last_12m}} authors (rules: ratio >= {hype}, peak within "
            f"{peak_months} months).",
        ),
        Rule(
            "growing",
            "slope of enlightenment",
            f"growth_ratio >= {grow} (established and growing)",
            lambda f: _ge(f["growth_ratio"], grow),
            f"Established ({{months_observed}} months) and growing: {numbers}; "
            f"{{authors_last_12m}} authors, {{releases_last_12m}} releases (rule: ratio >= {grow}).",
        ),
        Rule(
            "steady",
            "plateau of productivity",
            f"otherwise: months_observed >= {young}, growth_ratio < {grow}, not in a decline",
            lambda f: True,
            f"Established ({{months_observed}} months) and steady: {numbers}; the last 3 "
            "months are {level_to_peak_24m} of the 24-month peak; {authors_last_12m} authors, "
            "{releases_last_12m} releases.",
        ),
    ]


def _months_since_activity(values: np.ndarray) -> int:
    """Complete months after the last month with any activity (all of them when none had)."""
    active = np.flatnonzero(values > 0)
    return int(len(values) - 1 - active[-1]) if len(active) else len(values)


def _growth_ratio(features: Mapping[str, Any]) -> float:
    """Year on year: (commits in the last 12 months + 1) / (commits in the 12 before + 1)."""
    return (features["commits_last_12m"] + 1.0) / (features["commits_prev_12m"] + 1.0)


def _trailing_mean(values: np.ndarray, months: int) -> np.ndarray:
    """Each month's mean with the `months` - 1 before it (fewer at the start of the series):
    pandas' `rolling(months, min_periods=1).mean()`, the same numbers for whole counts, without
    a Series per repository."""
    padded = np.concatenate([np.zeros(months - 1), values])
    sums = np.lib.stride_tricks.sliding_window_view(padded, months).sum(axis=1)
    return sums / np.minimum(np.arange(1, len(values) + 1), months)


def series_features(series: pd.Series) -> dict[str, Any]:
    """The trajectory features of one repository's monthly commit series (FEATURE_COLUMNS that
    come from commits; the context columns are NaN here and filled by the caller).

    Windows end at the series' last month: `_12m` the last 12 months, `_prev_12m` the 12 before
    (months before the first count as 0), `level_3m` the mean of the last 3, `peak_24m` the
    highest 3-month trailing mean within the last 24 months (its latest occurrence), so no
    feature reads a month after the last.
    """
    values = series.to_numpy(dtype=float)
    n = len(values)
    year = YEAR_MONTHS
    features: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS, np.nan)
    last = float(values[-year:].sum()) if n else 0.0
    prev = float(values[-2 * year : -year].sum()) if n > year else 0.0
    features.update(
        months_observed=n,
        first_month=series.index[0] if n else pd.NaT,
        peak_24m_month=pd.NaT,
        commits_last_12m=last,
        commits_prev_12m=prev,
        months_since_activity=_months_since_activity(values),
        commits_total=float(values.sum()),
    )
    if n == 0:
        return features
    features["growth_ratio"] = _growth_ratio(features)
    smoothed = _trailing_mean(values, LEVEL_MONTHS)
    window = smoothed[-TRAILING_PEAK_MONTHS:]
    peak_offset = len(window) - 1 - int(np.argmax(window[::-1]))  # latest occurrence of the max
    peak = float(window[peak_offset])
    level = float(values[-LEVEL_MONTHS:].mean())
    last_year = values[-year:]
    features.update(
        level_3m=level,
        peak_24m=peak,
        peak_24m_month=series.index[n - len(window) + peak_offset],
        months_since_peak_24m=len(window) - 1 - peak_offset,
        active_months_last_12m=int((last_year > 0).sum()),
    )
    if peak > 0:
        features["level_to_peak_24m"] = level / peak
    if last_year.mean() > 0:
        features["cv_last_12m"] = float(last_year.std() / last_year.mean())
    return features


@functools.cache
def _fields(template: str) -> tuple[str, ...]:
    """The names a reason template reads (each repository formats only those)."""
    return tuple(
        dict.fromkeys(
            re.match(r"\w*", name).group(0)
            for _, name, _, _ in string.Formatter().parse(template)
            if name is not None
        )
    )


def classify(features: dict[str, Any], rules: list[Rule]) -> tuple[str, str, str]:
    """The first rule that holds: (stage, rule name, reason with the feature values filled in)."""
    for rule in rules:
        if rule.holds(features):
            reason = rule.reason.format(**{k: _fmt(features[k]) for k in _fields(rule.reason)})
            return rule.stage, rule.name, reason
    raise AssertionError("the last stage rule must always hold")


def _clip01(value: float) -> float:
    return float(min(max(value, 0.0), 1.0)) if not pd.isna(value) else np.nan


def stage_position(stage: str, features: Mapping[str, Any], config: dict[str, Any]) -> float:
    """Where a repository sits within its stage, 0 (entering it) to 1 (about to leave it), so the
    cycle can be drawn with tools placed along it; NaN for archived and insufficient history.
    The measure per stage is `POSITION_RULES` (ml_stage_rules.position_rule)."""
    c = config_section("lifecycle", config)
    young, trough = float(c["young_months"]), float(c["trough_level"])
    grow, hype = float(c["growth_ratio"]), float(c["hype_ratio"])
    if stage == "technology trigger":
        return _clip01(features["months_observed"] / young)
    if stage == "peak of inflated expectations":
        return _clip01(features["months_since_peak_24m"] / float(c["peak_recent_months"]))
    if stage == "trough of disillusionment":
        return _clip01((trough - features["level_to_peak_24m"]) / trough)
    if stage == "slope of enlightenment":
        return _clip01((features["growth_ratio"] - grow) / (hype - grow))
    if stage == "plateau of productivity":
        return _clip01((features["months_observed"] - young) / float(c["plateau_span_months"]))
    if stage == "dormant":
        dormant = float(c["dormant_months"])
        return _clip01((features["months_since_activity"] - dormant) / dormant)
    return np.nan


def position_rules(config: dict[str, Any] | None = None) -> dict[str, str]:
    """How `stage_position` is measured in each stage, as text with the thresholds filled in."""
    c = _settings(config)
    return {
        "technology trigger": f"months_observed / {c['young_months']} (0 new, 1 about to be "
        "established)",
        "peak of inflated expectations": f"months_since_peak_24m / {c['peak_recent_months']} "
        "(0 at the top, 1 about to tip over)",
        "trough of disillusionment": f"({c['trough_level']} - level_to_peak_24m) / "
        f"{c['trough_level']} (0 entering, 1 at the bottom)",
        "slope of enlightenment": f"(growth_ratio - {c['growth_ratio']}) / ({c['hype_ratio']} - "
        f"{c['growth_ratio']}) (0 barely growing, 1 near a run-up)",
        "plateau of productivity": f"(months_observed - {c['young_months']}) / "
        f"{c['plateau_span_months']} (0 newly established, 1 long established)",
        "dormant": f"(months_since_activity - {c['dormant_months']}) / {c['dormant_months']} "
        "(0 just gone quiet, 1 quiet for twice as long)",
    }


def _months_unobserved(until: pd.Timestamp | None, as_of: pd.Timestamp | str) -> int:
    """Complete months between the end of a repository's observation and the analysis date."""
    if until is None or pd.isna(until):
        return 0
    gap = last_complete_month(as_of).to_period("M") - last_complete_month(until).to_period("M")
    return max(gap.n, 0)


def _context(repositories: pd.DataFrame | None) -> dict[Any, dict[str, Any]]:
    if repositories is None:
        return {}
    present = {k: v for k, v in CONTEXT_COLUMNS.items() if k in repositories.columns}
    frame = repositories.set_index("repository_id")[list(present)].rename(columns=present)
    return frame.to_dict(orient="index")


OUTPUT_COLUMNS = [
    "repository_id",
    "stage",
    "stage_rule",
    "stage_reason",
    "stage_position",
    *FEATURE_COLUMNS,
]


def lifecycle_stages(
    activity_monthly: pd.DataFrame,
    as_of: pd.Timestamp | str,
    config: dict[str, Any] | None = None,
    repositories: pd.DataFrame | None = None,
    observed_until: Mapping[Any, pd.Timestamp] | None = None,
) -> pd.DataFrame:
    """The stage of every repository as of `as_of` (the stage columns of `ml_maturity`).

    `activity_monthly` (`repository_id`, `month`, and the lifecycle `activity_column`) gives the
    monthly commits; only months complete at `as_of` (and at the repository's `observed_until`,
    when given: later silence is unknown, not inactivity) are read. `repositories` (optional,
    `repository_id` plus any of CONTEXT_COLUMNS' keys) lists repositories that get a row even
    without monthly activity and gives what the commit series does not: `is_archived`, active
    authors in the last and previous 12 months, releases in the last 12, and `shared_commits`.
    Commits in the last and previous 12 months given there (fct_repository_signals' windows,
    which end at as_of itself) replace the series' sums over complete months, so the year-on-year
    ratio is the one the repository's signals show. Columns: OUTPUT_COLUMNS.
    """
    config = load_ml_config() if config is None else config  # read the file once, not per repo
    c = config_section("lifecycle", config)
    rules = build_rules(config)
    observed_until = observed_until or {}
    series = monthly_series(
        activity_monthly, pd.Timestamp(as_of), c["activity_column"], observed_until
    )
    context = _context(repositories)
    empty = pd.Series(dtype=float)
    series = {**dict.fromkeys(context, empty), **series}
    rows = []
    for repository_id in sorted(series, key=str):
        features = series_features(series[repository_id])
        given = context.get(repository_id, {})
        for column in CONTEXT_COLUMNS.values():
            if column in given and not pd.isna(given[column]):
                features[column] = given[column]
        archived = features["is_archived"]
        features["is_archived"] = False if pd.isna(archived) else bool(archived)
        if features["months_observed"]:
            features["growth_ratio"] = _growth_ratio(features)
        features["months_unobserved"] = _months_unobserved(observed_until.get(repository_id), as_of)
        stage, rule, reason = classify(features, rules)
        rows.append(
            {
                "repository_id": repository_id,
                "stage": stage,
                "stage_rule": rule,
                "stage_reason": reason,
                "stage_position": stage_position(stage, features, config),
                **{k: features[k] for k in FEATURE_COLUMNS},
            }
        )
    out = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    for column in ("months_observed", "months_unobserved"):
        out[column] = out[column].astype("int64")
    out["is_archived"] = out["is_archived"].astype(bool)
    for column in ("first_month", "peak_24m_month"):
        out[column] = pd.to_datetime(out[column])
    numeric = [c for c in FEATURE_COLUMNS if c not in ("first_month", "peak_24m_month")]
    numeric = [
        c for c in numeric if c not in ("months_observed", "months_unobserved", "is_archived")
    ]
    out[numeric] = out[numeric].astype(float)
    return out


def stage_rules(config: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rules for the report (`ml_stage_rules`), in the order tried.

    Columns: `rule_order` (1 = tried first; not `order`, an SQL keyword), `stage_rule` (the name
    ml_maturity.stage_rule holds), `stage`, `condition` (with the configured thresholds),
    `position_rule` (how ml_maturity.stage_position is measured in that stage; NULL off the
    cycle's measured stages).
    """
    rules = build_rules(config)
    positions = position_rules(config)
    return pd.DataFrame(
        {
            "rule_order": range(1, len(rules) + 1),
            "stage_rule": [r.name for r in rules],
            "stage": [r.stage for r in rules],
            "condition": [r.condition for r in rules],
            "position_rule": [positions.get(r.stage) for r in rules],
        }
    )
