"""The study's six task categories for every tool (ml/categories/): a calibrated logistic
regression over name, description, topics and README, trained on the train split of the
category labels (ml/labels/tool_categories.csv). Each tool gets a primary category, a secondary
one where its probability supports it, and is `unassigned` (abstained) when the primary's
probability is below the ml_categories var abstain_below.

The tools: repositories ml_repository_kind calls `tool`, every curated tool (seed
curated_tools) and every tool the labels name, the same set ml_tool_clusters clusters.
"""

import pandas as pd

from ml.categories import load_category_labels, predict_categories, train_category_model
from ml.categories.evaluate import labelled_tools
from ml.clusters import select_tools
from ml.config import ml_config
from ml.labels.match import match_labels
from ml.warehouse import modelling_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    settings = config["categories"]
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    kinds = dbt.ref("ml_repository_kind").df()
    curated = dbt.ref("curated_tools").df()
    labels = match_labels(load_category_labels(config=config), repos)

    rows = labelled_tools(repos, labels)
    categorised = set(rows["repository_id"])
    tools = select_tools(repos, kinds, curated, categorised)
    # The fit ml_category_evaluation scores on the test split
    fitted = train_category_model(rows[rows["split"] == "train"], settings)
    out = predict_categories(fitted, tools)
    label = labels.set_index("repository_id")
    curated_names = set(curated["full_name"].str.lower())
    kind_of = dict(zip(kinds["repository_id"], kinds["kind"], strict=True))
    out.insert(1, "full_name", tools["full_name"].to_numpy())
    out["predicted_kind"] = out["repository_id"].map(kind_of)
    out["has_readme"] = tools["has_readme"].to_numpy()
    out["is_readme_used"] = fitted.use_readme
    out["is_calibrated"] = fitted.calibrated
    out["label_primary_category"] = out["repository_id"].map(label["primary_category"])
    out["label_secondary_category"] = out["repository_id"].map(
        label["secondary_category"].replace("", pd.NA)
    )
    out["label_split"] = out["repository_id"].map(label["split"])
    out["is_labelled"] = out["label_primary_category"].notna()
    out["is_curated"] = tools["full_name"].str.lower().isin(curated_names).to_numpy()
    return out
