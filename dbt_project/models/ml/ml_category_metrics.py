"""End-to-end accuracy (abstentions count as misses), coverage, macro-F1, per-category precision
and recall and the confusion matrix of the category classifier, with and without README, and of
the clusters on the same labels (ml/categories/evaluate.py `category_metrics`), from
ml_category_evaluation. The baseline is always answering the most common category of the train
split."""

from ml.categories import category_metrics
from ml.config import ml_config
from ml.own_process import call_in_own_process


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    predictions = dbt.ref("ml_category_evaluation").df()
    tools = dbt.ref("ml_tool_categories").df()
    training = tools.loc[tools["label_split"] == "train", "label_primary_category"]
    # The macro-F1 intervals bootstrap the predictions: on a core of its own
    return call_in_own_process(category_metrics, predictions, training, config)
