"""Back-test: outcomes with censoring, AUC on constructed cases, refusal of leaked inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.backtest.survival import evaluate, outcome_window, outcomes, run_backtest
from ml.config import load_ml_config
from ml.maturity.score import signals_from_config

CONFIG = load_ml_config()
AS_OF = pd.Timestamp("2022-01-15")
WINDOW_START, HORIZON_END = pd.Timestamp("2022-07-15"), pd.Timestamp("2023-01-15")


def _commits(rows: list[tuple[int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "repository_id": [r for r, _ in rows],
            "committed_at": pd.to_datetime([t for _, t in rows]).tz_localize("UTC"),
        }
    )


def _histories(rows: dict[int, str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "repository_id": list(rows),
            "observed_until": pd.to_datetime(list(rows.values())).tz_localize("UTC"),
        }
    )


def test_window_follows_config() -> None:
    assert outcome_window(AS_OF, CONFIG) == (WINDOW_START, HORIZON_END)
    shorter = {**CONFIG, "backtest": {"horizon_months": 6, "outcome_window_months": 3}}
    assert outcome_window(AS_OF, shorter) == (
        pd.Timestamp("2022-04-15"),
        pd.Timestamp("2022-07-15"),
    )


def test_outcomes_censor_short_histories_and_missing_ones() -> None:
    commits = _commits(
        [
            (1, "2022-09-01"),  # in the window -> maintained
            (2, "2022-03-01"),  # after as_of but before the window -> not maintained
            (3, "2023-01-15"),  # at the horizon end, outside [start, end) -> not maintained
            (4, "2022-08-01"),  # in the window, but history ends early -> censored
        ]
    )
    histories = _histories(
        {1: "2024-01-01", 2: "2024-01-01", 3: "2023-06-01", 4: "2022-12-31", 6: "2023-01-15"}
    )
    out = outcomes([1, 2, 3, 4, 5, 6], commits, histories, AS_OF, CONFIG).set_index("repository_id")
    assert out["outcome"].tolist()[:3] == [1, 0, 0]
    assert out.loc[4, "outcome"] is pd.NA and bool(out.loc[4, "is_censored"])
    assert out.loc[4, "censor_reason"] == "observed until 2022-12-31, before horizon end 2023-01-15"
    assert out.loc[5, "censor_reason"] == "no history" and bool(out.loc[5, "is_censored"])
    # Observed exactly to the horizon end with no commit: a real negative, not censored.
    assert out.loc[6, "outcome"] == 0 and not out.loc[6, "is_censored"]
    assert out["commits_in_window"].tolist()[:4] == [1, 0, 0, 1]


def test_auc_on_a_constructed_case() -> None:
    per_repository = pd.DataFrame(
        {
            "repository_id": [1, 2, 3, 4, 5],
            # Positives score 0.9 and 0.4, negatives 0.5 and 0.1: 3 of 4 pairs ordered -> 0.75.
            "maturity_score": [0.9, 0.4, 0.5, 0.1, 0.8],
            # Stars rank negatives above positives: AUC 0.
            "stars": [1, 2, 30, 40, 1000],
            "stage": ["plateau of productivity", "dormant", "dormant", "dormant", None],
            "outcome": pd.array([1, 1, 0, 0, pd.NA], dtype="Int64"),
            "is_censored": [False, False, False, False, True],
            "censor_reason": [None, None, None, None, "no history"],
            "commits_in_window": pd.array([3, 1, 0, 0, pd.NA], dtype="Int64"),
        }
    )
    summary, by_stage = evaluate(per_repository)
    summary = summary.set_index("predictor")
    assert summary.loc["maturity_score", "roc_auc"] == pytest.approx(0.75)
    assert summary.loc["stars", "roc_auc"] == pytest.approx(0.0)
    assert summary.loc["maturity_score", ["n", "positives", "negatives"]].tolist() == [4, 2, 2]
    assert summary.loc["stars", "no_history"] == 1 and summary.loc["stars", "censored"] == 0
    dormant = by_stage.set_index("stage").loc["dormant"]
    assert dormant["n"] == 3 and dormant["outcome_rate"] == pytest.approx(1 / 3)


def test_auc_is_null_with_a_single_class() -> None:
    per_repository = pd.DataFrame(
        {
            "repository_id": [1, 2],
            "maturity_score": [0.2, 0.3],
            "stars": [1, 2],
            "stage": ["dormant", "dormant"],
            "outcome": pd.array([1, 1], dtype="Int64"),
            "is_censored": [False, False],
            "censor_reason": [None, None],
            "commits_in_window": pd.array([1, 2], dtype="Int64"),
        }
    )
    summary, _ = evaluate(per_repository)
    assert summary["roc_auc"].isna().all() and summary["positives"].tolist() == [2, 2]


def _scenario() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Eight repositories: the four active ones keep committing, the four idle ones stop.

    Stars are inverted (idle repositories are the famous ones) so the naive baseline fails.
    Repository 9 has no git history and 10 a clone that ends before the horizon.
    """
    ids = list(range(1, 11))
    active = {1, 2, 3, 4, 10}
    signals = pd.DataFrame({"repository_id": ids, "as_of": AS_OF.tz_localize("UTC")})
    for s in signals_from_config(CONFIG):
        signals[s.column] = np.nan
    signals["commits_last_12m"] = [200 + 10 * i if i in active else i for i in ids]
    signals["months_since_last_commit"] = [0 if i in active else 10 for i in ids]
    signals["stars"] = [10 * i if i in active else 10_000 + i for i in ids]
    months = pd.date_range(end="2021-12-01", periods=24, freq="MS")  # last month complete at AS_OF
    activity = pd.concat(
        [
            pd.DataFrame(
                {
                    "repository_id": i,
                    "month": months,
                    "commits": np.full(24, 20.0)
                    if i in active
                    else np.r_[np.full(12, 5.0), np.zeros(12)],
                    "is_archived": False,
                }
            )
            for i in ids
        ],
        ignore_index=True,
    )
    later = [(i, "2022-10-01") for i in active] + [(i, "2021-06-01") for i in ids]
    commits = _commits(later)
    histories = _histories({i: "2023-03-01" for i in range(1, 9)} | {10: "2022-09-01"})
    return signals, activity, commits, histories


