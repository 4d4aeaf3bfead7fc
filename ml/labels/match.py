"""Link label rows to the warehouse's repositories.

A label names a repository by the warehouse key it had when the sample was drawn (GitHub's id as
text, or `git:<owner/name>` for a repository known only from git) and by its full name. The key
decides when the warehouse has it; otherwise any name the repository was seen under (its current
name or an older one, case-insensitive) does, so a label survives a rename or a repository that a
later search finally observes under its GitHub id.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _names(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if isinstance(v, str)]


def match_labels(labels: pd.DataFrame, repos: pd.DataFrame) -> pd.DataFrame:
    """`labels` with `repository_id` set to the warehouse key of the repository each names;
    rows that name no repository of `repos` are left out (a build of another archive holds
    other repositories). `repos` needs `repository_id`, `full_name` and, when it has one,
    `other_full_names`."""
    keys = set(repos["repository_id"].astype(str))
    by_name: dict[str, str] = {}
    others = repos["other_full_names"] if "other_full_names" in repos.columns else None
    for i, (key, name) in enumerate(
        zip(repos["repository_id"].astype(str), repos["full_name"], strict=True)
    ):
        for alias in [*_names(name), *(_names(others.iloc[i]) if others is not None else [])]:
            by_name.setdefault(alias.lower(), key)
    out = labels.copy()
    given = out["repository_id"].astype(str)
    names = out["full_name"] if "full_name" in out.columns else pd.Series("", index=out.index)
    out["repository_id"] = [
        key if key in keys else by_name.get(str(name).lower())
        for key, name in zip(given, names.fillna(""), strict=True)
    ]
    out = out.dropna(subset=["repository_id"])
    return out.drop_duplicates("repository_id").reset_index(drop=True)
