"""Where things live: the project root, the warehouse, archives, caches and the data mirror.

Every path the project uses is derived here, so one change moves it everywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_PATH = PROJECT_ROOT / "warehouse" / "atlas.duckdb"
ARCHIVE_DIR = PROJECT_ROOT / "data" / "archive"
CACHE_DIR = PROJECT_ROOT / "data" / "cache"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
REPORTS_DIR = PROJECT_ROOT / "reports"
REPORTS_BUILD_DIR = REPORTS_DIR / "build"

RAW_GITHUB_DATASET = "raw_github"
RAW_GIT_DATASET = "raw_git"


def pipelines_dir_for(warehouse_path: Path) -> Path:
    """dlt's local state for a warehouse lives beside it, so each warehouse file is self-contained."""
    return warehouse_path.parent / ".dlt"


def mirror_root() -> Path | None:
    """The read-only data mirror: `$ATLAS_MIRROR`, else `../shared/data` beside the project.

    Returns None when neither exists (a machine with internet and no mirror).
    """
    env = os.environ.get("ATLAS_MIRROR")
    if env:
        return Path(env).resolve()
    default = PROJECT_ROOT.parent / "shared" / "data"
    return default.resolve() if default.is_dir() else None
