"""MLOps Atlas loaders: GitHub (dlt REST source with record/replay) and git histories into DuckDB."""

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
# dlt reads `.dlt/config.toml` from the project, wherever the command is started from.
os.environ.setdefault("DLT_PROJECT_DIR", str(_ROOT))
# No call-home from a research tool (and this machine has no internet): dlt and dbt telemetry off.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
