"""Draw the reproducible random sample of archived repositories that we label by hand.

The hand labels in `repository_kinds.csv` are the ground truth a kind classifier is measured
against, so the sample must be re-drawable by anyone with the January 2023 archive: load every
search response, keep one row per repository id, sort by id, then draw with a fixed seed.
Changing `SEED`, `SAMPLE_SIZE` or the archive changes the sample and invalidates the labels
(`tests/labels/test_labels.py` checks they still match).

Run: `uv run python -m ml.labels.sample` (prints each sampled repository's metadata to read).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mlops_atlas.paths import mirror_root

ARCHIVE_RESPONSES = Path("snapshots") / "github-2023-01-18" / "responses"
SEED = 2023
SAMPLE_SIZE = 180


def responses_dir(root: Path | None = None) -> Path:
    """The archive's response folder under the data mirror; fails clearly without a mirror."""
    root = root if root is not None else mirror_root()
    if root is None:
        raise FileNotFoundError(
            "no data mirror: set ATLAS_MIRROR or provide ../shared/data beside the project"
        )
    return root / ARCHIVE_RESPONSES


def load_archive_repositories(directory: Path) -> dict[int, dict[str, Any]]:
    """Every repository item in the archive's search responses, one per repository id.

    The `topic:mlops` pages repeat some repositories and the `topic:model-management` page
    overlaps them; the first item seen (files in name order) is kept.
    """
    files = sorted(directory.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no search response files (*.json) in {directory}")
    repositories: dict[int, dict[str, Any]] = {}
    for path in files:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from error
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ValueError(f"{path}: not a GitHub search response (no 'items' list)")
        for item in body["items"]:
            repositories.setdefault(int(item["id"]), item)
    return repositories


def draw_sample(
    repositories: dict[int, dict[str, Any]],
    size: int = SAMPLE_SIZE,
    seed: int = SEED,
) -> list[dict[str, Any]]:
    """A seeded simple random sample without replacement, returned in id order.

    Sorting by id before drawing makes the result independent of file and item order.
    """
    population = [repositories[repository_id] for repository_id in sorted(repositories)]
    if size > len(population):
        raise ValueError(f"sample size {size} exceeds the {len(population)} repositories")
    drawn = random.Random(seed).sample(population, size)
    return sorted(drawn, key=lambda item: int(item["id"]))


def sample_ids(root: Path | None = None) -> list[int]:
    """The sampled repository ids, in id order."""
    return [int(item["id"]) for item in draw_sample(load_archive_repositories(responses_dir(root)))]


def main() -> None:
    console = Console(width=120)
    repositories = load_archive_repositories(responses_dir())
    sample = draw_sample(repositories)
    for number, item in enumerate(sample, start=1):
        console.rule(f"{number}. {item['id']} {item['full_name']}", align="left")
        console.print(f"description: {item.get('description') or ''}", markup=False)
        console.print(f"topics: {', '.join(item.get('topics') or [])}", markup=False)
        console.print(
            f"language: {item.get('language')}  stars: {item.get('stargazers_count')}  "
            f"fork: {item.get('fork')}  archived: {item.get('archived')}  "
            f"homepage: {item.get('homepage') or ''}",
            markup=False,
        )
    summary = Table(title="Sample")
    summary.add_column("archive repositories", justify="right")
    summary.add_column("seed", justify="right")
    summary.add_column("sampled", justify="right")
    summary.add_row(str(len(repositories)), str(SEED), str(len(sample)))
    console.print(summary)


if __name__ == "__main__":
    sys.exit(main())
