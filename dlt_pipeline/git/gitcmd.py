"""Run git as a subprocess with the project's fixed options; errors name the repository."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from dlt_pipeline.git.settings import GIT_BASE_ARGS, GIT_ENV_OVERRIDES, GIT_READ_TIMEOUT_SECONDS


class GitError(RuntimeError):
    """A git command failed; the message names the repository path and git's own words."""


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_ENV_OVERRIDES)
    return env


def run_git(
    repo: Path | None,
    args: Sequence[str],
    *,
    input_bytes: bytes | None = None,
    timeout: float = GIT_READ_TIMEOUT_SECONDS,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run `git [-C repo] args` and return bytes output; raise GitError on failure when `check`.

    git writes its output to an unnamed temporary file, read once it has ended: read from a
    pipe, the mirror's 71 MB of `git log` woke the reading threads thousands of times, and cost
    0.2-0.9 s more of this process's CPU."""
    cmd = [*GIT_BASE_ARGS]
    if repo is not None:
        cmd += ["-C", str(repo)]
    cmd += list(args)
    with tempfile.TemporaryFile() as out:
        try:
            proc = subprocess.run(
                cmd,
                input=input_bytes,
                stdout=out,
                stderr=subprocess.PIPE,
                timeout=timeout,
                env=git_env(),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise GitError(f"{repo}: git {args[0]} timed out after {timeout:.0f}s") from exc
        out.seek(0)
        proc.stdout = out.read()
    if check and proc.returncode != 0:
        raise GitError(f"{repo}: git {args[0]} failed: {first_line(proc.stderr)}")
    return proc


def first_line(stderr: bytes) -> str:
    """The most telling line of git's stderr (fatal/error first), for messages."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith(("fatal:", "error:")):
            return ln[:300]
    return (lines[0] if lines else "no message")[:300]
