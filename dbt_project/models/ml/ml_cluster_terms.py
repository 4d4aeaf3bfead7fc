"""Top terms of each tool cluster (mean TF-IDF weight of its members), with the cluster's name,
category and size. One row per cluster and rank. Re-runs cluster_tools on the same inputs as
ml_tool_clusters (fixed seeds, so the same clusters)."""

from ml.clusters import cluster_tools
from ml.config import load_ml_config


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = load_ml_config()
    dim = dbt.ref("dim_repositories").df()
    kinds = dbt.ref("ml_repository_kind").df()
    curated = dbt.ref("curated_tools").df()

    repos = dim[dim["github_repository_id"].notna()].copy()
    repos["repository_id"] = repos["github_repository_id"].astype("int64")
    repos["name"] = repos["repository_name"]
    repos = repos.reset_index(drop=True)
    kinds = kinds.assign(repository_id=kinds["github_repository_id"].astype("int64"))

    result = cluster_tools(repos, kinds, curated, config)
    clusters = result.tool_clusters
    summary = (
        clusters.groupby("cluster_id")
        .agg(
            cluster_name=("cluster_name", "first"),
            category=("category", "first"),
            category_share=("category_share", "first"),
            n_tools=("repository_id", "size"),
        )
        .reset_index()
    )
    out = result.cluster_terms.merge(summary, on="cluster_id", how="left")
    out.insert(0, "cluster_term_id", out["cluster_id"].astype(str) + ":" + out["rank"].astype(str))
    return out
