"""Task categories of tools: text clusters mapped to the study's six categories."""

from ml.clusters.categories import UNASSIGNED, heldout_agreement, vote
from ml.clusters.model import ClusterResult, cluster_terms, cluster_tools, select_tools

__all__ = [
    "UNASSIGNED",
    "ClusterResult",
    "cluster_terms",
    "cluster_tools",
    "heldout_agreement",
    "select_tools",
    "vote",
]
