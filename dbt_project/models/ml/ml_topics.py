"""NMF topics over repository descriptions (ml/topics/): one row per topic and rank with its term
and loading, plus how many repositories have the topic as their dominant one."""

from ml.config import ml_config
from ml.memo import remembered
from ml.topics import fit_topics
from ml.warehouse import github_keyed_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = github_keyed_repositories(dbt.ref("dim_repositories").df())
    repos = repos.sort_values("repository_id").reset_index(drop=True)

    # The fit ml_repository_topics reads too, made once, in a process of its own
    result = remembered(fit_topics, repos, config, own_process=True)
    topics = result.topics
    counts = result.repository_topics.dropna(subset=["topic_id"]).groupby("topic_id").size()
    names = (
        topics[topics["rank"] <= 3]
        .sort_values(["topic_id", "rank"])
        .groupby("topic_id")["term"]
        .agg(" / ".join)
    )
    out = topics.copy()
    out.insert(0, "topic_term_id", out["topic_id"].astype(str) + ":" + out["rank"].astype(str))
    out["topic_name"] = out["topic_id"].map(names)
    out["n_repositories"] = out["topic_id"].map(counts).fillna(0).astype("int64")
    return out
