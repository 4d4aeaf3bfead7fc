"""Every out-of-sample answer the category classifier and the clusters are measured by: the
classifier (ml/categories/evaluate.py) cross-validated over the train split and trained once to
answer the held-out test split, with and without the README; the clusters' categories
(ml_tool_clusters) for the test split and, voted by the other folds only, for the train split.
One row per evaluation, feature set (`with_readme`, `without_readme`, `clusters`) and tool."""

import pandas as pd

from ml.categories import (
    category_cross_validations,
    category_predictions,
    cluster_predictions,
    load_category_labels,
)
from ml.config import ml_config
from ml.labels.match import match_labels
from ml.memo import remembered
from ml.warehouse import modelling_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    labels = match_labels(load_category_labels(config=config), repos)
    clusters = dbt.ref("ml_tool_clusters").df()
    test_labels = labels[labels["split"] == "test"]
    train_labels = labels[labels["split"] == "train"]
    heldout = clusters.assign(category=clusters["heldout_category"].fillna("unassigned"))
    # Cross-validation: computed again only when its inputs or the code change (ml/memo.py),
    # on a core of its own while dbt builds other models beside it.
    folds = remembered(
        category_cross_validations, repos, labels, config, keep=True, own_process=True
    )
    out = pd.concat(
        [
            category_predictions(repos, labels, config, folds),
            cluster_predictions(heldout, repos, train_labels, "cross_validation"),
            cluster_predictions(clusters, repos, test_labels, "test"),
        ],
        ignore_index=True,
    )
    out.insert(
        0,
        "evaluation_id",
        out["evaluation"] + "|" + out["features"] + "|" + out["repository_id"],
    )
    return out
