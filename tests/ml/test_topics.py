"""Topic model (NMF on TF-IDF of descriptions): shapes, recovery, determinism and odd texts."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.topics import fit_topics
from tests.ml.fixtures_text import CATEGORY_WORDS, _row, category_tools


@pytest.fixture(scope="module")
def six_topics() -> dict:
    config = copy.deepcopy(load_ml_config())
    config["topics"]["n_topics"] = 6
    return config


def test_six_vocabularies_give_six_pure_topics(six_topics) -> None:
    repos, *_ = category_tools()
    result = fit_topics(repos, six_topics)
    assert sorted(result.topics["topic_id"].unique()) == list(range(6))
    assigned = result.repository_topics.set_index("repository_id")["topic_id"]
    truth = pd.Series(
        [list(CATEGORY_WORDS)[(i - 5001) // 10] for i in assigned.index], index=assigned.index
    )
    # Each fixture category maps to exactly one topic and each topic to one category.
    pairs = pd.crosstab(truth, assigned)
    assert (pairs.gt(0).sum(axis=1) == 1).all()
    assert (pairs.gt(0).sum(axis=0) == 1).all()


def test_topic_tables_have_documented_columns_and_ranges(six_topics) -> None:
    repos, *_ = category_tools()
    result = fit_topics(repos, six_topics)
    assert list(result.topics.columns) == ["topic_id", "rank", "term", "weight"]
    assert list(result.repository_topics.columns) == ["repository_id", "topic_id", "topic_weight"]
    for _, group in result.topics.groupby("topic_id"):
        assert group["rank"].tolist() == list(range(1, len(group) + 1))
        assert group["weight"].is_monotonic_decreasing
        assert (group["weight"] > 0).all()
    weights = result.repository_topics["topic_weight"]
    assert weights.between(1 / 6 - 1e-9, 1).all()


def test_default_twenty_topics_are_capped_on_a_small_frame() -> None:
    repos, *_ = category_tools(per_category=2)
    result = fit_topics(repos.head(8))
    n_topics = result.topics["topic_id"].nunique()
    assert 1 <= n_topics <= 8
    assert len(result.repository_topics) == 8


def test_topics_are_deterministic(six_topics) -> None:
    repos, *_ = category_tools()
    first, second = fit_topics(repos, six_topics), fit_topics(repos, six_topics)
    pd.testing.assert_frame_equal(first.topics, second.topics)
    pd.testing.assert_frame_equal(first.repository_topics, second.repository_topics)


def test_repositories_without_words_get_no_topic(six_topics) -> None:
    repos, *_ = category_tools()
    odd = pd.DataFrame(
        [
            _row(1, "a", None),
            _row(2, "b", "🚀🔥😀"),
            _row(3, "c", "kubernetes"),
            _row(4, "d", "kubernetes cluster " * 600_000),
        ]
    )
    result = fit_topics(pd.concat([repos, odd], ignore_index=True), six_topics)
    topics = result.repository_topics.set_index("repository_id")
    assert topics["topic_id"].dtype == "Int64"
    assert pd.isna(topics.loc[1, "topic_id"]) and topics.loc[1, "topic_weight"] == 0
    assert pd.isna(topics.loc[2, "topic_id"])
    assert topics.loc[3, "topic_id"] == topics.loc[4, "topic_id"]
    assert topics["topic_id"].notna().sum() == len(repos) + 2


def test_no_text_at_all_gives_empty_topics() -> None:
    repos = pd.DataFrame([_row(1, "a", None), _row(2, "b", "🚀")])
    result = fit_topics(repos)
    assert result.topics.empty
    assert result.repository_topics["topic_id"].isna().all()
    assert np.all(result.repository_topics["topic_weight"] == 0)
