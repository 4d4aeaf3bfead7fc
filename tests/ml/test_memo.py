"""Results kept between builds (ml/memo.py `keep=True`): read back while inputs and code are
the same, computed again when either changes."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from ml import memo
from mlops_atlas.paths import ML_CACHE_ENV

CALLS: list[int] = []


def _evaluate(frame: pd.DataFrame, factor: int) -> pd.DataFrame:
    CALLS.append(factor)
    return frame.assign(score=frame["x"] * factor)


def test_a_kept_result_is_read_back_until_its_inputs_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ML_CACHE_ENV, str(tmp_path / "cache"))
    CALLS.clear()
    frame = pd.DataFrame({"x": [1, 2, 3]})
    first = memo.remembered(_evaluate, frame, 2, keep=True)
    memo.forget()  # as a new build (a new process) starts with nothing in memory
    again = memo.remembered(_evaluate, frame.copy(), 2, keep=True)
    assert CALLS == [2]
    pd.testing.assert_frame_equal(first, again)
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1

    changed = memo.remembered(_evaluate, frame.assign(x=[1, 2, 4]), 2, keep=True)
    assert CALLS == [2, 2] and changed["score"].tolist() == [2, 4, 8]
    memo.remembered(_evaluate, frame, 3, keep=True)
    assert CALLS == [2, 2, 3]


def test_an_unreadable_file_is_computed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ML_CACHE_ENV, str(tmp_path))
    CALLS.clear()
    frame = pd.DataFrame({"x": [5]})
    memo.remembered(_evaluate, frame, 1, keep=True)
    (kept,) = tmp_path.glob("*.pickle")
    kept.write_bytes(b"not a pickle")
    memo.forget()
    assert memo.remembered(_evaluate, frame, 1, keep=True)["score"].tolist() == [5]
    assert CALLS == [1, 1]


def test_without_a_folder_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ML_CACHE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    memo.forget()
    memo.remembered(_evaluate, pd.DataFrame({"x": [1]}), 7, keep=True)
    assert not list(tmp_path.rglob("*"))


def _evaluate_where(frame: pd.DataFrame, factor: int) -> pd.DataFrame:
    return frame.assign(score=frame["x"] * factor, pid=os.getpid())


def test_a_result_computed_in_its_own_process_is_remembered_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`own_process`: the same result, computed by another process; then remembered in this
    one, and kept between builds like any other."""
    monkeypatch.setenv(ML_CACHE_ENV, str(tmp_path))
    memo.forget()
    frame = pd.DataFrame({"x": [1, 2, 3]})
    first = memo.remembered(_evaluate_where, frame, 2, own_process=True)
    assert first["score"].tolist() == [2, 4, 6]
    assert set(first["pid"]) != {os.getpid()}
    assert memo.remembered(_evaluate_where, frame, 2, own_process=True) is first
    kept = memo.remembered(_evaluate_where, frame, 3, keep=True, own_process=True)
    memo.forget()  # a new build
    again = memo.remembered(_evaluate_where, frame, 3, keep=True, own_process=True)
    pd.testing.assert_frame_equal(kept, again)  # read back: the first child's pid
    assert set(kept["pid"]) != {os.getpid()}
    memo.forget()
