"""Topic model of repository descriptions (NMF on TF-IDF)."""

from ml.topics.model import TopicResult, fit_topics

__all__ = ["TopicResult", "fit_topics"]
