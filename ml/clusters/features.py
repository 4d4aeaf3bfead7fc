"""Text vectors of tools for clustering: TF-IDF of name, description and topics, then LSA.

LSA (TruncatedSVD of TF-IDF, rows re-normalised to unit length) merges synonyms that short
descriptions rarely share word-for-word ('serving' / 'inference' / 'deployment'), and on unit
vectors euclidean k-means and silhouette behave like their cosine versions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize


@dataclass(frozen=True)
class TextVectors:
    """TF-IDF matrix and vocabulary, the dense unit-length LSA vectors, and which rows have text."""

    tfidf: sparse.csr_matrix
    terms: np.ndarray
    vectors: np.ndarray
    has_text: np.ndarray


def stop_words(extra: list[str] | tuple[str, ...]) -> list[str]:
    """English stop words plus the configured domain words every MLOps repository shares."""
    return sorted(ENGLISH_STOP_WORDS | {w.lower() for w in extra})


def tfidf_matrix(documents: pd.Series, settings: dict) -> tuple[sparse.csr_matrix, np.ndarray]:
    """TF-IDF over the documents; an empty vocabulary gives a zero-column matrix, not an error.

    `min_df` falls to 1 and `max_df` to 1.0 for samples too small for them to make sense.
    """
    n = len(documents)
    min_df = int(settings["min_df"]) if n >= 10 * int(settings["min_df"]) else 1
    max_df = float(settings["max_df"]) if n >= 20 else 1.0
    vectorizer = TfidfVectorizer(
        stop_words=stop_words(settings.get("extra_stop_words", [])),
        min_df=min_df,
        max_df=max_df,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[^\W\d_][\w]+\b",
    )
    try:
        matrix = vectorizer.fit_transform(documents.fillna("").tolist())
    except ValueError:  # empty vocabulary: no document has a usable word
        return sparse.csr_matrix((n, 0)), np.array([], dtype=object)
    return sparse.csr_matrix(matrix), vectorizer.get_feature_names_out()


def lsa_vectors(documents: pd.Series, settings: dict) -> TextVectors:
    """TF-IDF then TruncatedSVD (fixed seed) to at most `svd_components` unit-length dimensions."""
    tfidf, terms = tfidf_matrix(documents, settings)
    has_text = (
        np.asarray(tfidf.getnnz(axis=1) > 0) if tfidf.shape[1] else np.zeros(len(documents), bool)
    )
    n_components = min(int(settings["svd_components"]), tfidf.shape[1] - 1, int(has_text.sum()) - 1)
    if n_components >= 2:
        svd = TruncatedSVD(n_components=n_components, random_state=int(settings["seed"]))
        dense = svd.fit_transform(tfidf)
    else:
        dense = tfidf.toarray()
    vectors = normalize(dense) if dense.shape[1] else dense
    vectors[~has_text] = 0.0
    return TextVectors(tfidf=tfidf, terms=terms, vectors=vectors, has_text=has_text)
