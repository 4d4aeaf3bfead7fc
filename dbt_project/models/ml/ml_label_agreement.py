"""Agreement between label passes (ml/labels/agreement.py): the kinds' second pass with the
README in view, the categories' second pass from metadata alone, and the sampled tools'
categories against the curated list (seed curated_tools). Cohen's kappa with a bootstrap
interval, raw agreement and n. One row per comparison."""

from ml.categories import load_category_labels
from ml.config import ml_config
from ml.kind import load_kind_labels
from ml.labels.agreement import agreement_table


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    return agreement_table(
        load_kind_labels(config=config),
        load_kind_labels(config=config, key="readme_pass_labels_path"),
        load_category_labels(config=config),
        load_category_labels(config=config, key="metadata_pass_labels_path"),
        dbt.ref("curated_tools").df(),
        config["kind"],
    )
