"""Kind of every repository (tool, learning, list, example, other) from the class-weighted
logistic regression in ml/kind/, trained on the hand labels (ml/labels/repository_kinds.csv).

The kind model keys repositories by GitHub's numeric id (the hand labels do), so only
repositories with a GitHub search observation are classified; `repository_id` is the warehouse
key of dim_repositories.
"""

import pandas as pd

from ml.config import ml_config
from ml.kind import load_kind_labels, predict_kinds, train_kind_model
from ml.warehouse import github_keyed_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = github_keyed_repositories(dbt.ref("dim_repositories").df())
    labels = load_kind_labels(config=config)
    labels = labels[labels["repository_id"].isin(set(repos["repository_id"]))]

    predictions = predict_kinds(train_kind_model(repos, labels, config), repos)
    label_by_id = labels.set_index("repository_id")["kind"]
    out = pd.DataFrame(
        {
            "repository_id": repos["warehouse_repository_id"].to_numpy(),
            "github_repository_id": repos["repository_id"].to_numpy(),
            "full_name": repos["full_name"].to_numpy(),
        }
    )
    for column in predictions.columns.drop("repository_id"):
        out[column] = predictions[column].to_numpy()
    out["label_kind"] = out["github_repository_id"].map(label_by_id)
    out["is_labelled"] = out["label_kind"].notna()
    return out
