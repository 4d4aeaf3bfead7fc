"""Properties of the maturity score: bounds, monotonicity, missing signals, explainability."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.maturity.score import maturity_scores, score_definition, signals_from_config

CONFIG = load_ml_config()
SIGNALS = signals_from_config(CONFIG)


def _random_signals(n: int, seed: int, missing_share: float = 0.2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"repository_id": np.arange(n)})
    for s in SIGNALS:
        if s.threshold == 1:
            values = rng.integers(0, 2, n).astype(float)
        else:
            values = np.round(rng.exponential(s.threshold / 3, n), 2)
        values[rng.random(n) < missing_share] = np.nan
        frame[s.column] = values
    return frame


def test_known_repository_scores_as_computed_by_hand() -> None:
    row = {s.column: np.nan for s in SIGNALS}
    row.update(repository_id=7, age_months=120, stars=9, has_license=True)
    out = maturity_scores(pd.DataFrame([row]), CONFIG)
    # age at its threshold -> 1; stars 9 -> log(10)/log(10001); license -> 1; weights 1, 1, 0.5.
    expected = (1.0 + math.log(10) / math.log(10001) + 0.5) / 2.5
    assert out.loc[0, "maturity_score"] == pytest.approx(expected)
    assert out.loc[0, "signals_measured"] == 3
    assert out.loc[0, "coverage"] == pytest.approx(2.5 / sum(s.weight for s in SIGNALS))
    assert math.isnan(out.loc[0, "contribution__forks"])
    assert out.loc[0, "contribution__age"] == pytest.approx(1.0 / 2.5)


def test_recency_is_inverted_and_capped() -> None:
    rows = pd.DataFrame(
        {"repository_id": [1, 2, 3, 4], "months_since_last_commit": [0, 1, 36, 500]}
    )
    for s in SIGNALS:
        if s.column not in rows:
            rows[s.column] = np.nan
    norm = maturity_scores(rows, CONFIG)["normalised__commit_recency"].tolist()
    assert norm[0] == 1.0
    assert norm[1] == pytest.approx(1 - math.log(2) / math.log(37))
    assert norm[2] == 0.0 and norm[3] == 0.0


def test_scores_are_bounded_and_contributions_sum_to_score() -> None:
    out = maturity_scores(_random_signals(500, seed=1), CONFIG)
    scored = out.dropna(subset=["maturity_score"])
    assert len(scored) == 500
    assert scored["maturity_score"].between(0, 1).all()
    contribution_sum = scored.filter(like="contribution__").sum(axis=1)
    np.testing.assert_allclose(contribution_sum, scored["maturity_score"], atol=1e-12)
    assert scored["coverage"].between(0, 1).all()


def test_improving_a_signal_never_lowers_the_score() -> None:
    rng = np.random.default_rng(20230118)
    base = _random_signals(300, seed=2)
    before = maturity_scores(base, CONFIG)["maturity_score"].to_numpy()
    for s in SIGNALS:
        better = base.copy()
        step = rng.exponential(s.threshold / 4, len(base))
        if s.direction == "higher":
            better[s.column] = better[s.column] + step
        else:
            better[s.column] = (better[s.column] - step).clip(lower=0)
        after = maturity_scores(better, CONFIG)["maturity_score"].to_numpy()
        measured = base[s.column].notna().to_numpy()
        assert (after[measured] >= before[measured] - 1e-12).all(), s.name
        # Strictly higher somewhere, so the property is not vacuous.
        assert (after[measured] > before[measured] + 1e-9).any(), s.name


def test_all_missing_gives_nan_score_and_zero_coverage() -> None:
    row = {s.column: None for s in SIGNALS}
    row["repository_id"] = 1
    out = maturity_scores(pd.DataFrame([row]), CONFIG)
    assert math.isnan(out.loc[0, "maturity_score"])
    assert out.loc[0, "coverage"] == 0.0
    assert out.loc[0, "signals_measured"] == 0


def test_missing_signal_is_not_scored_as_zero() -> None:
    full = {s.column: s.threshold for s in SIGNALS}
    for s in SIGNALS:
        if s.direction == "lower":
            full[s.column] = 0
    partial = dict(full, stars=None)
    out = maturity_scores(
        pd.DataFrame([dict(full, repository_id=1), dict(partial, repository_id=2)])
    )
    assert out["maturity_score"].tolist() == pytest.approx([1.0, 1.0])
    assert out.loc[1, "coverage"] == pytest.approx(0.9)


def test_output_shape_and_determinism() -> None:
    frame = _random_signals(50, seed=3)
    first = maturity_scores(frame, CONFIG)
    second = maturity_scores(frame.sample(frac=1.0, random_state=0), CONFIG)
    assert first.shape == (50, 3 + 1 + 2 * len(SIGNALS))
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
    # ml_maturity_weights shows a line per signal, from the config.
    assert definition["description"].str.len().gt(0).all()
