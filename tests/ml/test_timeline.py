"""Stage and score at several dates (ml/timeline/snapshots.py, the ml_timeline table): the
back-test's own state at each date, scored on the signals every date can measure."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ml.backtest.panel import backtest_panel
from ml.timeline.snapshots import comparable_signals, stage_timeline, timeline_dates
from tests.ml.test_backtest_panel import AS_OF, CONFIG, _commits, _inputs, _inputs_with

TIMELINE_CONFIG = {**CONFIG, "timeline": {**CONFIG["timeline"], "first_date": "2020-01-01"}}


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return stage_timeline(_inputs(), TIMELINE_CONFIG)


def test_dates_step_back_from_as_of() -> None:
    dates = timeline_dates(AS_OF, TIMELINE_CONFIG)
    step = TIMELINE_CONFIG["timeline"]["step_months"]
    assert dates[-1] == AS_OF
    assert all(b - pd.DateOffset(months=step) == a for a, b in itertools.pairwise(dates))
    assert dates[0] >= pd.Timestamp("2020-01-01") > dates[0] - pd.DateOffset(months=step)


def test_each_date_holds_the_repositories_then_existing(timeline: pd.DataFrame) -> None:
    assert timeline["timeline_id"].is_unique
    per_date = timeline.groupby("snapshot_at")["repository_id"].apply(set)
    assert list(per_date.index) == timeline_dates(AS_OF, TIMELINE_CONFIG)
    assert 7 not in per_date.iloc[0] and 7 in per_date.iloc[-1]  # created March 2022
    assert timeline.loc[timeline["is_as_of"], "snapshot_at"].eq(AS_OF).all()
    # Only the git history is scored, at every date, the as-of date included.
    assert set(timeline["evidence_level"]) <= {"git", "none"}


def test_stages_are_the_back_tests_at_the_same_instant(timeline: pd.DataFrame) -> None:
    panel = backtest_panel(_inputs(), CONFIG)
    common = sorted(set(panel["origin"]) & set(timeline["snapshot_at"]))
    assert AS_OF in common
    for date in common:
        ours = timeline[timeline["snapshot_at"] == date].set_index("repository_id")["stage"]
        theirs = panel[panel["origin"] == date].set_index("repository_id")["stage"]
        pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_names=False)


def test_search_signals_do_not_move_the_score() -> None:
    inputs = _inputs()
    louder = _inputs()
    louder.signals["stars"] = louder.signals["stars"] * 100
    louder.signals["is_org_owned"] = True
    a = stage_timeline(inputs, TIMELINE_CONFIG)
    b = stage_timeline(louder, TIMELINE_CONFIG)
    pd.testing.assert_frame_equal(a, b)
    masked = comparable_signals(inputs.signals, TIMELINE_CONFIG)
    assert masked["stars"].isna().all() and masked["commits_last_12m"].notna().any()


def test_nothing_after_a_date_changes_its_row(timeline: pd.DataFrame) -> None:
    date = timeline_dates(AS_OF, TIMELINE_CONFIG)[1]
    commits = _commits()
    after = stage_timeline(_inputs_with(commits[commits["committed_at"] <= date]), TIMELINE_CONFIG)
    at = lambda frame: (  # noqa: E731
        frame[frame["snapshot_at"] == date].drop(columns=["is_as_of"]).reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(at(timeline), at(after))


def test_the_warehouse_timeline_at_as_of_is_ml_maturitys_stage(mirror_warehouse: Path) -> None:
    with duckdb.connect(str(mirror_warehouse), read_only=True) as con:
        differ, rows, dates = con.execute(
            """
            select
                count(*) filter (where t.stage is distinct from m.stage),
                count(*),
                (select count(distinct snapshot_at) from ml.ml_timeline)
            from ml.ml_timeline as t
            inner join ml.ml_maturity as m using (repository_id)
            where t.is_as_of
            """
        ).fetchone()
        (maturity,) = con.execute("select count(*) from ml.ml_maturity").fetchone()
    assert rows == maturity and differ == 0
    assert dates >= 2
