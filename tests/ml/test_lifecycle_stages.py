"""Lifecycle stages on synthetic histories whose stage is known by construction, and the rules'
invariants on many random histories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.lifecycle.stages import (
    CYCLE,
    STAGES,
    _fields,
    _trailing_mean,
    lifecycle_stages,
    stage_rules,
)

CONFIG = load_ml_config()
LIFE = CONFIG["lifecycle"]
AS_OF = pd.Timestamp("2023-01-18")  # the last complete month is December 2022


def _frame(repository_id: object, values: np.ndarray, *, end: str = "2022-12-01") -> pd.DataFrame:
    months = pd.date_range(end=end, periods=len(values), freq="MS")
    return pd.DataFrame({"repository_id": repository_id, "month": months, "commits": values})


def _stage(values: np.ndarray, **context) -> pd.Series:
    """The one row lifecycle_stages gives a single history (context: CONTEXT_COLUMNS keys)."""
    repositories = pd.DataFrame([{"repository_id": 1, **context}]) if context else None
    return lifecycle_stages(_frame(1, values), AS_OF, CONFIG, repositories=repositories).iloc[0]


RNG = np.random.default_rng(0)
FLAT = np.round(20 + RNG.normal(0, 2, 72))


def test_a_long_flat_history_is_on_the_plateau() -> None:
    out = _stage(FLAT, active_authors_last_12m=8, active_authors_prev_12m=8)
    assert (out["stage"], out["stage_rule"]) == ("plateau of productivity", "steady")
    assert 0.8 < out["growth_ratio"] < 1.2
    assert out["months_observed"] == 72
    # Position: 48 months past young_months over a span of plateau_span_months.
    assert out["stage_position"] == pytest.approx(48 / LIFE["plateau_span_months"])


@pytest.mark.parametrize("month", range(72))
def test_a_one_month_dip_anywhere_is_not_a_trough(month: int) -> None:
    dipped = FLAT.copy()
    dipped[month] = 0
    out = _stage(dipped)
    assert out["stage"] == "plateau of productivity", out["stage_reason"]


@pytest.mark.parametrize("phase", range(3))
def test_a_bursty_history_is_judged_by_its_year_not_its_last_gap(phase: int) -> None:
    # A burst of 60 commits every third month, nothing in between, for four years: the same
    # volume every year, so a plateau whichever month the analysis falls in.
    bursty = np.array([60.0 if (i + phase) % 3 == 0 else 0.0 for i in range(48)])
    out = _stage(bursty)
    assert out["stage"] == "plateau of productivity", out["stage_reason"]
    assert out["growth_ratio"] == pytest.approx(1.0)
    assert out["active_months_last_12m"] == 4


def test_a_young_fast_riser_is_a_technology_trigger() -> None:
    out = _stage(np.linspace(1, 40, 14), active_authors_last_12m=9, active_authors_prev_12m=1)
    assert (out["stage"], out["stage_rule"]) == ("technology trigger", "young")
    assert out["months_observed"] == 14 < LIFE["young_months"]
    assert out["stage_position"] == pytest.approx(14 / LIFE["young_months"])
    assert "Young (14 months" in out["stage_reason"] and "9 authors" in out["stage_reason"]


def test_a_decline_after_a_spike_is_the_trough() -> None:
    # Steady at 20 for two years, a three-month spike to 100, then a year at 6 a month.
    values = np.r_[np.full(24, 20.0), np.full(3, 100.0), np.full(3, 30.0), np.full(12, 6.0)]
    out = _stage(values, active_authors_last_12m=3, active_authors_prev_12m=11)
    assert (out["stage"], out["stage_rule"]) == ("trough of disillusionment", "declining")
    assert out["growth_ratio"] == pytest.approx((72 + 1) / (6 * 20 + 300 + 90 + 1))
    assert out["peak_24m"] == pytest.approx(100.0)
    assert out["level_to_peak_24m"] == pytest.approx(0.06)
    assert out["stage_position"] == pytest.approx((0.5 - 0.06) / 0.5)
    assert "authors 3 against 11" in out["stage_reason"]


def test_a_decline_with_more_authors_than_the_year_before_is_not_a_trough() -> None:
    values = np.r_[np.full(24, 20.0), np.full(3, 100.0), np.full(3, 30.0), np.full(12, 6.0)]
    out = _stage(values, active_authors_last_12m=12, active_authors_prev_12m=11)
    assert out["stage"] == "plateau of productivity"


def test_a_dead_history_is_dormant() -> None:
    out = _stage(np.r_[np.full(24, 10.0), np.zeros(14)])
    assert (out["stage"], out["stage_rule"]) == ("dormant", "dormant")
    assert out["months_since_activity"] == 14
    assert out["stage_position"] == pytest.approx((14 - 12) / 12)


def test_a_shared_history_has_no_stage_of_its_own() -> None:
    # All of its commits are counted for the repository it shares them with: nothing left.
    out = _stage(np.zeros(40), shared_commits=950)
    assert (out["stage"], out["stage_rule"]) == ("insufficient history", "shared_history")
    assert "950 commits" in out["stage_reason"]
    assert np.isnan(out["stage_position"])
    # With commits of its own it is judged on them like any repository.
    own = _stage(FLAT, shared_commits=950)
    assert own["stage"] == "plateau of productivity"


def test_an_established_run_up_is_the_peak_and_steady_growth_the_slope() -> None:
    run_up = np.r_[np.full(36, 5.0), np.linspace(8, 60, 9), [55.0, 50.0, 48.0]]
    out = _stage(run_up)
    assert (out["stage"], out["stage_rule"]) == ("peak of inflated expectations", "run_up")
    assert out["growth_ratio"] >= LIFE["hype_ratio"] and out["months_since_peak_24m"] <= 6
    slope = _stage(np.r_[np.full(36, 10.0), np.full(12, 14.0)])
    assert (slope["stage"], slope["stage_rule"]) == ("slope of enlightenment", "growing")
    assert slope["growth_ratio"] == pytest.approx(169 / 121)


def test_insufficient_histories_say_why() -> None:
    assert _stage(np.array([3.0, 5.0, 8.0]))["stage_rule"] == "too_short"
    archived = _stage(FLAT, is_archived=True)
    assert (archived["stage"], archived["stage_rule"]) == ("archived", "archived")
    # Observed until July 2022: the months after it are unknown, so no stage is claimed ...
    until = {1: pd.Timestamp("2022-07-29")}
    cut = lifecycle_stages(_frame(1, FLAT, end="2022-06-01"), AS_OF, CONFIG, observed_until=until)
    assert (cut.loc[0, "stage"], cut.loc[0, "stage_rule"]) == ("insufficient history", "unobserved")
    assert cut.loc[0, "months_unobserved"] == 6
    # ... while without the observation window the same rows read as six silent months.
    blind = lifecycle_stages(_frame(1, FLAT, end="2022-06-01"), AS_OF, CONFIG).iloc[0]
    assert blind["months_unobserved"] == 0 and blind["months_since_activity"] == 6


def test_months_after_as_of_and_the_month_in_progress_are_ignored() -> None:
    history = _frame(1, FLAT)
    later = _frame(1, np.full(14, 500.0), end="2024-01-01")  # from December 2022 on
    later = later[later["month"] > pd.Timestamp("2022-12-01")]
    before = lifecycle_stages(history, AS_OF, CONFIG)
    after = lifecycle_stages(pd.concat([history, later]), AS_OF, CONFIG)
    pd.testing.assert_frame_equal(before, after)


def test_listed_repositories_without_activity_still_get_a_stage() -> None:
    listed = pd.DataFrame({"repository_id": [1, 100, 101], "is_archived": [False, True, False]})
    out = lifecycle_stages(_frame(1, FLAT), AS_OF, CONFIG, repositories=listed)
    out = out.set_index("repository_id")
    assert out["stage"].to_dict() == {
        1: "plateau of productivity",
        100: "archived",
        101: "insufficient history",
    }
    assert out.loc[101, "stage_rule"] == "no_history"


def _random_history(rng: np.random.Generator) -> tuple[np.ndarray, dict]:
    """A random monthly history: a random walk of levels with spikes, gaps and dead spells."""
    n = int(rng.integers(1, 96))
    level = np.exp(np.cumsum(rng.normal(0, 0.35, n)) + rng.normal(2, 1))
    values = rng.poisson(level).astype(float)
    values[rng.random(n) < rng.uniform(0, 0.5)] = 0
    if rng.random() < 0.2:
        values[int(rng.integers(0, n)) :] = 0
    if rng.random() < 0.2:
        spike = int(rng.integers(0, n))
        values[spike : spike + 3] *= rng.uniform(3, 10)
    authors_prev = int(rng.integers(0, 30))
    context = {
        "active_authors_last_12m": int(rng.integers(0, 30)),
        "active_authors_prev_12m": authors_prev,
        "releases_last_12m": int(rng.integers(0, 6)),
    }
    return values, context


@pytest.fixture(scope="module")
def random_stages() -> pd.DataFrame:
    rng = np.random.default_rng(20230118)
    frames, contexts = [], []
    for i in range(600):
        values, context = _random_history(rng)
        frames.append(_frame(i, values))
        contexts.append({"repository_id": i, **context})
    return lifecycle_stages(
        pd.concat(frames, ignore_index=True), AS_OF, CONFIG, repositories=pd.DataFrame(contexts)
    )


def test_random_histories_reach_every_stage_but_archived(random_stages: pd.DataFrame) -> None:
    assert set(random_stages["stage"]) == set(STAGES) - {"archived"}


def test_invariant_growing_is_never_trough_dormant_or_past_a_peak(random_stages) -> None:
    growing = random_stages[
        (random_stages["growth_ratio"] >= 1.2) & (random_stages["authors_last_12m"] > 5)
    ]
    assert len(growing) > 50
    assert not growing["stage"].isin(["trough of disillusionment", "dormant"]).any()
    assert not growing["stage_reason"].str.match("A decline|No commit").any()


def test_invariant_young_is_never_plateau_and_triggers_are_young(random_stages) -> None:
    young = random_stages[random_stages["months_observed"] < 18]
    assert len(young) > 50 and not (young["stage"] == "plateau of productivity").any()
    triggers = random_stages[random_stages["stage"] == "technology trigger"]
    assert len(triggers) > 10 and (triggers["months_observed"] < LIFE["young_months"]).all()


def test_invariant_a_trough_is_a_real_decline(random_stages: pd.DataFrame) -> None:
    trough = random_stages[random_stages["stage"] == "trough of disillusionment"]
    assert len(trough) > 10
    assert (trough["growth_ratio"] <= LIFE["decline_ratio"]).all()
    assert (trough["level_to_peak_24m"] <= LIFE["trough_level"]).all()
    assert (trough["authors_last_12m"] <= trough["authors_prev_12m"]).all()


def test_invariant_positions_lie_in_the_unit_interval(random_stages: pd.DataFrame) -> None:
    placed = random_stages["stage"].isin([*CYCLE, "dormant"])
    positions = random_stages.loc[placed, "stage_position"]
    assert positions.between(0, 1).all()
    assert random_stages.loc[~placed, "stage_position"].isna().all()


def test_every_reason_is_fully_formatted(random_stages: pd.DataFrame) -> None:
    assert not random_stages["stage_reason"].str.contains(r"[{}]").any()
    # Every number a reason quotes is known when the context is given.
    assert not random_stages["stage_reason"].str.contains("n/a").any()


def test_rules_are_documented_and_follow_the_config() -> None:
    rules = stage_rules(CONFIG)
    assert rules["rule_order"].tolist() == list(range(1, len(rules) + 1))
    assert set(rules["stage"]) == set(STAGES)
    declining = rules.set_index("stage_rule").loc["declining"]
    assert declining["condition"].startswith(f"growth_ratio <= {LIFE['decline_ratio']}")
    assert rules.set_index("stage")["position_rule"].notna().groupby(level=0).all().to_dict() == {
        s: s in (*CYCLE, "dormant") for s in STAGES
    }
    stricter = {**CONFIG, "lifecycle": {**LIFE, "young_months": 80}}
    out = lifecycle_stages(_frame(1, FLAT), AS_OF, stricter).iloc[0]
    assert out["stage"] == "technology trigger"
    with pytest.raises(ValueError, match="growth_ratio > 1 > decline_ratio"):
        stage_rules({**CONFIG, "lifecycle": {**LIFE, "decline_ratio": 1.1}})


def test_deterministic_whatever_the_row_order() -> None:
    frames = pd.concat([_frame(i, np.roll(FLAT, i)) for i in range(5)], ignore_index=True)
    first = lifecycle_stages(frames, AS_OF, CONFIG)
    second = lifecycle_stages(frames.sample(frac=1.0, random_state=1), AS_OF, CONFIG)
    pd.testing.assert_frame_equal(first, second)


def test_given_commit_windows_set_the_year_on_year_ratio() -> None:
    # The signals' windows end at as_of itself; given, they replace the complete months' sums,
    # so the ratio a stage reads is the one the repository's signals show.
    out = _stage(np.full(48, 20.0), commits_last_12m=300, commits_prev_12m=100)
    assert out["growth_ratio"] == pytest.approx(301 / 101)
    assert (out["commits_last_12m"], out["commits_prev_12m"]) == (300, 100)
    assert out["stage_rule"] == "run_up"  # the level is flat, so its peak is this month
    assert "300 commits against 100" in out["stage_reason"]


def test_timestamps_of_every_kind_become_naive_utc() -> None:
    """Strings, zone-aware and naive timestamps compare as the same naive UTC instants, and a
    column already naive is returned with its values and unit as they were."""
    from ml.lifecycle.series import naive_utc_series

    expected = pd.Series(pd.to_datetime(["2022-12-31 23:30:00", "2023-01-01 01:00:00"]))
    aware = pd.Series(pd.to_datetime(["2023-01-01 00:30:00+01:00", "2023-01-01 02:00:00+01:00"]))
    strings = pd.Series(["2022-12-31T23:30:00Z", "2023-01-01T01:00:00Z"])
    for column in (aware, strings, expected.dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo")):
        assert naive_utc_series(column).tolist() == expected.tolist()
        assert naive_utc_series(column).dt.tz is None
    naive = expected.astype("datetime64[us]")
    assert naive_utc_series(naive).dtype == naive.dtype
    assert naive_utc_series(naive).equals(naive)


def test_the_trailing_level_is_pandas_rolling_mean_for_whole_counts() -> None:
    # series_features reads the three-month level without a pandas Series per repository; on
    # commit counts (whole numbers) it must give pandas' numbers exactly, short series included
    rng = np.random.default_rng(7)
    for length in [1, 2, 3, 4, 17, 60]:
        for _ in range(20):
            values = rng.poisson(rng.choice([0.2, 3.0, 80.0]), length).astype(float)
            expected = pd.Series(values).rolling(3, min_periods=1).mean().to_numpy()
            assert np.array_equal(_trailing_mean(values, 3), expected)


def test_a_stage_reason_formats_the_names_its_template_reads() -> None:
    template = "{months_observed} months; {level_to_peak_24m} of the peak, {months_observed} again"
    assert _fields(template) == ("months_observed", "level_to_peak_24m")
    assert _fields("no values") == ()
