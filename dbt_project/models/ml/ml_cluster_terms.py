"""Top terms of each tool cluster (mean TF-IDF weight of its members), with the cluster's name,
category and size. One row per cluster and rank. Reads the clustering from ml_tool_clusters
(ml/clusters/ `cluster_terms`) rather than clustering again."""

from ml.clusters import cluster_terms
from ml.config import ml_config
from ml.warehouse import modelling_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    clusters = dbt.ref("ml_tool_clusters").df()

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
    out = cluster_terms(repos, clusters, config).merge(summary, on="cluster_id", how="left")
    out.insert(0, "cluster_term_id", out["cluster_id"].astype(str) + ":" + out["rank"].astype(str))
    return out
