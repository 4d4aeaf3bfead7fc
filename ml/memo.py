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
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ml.own_process import call_in_own_process
from mlops_atlas.paths import ML_CACHE_ENV

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


def remembered(
    func: Callable[..., T], *args: Any, keep: bool = False, own_process: bool = False
) -> T:
    """`func(*args)`, computed once per process for equal arguments (see the module doc).

    Two threads asking at once for the same result wait for one computation. `keep`: also
    store it between builds (in `$ATLAS_ML_CACHE`, see `stored`). `own_process`: compute it in
    a Python process of its own (ml/own_process.py), for a long computation that would
    otherwise hold the interpreter's lock against the models dbt builds beside it.
    """
    key = f"{func.__module__}.{func.__qualname__}:{fingerprint(*args)}"
    if keep:
        return stored(key, lambda: remembered(func, *args, own_process=own_process))
    with _guard:
        if key in _results:
            _results.move_to_end(key)
            return _results[key]
        lock = _pending.setdefault(key, threading.Lock())
    with lock:
        with _guard:
            if key in _results:
                return _results[key]
        result = call_in_own_process(func, *args) if own_process else func(*args)
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


#: Libraries whose version can change a fit's result.
_LIBRARIES = ("scikit-learn", "numpy", "scipy", "pandas")
_code: list[str] = []


def code_version() -> str:
    """SHA-256 of the ml package's source and the fitting libraries' versions: a kept result
    is used only by the code that would compute it again."""
    if not _code:
        digest = hashlib.sha256()
        root = Path(__file__).resolve().parent
        for file in sorted(root.rglob("*.py")):
            digest.update(str(file.relative_to(root)).encode() + b"\x00" + file.read_bytes())
        for name in _LIBRARIES:
            digest.update(f"{name}={metadata.version(name)}".encode())
        _code.append(digest.hexdigest())
    return _code[0]


def stored(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept in the folder `$ATLAS_ML_CACHE` under a hash of `key` and the code
    version, and read from there while both are the same: an evaluation that takes most of a
    build (the cross-validations) runs again only when its inputs or its code change. A file
    that cannot be read is computed again; files are written whole (renamed into place)."""
    folder = os.environ.get(ML_CACHE_ENV)
    if not folder:
        return compute()
    name = hashlib.sha256(f"{code_version()}:{key}".encode()).hexdigest()
    path = Path(folder) / f"{name}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    result = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.partial")
    with partial.open("wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return result
