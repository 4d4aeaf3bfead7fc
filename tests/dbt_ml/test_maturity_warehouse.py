"""Maturity, stages and the back-test in the real warehouse (zimmerman-2023 archive plus the git
mirror, built once by the `mirror_warehouse` fixture and only read here).

Every expectation is recomputed along another path through the same data (raw commits, the
functions the tables come from, SQL over the intermediate tables), never typed in.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from ml.backtest.origins import GIT_SIGNAL_COLUMNS, git_signals_at
from ml.config import load_ml_config

CONFIG = load_ml_config()
LIFE = CONFIG["lifecycle"]


@pytest.fixture(scope="module")
def con(mirror_warehouse: Path):
    connection = duckdb.connect(str(mirror_warehouse), read_only=True)
    yield connection
    connection.close()


def _df(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def test_every_loaded_history_is_used_and_a_shared_commit_counts_once(con) -> None:
    ok, linked = con.execute(
        """
        select
            (select count(*) from staging.stg_git__histories where is_complete),
            (select count(*) from marts.dim_repositories where has_git_history)
        """
    ).fetchone()
    assert ok == linked > 300
    counted, distinct, shared = con.execute(
        """
        select
            count(*) filter (where is_counted),
            count(distinct commit_sha),
            count(*) filter (where other_holders > 0 and not is_counted)
        from intermediate.int_commits_attributed
        """
    ).fetchone()
    raw_distinct = con.execute(
        """
        select count(distinct c.sha)
        from raw_git.commits as c
        inner join marts.dim_repositories as d on c.repository = d.git_repository
        where d.has_git_history
        """
    ).fetchone()[0]
    assert counted == distinct == raw_distinct
    assert shared > 0  # the mirror holds shared histories, so the rule is exercised
    # A repository whose every commit is another's has no stage of its own.
    entirely = _df(
        con,
        """
        select m.full_name, m.stage, m.stage_rule
        from ml.ml_maturity as m
        inner join marts.fct_repository_signals as s using (repository_id)
        inner join marts.dim_repositories as d using (repository_id)
        where s.shared_commits > 0 and d.commits_total is null
        """,
    )
    assert len(entirely) >= 1
    assert entirely["stage_rule"].eq("shared_history").all()


def test_git_signals_recomputed_at_as_of_equal_the_mart(con) -> None:
    """The back-test recomputes signals at earlier origins; at as_of it must give the mart."""
    repositories = _df(con, "select * from marts.dim_repositories")
    commits = _df(
        con,
        "select repository_id, committed_at, author_id, is_counted"
        " from intermediate.int_commits_attributed",
    )
    releases = _df(con, "select repository_id, published_at from marts.fct_releases")
    signals = _df(con, "select * from marts.fct_repository_signals").set_index("repository_id")
    as_of = signals["as_of"].iloc[0]
    ours = git_signals_at(as_of, repositories, commits, releases).set_index("repository_id")
    theirs = signals.loc[ours.index]
    for column in ("age_months", *GIT_SIGNAL_COLUMNS):
        pd.testing.assert_series_equal(
            ours[column].astype(float), theirs[column].astype(float), check_names=False, obj=column
        )


def test_the_panels_as_of_origin_is_ml_maturity(con) -> None:
    panel = _df(con, "select * from ml.ml_backtest_panel where is_as_of_origin")
    maturity = _df(con, "select * from ml.ml_maturity")
    merged = panel.merge(maturity, on="repository_id", suffixes=("", "_m"))
    assert len(merged) == len(maturity) == len(panel)
    for column in ("maturity_score", "score_static", "score_activity", "stage", "stage_rule"):
        pd.testing.assert_series_equal(
            merged[column], merged[f"{column}_m"], check_names=False, obj=column
        )


def test_panel_features_come_from_before_the_origin_and_outcomes_from_after(con) -> None:
    recount = _df(
        con,
        """
        select
            p.panel_id,
            p.commits_last_12m,
            p.commits_in_horizon,
            count(c.commit_id) filter (
                where c.committed_at > p.origin - interval 12 month and c.committed_at <= p.origin
            ) as before_origin,
            count(c.commit_id) filter (
                where c.committed_at > p.origin and c.committed_at <= p.horizon_end
            ) as after_origin
        from ml.ml_backtest_panel as p
        left join intermediate.int_commits_attributed as c
            on p.repository_id = c.repository_id and c.is_counted
        where p.commits_last_12m is not null
        group by all
        """,
    )
    assert len(recount) > 1000
    assert (recount["commits_last_12m"] == recount["before_origin"]).all()
    known = recount.dropna(subset=["commits_in_horizon"])
    assert len(known) > 1000
    assert (known["commits_in_horizon"] == known["after_origin"]).all()


def test_outcomes_are_censored_by_each_histories_observation_end(con) -> None:
    rows = _df(
        con,
        """
        select p.*, d.git_observed_until
        from ml.ml_backtest_panel as p
        inner join marts.dim_repositories as d using (repository_id)
        """,
    )
    known = rows[rows["maintained"].notna() & ~rows["is_gone"]]
    assert (known["git_observed_until"] >= known["horizon_end"]).all()
    short = rows[rows["censor_reason"] == "history ends before the horizon"]
    assert len(short) > 0
    assert (short["git_observed_until"] < short["horizon_end"]).all()
    # Stars were observed with the archive: no earlier origin uses them.
    assert rows.loc[~rows["is_as_of_origin"], "stars"].isna().all()
    origins = sorted(rows["origin"].unique())
    assert len(origins) >= 2 and pd.Timestamp(origins[0]) >= pd.Timestamp(
        CONFIG["backtest"]["first_origin"]
    )


def test_stage_invariants_hold_on_the_real_histories(con) -> None:
    maturity = _df(con, "select * from ml.ml_maturity")
    growing = maturity[(maturity["growth_ratio"] >= 1.2) & (maturity["authors_last_12m"] > 5)]
    assert len(growing) > 20
    assert not growing["stage"].isin(["trough of disillusionment", "dormant"]).any()
    assert (
        not maturity.loc[maturity["months_observed"] < 18, "stage"]
        .eq("plateau of productivity")
        .any()
    )
    assert (
        maturity.loc[maturity["stage"] == "technology trigger", "months_observed"]
        < LIFE["young_months"]
    ).all()
    trough = maturity[maturity["stage"] == "trough of disillusionment"]
    assert (trough["growth_ratio"] <= LIFE["decline_ratio"]).all()
    placed = maturity["stage_position"].notna()
    assert maturity.loc[placed, "stage_position"].between(0, 1).all()


def test_rankings_compare_like_with_like(con) -> None:
    maturity = _df(con, "select * from ml.ml_maturity where maturity_score is not null")
    for level, rows in maturity.groupby("evidence_level"):
        ranks = rows["maturity_score"].rank(method="min", ascending=False)
        assert (rows["rank_in_evidence"].astype(int) == ranks.astype(int)).all(), level
        assert rows["repositories_in_evidence"].eq(len(rows)).all()
    used = maturity.filter(like="contribution__").notna()
    assert used.groupby(maturity["evidence_level"]).nunique().le(1).all().all()
    assert (maturity["score_low"] <= maturity["score_high"]).all()


def test_summary_counts_follow_the_panel(con) -> None:
    panel = _df(con, "select * from ml.ml_backtest_panel")
    summary = _df(con, "select * from ml.ml_backtest_summary")
    auc = summary[
        (summary["row_type"] == "auc")
        & (summary["origin_label"] == "pooled")
        & (summary["population"] == "all")
    ].set_index(["outcome", "predictor"])
    for outcome in ("maintained", "growing"):
        scored = panel[panel[outcome].notna() & panel["maturity_score"].notna()]
        row = auc.loc[(outcome, "maturity_score")]
        assert row["n"] == len(scored)
        assert row["positives"] == int(scored[outcome].sum())
        assert row["auc_low"] <= row["roc_auc"] <= row["auc_high"]
    stage = summary[(summary["row_type"] == "stage") & (summary["origin_label"] == "pooled")]
    known = panel[panel["maintained"].notna()]
    rates = known.groupby("stage")["maintained"].mean()
    mine = stage[stage["outcome"] == "maintained"].set_index("stage")["outcome_rate"]
    np.testing.assert_allclose(mine.sort_index(), rates.sort_index().astype(float))
