"""Turn the `repositories` mart (and each repository's cleaned README) into the columns the
kind classifier reads.

Besides text, a reader can check a handful of facts that separate tools from learning material:
tools tend to carry a license, releases, a homepage and an organisation owner; courses and
examples are forked more than they are starred and often are Jupyter notebooks. The README is
read as its own text block, and its absence is a feature (`has_readme`): repositories without
one are mostly the few-star ones, so the model must not read "no README words" as "no tool
words" without knowing that the README is missing. `has_search_observation` marks repositories
known only from a git history, whose search fields (stars, description, topics) are unknown,
not zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ml.text import (
    clean_text,
    is_missing,
    readme_text,
    repository_documents,
    split_name,
    topics_list,
)

NUMERIC_FEATURES = (
    "log_stars",
    "log_forks",
    "fork_star_log_ratio",
    "log_size_kb",
    "log_open_issues",
    "log_description_chars",
    "n_topics",
    "log_active_days",
    "has_license",
    "has_homepage",
    "is_organization",
    "is_fork",
    "has_pages",
    "has_wiki",
    "is_release_count_known",
    "log_release_count",
    "has_readme",
    "has_search_observation",
)
TEXT_COLUMNS = ("text", "name_text", "readme_text")
DEFAULT_README_CHARS = 5000
CATEGORICAL_COLUMNS = ("language",)
NO_LICENSE = {"", "NOASSERTION", "NONE", "OTHER"}


def _numeric(repos: pd.DataFrame, column: str) -> pd.Series:
    if column not in repos.columns:
        return pd.Series(0.0, index=repos.index)
    values = pd.to_numeric(repos[column], errors="coerce").fillna(0).clip(lower=0)
    return values.astype(float)


def _flag(repos: pd.DataFrame, column: str) -> pd.Series:
    if column not in repos.columns:
        return pd.Series(0.0, index=repos.index)
    return repos[column].map(lambda v: 0.0 if is_missing(v) or not v else 1.0).astype(float)


def _present(repos: pd.DataFrame, column: str) -> pd.Series:
    if column not in repos.columns:
        return pd.Series(0.0, index=repos.index)
    return repos[column].map(lambda v: 1.0 if clean_text(v, 200) else 0.0).astype(float)


def kind_features(
    repos: pd.DataFrame,
    max_description_chars: int = 2000,
    max_readme_chars: int = DEFAULT_README_CHARS,
) -> pd.DataFrame:
    """One row per repository (same index): text, name text, README text, language and numeric
    features."""
    out = pd.DataFrame(index=repos.index)
    out["text"] = repository_documents(
        repos, ("name", "description", "topics"), max_description_chars
    )
    out["readme_text"] = readme_text(repos, max_readme_chars)
    out["name_text"] = (
        repos["name"].map(split_name)
        if "name" in repos.columns
        else pd.Series("", index=repos.index)
    )
    language = (
        repos["language"] if "language" in repos.columns else pd.Series(None, index=repos.index)
    )
    out["language"] = language.map(lambda v: clean_text(v, 40) or "none")

    stars, forks = _numeric(repos, "stars"), _numeric(repos, "forks")
    out["log_stars"] = np.log1p(stars)
    out["log_forks"] = np.log1p(forks)
    out["fork_star_log_ratio"] = out["log_forks"] - out["log_stars"]
    out["log_size_kb"] = np.log1p(_numeric(repos, "size_kb"))
    out["log_open_issues"] = np.log1p(_numeric(repos, "open_issues"))
    description = (
        repos["description"]
        if "description" in repos.columns
        else pd.Series(None, index=repos.index)
    )
    out["log_description_chars"] = np.log1p(
        description.map(lambda v: len(clean_text(v, max_description_chars))).astype(float)
    )
    topics = repos["topics"] if "topics" in repos.columns else pd.Series(None, index=repos.index)
    out["n_topics"] = topics.map(lambda v: len(topics_list(v))).astype(float)
    out["log_active_days"] = np.log1p(_active_days(repos))

    if "license_spdx_id" in repos.columns:
        spdx = repos["license_spdx_id"].map(lambda v: clean_text(v, 60).upper())
        out["has_license"] = (~spdx.isin(NO_LICENSE)).astype(float)
    else:
        out["has_license"] = 0.0
    out["has_homepage"] = _present(repos, "homepage")
    out["is_organization"] = (
        repos["owner_type"].map(lambda v: 1.0 if v == "Organization" else 0.0).astype(float)
        if "owner_type" in repos.columns
        else 0.0
    )
    out["is_fork"] = _flag(repos, "is_fork")
    out["has_pages"] = _flag(repos, "has_pages")
    out["has_wiki"] = _flag(repos, "has_wiki")
    releases = (
        pd.to_numeric(repos["release_count"], errors="coerce")
        if "release_count" in repos.columns
        else pd.Series(np.nan, index=repos.index)
    )
    out["is_release_count_known"] = releases.notna().astype(float)
    out["log_release_count"] = np.log1p(releases.fillna(0).clip(lower=0))
    out["has_readme"] = _flag(repos, "has_readme")
    out["has_search_observation"] = (
        repos["has_search_observation"].map(lambda v: 0.0 if is_missing(v) or not v else 1.0)
        if "has_search_observation" in repos.columns
        else 1.0
    )
    return out


def _active_days(repos: pd.DataFrame) -> pd.Series:
    """Days between creation and last push: a weekend project stops early, a tool keeps going."""
    if "created_at" not in repos.columns or "pushed_at" not in repos.columns:
        return pd.Series(0.0, index=repos.index)
    created = pd.to_datetime(repos["created_at"], errors="coerce", utc=True)
    pushed = pd.to_datetime(repos["pushed_at"], errors="coerce", utc=True)
    days = (pushed - created).dt.total_seconds() / 86400.0
    return days.fillna(0).clip(lower=0).astype(float)
