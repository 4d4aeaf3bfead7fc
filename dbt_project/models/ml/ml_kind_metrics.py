"""Cross-validated quality of the kind model (ml/kind/evaluate.py) joined with the kind shares
(ml/kind/shares.py): one row per kind plus `learning_material` (the learning-material kinds
summed; its precision/recall columns are NULL)."""

from ml.config import ml_config
from ml.kind import load_kind_labels
from ml.kind.evaluate import cross_validated_kinds, metrics_from_predictions
from ml.kind.shares import kind_shares
from ml.warehouse import github_keyed_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = github_keyed_repositories(dbt.ref("dim_repositories").df())
    labels = load_kind_labels(config=config)
    labels = labels[labels["repository_id"].isin(set(repos["repository_id"]))]

    kinds = list(config["kind"]["kinds"])
    cv = cross_validated_kinds(repos, labels, config)
    per_kind, _confusion = metrics_from_predictions(cv, kinds)
    accuracy = float((cv["kind"] == cv["predicted_kind"]).mean())

    predictions = dbt.ref("ml_repository_kind").df()
    predictions = predictions.assign(repository_id=predictions["github_repository_id"])
    shares = kind_shares(predictions, repos, labels, config, cv=cv)

    out = shares.merge(per_kind, on="kind", how="left")
    out["n_predicted"] = out["n_predicted_x"]
    out = out.drop(columns=["n_predicted_x", "n_predicted_y"])
    out["cv_accuracy"] = accuracy
    out["macro_f1"] = float(per_kind["f1"].mean())
    out["support"] = out["support"].astype("Int64")
    return out
