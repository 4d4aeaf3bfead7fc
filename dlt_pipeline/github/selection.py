"""Which discovered repositories get their activity history loaded (and git cloned).

Config: `sources.github.activity_min_stars` and `activity_repositories` (an explicit list
always included). Renamed repositories are followed to their current name; repositories
recorded as gone are left out (`dlt_pipeline.warehouse.repositories_by_stars`).
"""

from __future__ import annotations

from pathlib import Path

from dlt_pipeline.github.settings import GitHubSettings
from dlt_pipeline.warehouse import repositories_by_stars


def activity_full_names(warehouse_path: Path, settings: GitHubSettings | None = None) -> list[str]:
    """Repositories above the star threshold in the observations, plus the explicit list."""
    settings = settings or GitHubSettings.from_config()
    names = repositories_by_stars(warehouse_path, settings.activity_min_stars)
    known = {n.lower() for n in names}
    names += [extra for extra in settings.activity_repositories if extra.lower() not in known]
    return list(dict.fromkeys(names))
