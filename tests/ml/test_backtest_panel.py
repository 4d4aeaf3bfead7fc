"""The back-test panel on synthetic histories whose outcomes are known by construction: origins,
features cut at each origin, outcomes strictly after it, censoring, disappearance, shared
histories, learned predictors that never see an outcome unknown at their origin."""

from __future__ import annotations

import itertools
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ml.backtest.learned import learned_predictions, stage_prior_rates
from ml.backtest.origins import backtest_origins, contributor_absence, git_signals_at
from ml.backtest.outcomes import outcomes_at
from ml.backtest.panel import PREDICTORS, BacktestInputs, backtest_panel, check_inputs
from ml.backtest.summary import backtest_summary, outcome_rows
from ml.config import load_ml_config
from ml.maturity.score import signals_from_config
from ml.own_process import map_in_own_processes

SHIPPED = load_ml_config()
# Fewer origins, draws and trees than shipped: the same code, quicker.
CONFIG = {
    **SHIPPED,
    "backtest": {
        **SHIPPED["backtest"],
        "first_origin": "2021-01-01",
        "bootstrap_samples": 200,
        "learned_model": {**SHIPPED["backtest"]["learned_model"], "n_estimators": 40},
    },
}
AS_OF = pd.Timestamp("2023-01-19 04:13:20")
ORIGIN = pd.Timestamp("2021-07-19 04:13:20")


def _monthly(repository_id: int, first: str, last: str, per_month: int, authors: int = 3):
    """`per_month` commits on the first day of every month from `first` to `last`."""
    rows = []
    for month in pd.date_range(first, last, freq="MS"):
        for i in range(per_month):
            rows.append((repository_id, month + pd.Timedelta(hours=i), f"a{i % authors}"))
    return rows


REPOSITORIES = pd.DataFrame(
    {
        "repository_id": [1, 2, 3, 4, 5, 6, 7, 8],
        "full_name": [
            "o/steady",
            "o/stopped",
            "o/stale",
            "o/nohistory",
            "o/shared",
            "o/gone",
            "o/young",
            "o/grower",
        ],
        "created_at": pd.to_datetime(
            [
                "2018-01-01",
                "2018-01-01",
                "2019-01-01",
                "2019-01-01",
                "2019-01-01",
                "2018-06-01",
                "2022-03-01",
                "2019-01-01",
            ]
        ),
        "has_git_history": [True, True, True, False, True, True, True, True],
        "git_observed_until": pd.to_datetime(
            [
                "2025-01-01",
                "2025-01-01",
                "2021-09-30",
                None,
                "2025-01-01",
                "2022-01-10",
                "2025-01-01",
                "2025-01-01",
            ]
        ),
    }
)


def _commits() -> pd.DataFrame:
    rows = (
        _monthly(1, "2018-01-01", "2024-06-01", 10, authors=5)
        + _monthly(2, "2018-01-01", "2021-06-01", 10)
        + _monthly(3, "2019-01-01", "2021-09-01", 4)
        + _monthly(5, "2019-01-01", "2024-06-01", 6)
        + _monthly(6, "2018-06-01", "2021-12-01", 8)
        + _monthly(7, "2022-03-01", "2024-06-01", 5)
        + _monthly(8, "2019-01-01", "2021-12-01", 2)
        + _monthly(8, "2022-01-01", "2024-06-01", 20, authors=8)
    )
    frame = pd.DataFrame(rows, columns=["repository_id", "committed_at", "author_id"])
    frame["is_counted"] = frame["repository_id"] != 5  # 5's history is counted elsewhere
    return frame


def _inputs(commits: pd.DataFrame | None = None) -> BacktestInputs:
    commits = _commits() if commits is None else commits
    signals = git_signals_at(
        AS_OF,
        REPOSITORIES,
        commits,
        pd.DataFrame({"repository_id": [1], "published_at": [pd.Timestamp("2022-05-01")]}),
    )
    for s in signals_from_config(SHIPPED):
        if s.column not in signals:
            signals[s.column] = np.nan
    signals["stars"] = [500, 20, 5, 3, 40, 2, 60, 300]
    signals["forks"], signals["has_license"], signals["is_org_owned"] = 10, True, False
    signals["months_since_last_push"] = 1.0
    signals["is_archived"] = False
    seen = commits[(commits["committed_at"] <= AS_OF) & commits["is_counted"]]
    activity = (
        seen.assign(month=seen["committed_at"].dt.to_period("M").dt.to_timestamp())
        .groupby(["repository_id", "month"])
        .size()
        .rename("commits")
        .reset_index()
    )
    return BacktestInputs(
        as_of=AS_OF,
        repositories=REPOSITORIES,
        signals=signals,
        activity=activity,
        commits=commits,
        releases=pd.DataFrame({"repository_id": [1], "published_at": [pd.Timestamp("2022-05-01")]}),
        gone=pd.DataFrame({"repository_id": [6], "gone_at": [pd.Timestamp("2022-03-01")]}),
    )


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return backtest_panel(_inputs(), CONFIG)


