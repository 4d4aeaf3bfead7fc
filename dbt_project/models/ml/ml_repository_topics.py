"""Each repository's dominant NMF topic (ml/topics/), keyed by the warehouse repository id.
The fit ml_topics reads, made once per build (ml/memo.py)."""

from ml.config import ml_config
from ml.memo import remembered
from ml.topics import fit_topics
from ml.warehouse import github_keyed_repositories


def model(dbt, session):
    dbt.config(materialized="table", schema="ml")
    config = ml_config(dbt.config.get("ml_settings"))
    repos = github_keyed_repositories(dbt.ref("dim_repositories").df())
    repos = repos.sort_values("repository_id").reset_index(drop=True)
    warehouse_id = dict(zip(repos["repository_id"], repos["warehouse_repository_id"], strict=True))

    # the fit ml_topics reads too, made once, in a process of its own
    out = remembered(fit_topics, repos, config, own_process=True).repository_topics.rename(
        columns={"repository_id": "github_repository_id"}
    )
    out.insert(0, "repository_id", out["github_repository_id"].map(warehouse_id))
    out["topic_id"] = out["topic_id"].astype("float64").astype("Int64")
    return out
