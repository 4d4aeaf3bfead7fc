"""Kind of every repository (tool, learning, list, example, other) from the class-weighted
logistic regression in ml/kind/, trained on the train split of the hand labels
(ml/labels/repository_kinds.csv) with each repository's cleaned README (int_readmes_cleaned) and
its absence as features.

Repositories are keyed by the warehouse key, so those known only from git get a kind too.
"""

import pandas as pd

from ml.config import ml_config
from ml.kind import load_kind_labels, predict_kinds, train_kind_model
from ml.labels.match import match_labels
from ml.warehouse import modelling_repositories, population_strata


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    labels = match_labels(load_kind_labels(config=config), repos)

    predictions = predict_kinds(train_kind_model(repos, labels, config), repos)
    label = labels.set_index("repository_id")
    out = pd.DataFrame(
        {
            "repository_id": repos["repository_id"].to_numpy(),
            "github_repository_id": repos["github_repository_id"].astype("Int64").to_numpy(),
            "full_name": repos["full_name"].to_numpy(),
        }
    )
    for column in predictions.columns.drop("repository_id"):
        out[column] = predictions[column].to_numpy()
    out["has_readme"] = repos["has_readme"].to_numpy()
    out["stratum"] = population_strata(repos).to_numpy()
    out["label_kind"] = out["repository_id"].map(label["kind"])
    out["label_split"] = out["repository_id"].map(label["split"])
    out["is_labelled"] = out["label_kind"].notna()
    return out
