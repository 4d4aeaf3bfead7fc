"""Kind of repository: tool, learning material, curated list, example or other."""

from ml.evaluation import wilson_interval
from ml.kind.evaluate import (
    cross_validated_kinds,
    held_out_kinds,
    kind_cross_validations,
    kind_metrics,
    kind_predictions,
    metrics_from_predictions,
)
from ml.kind.labels import load_kind_labels
from ml.kind.model import KindModel, predict_kinds, train_kind_model
from ml.kind.shares import kind_shares

__all__ = [
    "KindModel",
    "cross_validated_kinds",
    "held_out_kinds",
    "kind_cross_validations",
    "kind_metrics",
    "kind_predictions",
    "kind_shares",
    "load_kind_labels",
    "metrics_from_predictions",
    "predict_kinds",
    "train_kind_model",
    "wilson_interval",
]
