"""Every out-of-sample prediction the kind model is measured by (ml/kind/evaluate.py): the
train split cross-validated and the held-out test split predicted once, each with and without
the README as features. One row per evaluation, feature set and labelled repository."""

from ml.config import ml_config
from ml.kind import kind_cross_validations, kind_predictions, load_kind_labels
from ml.labels.match import match_labels
from ml.memo import remembered
from ml.warehouse import modelling_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    labels = match_labels(load_kind_labels(config=config), repos)
    # Cross-validation: computed again only when its inputs or the code change (ml/memo.py),
    # on a core of its own while dbt builds other models beside it.
    folds = remembered(kind_cross_validations, repos, labels, config, keep=True, own_process=True)
    out = kind_predictions(repos, labels, config, folds)
    stratum = labels.set_index("repository_id")["stratum"]
    out["stratum"] = out["repository_id"].map(stratum)
    out.insert(
        0,
        "evaluation_id",
        out["evaluation"] + "|" + out["features"] + "|" + out["repository_id"],
    )
    return out
