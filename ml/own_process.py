"""Run a model's computation in a Python process of its own.

dbt runs Python models in threads of one process, where they take turns at the interpreter's
lock: two models built side by side each run at well under half speed. A long, pure
computation handed to its own process runs on a core of its own while dbt builds the next
models beside it. Its inputs and result cross as pickles; an error comes back as itself.

The processes are forked from a server process (multiprocessing's `forkserver`) that has
imported the computations' modules once: a child starts in milliseconds, where a fresh Python
would spend about two seconds importing pandas and scikit-learn. The server is started by the
first call, or ahead of it by `start_server` (the standby build starts it while it waits); it
is single-threaded, so forking it is safe where forking dbt's threaded process would not be.
A child's own output (warnings, prints) goes to a file of its own, shown only if it dies.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_CONTEXT = multiprocessing.get_context("forkserver")
_preloading: list[str] = []  # the server's modules, set once, before it first starts
#: The last characters of a dead child's output quoted in its error.
OUTPUT_TAIL_CHARS = 4000


class ChildFailed(RuntimeError):
    """The child process died without sending back a result or an exception."""


def start_server(modules: Iterable[str] = ()) -> None:
    """Start the process children are forked from, importing `modules` in it first (names
    that do not import are skipped); nothing if it runs already."""
    from multiprocessing import forkserver

    if not _preloading:
        _preloading.extend([__name__, *modules])
        _CONTEXT.set_forkserver_preload(_preloading)
    forkserver.ensure_running()


def call_in_own_process(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` computed in a new Python process of this environment;
    its exception, if it raises, is raised here (with the child's traceback as a note).
    `function` must be importable by name."""
    name = getattr(function, "__qualname__", repr(function))
    start_server([function.__module__])
    payload = pickle.dumps((function, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    handle, output = tempfile.mkstemp(prefix="atlas-child-", suffix=".log")
    os.close(handle)
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    try:
        process = _CONTEXT.Process(target=_child, args=(sender, payload, output), daemon=True)
        process.start()
        sender.close()
        try:
            answer = receiver.recv_bytes()
        except EOFError:
            answer = b""
        process.join()
        if not answer:
            tail = Path(output).read_text(encoding="utf-8", errors="replace")[-OUTPUT_TAIL_CHARS:]
            raise ChildFailed(f"{name} in its own process: exit {process.exitcode}\n{tail}")
    finally:
        receiver.close()
        Path(output).unlink(missing_ok=True)
    ok, value = pickle.loads(answer)
    if not ok:
        raise value
    return value


def _child(sender: Connection, payload: bytes, output: str) -> None:
    # Whatever the computation prints (or native code writes) goes to its own file.
    with open(output, "ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = open(1, "w", closefd=False)  # noqa: SIM115 - fd 1, kept open
    function, args, kwargs = pickle.loads(payload)
    try:
        answer: tuple[bool, Any] = (True, function(*args, **kwargs))
    except Exception as exc:
        exc.add_note(f"in its own process:\n{traceback.format_exc()}")
        answer = (False, exc)
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an unpicklable result or exception: say so, whole
        failed = ChildFailed(f"its answer does not pickle: {exc!r}")
        data = pickle.dumps((False, failed), protocol=pickle.HIGHEST_PROTOCOL)
    sender.send_bytes(data)
    sender.close()
