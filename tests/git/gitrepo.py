"""Build small real git repositories and mirror folders for the git loader's tests."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

# Never read the machine's or user's git config; fixed identities unless a test sets one.
BASE_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Alice Example",
    "GIT_AUTHOR_EMAIL": "Alice.Private@Example.COM",
    "GIT_COMMITTER_NAME": "Bob Committer",
    "GIT_COMMITTER_EMAIL": "bob.secret@example.org",
}

MANIFEST_COLUMNS = [
    "requested_full_name",
    "fetched_full_name",
    "dir_name",
    "default_branch",
    "commits",
    "tags",
    "snapshot_taken_at",
    "notes",
]


def git(cwd: Path, *args: str, input: str | None = None, **env: str) -> str:
    """Run git in `cwd` with the test identity (and `input` on stdin); return stdout stripped."""
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=input,
        env={**os.environ, **BASE_ENV, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} in {cwd} failed: {proc.stderr}")
    return proc.stdout.strip()


def commit(
    repo: Path,
    message: str,
    author_date: str,
    committer_date: str | None = None,
    author_email: str | None = None,
) -> str:
    """An empty commit with chosen dates (ISO 8601 with offset), and author e-mail if given;
    returns its sha."""
    git(
        repo,
        "commit",
        "--allow-empty",
        "-q",
        "-m",
        message,
        GIT_AUTHOR_DATE=author_date,
        GIT_COMMITTER_DATE=committer_date or author_date,
        **({"GIT_AUTHOR_EMAIL": author_email} if author_email else {}),
    )
    return git(repo, "rev-parse", "HEAD")


def init_repo(path: Path, *, bare: bool = False) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main", *(["--bare"] if bare else []))
    return path


def write_manifest(git_dir: Path, rows: list[dict[str, str]]) -> Path:
    """MANIFEST.csv in `git_dir` with the mirror's columns (missing values empty)."""
    path = git_dir / "MANIFEST.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in MANIFEST_COLUMNS})
    return path
