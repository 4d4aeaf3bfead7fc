"""Precision and recall of the kind model per kind, tool-vs-not accuracy, accuracy and macro-F1
(ml/kind/evaluate.py `kind_metrics`), for each evaluation (cross-validation over the train split,
the held-out test split), feature set (with and without README) and README subset, from
ml_kind_evaluation; the baseline is always answering the most common kind of the train split."""

from ml.config import ml_config
from ml.kind import kind_metrics
from ml.own_process import call_in_own_process


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    predictions = dbt.ref("ml_kind_evaluation").df()
    kinds = dbt.ref("ml_repository_kind").df()
    training = kinds.loc[kinds["label_split"] == "train", "label_kind"]
    # The macro-F1 intervals bootstrap the predictions: on a core of its own
    return call_in_own_process(kind_metrics, predictions, training, config)
