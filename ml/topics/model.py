"""Topic model of repository descriptions: NMF on TF-IDF, 20 topics, fixed seed.

Why NMF rather than the study's LDA: LDA is a model of word *counts*, and the study fed it TF-IDF
weights, which it is not defined for; GitHub descriptions are also one or two sentences, where
LDA's per-document topic mixtures are poorly estimated. NMF factorises the TF-IDF matrix
directly, gives sparse, readable topics on short texts, and with `nndsvda` initialisation plus a
fixed seed it returns the same topics on every run. The topic count (20) follows the study.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF

from ml.config import config_section
from ml.text import repository_documents, tfidf_matrix


class TopicResult(NamedTuple):
    """topics: `topic_id`, `rank` (1 = top), `term`, `weight` (NMF component loading).

    repository_topics: `repository_id`, `topic_id` (nullable Int64: NA when a repository has no
    usable description words), `topic_weight` (the dominant topic's share of the repository's
    topic weights, 0 when NA).
    """

    topics: pd.DataFrame
    repository_topics: pd.DataFrame


def fit_topics(repos: pd.DataFrame, config: dict | None = None) -> TopicResult:
    """Fit the topic model over `repos` and return the topic terms and each repository's topic.

    The number of topics is capped by the vocabulary and by the repositories with text, so a
    small frame still gets a (smaller) model instead of an error.
    """
    settings = config_section("topics", config)
    documents = repository_documents(
        repos, settings["text_fields"], int(settings["max_description_chars"])
    )
    tfidf, terms = tfidf_matrix(documents, settings)
    ids = repos["repository_id"].astype("int64").to_numpy()
    has_text = (
        np.asarray(tfidf.getnnz(axis=1) > 0) if tfidf.shape[1] else np.zeros(len(repos), bool)
    )
    n_topics = min(int(settings["n_topics"]), tfidf.shape[1], int(has_text.sum()))
    topic_cols = {"topic_id": "int64", "rank": "int64", "term": object, "weight": float}
    if n_topics < 1:
        topics = pd.DataFrame({c: pd.Series(dtype=t) for c, t in topic_cols.items()})
        weights = np.zeros((len(repos), 0))
    else:
        nmf = NMF(
            n_components=n_topics,
            init="nndsvda",
            max_iter=int(settings["max_iter"]),
            random_state=int(settings["seed"]),
        )
        weights = np.zeros((len(repos), n_topics))
        weights[has_text] = nmf.fit_transform(tfidf[has_text])
        rows = []
        for topic, loading in enumerate(nmf.components_):
            top = [j for j in np.lexsort((terms, -loading))[: int(settings["n_terms"])]]
            rows += [
                (topic, r + 1, str(terms[j]), float(loading[j]))
                for r, j in enumerate(top)
                if loading[j] > 0
            ]
        topics = pd.DataFrame(rows, columns=list(topic_cols)).astype(topic_cols)

    totals = weights.sum(axis=1) if weights.shape[1] else np.zeros(len(repos))
    assigned = totals > 0
    dominant = weights.argmax(axis=1) if weights.shape[1] else np.zeros(len(repos), int)
    share = np.zeros(len(repos))
    share[assigned] = weights[assigned, dominant[assigned]] / totals[assigned]
    repository_topics = pd.DataFrame(
        {
            "repository_id": ids,
            "topic_id": pd.array(np.where(assigned, dominant, 0), dtype="Int64"),
            "topic_weight": share,
        }
    )
    repository_topics.loc[~assigned, "topic_id"] = pd.NA
    return TopicResult(topics, repository_topics)
