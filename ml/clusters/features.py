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
from sklearn.preprocessing import normalize

from ml.text import tfidf_matrix


@dataclass(frozen=True)
class TextVectors:
    """TF-IDF matrix and vocabulary, the dense unit-length LSA vectors, and which rows have text."""

    tfidf: sparse.csr_matrix
    terms: np.ndarray
    vectors: np.ndarray
    has_text: np.ndarray


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
