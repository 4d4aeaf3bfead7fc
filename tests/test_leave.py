"""`leave`, the quick end of a finished process, in a real process: what a normal exit would
have done before its teardown is done, and the exit code is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

SCRIPT = textwrap.dedent(
    """
    import atexit, sys, threading, time
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    import duckdb

    from mlops_atlas.environment import leave

    folder = Path(sys.argv[1])

    def late() -> None:
        time.sleep(0.3)
        (folder / "thread.txt").write_text("done")

    threading.Thread(target=late).start()
    ThreadPoolExecutor(2).submit(lambda: None)  # never shut down: its threads wait for work
    atexit.register(lambda: (folder / "atexit.txt").write_text("ran"))
    con = duckdb.connect(str(folder / "w.duckdb"))
    con.execute("create table t as select range as i from range(100000)")
    holder = {"con": con}
    holder["self"] = holder  # a cycle: only the collector frees it
    del con, holder  # dropped, not closed
    sys.stdout.write("no newline, still buffered")
    leave(int(sys.argv[2]))
    """
)


def test_leave_waits_for_threads_runs_exit_steps_and_keeps_the_code(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output buffered
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path), "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "no newline, still buffered"
    assert (tmp_path / "thread.txt").read_text() == "done"
    assert (tmp_path / "atexit.txt").read_text() == "ran"
    # the dropped connection was closed and checkpointed: no write-ahead log is left behind
    assert not (tmp_path / "w.duckdb.wal").exists()
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone() == (100000,)
