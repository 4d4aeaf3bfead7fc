"""`run_git` against a real repository: whole output, git's own error words, time limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from dlt_pipeline.git.gitcmd import GitError, run_git
from tests.git.gitrepo import git, init_repo


def test_output_larger_than_a_pipe_comes_back_whole(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    blob = bytes(range(256)) * 8192  # 2 MiB, every byte value, far more than a pipe holds
    (tmp_path / "blob").write_bytes(blob)
    sha = git(repo, "hash-object", "-w", str(tmp_path / "blob"))
    out = run_git(repo, ["cat-file", "--batch"], input_bytes=f"{sha}\n{sha}\n".encode()).stdout
    header = f"{sha} blob {len(blob)}\n".encode()
    assert out == (header + blob + b"\n") * 2


def test_a_failure_names_the_repository_and_gits_words(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    with pytest.raises(GitError) as err:
        run_git(repo, ["rev-parse", "--verify", "no-such-ref"])
    assert str(err.value).startswith(f"{repo}: git rev-parse failed: fatal: ")
    unchecked = run_git(repo, ["rev-parse", "--verify", "no-such-ref"], check=False)
    assert unchecked.returncode != 0 and unchecked.stdout == b""
    assert b"fatal:" in unchecked.stderr


def test_a_call_past_its_time_limit_is_an_error(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    with pytest.raises(GitError, match=r"git cat-file timed out"):
        run_git(repo, ["cat-file", "--batch"], input_bytes=b"HEAD\n", timeout=1e-6)
