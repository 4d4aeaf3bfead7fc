"""The back-test's figures from the panel (the `ml_backtest_summary` table).

Row types:
- `auc`: one predictor against one outcome, at one origin or pooled over all, over all
  repositories or only those active at the origin (a commit in the 12 months before it): ROC
  AUC with a cluster-bootstrap interval, n, positives, negatives, and the difference from the
  baseline (months since the last commit) on the rows both predict, with a paired interval.
- `stage`: the outcome rate of each stage, with a Wilson interval.
- `calibration`: the learned model's predicted probability in bins against the observed rate.
- `origin`: per origin and outcome, how many repositories were scored, censored (per reason)
  or gone.
Every figure travels with the definitions (horizon, outcome window, interval level) and as_of.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ml.backtest.metrics import (
    auc_with_interval,
    cluster_weights,
    difference_interval,
    wilson_interval,
)
from ml.backtest.outcomes import CENSOR_REASONS
from ml.backtest.panel import OUTCOMES, PREDICTORS
from ml.config import config_section

POOLED = "pooled"
POPULATIONS = {
    "all": lambda panel: pd.Series(True, index=panel.index),
    "active": lambda panel: panel["commits_last_12m"].fillna(0) > 0,
}

#: The counts of `origin` rows.
COUNT_COLUMNS = [
    "repositories",
    "censored",
    "no_history",
    "shared_history",
    "history_short",
    "gone",
]

TEXT_COLUMNS = [
    "summary_id",
    "row_type",
    "outcome",
    "origin_label",
    "population",
    "predictor",
    "stage",
    "baseline_predictor",
]

SUMMARY_COLUMNS = [
    "summary_id",
    "row_type",
    "outcome",
    "origin_label",
    "origin",
    "population",
    "predictor",
    "stage",
    "bin",
    "roc_auc",
    "auc_low",
    "auc_high",
    "n",
    "positives",
    "negatives",
    "outcome_rate",
    "rate_low",
    "rate_high",
    "mean_predicted",
    "baseline_predictor",
    "baseline_auc",
    "auc_difference",
    "difference_low",
    "difference_high",
    *COUNT_COLUMNS,
]


def _origin_groups(panel: pd.DataFrame) -> list[tuple[str, pd.Timestamp | None, pd.Series]]:
    groups = [(POOLED, None, pd.Series(True, index=panel.index))]
    for origin in sorted(panel["origin"].unique()):
        origin = pd.Timestamp(origin)
        groups.append((origin.strftime("%Y-%m-%d"), origin, panel["origin"] == origin))
    return groups


def _predictor_values(panel: pd.DataFrame, predictor: str, outcome: str) -> pd.Series:
    column, direction = PREDICTORS[predictor]
    return pd.to_numeric(panel[column.format(outcome=outcome)], errors="coerce") * direction


def _auc_rows(
    panel: pd.DataFrame, outcome: str, settings: dict[str, Any], seed_offset: int
) -> list[dict]:
    level = float(settings["interval_level"])
    baseline = str(settings["baseline_predictor"])
    rows = []
    for label, origin, in_origin in _origin_groups(panel):
        for population, select in POPULATIONS.items():
            rows_in = panel[in_origin & select(panel) & panel[outcome].notna()]
            if rows_in.empty:
                continue
            rng = np.random.default_rng([int(settings["seed"]), seed_offset])
            weights = cluster_weights(
                rows_in["repository_id"].astype(str).to_numpy(),
                int(settings["bootstrap_samples"]),
                rng,
            )
            labels = rows_in[outcome].astype(int).to_numpy()
            base_values = _predictor_values(rows_in, baseline, outcome).to_numpy()
            baseline_on: dict[bytes, tuple] = {}  # the baseline's AUC on a set of rows, once
            for predictor in PREDICTORS:
                values = _predictor_values(rows_in, predictor, outcome).to_numpy()
                defined = np.isfinite(values)
                result, draws = auc_with_interval(
                    values[defined], labels[defined], weights[:, defined], level
                )
                row = {
                    "row_type": "auc",
                    "outcome": outcome,
                    "origin_label": label,
                    "origin": origin,
                    "population": population,
                    "predictor": predictor,
                    "roc_auc": result.auc,
                    "auc_low": result.low,
                    "auc_high": result.high,
                    "n": result.n,
                    "positives": result.positives,
                    "negatives": result.negatives,
                    "baseline_predictor": baseline,
                }
                both = defined & np.isfinite(base_values)
                if both.any():
                    mine, mine_draws = (
                        (result, draws)
                        if np.array_equal(both, defined)
                        else auc_with_interval(values[both], labels[both], weights[:, both], level)
                    )
                    key = both.tobytes()
                    if key not in baseline_on:
                        baseline_on[key] = auc_with_interval(
                            base_values[both], labels[both], weights[:, both], level
                        )
                    base, base_draws = baseline_on[key]
                    low, high = difference_interval(mine_draws, base_draws, level)
                    row.update(
                        baseline_auc=base.auc,
                        auc_difference=mine.auc - base.auc,
                        difference_low=low,
                        difference_high=high,
                    )
                rows.append(row)
    return rows


def _rate(group: pd.DataFrame, outcome: str, level: float) -> dict[str, Any]:
    """n, positives, negatives, the outcome rate and its Wilson interval of `group`."""
    n, positives = len(group), int(group[outcome].astype(int).sum())
    low, high = wilson_interval(positives, n, level)
    return {
        "n": n,
        "positives": positives,
        "negatives": n - positives,
        "outcome_rate": positives / n if n else np.nan,
        "rate_low": low,
        "rate_high": high,
    }


def _stage_rows(panel: pd.DataFrame, outcome: str, level: float) -> list[dict]:
    rows = []
    for label, origin, in_origin in _origin_groups(panel):
        known = panel[in_origin & panel[outcome].notna()]
        for stage, group in known.groupby("stage"):
            rows.append(
                {
                    "row_type": "stage",
                    "outcome": outcome,
                    "origin_label": label,
                    "origin": origin,
                    "population": "all",
                    "stage": stage,
                    **_rate(group, outcome, level),
                }
            )
    return rows


def _calibration_rows(panel: pd.DataFrame, outcome: str, bins: int, level: float) -> list[dict]:
    column = PREDICTORS["learned_model"][0].format(outcome=outcome)
    known = panel[panel[outcome].notna() & panel[column].notna()]
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(known[column], edges[1:-1]), 0, bins - 1)
    rows = []
    for b in range(bins):
        group = known[which == b]
        rows.append(
            {
                "row_type": "calibration",
                "outcome": outcome,
                "origin_label": POOLED,
                "population": "all",
                "predictor": "learned_model",
                "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                **_rate(group, outcome, level),
                "mean_predicted": float(group[column].mean()) if len(group) else np.nan,
            }
        )
    return rows


def _origin_rows(panel: pd.DataFrame, outcome: str) -> list[dict]:
    rows = []
    for label, origin, in_origin in _origin_groups(panel):
        at = panel[in_origin]
        reasons = at["censor_reason"]
        scored = at[at[outcome].notna()]
        rows.append(
            {
                "row_type": "origin",
                "outcome": outcome,
                "origin_label": label,
                "origin": origin,
                "population": "all",
                "repositories": len(at),
                "n": len(scored),
                "positives": int(scored[outcome].astype(int).sum()),
                "negatives": int((scored[outcome].astype(int) == 0).sum()),
                "censored": int(at["is_censored"].sum()),
                "no_history": int((reasons == CENSOR_REASONS[0]).sum()),
                "shared_history": int((reasons == CENSOR_REASONS[1]).sum()),
                "history_short": int(reasons.isin(CENSOR_REASONS[2:]).sum()),
                "gone": int(at["is_gone"].sum()),
            }
        )
    return rows


def outcome_rows(
    outcome: str, panel: pd.DataFrame, config: dict[str, Any] | None = None
) -> list[dict]:
    """The back-test's rows for one outcome (its AUCs, stage rates, calibration, origins): each
    outcome's are computed on their own, so a build computes the two side by side."""
    if outcome not in OUTCOMES:
        raise ValueError(f"back-test outcome {outcome!r} is not one of {list(OUTCOMES)}")
    settings = config_section("backtest", config)
    level = float(settings["interval_level"])
    offset = OUTCOMES.index(outcome)  # each outcome's bootstrap draws are seeded apart
    return [
        *_auc_rows(panel, outcome, settings, offset),
        *_stage_rows(panel, outcome, level),
        *_calibration_rows(panel, outcome, int(settings["calibration_bins"]), level),
        *_origin_rows(panel, outcome),
    ]


