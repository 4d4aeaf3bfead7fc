"""Task categories of tools: k-means over LSA text vectors, k chosen by silhouette.

Why k-means rather than HDBSCAN: every tool needs a category for the landscape, and HDBSCAN on a
few hundred short, sparse descriptions labels most of them noise; k-means with a fixed seed
assigns every tool, and choosing k by the best silhouette over a configured range makes the
choice a number anyone can re-check (`k_scores`). Clusters are named by their top TF-IDF terms
and mapped to the study's six categories by the labelled tools of the train split
(`ml.clusters.categories`). The clusters are the study's method, kept as a discovery view beside
the supervised classifier (`ml.categories`), and scored against the same labels.

Which repositories: those the kind model calls `tool`, plus every curated tool and every tool the
labels name (both are tools by definition, even when the kind model disagrees). Tools with no
usable text get cluster -1, "no text", unassigned. Keys are the warehouse's `repository_id`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from ml.clusters.categories import UNASSIGNED, heldout_categories, reference_categories, vote
from ml.clusters.features import lsa_vectors
from ml.config import config_section
from ml.text import repository_documents, tfidf_matrix

NO_TEXT_CLUSTER = -1
NO_TEXT_NAME = "no text"


class ClusterResult(NamedTuple):
    """The tables the dbt models write.

    tool_clusters: `repository_id`, `cluster_id` (-1: no usable text), `cluster_name` (top
    terms), `category` (one of the six, or "unassigned"), `category_share` (the leading
    category's share of the cluster's labelled votes, shown even when too thin to assign; NaN
    when the cluster holds no labelled tool), `heldout_category` (for a voting tool, its cluster's
    category voted by the other folds only; NULL otherwise), `x`, `y` (PCA of the LSA vectors).
    cluster_terms: `cluster_id`, `rank` (1 = top), `term`, `weight` (mean TF-IDF).
    metrics: one row: `k`, `silhouette`, `n_tools`, `n_voters`, `n_assigned_clusters`.
    k_scores: `k`, `silhouette` per k tried.
    """

    tool_clusters: pd.DataFrame
    cluster_terms: pd.DataFrame
    metrics: pd.DataFrame
    k_scores: pd.DataFrame


def select_tools(
    repos: pd.DataFrame,
    kinds: pd.DataFrame,
    curated: pd.DataFrame,
    labelled: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Repositories predicted `tool`, plus curated ones and the `labelled` tool ids, sorted by
    id (one row each)."""
    tool_ids = set(kinds.loc[kinds["kind"] == "tool", "repository_id"].astype(str)) | set(labelled)
    curated_names = (
        set(curated["full_name"].dropna().astype(str).str.lower()) if not curated.empty else set()
    )
    ids = repos["repository_id"].astype(str)
    names = repos["full_name"].fillna("").astype(str).str.lower()
    chosen = repos.loc[ids.isin(tool_ids) | names.isin(curated_names)]
    chosen = chosen.drop_duplicates("repository_id")
    return chosen.sort_values("repository_id", kind="stable").reset_index(drop=True)


def choose_k(vectors: np.ndarray, settings: dict) -> tuple[np.ndarray, int, float, pd.DataFrame]:
    """Best-silhouette k-means labels over k in [k_min, k_max], capped by the number of rows.

    Ties go to the smaller k. Fewer than three rows: one cluster, silhouette NaN. k-means runs
    single-threaded: on a few hundred short vectors OpenMP start-up costs ten times the work.
    """
    n = len(vectors)
    seed = int(settings["seed"])
    k_hi = min(int(settings["k_max"]), n - 1)
    k_lo = max(2, min(int(settings["k_min"]), k_hi))
    scores, best = [], None
    for k in range(k_lo, k_hi + 1):
        with threadpool_limits(limits=1):
            labels = KMeans(n_clusters=k, random_state=seed, n_init=10).fit_predict(vectors)
        if len(set(labels)) < 2:
            continue
        score = float(silhouette_score(vectors, labels))
        scores.append((k, score))
        if best is None or score > best[2] + 1e-12:
            best = (labels, k, score)
    k_scores = pd.DataFrame(scores, columns=["k", "silhouette"])
    if best is None:
        return np.zeros(n, dtype=int), min(n, 1), float("nan"), k_scores
    return best[0], best[1], best[2], k_scores


