"""A computation handed to a process of its own comes back as it would have been computed here:
the same result, its own exception, and a clear error (with what it printed) when the process
dies; what it prints never reaches this process's output."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ml.own_process import ChildFailed, call_in_own_process


def _describe(frame: pd.DataFrame, *, scale: float) -> tuple[pd.DataFrame, int]:
    print("printed output goes to stderr, not into the result")
    os.write(1, b"nor what is written to file descriptor 1 directly\n")
    out = frame.assign(scaled=frame["value"] * scale, pid=os.getpid())
    return out, os.getpid()


def _refuse(reason: str) -> None:
    raise ValueError(f"refused: {reason}")


def _die() -> None:
    print("last words", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_result_is_the_one_computed_here_in_another_process(
    capfd: pytest.CaptureFixture[str],
) -> None:
    frame = pd.DataFrame(
        {
            "name": ["a", "b", None],
            "value": [1.5, np.nan, -2.0],
            "when": pd.to_datetime(["2023-01-18", None, "2020-02-29"], utc=True),
        }
    )
    there, pid = call_in_own_process(_describe, frame, scale=2.0)
    out, err = capfd.readouterr()
    assert "printed output" not in out + err and "nor what is written" not in out + err
    here, _ = _describe(frame, scale=2.0)
    assert pid != os.getpid()
    pd.testing.assert_frame_equal(there.drop(columns="pid"), here.drop(columns="pid"))
    assert there["when"].dtype == frame["when"].dtype


def test_an_exception_comes_back_as_itself() -> None:
    with pytest.raises(ValueError, match="refused: no data") as err:
        call_in_own_process(_refuse, "no data")
    assert "in _refuse" in "".join(err.value.__notes__)  # where in the child it was raised


def test_a_process_that_dies_is_named() -> None:
    with pytest.raises(ChildFailed, match=r"_die in its own process: exit -9\nlast words"):
        call_in_own_process(_die)


class _TwoArgumentError(Exception):
    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} {second}")  # pickles, but cannot be rebuilt from its args


def _raise_two_argument_error() -> None:
    raise _TwoArgumentError("cannot", "rebuild")


def test_an_answer_that_cannot_be_read_is_named() -> None:
    with pytest.raises(
        ChildFailed, match="_raise_two_argument_error in its own process: unreadable"
    ):
        call_in_own_process(_raise_two_argument_error)


SERVER_CHECK = """
import os, sys
from multiprocessing import forkserver
sys.path.insert(0, sys.argv[1])
try:
    import raises_on_import
except RuntimeError:
    pass
from ml.own_process import call_in_own_process, start_server
start_server(["raises_on_import", "json"])
assert call_in_own_process(os.getpid) != os.getpid()
server = forkserver._forkserver._forkserver_pid
print(os.readlink(f"/proc/{server}/fd/1"), os.readlink(f"/proc/{server}/fd/2"))
"""


def test_the_server_skips_what_failed_to_import_and_keeps_no_output_open(tmp_path: Path) -> None:
    """A module that raised here is not preloaded (the server would stop at it), and a server
    started with no other thread running writes to /dev/null, not to this process's output,
    which a reader would otherwise wait on until the server ends."""
    (tmp_path / "raises_on_import.py").write_text('raise RuntimeError("no")\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", SERVER_CHECK, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [os.devnull, os.devnull]


def _with_suffix_and_pid(item: str, suffix: str) -> tuple[str, int]:
    return item + suffix, os.getpid()


def test_several_computations_run_side_by_side_and_come_back_in_order() -> None:
    """Each item in a process of its own, the answers in the items' order, and the first
    item's error raised here when they fail."""
    from ml.own_process import map_in_own_processes

    answers = map_in_own_processes(_with_suffix_and_pid, ["maintained", "growing"], "!")
    assert [a[0] for a in answers] == ["maintained!", "growing!"]
    assert len({a[1] for a in answers} | {os.getpid()}) == 3
    assert map_in_own_processes(_with_suffix_and_pid, [], "") == []
    with pytest.raises(ValueError, match="refused: first"):  # the first item's, both raise
        map_in_own_processes(_refuse, ["first", "second"])