def _one_after_another(
    function: Callable[..., list[dict]], items: Sequence[str], *args: Any
) -> list[list[dict]]:
    return [function(item, *args) for item in items]


def backtest_summary(
    panel: pd.DataFrame,
    config: dict[str, Any] | None = None,
    map_outcomes: Callable[..., list[list[dict]]] = _one_after_another,
) -> pd.DataFrame:
    """Every figure of the back-test from `panel` (ml_backtest_panel); SUMMARY_COLUMNS.
    `map_outcomes(outcome_rows, OUTCOMES, panel, config)` gives each outcome's rows, in order:
    one after another by default; the build passes ml.own_process.map_in_own_processes."""
    rows = [row for part in map_outcomes(outcome_rows, OUTCOMES, panel, config) for row in part]
    out = pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS)
    keys = out[["row_type", "outcome", "origin_label", "population"]].astype(str)
    detail = out["predictor"].fillna(out["stage"]).fillna("").astype(str)
    detail = detail + np.where(out["bin"].notna(), ":" + out["bin"].astype(str), "")
    out["summary_id"] = (
        keys["row_type"]
        + ":"
        + keys["outcome"]
        + ":"
        + keys["origin_label"]
        + ":"
        + keys["population"]
        + ":"
        + detail
    )
    for column in ("n", "positives", "negatives", *COUNT_COLUMNS):
        out[column] = out[column].astype("Int64")
    # Text even when every value is missing (no stage rows without activity data): an all-null
    # object column would reach the warehouse as a number and fail the reports' joins.
    for column in TEXT_COLUMNS:
        out[column] = out[column].astype("string")
    out["origin"] = pd.to_datetime(out["origin"])
    return out