def test_origins_run_back_from_as_of_in_steps() -> None:
    origins = backtest_origins(AS_OF, CONFIG)
    assert origins[-1] == AS_OF and origins[0] == pd.Timestamp("2021-01-19 04:13:20")
    assert len(origins) == 5
    assert all((b - a).days in (181, 184) for a, b in itertools.pairwise(origins))
    assert len(backtest_origins(AS_OF, SHIPPED)) == 8  # 2019-07-19 .. 2023-01-19


def test_outcomes_after_an_origin_by_construction() -> None:
    inputs = _inputs()
    counted = inputs.commits[inputs.commits["is_counted"]]
    shared = inputs.commits[~inputs.commits["is_counted"]].groupby("repository_id").size()
    repositories = REPOSITORIES.assign(shared_commits=REPOSITORIES["repository_id"].map(shared))
    out = outcomes_at(ORIGIN, repositories, counted, inputs.gone, CONFIG)
    out = out.set_index("repository_id")
    assert out.loc[1, ["maintained", "growing"]].tolist() == [1, 0]  # 120 after, 120 before
    assert out.loc[1, "commits_in_horizon"] == 120
    assert out.loc[2, ["maintained", "growing"]].tolist() == [0, 0]  # stopped in June 2021
    assert out.loc[8, ["maintained", "growing"]].tolist() == [1, 1]  # 2 a month, then 20
    assert out.loc[6, ["maintained", "growing"]].tolist() == [0, 0]  # disappeared: an outcome
    assert bool(out.loc[6, "is_gone"]) and not bool(out.loc[6, "is_censored"])
    reasons = out["censor_reason"].to_dict()
    assert reasons[3] == "history ends before the horizon"  # snapshot of September 2021
    assert reasons[4] == "no history" and reasons[5] == "shared history"
    assert out.loc[[3, 4, 5], "maintained"].isna().all()
    assert out["horizon_end"].iloc[0] == pd.Timestamp("2022-07-19 04:13:20")


def test_features_at_an_origin_by_hand() -> None:
    signals = git_signals_at(
        ORIGIN,
        REPOSITORIES,
        _commits(),
        pd.DataFrame({"repository_id": [1], "published_at": [pd.Timestamp("2021-05-01")]}),
    ).set_index("repository_id")
    # August 2020 .. July 2021 hold 12 first-of-month batches of 10 commits by five authors.
    assert signals.loc[1, "commits_last_12m"] == 120 and signals.loc[1, "commits_prev_12m"] == 120
    assert signals.loc[1, "active_authors_last_12m"] == 5
    assert signals.loc[1, "contributor_absence_factor"] == 3  # 5 authors x 24 commits each
    assert signals.loc[1, "releases_last_12m"] == 1
    # Last commit 2021-07-01 09:00, origin 2021-07-19: 18 calendar days.
    assert signals.loc[1, "months_since_last_commit"] == round(18 / 30.4375, 2)
    assert signals.loc[2, "commits_last_12m"] == 110  # Aug 2020 .. June 2021
    assert signals.loc[5, "commits_last_12m"] == 0 and signals.loc[5, "shared_commits"] == 186
    assert signals.loc[4, ["commits_last_12m", "months_since_last_commit"]].isna().all()
    assert np.isnan(signals.loc[7, "age_months"])  # not created yet
    assert signals.loc[1, "age_months"] == round(
        (ORIGIN.normalize() - pd.Timestamp("2018-01-01")).days / 30.4375, 2
    )


def test_contributor_absence() -> None:
    def factors(authors: dict[str, list[str]]) -> dict[str, int]:
        commits = pd.DataFrame(
            [(repo, author) for repo, names in authors.items() for author in names],
            columns=["repository_id", "author_id"],
        )
        return contributor_absence(commits).to_dict()

    assert factors({}) == {}
    assert factors(
        {"r1": ["a"] * 6 + ["b"] * 3 + ["c"] * 3, "r2": ["a", "b", "c", "d"], "r3": ["c", "b"]}
    ) == {"r1": 1, "r2": 2, "r3": 1}
    # half of the commits is enough: 3 of 6 by the first author
    assert factors({"r": ["a"] * 3 + ["b", "c", "d"]}) == {"r": 1}


