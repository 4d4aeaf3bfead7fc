"""Task clusters of tools (ml/clusters/), the study's unsupervised method kept as a discovery
view: k-means over LSA text vectors (k by best silhouette) of the tools ml_tool_categories
classifies, named by top terms and by the category most labelled tools of the train split in
them share. One row per clustered tool. The run__* columns repeat the run's figures, including
how often a tool's cluster category equals its classifier category."""

from sklearn.metrics import adjusted_rand_score

from ml.categories import load_category_labels
from ml.categories.labels import categorised
from ml.clusters import UNASSIGNED, cluster_tools
from ml.config import ml_config
from ml.labels.match import match_labels
from ml.own_process import call_in_own_process
from ml.warehouse import modelling_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = modelling_repositories(
        dbt.ref("dim_repositories").df(), dbt.ref("int_readmes_cleaned").df()
    )
    kinds = dbt.ref("ml_repository_kind").df()
    curated = dbt.ref("curated_tools").df()
    labels = categorised(match_labels(load_category_labels(config=config), repos))

    # Choosing k fits the clustering many times: on a core of its own
    result = call_in_own_process(cluster_tools, repos, kinds, curated, labels, config)
    out = result.tool_clusters
    full_name = dict(zip(repos["repository_id"], repos["full_name"], strict=True))
    out.insert(1, "full_name", out["repository_id"].map(full_name))
    out["predicted_kind"] = out["repository_id"].map(
        dict(zip(kinds["repository_id"], kinds["kind"], strict=True))
    )
    classifier = dbt.ref("ml_tool_categories").df().set_index("repository_id")["category"]
    out["classifier_category"] = out["repository_id"].map(classifier)
    both = (out["category"] != UNASSIGNED) & (out["classifier_category"] != UNASSIGNED)
    both &= out["classifier_category"].notna()
    for column in result.metrics.columns:
        out[f"run__{column}"] = result.metrics[column].iloc[0]
    # How the discovery view and the classifier relate: the share of tools both assign that get
    # the same category, and the adjusted Rand index of clusters against classifier categories.
    out["run__n_both_assigned"] = int(both.sum())
    out["run__classifier_agreement"] = (
        float((out.loc[both, "category"] == out.loc[both, "classifier_category"]).mean())
        if both.any()
        else None
    )
    known = out["classifier_category"].notna()
    out["run__adjusted_rand_index"] = float(
        adjusted_rand_score(out.loc[known, "classifier_category"], out.loc[known, "cluster_id"])
    )
    return out
