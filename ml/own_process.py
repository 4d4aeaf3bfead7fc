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

import ast
import multiprocessing
import os
import pickle
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: forkserver where the platform has it (Linux, macOS); elsewhere each child is a fresh Python.
_FORKSERVER = "forkserver" in multiprocessing.get_all_start_methods()
_CONTEXT = multiprocessing.get_context("forkserver" if _FORKSERVER else "spawn")
_preloading: list[str] = []  # the server's modules, set once, before it first starts
_starting = threading.Lock()
#: The last characters of a dead child's output quoted in its error.
OUTPUT_TAIL_CHARS = 4000


class ChildFailed(RuntimeError):
    """The child process died without sending back a result or an exception."""


def imported_modules(sources: Iterable[str]) -> list[str]:
    """The modules Python `sources` import, in first-seen order (absolute imports only; a
    source that does not parse is skipped)."""
    names: dict[str, None] = {}
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for statement in ast.walk(tree):
            if isinstance(statement, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in statement.names))
            elif (
                isinstance(statement, ast.ImportFrom) and statement.level == 0 and statement.module
            ):
                names[statement.module] = None
    return list(names)


def _main_modules() -> list[str]:
    """What a child imports again when it starts: multiprocessing runs the parent's main module
    (or script) anew in each child, so the server imports it (or what the script imports) once."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:
        # a `python -m` module; a package's __main__ is not run again (nor may the server run it)
        return [] if spec.name.split(".")[-1] == "__main__" else [spec.name]
    path = getattr(main, "__file__", None)
    try:
        source = Path(path).read_text(encoding="utf-8") if path else ""
    except (OSError, UnicodeDecodeError):
        return []
    return [m for m in imported_modules([source]) if m in sys.modules]


def start_server(modules: Iterable[str] = ()) -> None:
    """Start the process children are forked from, importing in it first `modules` (those this
    process imported without error: the server stops at a module that raises) and what each
    child would import again; nothing if it runs already. Called with no other thread running
    (the standby build), the server is started with its output pointed at /dev/null, so that it
    never holds this process's output open (a reader waits for the output's end)."""
    if not _FORKSERVER:
        return
    with _starting:  # two computations started at once start one server, with the modules
        _start_server(modules)


def _start_server(modules: Iterable[str]) -> None:
    from multiprocessing import forkserver

    if not _preloading:
        imported = [m for m in modules if m in sys.modules]
        _preloading.extend(dict.fromkeys([__name__, *_main_modules(), *imported]))
        _CONTEXT.set_forkserver_preload(_preloading)
    if threading.active_count() > 1:
        forkserver.ensure_running()
        return
    saved = [os.dup(1), os.dup(2)]
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
        forkserver.ensure_running()
    finally:
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


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
    process = None
    try:
        process = _CONTEXT.Process(target=_child, args=(sender, payload, output), daemon=True)
        process.start()
        sender.close()
        try:
            answer = receiver.recv_bytes()
        except (EOFError, OSError):  # it died before or while answering
            answer = b""
        process.join()
        tail = Path(output).read_text(encoding="utf-8", errors="replace")[-OUTPUT_TAIL_CHARS:]
        if not answer:
            raise ChildFailed(f"{name} in its own process: exit {process.exitcode}\n{tail}")
        try:
            ok, value = pickle.loads(answer)
        except Exception as exc:
            raise ChildFailed(
                f"{name} in its own process: unreadable answer ({exc})\n{tail}"
            ) from exc
    finally:
        sender.close()
        receiver.close()
        if process is not None and process.exitcode is not None:
            process.close()
        Path(output).unlink(missing_ok=True)
    if not ok:
        raise value
    return value


def map_in_own_processes(
    function: Callable[..., T], items: Sequence[Any], /, *args: Any
) -> list[T]:
    """`[function(item, *args) for item in items]`, each computed in a process of its own, all
    at once. When any raises, the exception of the first such item (in the items' order) is
    raised here, once every process has ended."""
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=len(items)) as pool:  # each thread only waits
        futures = [pool.submit(call_in_own_process, function, item, *args) for item in items]
        return [future.result() for future in futures]


def _child(sender: Connection, payload: bytes, output: str) -> None:
    # Whatever the computation prints (or native code writes) goes to its own file.
    with open(output, "ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 - fd 1
    function, args, kwargs = pickle.loads(payload)
    try:
        answer: tuple[bool, Any] = (True, function(*args, **kwargs))
    except Exception as exc:
        exc.add_note(f"in its own process:\n{traceback.format_exc()}")
        answer = (False, exc)
    try:
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an unpicklable result or exception: say so, whole
        failed = ChildFailed(f"its answer does not pickle: {exc!r}\n{traceback.format_exc()}")
        data = pickle.dumps((False, failed), protocol=pickle.HIGHEST_PROTOCOL)
    sender.send_bytes(data)
    sender.close()
