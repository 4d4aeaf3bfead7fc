"""Map clusters to the study's six task categories by majority vote of curated tools.

A cluster gets a category only when enough curated tools fall in it and enough of them agree
(`min_curated_members`, `min_majority_share`, strict winner); otherwise it is "unassigned".
Agreement is measured on held-out folds of the curated tools: each fold's mapping is voted by the
other folds' tools only, so a tool's own label never decides the category it is scored against.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold

UNASSIGNED = "unassigned"


def curated_categories(curated: pd.DataFrame, tools: pd.DataFrame) -> dict[int, list[str]]:
    """repository_id -> its curated categories (a tool may serve several), matched by full_name.

    Matching ignores case: GitHub names are case-insensitive and curated lists are hand-typed.
    """
    if curated.empty:
        return {}
    by_name = (
        curated.dropna(subset=["full_name", "category"])
        .assign(key=lambda d: d["full_name"].astype(str).str.strip().str.lower())
        .groupby("key")["category"]
        .agg(lambda s: sorted(set(map(str, s))))
    )
    keys = tools["full_name"].fillna("").astype(str).str.lower()
    out: dict[int, list[str]] = {}
    for repository_id, key in zip(tools["repository_id"].astype("int64"), keys, strict=True):
        if key in by_name.index:
            out[int(repository_id)] = list(by_name[key])
    return out


def vote(
    cluster_of: dict[int, int], categories: dict[int, list[str]], settings: dict
) -> pd.DataFrame:
    """Cluster -> category by majority of the curated tools in it.

    A tool with several categories splits its one vote between them. Columns: `cluster_id`,
    `category` (or "unassigned"), `category_share` (winning share of votes; NaN without curated
    members), `n_curated`.
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
        thin = n < int(settings["min_curated_members"]) or share < float(
            settings["min_majority_share"]
        )
        rows.append((cluster, UNASSIGNED if (tied or thin) else best, share, n))
    return pd.DataFrame(rows, columns=["cluster_id", "category", "category_share", "n_curated"])


def heldout_agreement(
    cluster_of: dict[int, int], categories: dict[int, list[str]], settings: dict
) -> dict[str, float]:
    """Accuracy and macro-F1 over held-out curated tools that got a category, and coverage.

    A held-out tool is right when its cluster's category (voted by the other folds) is one of its
    curated categories; for macro-F1 a wrong tool counts under its first curated category.
    """
    ids = np.array(sorted(categories))
    n_splits = min(int(settings["agreement_folds"]), len(ids))
    if n_splits < 2:
        return {"agreement_accuracy": np.nan, "agreement_macro_f1": np.nan, "coverage": np.nan}
    folds = KFold(n_splits=n_splits, shuffle=True, random_state=int(settings["seed"]))
    y_true: list[str] = []
    y_pred: list[str] = []
    n_scored = 0
    for train_idx, test_idx in folds.split(ids):
        training = {int(i): categories[int(i)] for i in ids[train_idx]}
        mapping = vote(cluster_of, training, settings).set_index("cluster_id")["category"]
        for repository_id in ids[test_idx]:
            n_scored += 1
            predicted = mapping.get(cluster_of.get(int(repository_id), -1), UNASSIGNED)
            if predicted == UNASSIGNED:
                continue
            truth = categories[int(repository_id)]
            y_pred.append(predicted)
            y_true.append(predicted if predicted in truth else truth[0])
    if not y_pred:
        return {"agreement_accuracy": np.nan, "agreement_macro_f1": np.nan, "coverage": 0.0}
    labels = sorted(set(y_true) | set(y_pred))
    return {
        "agreement_accuracy": float(np.mean([t == p for t, p in zip(y_true, y_pred, strict=True)])),
        "agreement_macro_f1": float(
            f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
        ),
        "coverage": len(y_pred) / n_scored,
    }
