"""Process settings applied where a process starts (the command line, tests, benchmarks), and
the quick end of a process whose work is done.

Nothing here runs at import: `prepare_process()` is called by `mlops_atlas.cli` before any
command and by `mlops_atlas.pipeline` before any stage, so a library user gets the same.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from typing import NoReturn

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


def leave(code: int, *, exit_steps: bool = True) -> NoReturn:
    """End this process with `code`, its work done, without the interpreter's teardown, which
    frees every object one by one: 0.4-0.5 s at the end of a main job, 0.15 s at the end of a
    render worker, that the caller waits for. What a normal exit does first is done: threads
    are ended and waited for as the interpreter does (`threading._shutdown`: thread pools told
    to stop, then every thread that is not a daemon joined), the DuckDB connections no one holds
    close (and checkpoint) as they are collected, the exit steps registered with `atexit` run
    (logging's, multiprocessing's; not when called by one of them: `exit_steps=False`), and the
    output is flushed."""
    try:
        threading._shutdown()  # type: ignore[attr-defined]
        gc.collect()
        if exit_steps:
            atexit._run_exitfuncs()  # type: ignore[attr-defined]
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
