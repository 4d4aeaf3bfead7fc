"""Task clusters of tools (the study's unsupervised method), named by labelled tools: a
discovery view beside the category classifier."""

from ml.clusters.categories import UNASSIGNED, heldout_categories, reference_categories, vote
from ml.clusters.model import ClusterResult, cluster_terms, cluster_tools, select_tools

__all__ = [
    "UNASSIGNED",
    "ClusterResult",
    "cluster_terms",
    "cluster_tools",
    "heldout_categories",
    "reference_categories",
    "select_tools",
    "vote",
]
