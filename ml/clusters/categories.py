"""Name clusters with the study's six task categories by majority vote of labelled tools.

A cluster gets a category only when enough labelled tools fall in it and enough of them agree
(`min_labelled_members`, `min_majority_share`, strict winner); otherwise it is "unassigned". Only
tools of the labels' train split vote, so the test split can score the clusters the way it scores
the classifier. For cross-validation, `heldout_categories` votes each fold's mapping with the
other folds' tools only, so a tool's own label never decides the category it is scored against.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

UNASSIGNED = "unassigned"


def vote(
    cluster_of: dict[str, int], categories: dict[str, list[str]], settings: dict
) -> pd.DataFrame:
    """Cluster -> category by majority of the labelled tools in it.

    A tool with several categories (primary and secondary) splits its one vote between them.
    Columns: `cluster_id`, `category` (or "unassigned"), `category_share` (winning share of
    votes; NaN without labelled members), `n_labelled`.
    """
    votes: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    members: dict[int, int] = defaultdict(int)
    for repository_id, cats in categories.items():
        cluster = cluster_of.get(repository_id)
        if cluster is None or cluster < 0 or not cats:
            continue
        members[cluster] += 1
        for category in cats:
            votes[cluster][category] += 1.0 / len(cats)
    rows = []
    for cluster in sorted({c for c in cluster_of.values() if c >= 0}):
        n = members.get(cluster, 0)
        if n == 0:
            rows.append((cluster, UNASSIGNED, float("nan"), 0))
            continue
        ranked = sorted(votes[cluster].items(), key=lambda kv: (-kv[1], kv[0]))
        best, top = ranked[0]
        share = top / n
        tied = len(ranked) > 1 and np.isclose(ranked[1][1], top)
        thin = n < int(settings["min_labelled_members"]) or share < float(
            settings["min_majority_share"]
        )
        rows.append((cluster, UNASSIGNED if (tied or thin) else best, share, n))
    return pd.DataFrame(rows, columns=["cluster_id", "category", "category_share", "n_labelled"])


def heldout_categories(
    cluster_of: dict[str, int], categories: dict[str, list[str]], settings: dict
) -> dict[str, str]:
    """Each voting tool's cluster category as voted by the other folds' tools only."""
    ids = np.array(sorted(categories))
    n_splits = min(int(settings["agreement_folds"]), len(ids))
    if n_splits < 2:
        return {}
    folds = KFold(n_splits=n_splits, shuffle=True, random_state=int(settings["seed"]))
    heldout: dict[str, str] = {}
    for train_idx, test_idx in folds.split(ids):
        training = {str(i): categories[str(i)] for i in ids[train_idx]}
        mapping = vote(cluster_of, training, settings).set_index("cluster_id")["category"]
        for repository_id in ids[test_idx]:
            heldout[str(repository_id)] = mapping.get(
                cluster_of.get(str(repository_id), -1), UNASSIGNED
            )
    return heldout


def reference_categories(labels: pd.DataFrame, split: str = "train") -> dict[str, list[str]]:
    """repository_id -> its labelled categories (primary, then secondary when given), for the
    labels of one split (all labels when they carry no split)."""
    if "split" in labels.columns:
        labels = labels[labels["split"] == split]
    out: dict[str, list[str]] = {}
    for row in labels.itertuples(index=False):
        cats = [c for c in (row.primary_category, getattr(row, "secondary_category", "")) if c]
        out[str(row.repository_id)] = cats
    return out
