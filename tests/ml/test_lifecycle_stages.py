"""Lifecycle stages on synthetic activity whose stage is known by construction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.lifecycle.stages import STAGES, lifecycle_stages, stage_rules

CONFIG = load_ml_config()
AS_OF = pd.Timestamp("2023-01-18")


def _frame(repository_id: int, values: np.ndarray, *, end: str = "2022-12-01", archived=False):
    months = pd.date_range(end=end, periods=len(values), freq="MS")
    return pd.DataFrame(
        {
            "repository_id": repository_id,
            "month": months,
            "commits": np.round(values),
            "is_archived": archived,
        }
    )


def _curves() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    flat = 20 + rng.normal(0, 3, 48)
    return {
        "technology trigger": np.linspace(1, 40, 24),
        "peak of inflated expectations": np.concatenate([np.linspace(2, 40, 26), [38, 36, 33, 30]]),
        "trough of disillusionment": np.concatenate(
            [np.linspace(2, 40, 12), np.linspace(40, 4, 8), np.full(16, 3.0)]
        ),
        "slope of enlightenment": np.concatenate(
            [np.linspace(2, 40, 12), np.linspace(40, 4, 8), np.full(8, 4.0), np.linspace(6, 20, 8)]
        ),
        "plateau of productivity": flat,
        "dormant": np.concatenate([np.full(20, 10.0), np.zeros(14)]),
        "insufficient history": np.array([3.0, 5.0, 8.0, 9.0]),
        "archived": flat,
    }


def _activity() -> tuple[pd.DataFrame, dict[int, str]]:
    frames, expected = [], {}
    for repository_id, (stage, values) in enumerate(_curves().items(), start=1):
        frames.append(_frame(repository_id, values, archived=stage == "archived"))
        expected[repository_id] = stage
    return pd.concat(frames, ignore_index=True), expected


def test_every_constructed_curve_gets_its_stage() -> None:
    activity, expected = _activity()
    out = lifecycle_stages(activity, AS_OF, CONFIG).set_index("repository_id")
    assert out["stage"].to_dict() == expected
    assert set(out["stage"]) == set(STAGES)


def test_reason_names_the_values_that_fired() -> None:
    activity, _ = _activity()
    out = lifecycle_stages(activity, AS_OF, CONFIG).set_index("repository_id")
    trough = out.loc[3]
    # Smoothed peak (38+40+... trailing mean of 3) is 39.0; the floor of 3 is 0.08 of it.
    assert trough["peak_height"] == pytest.approx(39.0)
    assert trough["current_to_peak"] == pytest.approx(3 / 39)
    assert "0.08 of its peak of 39.00" in trough["stage_reason"]
    assert out.loc[7, "stage_reason"].startswith("Only 4 month(s)")
    assert out.loc[7, "months_observed"] == 4


def test_months_after_as_of_are_ignored() -> None:
    activity, expected = _activity()
    # A strong recovery after the analysis date must not change the trough's stage or features.
    later = _frame(3, np.full(12, 60.0), end="2024-01-01")
    later = later[later["month"] > AS_OF]
    before = lifecycle_stages(activity, AS_OF, CONFIG)
    after = lifecycle_stages(pd.concat([activity, later]), AS_OF, CONFIG)
    pd.testing.assert_frame_equal(before, after)
    assert after.set_index("repository_id").loc[3, "stage"] == expected[3]


def test_silence_after_the_last_observed_month_counts_up_to_as_of() -> None:
    # Active for two years, last row 13 complete months before as_of: dormant, not a plateau.
    activity = _frame(1, np.full(24, 15.0), end="2021-11-01")
    out = lifecycle_stages(activity, AS_OF, CONFIG).iloc[0]
    assert out["stage"] == "dormant"
    assert out["months_observed"] == 24 + 13  # Dec 2021 .. Dec 2022; January is not over
    assert out["activity_last_12m"] == 0


def test_the_month_in_progress_is_left_out() -> None:
    # A steady plateau whose as_of month has only a few commits so far: not read as a fall.
    steady = _frame(1, 20 + np.random.default_rng(3).normal(0, 2, 36))
    partial = pd.DataFrame(
        {
            "repository_id": [1],
            "month": [pd.Timestamp("2023-01-01")],
            "commits": [2.0],
            "is_archived": [False],
        }
    )
    out = lifecycle_stages(pd.concat([steady, partial]), AS_OF, CONFIG).iloc[0]
    assert out["stage"] == "plateau of productivity"
    assert out["months_observed"] == 36
    assert out["activity_last_12m"] == pytest.approx(steady["commits"].tail(12).sum())


def test_history_observed_only_until_before_as_of_is_not_read_as_silence() -> None:
    # Observed until July 2022: the months after it are unknown, so no stage is claimed ...
    activity = _frame(1, np.linspace(5, 60, 30), end="2022-06-01")
    until = {1: pd.Timestamp("2022-07-29")}
    out = lifecycle_stages(activity, AS_OF, CONFIG, observed_until=until).iloc[0]
    assert (out["stage"], out["stage_rule"]) == ("insufficient history", "unobserved")
    assert out["months_unobserved"] == 6  # June 2022 is the last complete month; Dec is as_of's
    assert out["months_observed"] == 30  # features describe the observed months only
    assert "6 month(s) before the analysis date" in out["stage_reason"]
    # ... while without the observation window the same rows read as a collapse.
    blind = lifecycle_stages(activity, AS_OF, CONFIG).iloc[0]
    assert blind["stage"] == "trough of disillusionment"
    assert blind["months_unobserved"] == 0


def test_repository_not_yet_created_at_as_of_has_insufficient_history() -> None:
    activity = _frame(1, np.full(10, 5.0), end="2024-01-01")
    out = lifecycle_stages(activity, AS_OF, CONFIG).iloc[0]
    assert (out["stage"], out["stage_rule"]) == ("insufficient history", "no_history")
    assert out["months_observed"] == 0


def test_tz_aware_months_work_like_naive_ones() -> None:
    activity, expected = _activity()
    aware = activity.assign(month=activity["month"].dt.tz_localize("UTC"))
    out = lifecycle_stages(aware, AS_OF.tz_localize("UTC"), CONFIG).set_index("repository_id")
    assert out["stage"].to_dict() == expected


def test_thresholds_come_from_config() -> None:
    activity, _ = _activity()
    stricter = {**CONFIG, "lifecycle": {**CONFIG["lifecycle"], "min_history_months": 40}}
    out = lifecycle_stages(activity, AS_OF, stricter).set_index("repository_id")
    # Only the 48-month curves (plateau, archived) keep a stage other than insufficient history.
    assert out.loc[5, "stage"] == "plateau of productivity"
    assert (out.drop(index=[5, 8])["stage"] == "insufficient history").all()


def test_deterministic_and_rules_documented() -> None:
    activity, _ = _activity()
    first = lifecycle_stages(activity, AS_OF, CONFIG)
    second = lifecycle_stages(activity.sample(frac=1.0, random_state=1), AS_OF, CONFIG)
    pd.testing.assert_frame_equal(first, second)
    rules = stage_rules(CONFIG)
    assert rules["rule_order"].tolist() == list(range(1, len(rules) + 1))
    assert set(rules["stage"]) == set(STAGES)
    assert (
        rules.loc[rules["stage_rule"] == "fallen", "condition"].item() == "current_to_peak <= 0.4"
    )


def test_every_reason_is_fully_formatted() -> None:
    activity, _ = _activity()
    reasons = lifecycle_stages(activity, AS_OF, CONFIG)["stage_reason"]
    assert not reasons.str.contains(r"[{}]").any()
    assert not reasons.str.contains("n/a").any()


def test_listed_repositories_without_activity_still_get_a_stage() -> None:
    activity, expected = _activity()
    listed = pd.DataFrame(
        {
            "repository_id": [*expected, 100, 101],
            "is_archived": [False] * len(expected) + [True, False],
        }
    )
    out = lifecycle_stages(activity, AS_OF, CONFIG, repositories=listed).set_index("repository_id")
    assert out["stage"].to_dict() == {**expected, 100: "archived", 101: "insufficient history"}
    assert out.loc[[100, 101], "months_observed"].tolist() == [0, 0]
    assert out.loc[100, "is_archived"] and not out.loc[101, "is_archived"]
