"""The study's six task categories of tools: a supervised, calibrated classifier."""

from ml.categories.evaluate import (
    category_cross_validations,
    category_metrics,
    category_predictions,
    cluster_predictions,
)
from ml.categories.labels import load_category_labels
from ml.categories.model import (
    UNASSIGNED,
    CategoryModel,
    fit_category_model,
    predict_categories,
    proba_column,
    train_category_model,
)

__all__ = [
    "UNASSIGNED",
    "CategoryModel",
    "category_cross_validations",
    "category_metrics",
    "category_predictions",
    "cluster_predictions",
    "fit_category_model",
    "load_category_labels",
    "predict_categories",
    "proba_column",
    "train_category_model",
]
