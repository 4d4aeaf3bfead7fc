"""Where each repository sits on the study's maturity cycle, by documented rules.

The study's cycle (technology trigger, peak of inflated expectations, trough of disillusionment,
slope of enlightenment, plateau of productivity) is read from a repository's monthly activity up
to `as_of`, plus three states outside the cycle: `archived`, `insufficient history` and `dormant`.
Features are computed on a trailing rolling mean (no look-ahead), then the rules below are tried
in order and the first that holds names the stage; `stage_reason` repeats the rule with the
feature values that fired it, so every stage can be checked by hand from the stored columns.
"""

from __future__ import annotations

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

FEATURE_COLUMNS = (
    "months_observed",
    "first_month",
    "peak_month",
    "months_since_peak",
    "peak_position",
    "peak_height",
    "current_level",
    "current_to_peak",
    "trough_to_peak",
    "recovered_share",
    "trend_slope",
    "cv_last_12m",
    "activity_last_12m",
    "activity_prev_12m",
    "growth_ratio",
    "months_since_activity",
    "is_archived",
    "months_unobserved",
)

#: The `_12m` features (and `growth_ratio`, last 12 months over the 12 before) read fixed
#: 12-month windows: their names say so, and no setting changes them.
YEAR_MONTHS = 12


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
        return "n/a" if np.isnan(value) else f"{value:.2f}"
    return str(value)


def _ge(value: float, threshold: float) -> bool:
    return bool(not np.isnan(value) and value >= threshold)


def _le(value: float, threshold: float) -> bool:
    return bool(not np.isnan(value) and value <= threshold)


def build_rules(config: dict[str, Any] | None = None) -> list[Rule]:
    """The ordered stage rules with thresholds from the `lifecycle` config section."""
    c = config_section("lifecycle", config)
    dormant, trend = c["dormant_months"], c["trend_months"]
    return [
        Rule(
            "archived",
            "archived",
            "is_archived is true",
            lambda f: bool(f["is_archived"]),
            "The repository is archived on GitHub.",
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
            f"months_observed < {c['min_history_months']}",
            lambda f: f["months_observed"] < c["min_history_months"],
            f"Only {{months_observed}} month(s) of activity up to the analysis date "
            f"(at least {c['min_history_months']} needed).",
        ),
        Rule(
            "dormant",
            "dormant",
            f"months_since_activity >= {dormant} (no activity in the last {dormant} months)",
            lambda f: f["months_since_activity"] >= dormant,
            f"No activity in the last {dormant} months.",
        ),
        Rule(
            "rising",
            "technology trigger",
            f"months_since_peak <= {c['near_peak_months']} and trend_slope >= {c['rising_slope']}",
            lambda f: (
                f["months_since_peak"] <= c["near_peak_months"]
                and _ge(f["trend_slope"], c["rising_slope"])
            ),
            "Activity is at its all-time high (peak {months_since_peak} month(s) ago) and still "
            f"rising by {{trend_slope}} of the peak per month over the last {trend} months "
            f"(rule: >= {c['rising_slope']}).",
        ),
        Rule(
            "recent_peak",
            "peak of inflated expectations",
            f"months_since_peak <= {c['peak_recent_months']} and current_to_peak >= "
            f"{c['near_peak_ratio']} and growth_ratio >= {c['hype_growth_ratio']}",
            lambda f: (
                f["months_since_peak"] <= c["peak_recent_months"]
                and _ge(f["current_to_peak"], c["near_peak_ratio"])
                and _ge(f["growth_ratio"], c["hype_growth_ratio"])
            ),
            "Activity peaked {months_since_peak} month(s) ago after a run-up (last 12 months "
            "{growth_ratio}x the previous 12) and is still at {current_to_peak} of the peak "
            f"(rules: peak <= {c['peak_recent_months']} months ago, growth >= "
            f"{c['hype_growth_ratio']}x, level >= {c['near_peak_ratio']}).",
        ),
        Rule(
            "recovering",
            "slope of enlightenment",
            f"trough_to_peak <= {c['trough_ratio']} and recovered_share >= {c['recovery_share']} "
            f"and trend_slope >= {c['recovery_slope']}",
            lambda f: (
                _le(f["trough_to_peak"], c["trough_ratio"])
                and _ge(f["recovered_share"], c["recovery_share"])
                and _ge(f["trend_slope"], c["recovery_slope"])
            ),
            "After the peak, activity fell to {trough_to_peak} of it, has regained "
            "{recovered_share} of the fall and is rising by {trend_slope} of the peak per month "
            f"(rules: trough <= {c['trough_ratio']}, regained >= {c['recovery_share']}, "
            f"trend >= {c['recovery_slope']}).",
        ),
        Rule(
            "fallen",
            "trough of disillusionment",
            f"current_to_peak <= {c['trough_ratio']}",
            lambda f: _le(f["current_to_peak"], c["trough_ratio"]),
            "Activity is at {current_to_peak} of its peak of {peak_height} per month "
            "({months_since_peak} months ago) and not recovering "
            f"(rule: level <= {c['trough_ratio']}).",
        ),
        Rule(
            "steady",
            "plateau of productivity",
            f"current_to_peak > {c['trough_ratio']} and cv_last_12m <= {c['plateau_max_cv']}",
            lambda f: _le(f["cv_last_12m"], c["plateau_max_cv"]),
            "Activity holds at {current_to_peak} of its peak with a coefficient of variation of "
            f"{{cv_last_12m}} over the last 12 months (rule: <= {c['plateau_max_cv']}) and no "
            "recent run-up.",
        ),
        Rule(
            "erratic_falling",
            "trough of disillusionment",
            "otherwise, when trend_slope < 0",
            lambda f: _le(f["trend_slope"], -1e-12),
            "Activity is erratic (coefficient of variation {cv_last_12m} over the last 12 "
            "months) and falling by {trend_slope} of the peak per month.",
        ),
        Rule(
            "erratic_holding",
            "slope of enlightenment",
            "otherwise (erratic, not falling)",
            lambda f: True,
            "Activity is erratic (coefficient of variation {cv_last_12m} over the last 12 "
            "months) but not falling (trend {trend_slope} of the peak per month) and holds "
            "{current_to_peak} of its peak.",
        ),
    ]


