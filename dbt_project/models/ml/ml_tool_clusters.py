"""Task clusters of tools (ml/clusters/): k-means over LSA text vectors of the repositories the kind
model calls `tool` plus every curated tool, named by top terms and mapped to the study's
categories by the curated tools (seed curated_tools). One row per clustered tool.

Like the kind model, clustering keys repositories by GitHub's numeric id, so only repositories
with a GitHub search observation take part; `repository_id` is the warehouse key.
"""

from ml.clusters import cluster_tools
from ml.config import ml_config
from ml.warehouse import github_keyed_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = github_keyed_repositories(dbt.ref("dim_repositories").df())
    kinds = dbt.ref("ml_repository_kind").df()
    curated = dbt.ref("curated_tools").df()

    warehouse_id = dict(zip(repos["repository_id"], repos["warehouse_repository_id"], strict=True))
    kinds = kinds.assign(repository_id=kinds["github_repository_id"].astype("int64"))

    result = cluster_tools(repos, kinds, curated, config)
    out = result.tool_clusters.rename(columns={"repository_id": "github_repository_id"})
    out.insert(0, "repository_id", out["github_repository_id"].map(warehouse_id))
    full_name = dict(zip(repos["repository_id"], repos["full_name"], strict=False))
    out.insert(2, "full_name", out["github_repository_id"].map(full_name))
    out["predicted_kind"] = out["github_repository_id"].map(
        dict(zip(kinds["repository_id"], kinds["kind"], strict=False))
    )
    # The run's metrics (k, silhouette, held-out agreement with the curated categories, ...),
    # repeated on every row.
    for column in result.metrics.columns:
        out[f"run__{column}"] = result.metrics[column].iloc[0]
    return out
