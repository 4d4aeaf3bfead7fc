"""Properties of the maturity score: bounds, monotonicity, evidence levels, comparable rankings,
intervals and explainability."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.maturity.score import maturity_scores, score_definition, signals_from_config

CONFIG = load_ml_config()
SIGNALS = signals_from_config(CONFIG)
BY_SOURCE = {src: [s for s in SIGNALS if s.source == src] for src in ("search", "git", "issues")}


def _random_signals(n: int, seed: int, missing_share: float = 0.2) -> pd.DataFrame:
    """Random raw signals; a whole source goes missing for some rows, single signals for others."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"repository_id": np.arange(n)})
    for s in SIGNALS:
        if s.threshold == 1:
            values = rng.integers(0, 2, n).astype(float)
        else:
            values = np.round(rng.exponential(s.threshold / 3, n), 2)
        values[rng.random(n) < missing_share / 4] = np.nan
        frame[s.column] = values
    for specs in BY_SOURCE.values():
        gone = rng.random(n) < missing_share
        frame.loc[gone, [s.column for s in specs]] = np.nan
    return frame


def _row(**values) -> dict:
    row = {s.column: np.nan for s in SIGNALS}
    row.update(values)
    return row


def _search_row(repository_id: int, **values) -> dict:
    """A repository with every search signal measured (at its best unless `values` say)."""
    best = {
        "age_months": 120,
        "months_since_last_push": 0,
        "stars": 10000,
        "forks": 2000,
        "has_license": True,
        "is_org_owned": True,
    }
    return _row(repository_id=repository_id, **{**best, **values})


def test_a_search_only_repository_scores_on_the_search_signals_by_hand() -> None:
    row = _search_row(7, stars=9, forks=0, is_org_owned=False)
    out = maturity_scores(pd.DataFrame([row]), CONFIG).iloc[0]
    # age 1 (w 1), push recency 1 (w 0.5), stars log(10)/log(10001) (w 1), forks 0 (w 0.5),
    # license 1 (w 0.5), org 0 (w 0.5): over the search weight 4.
    expected = (1.0 + 0.5 + math.log(10) / math.log(10001) + 0.5) / 4.0
    assert out["maturity_score"] == pytest.approx(expected)
    assert out["evidence_level"] == "search"
    assert out["signals_measured"] == 6 == out["signals_used"]
    assert out["coverage"] == pytest.approx(4.0 / sum(s.weight for s in SIGNALS))
    assert math.isnan(out["contribution__commits"])
    assert out["contribution__age"] == pytest.approx(1.0 / 4.0)
    # Static part: age, stars, forks, license, org; activity part: push recency alone.
    assert out["score_static"] == pytest.approx((1.0 + math.log(10) / math.log(10001) + 0.5) / 3.5)
    assert out["score_activity"] == pytest.approx(1.0)


def test_recency_is_inverted_and_capped() -> None:
    rows = pd.DataFrame(
        [_row(repository_id=i, months_since_last_commit=m) for i, m in enumerate([0, 1, 36, 500])]
    )
    norm = maturity_scores(rows, CONFIG)["normalised__commit_recency"].tolist()
    assert norm[0] == 1.0
    assert norm[1] == pytest.approx(1 - math.log(2) / math.log(37))
    assert norm[2] == 0.0 and norm[3] == 0.0


def test_scores_are_bounded_and_contributions_sum_to_score() -> None:
    out = maturity_scores(_random_signals(500, seed=1), CONFIG)
    scored = out.dropna(subset=["maturity_score"])
    assert len(scored) > 300
    assert scored["maturity_score"].between(0, 1).all()
    contribution_sum = scored.filter(like="contribution__").sum(axis=1)
    np.testing.assert_allclose(contribution_sum, scored["maturity_score"], atol=1e-12)
    assert (scored["score_low"] <= scored["score_high"]).all()
    assert scored[["score_low", "score_high"]].stack().between(0, 1).all()
    assert out["coverage"].between(0, 1).all()
    assert out.loc[out["maturity_score"].isna(), "evidence_level"].eq("none").all()


def test_a_level_uses_the_same_signals_for_every_repository() -> None:
    out = maturity_scores(_random_signals(500, seed=5), CONFIG)
    for level, rows in out.groupby("evidence_level"):
        used = rows.filter(like="contribution__").notna()
        assert (used.nunique() == 1).all(), level  # same signals in every row of the level
        names = {c.removeprefix("contribution__") for c in used.columns[used.iloc[0]]}
        expected = {s.name for s in SIGNALS if level != "none" and s.source in level.split(" + ")}
        assert names == expected, level


def test_improving_a_used_signal_never_lowers_the_score() -> None:
    rng = np.random.default_rng(20230118)
    base = _random_signals(300, seed=2)
    before = maturity_scores(base, CONFIG)
    for s in SIGNALS:
        better = base.copy()
        step = rng.exponential(s.threshold / 4, len(base))
        if s.direction == "higher":
            better[s.column] = better[s.column] + step
        else:
            better[s.column] = (better[s.column] - step).clip(lower=0)
        after = maturity_scores(better, CONFIG)["maturity_score"].to_numpy()
        used = before[f"contribution__{s.name}"].notna().to_numpy()
        old = before["maturity_score"].to_numpy()
        assert (after[used] >= old[used] - 1e-12).all(), s.name
        assert (after[used] > old[used] + 1e-9).any(), s.name


