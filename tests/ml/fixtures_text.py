"""Small hand-made repository frames for the kind, cluster and topic tests, plus a reader that
turns the January 2023 archive into the `repositories` frame the marts will provide."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

ARCHIVE = Path("snapshots") / "github-2023-01-18" / "responses"

CATEGORY_WORDS = {
    "serving": "serve serving inference server rest grpc endpoint latency predictions online",
    "monitoring": "monitor monitoring drift alerts observability dashboards data-quality metrics",
    "data pipeline": "pipeline pipelines orchestration dag workflow etl scheduling ingestion",
    "modeling and training": "training hyperparameter tuning distributed gpu optimizer autograd",
    "infrastructure": "kubernetes cluster compute provisioning scaling terraform containers",
    "all-in-one": "platform lifecycle registry tracking experiments collaboration teams",
}

KIND_TEMPLATES = {
    "tool": (
        "{w1}-{w2}",
        "Open source {w1} {w2} engine for production with {w3} and a python sdk",
    ),
    "learning": (
        "mlops-course-{w1}",
        "Course notes and homework for the mlops bootcamp week {n}: learn {w1} tutorial lessons",
    ),
    "list": (
        "awesome-{w1}",
        "A curated list of awesome {w1} resources papers and links",
    ),
    "example": (
        "{w1}-example-{n}",
        "Example project showing how to use {w1} with a sample demo notebook",
    ),
    "other": (
        "dotfiles-{n}",
        "My personal config files {w1} and scratch space",
    ),
}


def _row(repository_id: int, name: str, description: str | None, **extra: object) -> dict:
    base = {
        "repository_id": str(repository_id),
        "full_name": f"owner{repository_id}/{name}",
        "owner_login": f"owner{repository_id}",
        "name": name,
        "description": description,
        "topics": ["mlops"],
        "language": "Python",
        "license_spdx_id": None,
        "homepage": None,
        "size_kb": 500,
        "stars": 3,
        "forks": 1,
        "open_issues": 0,
        "is_fork": False,
        "is_archived": False,
        "has_wiki": True,
        "has_pages": False,
        "owner_type": "User",
        "created_at": "2021-01-01T00:00:00Z",
        "pushed_at": "2021-02-01T00:00:00Z",
        "release_count": 0,
    }
    base.update(extra)
    return base


def kind_repositories(per_kind: int = 12, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(repositories, labels) with `per_kind` obvious repositories of each kind."""
    rng = np.random.default_rng(seed)
    vocab = " ".join(CATEGORY_WORDS.values()).split()
    rows, labels = [], []
    repository_id = 1000
    for kind, (name_t, desc_t) in KIND_TEMPLATES.items():
        for n in range(per_kind):
            repository_id += 1
            w1, w2, w3 = rng.choice(vocab, 3, replace=False)
            fmt = {"w1": w1, "w2": w2, "w3": w3, "n": n}
            extra: dict[str, object] = {}
            if kind == "tool":
                extra = {
                    "license_spdx_id": "Apache-2.0",
                    "homepage": "https://example.org",
                    "stars": int(rng.integers(500, 20000)),
                    "forks": int(rng.integers(50, 500)),
                    "owner_type": "Organization",
                    "release_count": int(rng.integers(5, 80)),
                    "pushed_at": "2023-01-10T00:00:00Z",
                }
            elif kind == "learning":
                extra = {"language": "Jupyter Notebook", "stars": 2, "forks": 6}
            elif kind == "list":
                extra = {"language": None, "license_spdx_id": "CC0-1.0", "stars": 900}
            elif kind == "other":
                extra = {"language": "Shell", "topics": None}
            rows.append(_row(repository_id, name_t.format(**fmt), desc_t.format(**fmt), **extra))
            labels.append({"repository_id": str(repository_id), "kind": kind})
    return pd.DataFrame(rows), pd.DataFrame(labels)


def category_tools(
    per_category: int = 10, curated_per_category: int = 5, seed: int = 11
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(repositories, kinds, curated, labels) of tools whose descriptions draw on one
    category's words.

    The first `curated_per_category` tools of each category are in the curated frame and are
    the train split of the category labels; the others are its test split.
    """
    rng = np.random.default_rng(seed)
    rows, curated, labels = [], [], []
    repository_id = 5000
    for category, words in CATEGORY_WORDS.items():
        vocab = words.split()
        for i in range(per_category):
            repository_id += 1
            picked = rng.choice(vocab, 5, replace=False)
            name = f"{picked[0]}-{repository_id}"
            description = "A tool for " + " ".join(picked)
            topic = category.replace(" ", "-")
            rows.append(_row(repository_id, name, description, topics=["mlops", topic]))
            if i < curated_per_category:
                curated.append({"full_name": f"owner{repository_id}/{name}", "category": category})
            labels.append(
                {
                    "repository_id": str(repository_id),
                    "full_name": f"owner{repository_id}/{name}",
                    "primary_category": category,
                    "secondary_category": "",
                    "split": "train" if i < curated_per_category else "test",
                }
            )
    repos = pd.DataFrame(rows)
    kinds = pd.DataFrame({"repository_id": repos["repository_id"], "kind": "tool"})
    return repos, kinds, pd.DataFrame(curated), pd.DataFrame(labels)


def archive_repositories(mirror: Path) -> pd.DataFrame:
    """The January 2023 archive as the `repositories` mart frame (one row per id, first seen)."""
    items: dict[int, dict] = {}
    for path in sorted((mirror / ARCHIVE).glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            items.setdefault(int(item["id"]), item)
    rows = []
    for item in items.values():
        owner = item.get("owner") or {}
        license_ = item.get("license") or {}
        rows.append(
            {
                "repository_id": str(item["id"]),
                "full_name": item.get("full_name"),
                "owner_login": owner.get("login"),
                "name": item.get("name"),
                "description": item.get("description"),
                "topics": item.get("topics"),
                "language": item.get("language"),
                "license_spdx_id": license_.get("spdx_id"),
                "homepage": item.get("homepage"),
                "size_kb": item.get("size"),
                "stars": item.get("stargazers_count"),
                "forks": item.get("forks_count"),
                "open_issues": item.get("open_issues_count"),
                "is_fork": item.get("fork"),
                "is_archived": item.get("archived"),
                "has_wiki": item.get("has_wiki"),
                "has_pages": item.get("has_pages"),
                "owner_type": owner.get("type"),
                "created_at": item.get("created_at"),
                "pushed_at": item.get("pushed_at"),
                "release_count": None,
            }
        )
    return pd.DataFrame(rows).sort_values("repository_id").reset_index(drop=True)