def test_panel_rows_existing_repositories_at_each_origin(panel: pd.DataFrame) -> None:
    assert panel["panel_id"].is_unique
    per_origin = panel.groupby("origin")["repository_id"].apply(set)
    assert 7 not in per_origin.iloc[0] and 7 in per_origin.iloc[-1]  # created March 2022
    assert per_origin.iloc[-1] == set(REPOSITORIES["repository_id"])
    at_as_of = panel[panel["is_as_of_origin"]]
    assert at_as_of["origin"].eq(AS_OF).all()
    # Stars were observed at as_of only: unmeasured before it.
    assert panel.loc[~panel["is_as_of_origin"], "stars"].isna().all()
    assert at_as_of["stars"].notna().all()
    assert (panel.loc[~panel["is_as_of_origin"], "evidence_level"].isin(["git", "none"])).all()
    assert set(at_as_of["evidence_level"]) == {"search + git", "search"}


def test_shared_history_repository_has_no_stage_or_outcome(panel: pd.DataFrame) -> None:
    shared = panel[panel["repository_id"] == 5]
    assert shared["stage_rule"].eq("shared_history").all()
    assert shared["censor_reason"].eq("shared history").all()


@pytest.mark.parametrize("cut", range(5))
def test_nothing_after_an_origin_changes_what_is_known_at_it(cut: int) -> None:
    """Delete every commit after one origin: its rows' predictors stay as they were."""
    origin = backtest_origins(AS_OF, CONFIG)[cut]
    commits = _commits()
    before = backtest_panel(_inputs(commits), CONFIG)
    kept = commits[commits["committed_at"] <= origin]
    after = backtest_panel(_inputs(kept) if origin == AS_OF else _inputs_with(kept), CONFIG)
    predictors = [
        "maturity_score",
        "score_activity",
        "months_since_last_commit",
        "commits_last_12m",
        "stage",
        "growth_ratio",
        "learned_maintained",
        "learned_growing",
        "stage_prior_maintained",
        "stage_prior_growing",
    ]
    at = lambda frame: frame[frame["origin"] == origin].set_index("repository_id")[predictors]  # noqa: E731
    pd.testing.assert_frame_equal(at(before), at(after))


def _inputs_with(commits: pd.DataFrame) -> BacktestInputs:
    """Inputs whose commits were cut early, with as_of's signals and activity left as they were
    (the as_of origin is not under test here, only earlier ones)."""
    full = _inputs()
    return BacktestInputs(
        as_of=full.as_of,
        repositories=full.repositories,
        signals=full.signals,
        activity=full.activity,
        commits=commits,
        releases=full.releases,
        gone=full.gone,
    )