def test_a_repository_cannot_climb_a_ranking_by_having_fewer_signals_measured() -> None:
    """Drop any measured signal of any repository: its score stays (the signal was not used) or
    it leaves its level's ranking; within a ranking nobody moves up by being measured less."""
    base = _random_signals(120, seed=7, missing_share=0.3)
    before = maturity_scores(base, CONFIG).set_index("repository_id")
    checked = 0
    for repository_id in before.index[:40]:
        for s in SIGNALS:
            if pd.isna(base.loc[repository_id, s.column]):
                continue
            fewer = base.copy()
            fewer.loc[repository_id, s.column] = np.nan
            after = maturity_scores(fewer, CONFIG).set_index("repository_id")
            old, new = before.loc[repository_id], after.loc[repository_id]
            if new["evidence_level"] == old["evidence_level"]:
                assert new["maturity_score"] == old["maturity_score"] or (
                    pd.isna(new["maturity_score"]) and pd.isna(old["maturity_score"])
                )
                assert new["rank_in_evidence"] is old["rank_in_evidence"] or (
                    new["rank_in_evidence"] == old["rank_in_evidence"]
                )
            else:
                assert (
                    set(new["evidence_level"].split(" + "))
                    < set(old["evidence_level"].split(" + "))
                    or new["evidence_level"] == "none"
                )
                # Its old peers' ranking no longer holds it, and nobody in it moved up.
                peers = after[after["evidence_level"] == old["evidence_level"]]
                assert repository_id not in peers.index
                assert (
                    peers["rank_in_evidence"] <= before.loc[peers.index, "rank_in_evidence"]
                ).all()
            checked += 1
    assert checked > 200


def test_rank_and_level_sizes() -> None:
    out = maturity_scores(_random_signals(300, seed=11), CONFIG)
    for _, rows in out.dropna(subset=["maturity_score"]).groupby("evidence_level"):
        assert rows["repositories_in_evidence"].eq(len(rows)).all()
        best = rows.loc[rows["maturity_score"].idxmax()]
        assert best["rank_in_evidence"] == 1
        assert rows["rank_in_evidence"].max() <= len(rows)


def test_interval_collapses_when_every_signal_agrees_and_widens_when_they_differ() -> None:
    agree = _search_row(1)
    differ = _search_row(2, stars=0, forks=0, is_org_owned=False)
    out = maturity_scores(pd.DataFrame([agree, differ]), CONFIG).set_index("repository_id")
    assert out.loc[1, ["maturity_score", "score_low", "score_high"]].tolist() == [1.0, 1.0, 1.0]
    assert out.loc[2, "score_high"] - out.loc[2, "score_low"] > 0.2
    assert out.loc[2, "score_low"] <= out.loc[2, "maturity_score"] <= out.loc[2, "score_high"]
    # An interval depends on the repository and its level only, not on who else was scored.
    alone = maturity_scores(pd.DataFrame([differ]), CONFIG).iloc[0]
    assert alone["score_low"] == out.loc[2, "score_low"]


def test_all_missing_gives_no_score_and_zero_coverage() -> None:
    out = maturity_scores(pd.DataFrame([_row(repository_id=1)]), CONFIG).iloc[0]
    assert math.isnan(out["maturity_score"]) and out["evidence_level"] == "none"
    assert out["coverage"] == 0.0 and out["signals_measured"] == 0
    assert pd.isna(out["rank_in_evidence"])


def test_output_is_deterministic_whatever_the_row_order() -> None:
    frame = _random_signals(50, seed=3)
    first = maturity_scores(frame, CONFIG)
    second = maturity_scores(frame.sample(frac=1.0, random_state=0), CONFIG)
    pd.testing.assert_frame_equal(
        first.sort_values("repository_id").reset_index(drop=True),
        second.sort_values("repository_id").reset_index(drop=True),
    )


def test_rejects_duplicate_repositories_and_missing_columns() -> None:
    frame = _random_signals(3, seed=4)
    with pytest.raises(ValueError, match="one row per repository"):
        maturity_scores(pd.concat([frame, frame.head(1)]), CONFIG)
    with pytest.raises(ValueError, match="stars"):
        maturity_scores(frame.drop(columns=["stars"]), CONFIG)


def test_score_definition_lists_every_signal() -> None:
    definition = score_definition(CONFIG)
    assert len(definition) == len(SIGNALS)
    assert definition["weight_share"].sum() == pytest.approx(1.0)
    recency = definition.set_index("signal").loc["commit_recency"]
    assert recency["formula"].startswith("1 - log(1 + min(")
    assert recency["source_column"] == "months_since_last_commit"
    assert (recency["source"], recency["part"]) == ("git", "activity")
    assert definition["description"].str.len().gt(0).all()
