"""Which discovered repositories get their activity history loaded (and git cloned).

Config: `sources.github.activity_min_stars` (default 100) and `activity_repositories` (an
explicit list always included). Renamed repositories are followed to their current name;
repositories recorded as gone are left out.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from dlt_pipeline.github.settings import GitHubSettings
from dlt_pipeline.paths import RAW_GITHUB_DATASET
from dlt_pipeline.warehouse import has_table


def activity_full_names(warehouse_path: Path, settings: GitHubSettings | None = None) -> list[str]:
    """Repositories above the star threshold in the latest observations, plus the explicit list."""
    settings = settings or GitHubSettings.from_config()
    names: list[str] = []
    if warehouse_path.exists():
        with duckdb.connect(str(warehouse_path), read_only=True) as con:
            if has_table(con, RAW_GITHUB_DATASET, "repository_observations"):
                rows = con.execute(
                    f"""
                    select full_name, max(stargazers_count) as stars
                    from {RAW_GITHUB_DATASET}.repository_observations
                    group by full_name
                    having max(stargazers_count) >= ?
                    order by stars desc, full_name
                    """,
                    [settings.activity_min_stars],
                ).fetchall()
                names = [r[0] for r in rows]
            if has_table(con, RAW_GITHUB_DATASET, "repository_details"):
                moves = con.execute(
                    f"select lower(requested_full_name), full_name, detail_status "
                    f"from {RAW_GITHUB_DATASET}.repository_details"
                ).fetchall()
                current = {old: (new, status) for old, new, status in moves}
                resolved = []
                for name in names:
                    new, status = current.get(name.lower(), (name, "ok"))
                    if status != "gone":
                        resolved.append(new or name)
                names = resolved
    for extra in settings.activity_repositories:
        if extra.lower() not in {n.lower() for n in names}:
            names.append(extra)
    return list(dict.fromkeys(names))


def current_stars(warehouse_path: Path) -> dict[str, int]:
    """Latest known star count per repository (lower-case name), the star-history fallback."""
    if not warehouse_path.exists():
        return {}
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        if not has_table(con, RAW_GITHUB_DATASET, "repository_observations"):
            return {}
        rows = con.execute(
            f"select lower(full_name), arg_max(stargazers_count, recorded_at) "
            f"from {RAW_GITHUB_DATASET}.repository_observations group by 1"
        ).fetchall()
    return {name: int(stars) for name, stars in rows if stars is not None}
