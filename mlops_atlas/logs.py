"""Where log lines go: the project's own warnings to the terminal; the libraries' notices
(dlt's schema inference, Python warnings) to a log file beside the warehouse, unless asked for
with --verbose."""

from __future__ import annotations

import logging
from pathlib import Path

#: The project's own loggers: their warnings (a rate-limit wait, a skipped history) are shown.
PROJECT_LOGGERS = ("dlt_pipeline", "mlops_atlas", "ml")
#: Library loggers whose lines go to the file (dlt reuses the first handler it finds on its
#: logger, so one attached before dlt starts catches every line it writes).
LIBRARY_LOGGERS = ("dlt", "py.warnings", "urllib3", "git")


def log_file_for(warehouse: Path) -> Path:
    return Path(warehouse).parent / "logs" / "mlops-atlas.log"


def route_logs(verbose: bool, warehouse: Path) -> Path | None:
    """Configure logging for one command; returns the log file the libraries write to (None
    under `verbose`, when everything is shown)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for name in PROJECT_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    logging.captureWarnings(True)
    if verbose:
        return None
    path = log_file_for(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
    return path
