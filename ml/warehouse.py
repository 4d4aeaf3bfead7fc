"""Warehouse frames in the shape the ML models read (dbt Python models call these)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.ecosystem.growth import cumulative_by_month, with_cap_correction
from ml.labels.strata import stratum

# The group of ml_category_curve that holds every categorised tool once.
ALL_TOOLS = "all tools"


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


def modelling_repositories(dim: pd.DataFrame, readmes: pd.DataFrame) -> pd.DataFrame:
    """Every dim_repositories row with its cleaned README, for the kind and category models.

    Keyed by the warehouse's `repository_id` (text), so repositories known only from git are
    classified too. `name` is the repository name, `readme` the cleaned README text ('' without
    one), `has_readme` whether a README exists, `has_search_observation` whether GitHub's search
    described the repository (otherwise its stars, description and topics are unknown). `readmes`
    is int_readmes_cleaned (empty when no README was loaded). Row order is kept.
    """
    repos = dim.copy().reset_index(drop=True)
    repos["repository_id"] = repos["repository_id"].astype(str)
    repos["name"] = repos["repository_name"]
    by_id = (
        readmes.assign(repository_id=readmes["repository_id"].astype(str)).set_index(
            "repository_id"
        )
        if len(readmes)
        else pd.DataFrame(columns=["readme_text", "has_readme"])
    )
    repos["readme"] = repos["repository_id"].map(by_id["readme_text"]).fillna("")
    has_readme = repos["repository_id"].map(by_id["has_readme"])
    repos["has_readme"] = has_readme.map(lambda v: bool(v) if isinstance(v, bool | int) else False)
    repos["has_search_observation"] = repos["github_repository_id"].notna()
    return repos


def population_strata(repos: pd.DataFrame) -> pd.Series:
    """The sampling stratum of every repository (stars band x README), for design weights."""
    return pd.Series(
        [stratum(s, r) for s, r in zip(repos["stars"], repos["has_readme"], strict=True)],
        index=repos.index,
    )


def as_of_instant(int_as_of: pd.DataFrame) -> pd.Timestamp:
    """The instant a build describes, from the one-row `int_as_of` model."""
    return pd.Timestamp(int_as_of["as_of_at"].iloc[0])


def observed_until(dim: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """When each repository's git history was last observed (dim_repositories.git_observed_until),
    for the activity series: months after it are unknown, not silent."""
    known = dim.dropna(subset=["git_observed_until"])
    return dict(
        zip(known["repository_id"], pd.to_datetime(known["git_observed_until"]), strict=True)
    )


#: fct_repository_signals columns the lifecycle stages read beside the commit series.
STAGE_CONTEXT_COLUMNS = [
    "repository_id",
    "is_archived",
    "commits_last_12m",
    "commits_prev_12m",
    "active_authors_last_12m",
    "active_authors_prev_12m",
    "releases_last_12m",
    "shared_commits",
]


def stage_context(signals: pd.DataFrame) -> pd.DataFrame:
    """The signals the stage rules read beside the monthly commits (lifecycle_stages'
    `repositories` argument), with `is_archived` false when unknown."""
    context = signals[STAGE_CONTEXT_COLUMNS].copy()
    context["is_archived"] = context["is_archived"].fillna(False).astype(bool)
    return context


def search_cap_shortfall(
    search_queries: pd.DataFrame, observations: pd.DataFrame, repositories: pd.DataFrame
) -> tuple[float, float, pd.Series]:
    """What GitHub's search cap left out: (repositories the capped searches matched but did not
    return; the star bound, the most stars of an item on a capped search's last page; creation
    times of the returned repositories with at most that many stars). Searches rank by stars, so
    the left-out ones rank below that page. Frames: stg_github__search_queries,
    stg_github__repository_observations, dim_repositories. (0, NaN, empty) when none was capped."""
    capped = search_queries[search_queries["total_count"] > search_queries["items_returned"]]
    if capped.empty:
        return 0.0, np.nan, pd.Series(dtype="datetime64[ns]")
    missing = float((capped["total_count"] - capped["items_returned"]).sum())
    pages = observations.merge(
        capped[["run_id", "query"]],
        left_on=["run_id", "search_query"],
        right_on=["run_id", "query"],
    )
    last_page = pages.groupby(["run_id", "search_query"])["search_page"].transform("max")
    bound = float(pages.loc[pages["search_page"] == last_page, "stars"].max())
    low = repositories[repositories["stars"].notna() & (repositories["stars"] <= bound)]
    return missing, bound, low["created_at"]


def ecosystem_monthly(
    monthly: pd.DataFrame,
    search_queries: pd.DataFrame,
    observations: pd.DataFrame,
    repositories: pd.DataFrame,
) -> pd.DataFrame:
    """fct_ecosystem_monthly plus the overall series corrected for the search cap
    (ml/ecosystem/growth.py `with_cap_correction`), the frame ml_ecosystem_curve fits."""
    missing, _, low_star_created = search_cap_shortfall(search_queries, observations, repositories)
    return with_cap_correction(monthly, low_star_created, missing)


def tool_category_monthly(
    dim: pd.DataFrame, tool_categories: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    """Tools created per task category and month up to `as_of` (`cumulative_by_month`), plus the
    group ALL_TOOLS; categories from ml_tool_categories (`category`: the classifier's primary, or
    `unassigned` when it abstained), creation times from dim_repositories."""
    members = tool_categories[["repository_id", "category"]].merge(
        dim[["repository_id", "created_at"]], on="repository_id", how="inner"
    )
    return cumulative_by_month(members, "category", as_of, total_group=ALL_TOOLS)