def test_end_to_end_backtest() -> None:
    signals, activity, commits, histories = _scenario()
    result = run_backtest(signals, activity, commits, histories, AS_OF, CONFIG)
    summary = result.summary.set_index("predictor")
    assert summary.loc["maturity_score", "roc_auc"] == 1.0
    assert summary.loc["stars", "roc_auc"] == 0.0
    assert summary.loc["maturity_score", ["n", "positives", "negatives"]].tolist() == [8, 4, 4]
    assert summary.loc["maturity_score", ["censored", "no_history"]].tolist() == [1, 1]
    per = result.per_repository.set_index("repository_id")
    assert per.loc[5, "stage"] == "dormant" and per.loc[1, "stage"] == "plateau of productivity"
    assert per.loc[10, "outcome"] is pd.NA
    rates = result.by_stage.set_index("stage")["outcome_rate"].to_dict()
    assert rates == {"dormant": 0.0, "plateau of productivity": 1.0}


def test_refuses_signals_from_another_date() -> None:
    signals, activity, commits, histories = _scenario()
    signals.loc[3, "as_of"] = pd.Timestamp("2022-06-01", tz="UTC")
    with pytest.raises(ValueError, match="differ from the back-test as_of"):
        run_backtest(signals, activity, commits, histories, AS_OF, CONFIG)
    with pytest.raises(ValueError, match="'as_of'"):
        run_backtest(signals.drop(columns="as_of"), activity, commits, histories, AS_OF, CONFIG)


def test_refuses_activity_after_as_of() -> None:
    signals, activity, commits, histories = _scenario()
    leaked = activity.head(1).assign(month=pd.Timestamp("2022-02-01"))
    with pytest.raises(ValueError, match="after as_of"):
        run_backtest(signals, pd.concat([activity, leaked]), commits, histories, AS_OF, CONFIG)


def test_backtest_is_deterministic() -> None:
    signals, activity, commits, histories = _scenario()
    first = run_backtest(signals, activity, commits, histories, AS_OF, CONFIG)
    second = run_backtest(
        signals.sample(frac=1.0, random_state=5), activity, commits, histories, AS_OF, CONFIG
    )
    for a, b in zip(first, second, strict=True):
        pd.testing.assert_frame_equal(a, b)
