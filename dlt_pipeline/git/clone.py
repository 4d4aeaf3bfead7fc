"""Keep a partial bare clone of a GitHub repository in the cache: clone once, fetch after.

Only commits and tags are fetched (`--filter=tree:0`), so even large projects stay small.
The remote URL comes from a template so tests can point it at a local `file://` repository.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from dlt_pipeline.git.gitcmd import GitError, run_git
from dlt_pipeline.git.manifest import is_valid_full_name
from dlt_pipeline.git.settings import CLONE_FILTER, GIT_NETWORK_TIMEOUT_SECONDS


def clone_dir(cache_dir: Path, full_name: str) -> Path:
    """`<cache>/<owner>__<name>.git`, the same naming as the mirror."""
    owner, name = full_name.split("/")
    return cache_dir / f"{owner}__{name}.git"


def sync_clone(full_name: str, cache_dir: Path, url_template: str) -> tuple[Path, datetime]:
    """Clone or fetch `full_name`; return its path and the fetch time (the observation end).

    Raises GitError (naming the repository and URL) when the remote cannot be read.
    """
    if not is_valid_full_name(full_name):
        raise GitError(f"{full_name!r} is not a GitHub owner/name")
    url = url_template.format(full_name=full_name)
    dest = clone_dir(cache_dir, full_name)
    fetched_at = datetime.now(UTC)
    if not (dest / "HEAD").exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        try:
            run_git(
                None,
                ["clone", "--bare", "--quiet", f"--filter={CLONE_FILTER}", "--", url, str(partial)],
                timeout=GIT_NETWORK_TIMEOUT_SECONDS,
            )
        except GitError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise GitError(f"{full_name}: clone of {url} failed: {exc}") from exc
        partial.rename(dest)  # a half-finished clone never looks like a good one
        return dest, fetched_at
    try:
        run_git(
            dest,
            [
                "fetch",
                "--quiet",
                "--prune",
                "--no-tags",
                f"--filter={CLONE_FILTER}",
                url,
                "+refs/heads/*:refs/heads/*",
                "+refs/tags/*:refs/tags/*",
            ],
            timeout=GIT_NETWORK_TIMEOUT_SECONDS,
        )
        _follow_remote_head(dest, url)
    except GitError as exc:
        raise GitError(f"{full_name}: fetch from {url} failed: {exc}") from exc
    return dest, fetched_at


def _follow_remote_head(dest: Path, url: str) -> None:
    """Point HEAD at the remote's default branch, which may have changed since the clone."""
    out = run_git(dest, ["ls-remote", "--symref", url, "HEAD"]).stdout.decode("utf-8", "replace")
    for line in out.splitlines():
        if line.startswith("ref: ") and line.endswith("\tHEAD"):
            ref = line[5:].split("\t")[0]
            if ref.startswith("refs/heads/"):
                run_git(dest, ["symbolic-ref", "HEAD", ref])
            return
