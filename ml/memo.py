"""Fit once per build: results of the deterministic fits that two ML models share, remembered
in the process by a fingerprint of everything they were computed from.

Several tables come from one fit: `ml_topics` and `ml_repository_topics` from one topic model,
`ml_activity_shapes` and `ml_activity_shape_centroids` from one clustering, the deployed kind
and category classifiers and their held-out evaluations from one training on the train split.
dbt runs every Python model of a build in one process (so does the Spark engine's ML step), and
each model calls the same function with equal inputs; `remembered` computes it the first time
and hands the same result to the second caller. A result is keyed by the function and a SHA-256
of its pickled arguments (frames with their index dropped: the fits read values, never row
labels), so different inputs can never share an entry, and every fit is seeded, so a remembered
result is the one a second fit would give. Callers must not change what they get back.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")

#: Results kept at most; a build shares a handful of fits, each a few megabytes.
MAX_ENTRIES = 16

_results: OrderedDict[str, Any] = OrderedDict()
_pending: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def _canonical(value: Any) -> Any:
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.reset_index(drop=True)
    if isinstance(value, dict):
        return sorted(((str(k), _canonical(v)) for k, v in value.items()), key=lambda kv: kv[0])
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def fingerprint(*parts: Any) -> str:
    """SHA-256 of the parts as pickled (frames without their index, mappings sorted by key)."""
    payload = pickle.dumps([_canonical(p) for p in parts], protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(payload).hexdigest()


def remembered(func: Callable[..., T], *args: Any) -> T:
    """`func(*args)`, computed once per process for equal arguments (see the module doc).

    Two threads asking at once for the same result wait for one computation.
    """
    key = f"{func.__module__}.{func.__qualname__}:{fingerprint(*args)}"
    with _guard:
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
        lock = _pending.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            if key in _results:
                return _results[key]
        result = func(*args)
        with _guard:
            _results[key] = result
            while len(_results) > MAX_ENTRIES:
                _results.popitem(last=False)
            _pending.pop(key, None)
    return result


def forget() -> None:
    """Drop every remembered result (tests that time or count fits start from nothing)."""
    with _guard:
        _results.clear()