def _relabel(labels: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Cluster ids ordered by size (largest 0), ties by smallest member id: stable across runs."""
    order = sorted(set(labels), key=lambda c: (-(labels == c).sum(), ids[labels == c].min()))
    remap = {old: new for new, old in enumerate(order)}
    return np.array([remap[c] for c in labels], dtype=int)


def _terms(
    tfidf: sparse.csr_matrix, terms: np.ndarray, cluster_ids: np.ndarray, n_terms: int
) -> pd.DataFrame:
    """Top terms of each cluster by the mean TF-IDF weight of its members."""
    rows = []
    for cluster in sorted(set(cluster_ids) - {NO_TEXT_CLUSTER}):
        if tfidf.shape[1] == 0:
            continue
        mean = np.asarray(tfidf[cluster_ids == cluster].mean(axis=0)).ravel()
        top = [j for j in np.lexsort((terms, -mean))[:n_terms] if mean[j] > 0]
        rows += [(int(cluster), r + 1, str(terms[j]), float(mean[j])) for r, j in enumerate(top)]
    return pd.DataFrame(rows, columns=["cluster_id", "rank", "term", "weight"]).astype(
        {"cluster_id": "int64", "rank": "int64"}
    )


def cluster_terms(
    repos: pd.DataFrame, tool_clusters: pd.DataFrame, config: dict | None = None
) -> pd.DataFrame:
    """The `cluster_terms` of `cluster_tools`, from a clustering already made.

    `tool_clusters` has `repository_id`, `cluster_id` for every clustered tool (e.g. the
    ml_tool_clusters table); `repos` holds at least those repositories with their text. Only
    the TF-IDF is rebuilt (same tools, same settings, so the same matrix); k-means is not re-run.
    """
    settings = config_section("clusters", config)
    cluster_of = dict(
        zip(
            tool_clusters["repository_id"].astype(str),
            tool_clusters["cluster_id"].astype("int64"),
            strict=True,
        )
    )
    ids = repos["repository_id"].astype(str)
    tools = repos.loc[ids.isin(cluster_of)].drop_duplicates("repository_id")
    tools = tools.sort_values("repository_id", kind="stable").reset_index(drop=True)
    documents = repository_documents(
        tools, settings["text_fields"], int(settings["max_description_chars"])
    )
    tfidf, terms = tfidf_matrix(documents, settings)
    cluster_ids = tools["repository_id"].astype(str).map(cluster_of).to_numpy(dtype=int)
    return _terms(tfidf, terms, cluster_ids, int(settings["n_terms"]))


def _coordinates(vectors: np.ndarray, has_text: np.ndarray, seed: int) -> np.ndarray:
    """2-D landscape coordinates: PCA (fixed seed) of the LSA vectors of tools with text."""
    xy = np.zeros((len(vectors), 2))
    if has_text.sum() >= 2 and vectors.shape[1] >= 2:
        pca = PCA(n_components=2, random_state=seed).fit(vectors[has_text])
        xy = pca.transform(vectors)
    return xy


def cluster_tools(
    repos: pd.DataFrame,
    kinds: pd.DataFrame,
    curated: pd.DataFrame,
    labels: pd.DataFrame,
    config: dict | None = None,
) -> ClusterResult:
    """Cluster tools, name clusters and map them to categories by the labelled train tools.

    `kinds` has `repository_id`, `kind` (e.g. `predict_kinds` output); `curated` has
    `full_name` (the curated_tools seed); `labels` has `repository_id`, `primary_category`,
    `secondary_category` and `split` (the category labels, in one of the six categories). See
    `ClusterResult` for the columns.
    """
    settings = config_section("clusters", config)
    tools = select_tools(repos, kinds, curated, set(labels["repository_id"].astype(str)))
    ids = tools["repository_id"].astype(str).to_numpy()
    documents = repository_documents(
        tools, settings["text_fields"], int(settings["max_description_chars"])
    )
    text = lsa_vectors(documents, settings)
    cluster_ids = np.full(len(tools), NO_TEXT_CLUSTER, dtype=int)
    k, silhouette, k_scores = 0, float("nan"), pd.DataFrame(columns=["k", "silhouette"])
    if text.has_text.any():
        assigned, k, silhouette, k_scores = choose_k(text.vectors[text.has_text], settings)
        cluster_ids[text.has_text] = _relabel(assigned, ids[text.has_text])

    terms = _terms(text.tfidf, text.terms, cluster_ids, int(settings["n_terms"]))
    top = terms.loc[terms["rank"] <= int(settings["name_terms"])]
    names = top.groupby("cluster_id")["term"].agg(" / ".join).to_dict()

    cluster_of = dict(zip(ids.tolist(), cluster_ids.tolist(), strict=True))
    voters = {k: v for k, v in reference_categories(labels).items() if k in cluster_of}
    mapping = vote(cluster_of, voters, settings).set_index("cluster_id")
    heldout = heldout_categories(cluster_of, voters, settings)
    xy = _coordinates(text.vectors, text.has_text, int(settings["seed"]))

    tool_clusters = pd.DataFrame(
        {
            "repository_id": ids,
            "cluster_id": cluster_ids.astype("int64"),
            "cluster_name": [
                NO_TEXT_NAME if c == NO_TEXT_CLUSTER else names.get(c, f"cluster {c}")
                for c in cluster_ids
            ],
            "category": [mapping["category"].get(c, UNASSIGNED) for c in cluster_ids],
            "category_share": [
                float(mapping["category_share"].get(c, np.nan)) for c in cluster_ids
            ],
            "heldout_category": [heldout.get(i) for i in ids],
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )
    metrics = pd.DataFrame(
        [
            {
                "k": int(k),
                "silhouette": silhouette,
                "n_tools": len(tools),
                "n_voters": len(voters),
                "n_assigned_clusters": int((mapping["category"] != UNASSIGNED).sum()),
            }
        ]
    )
    return ClusterResult(tool_clusters, terms, metrics, k_scores.astype({"k": "int64"}))
