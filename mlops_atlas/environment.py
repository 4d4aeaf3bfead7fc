"""Process settings applied where a process starts (the command line, tests, benchmarks).

Nothing here runs at import: `prepare_process()` is called by `mlops_atlas.cli` before any
command and by `mlops_atlas.pipeline` before any stage, so a library user gets the same.
"""

from __future__ import annotations

import os

from mlops_atlas.paths import PROJECT_ROOT

#: A research tool never calls home (and CI has no internet): dlt's and dbt's telemetry off.
#: Forced, not defaulted, so no inherited variable turns it back on.
TELEMETRY_OFF: dict[str, str] = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}


def prepare_process() -> None:
    """Telemetry off, and dlt reads this project's `.dlt/config.toml` from any working folder.

    Idempotent; a `DLT_PROJECT_DIR` the user set is kept.
    """
    os.environ.update(TELEMETRY_OFF)
    os.environ.setdefault("DLT_PROJECT_DIR", str(PROJECT_ROOT))


def usable_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0))
