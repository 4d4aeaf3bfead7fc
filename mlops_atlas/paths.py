"""Where things live: the project root, the warehouse, archives, caches and the data mirror.

Every path the project uses is derived here, so one change moves it everywhere. Pure: nothing
is created or read at import.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_PATH = PROJECT_ROOT / "warehouse" / "atlas.duckdb"
#: The Spark engine's warehouse: a lake folder (raw Parquet tables and the tables Spark builds).
LAKE_PATH = PROJECT_ROOT / "warehouse" / "lake"
ARCHIVE_DIR = PROJECT_ROOT / "data" / "archive"
CACHE_DIR = PROJECT_ROOT / "data" / "cache"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DBT_PROJECT_FILE = DBT_PROJECT_DIR / "dbt_project.yml"
DLT_CONFIG_FILE = PROJECT_ROOT / ".dlt" / "config.toml"
#: The Evidence project: pages and one `.sql` per warehouse table.
REPORTS_DIR = PROJECT_ROOT / "reports"
REPORTS_PAGES_DIR = REPORTS_DIR / "pages"
REPORTS_SOURCES_DIR = REPORTS_DIR / "sources"
REPORTS_BUILD_DIR = REPORTS_DIR / "build"

RAW_GITHUB_DATASET = "raw_github"
RAW_GIT_DATASET = "raw_git"


def pipelines_dir_for(warehouse_path: Path) -> Path:
    """dlt's local state for a warehouse lives beside it, so each warehouse file is self-contained."""
    return warehouse_path.parent / ".dlt"


def dbt_target_for(warehouse_path: Path) -> Path:
    """dbt's artifacts (manifest, run results, docs) for a warehouse live beside it, so two
    warehouses never read each other's results."""
    return warehouse_path.parent / "dbt" / "target"


def lake_dbt_dir(lake: Path) -> Path:
    """dbt's target and log folders of a lake's build live inside the lake (a bookkeeping
    folder, which readers of the lake skip)."""
    return Path(lake) / "_dbt"


def dbt_manifest_for(warehouse: Path) -> Path:
    """The manifest of the build that wrote `warehouse` (a DuckDB file or a lake folder)."""
    target = lake_dbt_dir(warehouse) / "target" if warehouse.is_dir() else dbt_target_for(warehouse)
    return target / "manifest.json"


#: Environment variable naming the folder the ML models keep evaluations in between builds
#: (ml/memo.py); `mlops-atlas build` sets it to `ml_cache_for(warehouse)`.
ML_CACHE_ENV = "ATLAS_ML_CACHE"


def ml_cache_for(warehouse_path: Path) -> Path:
    """The ML models' kept evaluations for a warehouse live beside it, with dbt's artifacts."""
    return warehouse_path.parent / "dbt" / "ml_cache"


def dbt_logs_for(warehouse_path: Path) -> Path:
    return warehouse_path.parent / "dbt" / "logs"


def mirror_root() -> Path | None:
    """The read-only data mirror: `$ATLAS_MIRROR`, else `../shared/data` beside the project.

    Returns None when neither exists (a machine with internet and no mirror).
    """
    env = os.environ.get("ATLAS_MIRROR")
    if env:
        return Path(env).resolve()
    default = PROJECT_ROOT.parent / "shared" / "data"
    return default.resolve() if default.is_dir() else None