def series_features(
    series: pd.Series, is_archived: bool, config: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The named features of one repository's monthly series (see FEATURE_COLUMNS).

    Levels are read from a trailing rolling mean, so no month sees later months. `trend_slope` and
    `peak_height`-relative measures are shares of the peak, comparable across repository sizes.
    """
    c = config_section("lifecycle", config)
    year = YEAR_MONTHS
    values = series.to_numpy(dtype=float)
    n = len(values)
    features: dict[str, Any] = dict.fromkeys(FEATURE_COLUMNS, np.nan)
    features.update(
        months_observed=n,
        first_month=series.index[0] if n else pd.NaT,
        peak_month=pd.NaT,
        is_archived=bool(is_archived),
        activity_last_12m=float(values[-year:].sum()) if n else 0.0,
        activity_prev_12m=float(values[-2 * year : -year].sum()) if n > year else 0.0,
        months_since_activity=_months_since_activity(values),
    )
    if n == 0:
        return features
    features["growth_ratio"] = (features["activity_last_12m"] + 1.0) / (
        features["activity_prev_12m"] + 1.0
    )
    smoothed = pd.Series(values).rolling(int(c["smoothing_months"]), min_periods=1).mean()
    smoothed = smoothed.to_numpy()
    peak_index = int(np.argmax(smoothed))
    peak = float(smoothed[peak_index])
    current = float(smoothed[-1])
    trough = float(smoothed[peak_index:].min())
    last_year = values[-year:]
    features.update(
        peak_month=series.index[peak_index],
        months_since_peak=n - 1 - peak_index,
        peak_position=peak_index / (n - 1) if n > 1 else 1.0,
        peak_height=peak,
        current_level=current,
    )
    if peak > 0:
        features["current_to_peak"] = current / peak
        features["trough_to_peak"] = trough / peak
        features["recovered_share"] = (current - trough) / (peak - trough) if peak > trough else 0.0
        tail = smoothed[-int(c["trend_months"]) :]
        if len(tail) >= 2:
            slope = np.polyfit(np.arange(len(tail), dtype=float), tail, 1)[0]
            features["trend_slope"] = float(slope) / peak
    if last_year.mean() > 0:
        features["cv_last_12m"] = float(last_year.std() / last_year.mean())
    return features


def _months_since_activity(values: np.ndarray) -> int:
    """Complete months after the last month with any activity (all of them when none had)."""
    active = np.flatnonzero(values > 0)
    return int(len(values) - 1 - active[-1]) if len(active) else len(values)


def classify(features: dict[str, Any], rules: list[Rule]) -> tuple[str, str, str]:
    """The first rule that holds: (stage, rule name, reason with the feature values filled in)."""
    for rule in rules:
        if rule.holds(features):
            reason = rule.reason.format(**{k: _fmt(v) for k, v in features.items()})
            return rule.stage, rule.name, reason
    raise AssertionError("the last stage rule must always hold")


def _archived_flags(activity_monthly: pd.DataFrame) -> dict[int, bool]:
    if "is_archived" not in activity_monthly.columns:
        return {}
    flags = activity_monthly.groupby("repository_id")["is_archived"].agg(
        lambda s: bool(s.fillna(False).astype(bool).any())
    )
    return flags.to_dict()


def _months_unobserved(until: pd.Timestamp | None, as_of: pd.Timestamp | str) -> int:
    """Complete months between the end of a repository's observation and the analysis date."""
    if until is None or pd.isna(until):
        return 0
    gap = last_complete_month(as_of).to_period("M") - last_complete_month(until).to_period("M")
    return max(gap.n, 0)


def lifecycle_stages(
    activity_monthly: pd.DataFrame,
    as_of: pd.Timestamp | str,
    config: dict[str, Any] | None = None,
    repositories: pd.DataFrame | None = None,
    observed_until: Mapping[Any, pd.Timestamp] | None = None,
) -> pd.DataFrame:
    """The stage of every repository in `activity_monthly` as of `as_of` (the `ml_lifecycle` table).

    Only months up to the month of `as_of` are used. `is_archived` is read from an optional
    column of `activity_monthly` (the signals' flag, repeated per row). `repositories`
    (optional: `repository_id`, `is_archived`) lists repositories that get a row even without
    any monthly activity: the same rules applied to an empty series (archived, else
    insufficient history). `observed_until` (optional, repository_id -> time) is when a
    repository's history was last observed: months after it are unknown, not silent, and a
    history that ends before the analysis date gives `insufficient history` (rule `unobserved`). Columns: `repository_id`, `stage`, `stage_rule`, `stage_reason`, then
    FEATURE_COLUMNS.
    """
    config = load_ml_config() if config is None else config  # read the file once, not per repo
    c = config_section("lifecycle", config)
    rules = build_rules(config)
    observed_until = observed_until or {}
    series = monthly_series(
        activity_monthly, pd.Timestamp(as_of), c["activity_column"], observed_until
    )
    archived = _archived_flags(activity_monthly)
    if repositories is not None:
        listed = _archived_flags(repositories)
        archived = {**listed, **archived}
        empty = pd.Series(dtype=float)
        without = [r for r in repositories["repository_id"] if r not in series]
        series = {**series, **dict.fromkeys(without, empty)}
    rows = []
    for repository_id, values in series.items():
        features = series_features(values, archived.get(repository_id, False), config)
        features["months_unobserved"] = _months_unobserved(observed_until.get(repository_id), as_of)
        stage, rule, reason = classify(features, rules)
        rows.append(
            {
                "repository_id": repository_id,
                "stage": stage,
                "stage_rule": rule,
                "stage_reason": reason,
                **features,
            }
        )
    columns = ["repository_id", "stage", "stage_rule", "stage_reason", *FEATURE_COLUMNS]
    out = pd.DataFrame(rows, columns=columns)
    out["months_observed"] = out["months_observed"].astype("int64")
    out["months_since_peak"] = out["months_since_peak"].astype("Int64")
    return out


def stage_rules(config: dict[str, Any] | None = None) -> pd.DataFrame:
    """The rules for the report (`ml_stage_rules`), in the order tried.

    Columns: `rule_order` (1 = tried first; not `order`, an SQL keyword), `stage_rule` (the name
    ml_maturity.stage_rule holds), `stage`, `condition` (with the configured thresholds).
    """
    rules = build_rules(config)
    return pd.DataFrame(
        {
            "rule_order": range(1, len(rules) + 1),
            "stage_rule": [r.name for r in rules],
            "stage": [r.stage for r in rules],
            "condition": [r.condition for r in rules],
        }
    )