def _synthetic_panel(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    origins = pd.date_range("2019-07-01", periods=8, freq="6MS")
    rows = []
    for origin in origins:
        for r in range(60):
            activity = rng.exponential(50)
            rows.append(
                {
                    "repository_id": r,
                    "origin": origin,
                    "stage": rng.choice(["plateau of productivity", "dormant", "trough"]),
                    **{
                        f: rng.exponential(10)
                        for f in SHIPPED["backtest"]["learned_model"]["features"]
                    },
                    "commits_last_12m": activity,
                    "maintained": int(rng.random() < activity / (activity + 20)),
                    "growing": int(rng.random() < 0.4),
                }
            )
    frame = pd.DataFrame(rows)
    for outcome in ("maintained", "growing"):
        frame[outcome] = frame[outcome].astype("Int64")
    return frame


def test_learned_predictors_use_only_outcomes_known_at_their_origin() -> None:
    panel = _synthetic_panel(7)
    origins = sorted(panel["origin"].unique())
    model, stage = (
        learned_predictions(panel, "maintained", CONFIG),
        stage_prior_rates(panel, "maintained", SHIPPED),
    )
    # No horizon had ended by the first two origins (12 months, 6-month steps).
    first_two = panel["origin"].isin(origins[:2])
    assert model[first_two].isna().all() and stage[first_two].isna().all()
    assert model[~first_two].between(0, 1).all() and stage[~first_two].notna().all()
    target = origins[4]
    unknown_then = panel["origin"] + pd.DateOffset(months=12) > target
    flipped = panel.copy()
    flipped.loc[unknown_then, "maintained"] = 1 - flipped.loc[unknown_then, "maintained"]
    at = panel["origin"] == target
    pd.testing.assert_series_equal(
        learned_predictions(flipped, "maintained", CONFIG)[at], model[at]
    )
    pd.testing.assert_series_equal(stage_prior_rates(flipped, "maintained", CONFIG)[at], stage[at])
    # Flipping what was known does change them: the test is not vacuous.
    known = ~unknown_then
    flipped = panel.copy()
    flipped.loc[known, "maintained"] = 1 - flipped.loc[known, "maintained"]
    assert not learned_predictions(flipped, "maintained", CONFIG)[at].equals(model[at])


def test_refuses_inputs_from_the_future() -> None:
    inputs = _inputs()
    late = inputs.signals.copy()
    late.loc[0, "as_of"] = pd.Timestamp("2023-06-01")
    with pytest.raises(ValueError, match="differ from the back-test as_of"):
        check_inputs(BacktestInputs(**{**inputs.__dict__, "signals": late}))
    activity = pd.concat(
        [inputs.activity, inputs.activity.head(1).assign(month=pd.Timestamp("2023-03-01"))]
    )
    with pytest.raises(ValueError, match="activity has 1 rows after as_of"):
        check_inputs(BacktestInputs(**{**inputs.__dict__, "activity": activity}))


def test_inputs_pickle_with_their_ids_as_codes_and_unpickle_as_they_were() -> None:
    inputs = _inputs()
    many = pd.concat([inputs.commits] * 200, ignore_index=True)
    many = many.astype({"repository_id": str, "author_id": str})  # text, as the warehouse's
    many.loc[3, "author_id"] = None  # a column missing a value travels as it is
    sent = BacktestInputs(**{**inputs.__dict__, "commits": many})
    data = pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(data)
    assert isinstance(back, BacktestInputs)
    for name in ("repositories", "signals", "activity", "commits", "releases", "gone"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(sent, name))
    assert back.as_of == sent.as_of
    assert back.commits["repository_id"].dtype == object
    assert back.commits.loc[3, "author_id"] is None
    as_strings = pickle.dumps(many, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(data) < len(as_strings)  # the ids went as codes


def test_summary_figures_follow_the_panel(panel: pd.DataFrame) -> None:
    summary = backtest_summary(panel, CONFIG)
    # each outcome's rows computed in a process of its own (as the build does): the same
    # table, to the last bit
    side_by_side = backtest_summary(panel, CONFIG, map_in_own_processes)
    pd.testing.assert_frame_equal(side_by_side, summary)
    with pytest.raises(ValueError, match="not one of"):
        outcome_rows("thriving", panel, CONFIG)
    assert summary["summary_id"].is_unique
    assert set(summary["row_type"]) == {"auc", "stage", "calibration", "origin"}
    pooled = summary[
        (summary["row_type"] == "auc")
        & (summary["origin_label"] == "pooled")
        & (summary["population"] == "all")
        & (summary["outcome"] == "maintained")
    ].set_index("predictor")
    assert set(pooled.index) == set(PREDICTORS)
    known = panel[panel["maintained"].notna() & panel["months_since_last_commit"].notna()]
    expected = roc_auc_score(known["maintained"].astype(int), -known["months_since_last_commit"])
    recency = pooled.loc["months_since_last_commit"]
    assert recency["roc_auc"] == pytest.approx(expected)
    assert recency["n"] == len(known) and recency["auc_difference"] == 0
    origins = summary[(summary["row_type"] == "origin") & (summary["outcome"] == "maintained")]
    by_label = origins.set_index("origin_label")
    assert by_label.loc["pooled", "repositories"] == len(panel)
    assert by_label.loc["pooled", "gone"] == int(panel["is_gone"].sum())
    stages = summary[(summary["row_type"] == "stage") & (summary["origin_label"] == "pooled")]
    assert (stages["rate_low"] <= stages["outcome_rate"]).all()


def test_the_order_repositories_arrive_in_does_not_matter(panel: pd.DataFrame) -> None:
    """Engines return rows in any order; the learned predictions must not depend on it."""
    inputs = _inputs()
    shuffled = BacktestInputs(
        **{
            **inputs.__dict__,
            "repositories": inputs.repositories.sample(frac=1, random_state=3),
            "signals": inputs.signals.sample(frac=1, random_state=4),
        }
    )
    pd.testing.assert_frame_equal(backtest_panel(shuffled, CONFIG), panel)
