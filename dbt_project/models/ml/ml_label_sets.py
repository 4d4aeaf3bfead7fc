"""The label sets the text models learn from and are measured by, and how they were made: one
row per set (ml/labels/ and the curated seed) with its size, its train and test split, how many
of its repositories this warehouse holds, and the provenance statement (ml/labels/provenance.py)
that the labels README, the label readers' docstrings, the seeds' documentation and the paper
repeat word for word."""

import pandas as pd

from ml.categories import load_category_labels
from ml.categories.labels import NO_CATEGORY
from ml.config import ml_config
from ml.kind import load_kind_labels
from ml.labels.match import match_labels
from ml.labels.provenance import CURATED_STATEMENT, LABELS_STATEMENT
from ml.warehouse import modelling_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    kind, category = config["kind"], config["categories"]
    curated = dbt.ref("curated_tools").df().assign(repository_id="")
    sets = [
        ("kinds", kind["labels_path"], load_kind_labels(config=config), LABELS_STATEMENT),
        (
            "kinds_readme_pass",
            kind["readme_pass_labels_path"],
            load_kind_labels(config=config, key="readme_pass_labels_path"),
            LABELS_STATEMENT,
        ),
        (
            "categories",
            category["labels_path"],
            load_category_labels(config=config),
            LABELS_STATEMENT,
        ),
        (
            "categories_metadata_pass",
            category["metadata_pass_labels_path"],
            load_category_labels(config=config, key="metadata_pass_labels_path"),
            LABELS_STATEMENT,
        ),
        ("curated", "dbt_project/seeds/curated_tools.csv", curated, CURATED_STATEMENT),
    ]
    rows = []
    for name, path, labels, statement in sets:
        split = labels["split"] if "split" in labels.columns else pd.Series(dtype=object)
        rows.append(
            {
                "label_set": name,
                "labels_file": str(path),
                "n_labels": len(labels),
                "n_train": int((split == "train").sum()),
                "n_test": int((split == "test").sum()),
                "n_in_warehouse": len(match_labels(labels, repos)),
                "n_no_category": int((labels.get("primary_category") == NO_CATEGORY).sum())
                if "primary_category" in labels.columns
                else 0,
                "statement": statement,
            }
        )
    return pd.DataFrame(rows)
