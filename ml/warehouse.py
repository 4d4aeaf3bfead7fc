"""Warehouse frames in the shape the text models (kind, clusters, topics) read."""

from __future__ import annotations

import pandas as pd


def github_keyed_repositories(dim: pd.DataFrame) -> pd.DataFrame:
    """dim_repositories rows with a GitHub id, keyed the way the hand labels are.

    `repository_id` becomes GitHub's numeric id (int64), `warehouse_repository_id` keeps the
    warehouse key to map results back, and `name` is the repository name. Row order is kept.
    """
    repos = dim[dim["github_repository_id"].notna()].copy()
    repos["warehouse_repository_id"] = repos["repository_id"]
    repos["repository_id"] = repos["github_repository_id"].astype("int64")
    repos["name"] = repos["repository_name"]
    return repos.reset_index(drop=True)
