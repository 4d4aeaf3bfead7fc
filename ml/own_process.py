"""Run a model's computation in a Python process of its own.

dbt runs Python models in threads of one process, where they take turns at the interpreter's
lock: two models built side by side each run at well under half speed. A long, pure
computation handed to its own process runs on a core of its own while dbt builds the next
models beside it. Its inputs and result cross as pickles; an error comes back as itself.

    python -m ml.own_process   (reads a pickled (function, args, kwargs) on stdin)
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ChildFailed(RuntimeError):
    """The child process died without sending back a result or an exception."""


def call_in_own_process(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` computed in a new Python process of this environment;
    its exception, if it raises, is raised here (with the child's traceback as a note).
    `function` must be importable by name."""
    name = getattr(function, "__qualname__", repr(function))
    payload = pickle.dumps((function, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    done = subprocess.run(
        [sys.executable, "-m", "ml.own_process"],
        input=payload,
        capture_output=True,
        check=False,
    )
    error = done.stderr.decode("utf-8", "replace")[-4000:]
    if done.returncode != 0 or not done.stdout:
        raise ChildFailed(f"{name} in its own process: exit {done.returncode}\n{error}")
    try:
        ok, value = pickle.loads(done.stdout)
    except Exception as exc:
        raise ChildFailed(f"{name} in its own process: unreadable answer ({exc})\n{error}") from exc
    if not ok:
        raise value
    return value


def _main() -> int:
    # The answer goes to a copy of the output stream; the stream itself is pointed at stderr
    # first, so nothing printed (by imports, native code or the function) can mix with it.
    answer_stream = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    function, args, kwargs = pickle.loads(sys.stdin.buffer.read())
    try:
        answer: tuple[bool, Any] = (True, function(*args, **kwargs))
    except Exception as exc:
        exc.add_note(f"in its own process:\n{traceback.format_exc()}")
        answer = (False, exc)
    answer_stream.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    answer_stream.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
