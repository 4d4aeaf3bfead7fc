"""Draw the seeded, stratified sample of repositories whose kind and category are labelled.

The labels are the ground truth every text model is trained and measured on, so the sample must
be re-drawable by anyone with the data mirror and must not depend on any model:

* **Frame**: every repository of the January 2023 archive (one per GitHub id, the study's filter
  not applied) plus the repositories the mirror knows only from a git history (MANIFEST rows the
  archive does not name). Each falls in a stratum: its stars band in the archive crossed with
  whether the mirror's `readmes/readmes.jsonl` holds its README (`ml.labels.strata`).
* **Draw**: within each stratum, the repositories sorted by key are shuffled with a seed derived
  from `SEED` and the stratum's name; the first `ALLOCATION[stratum]` are sampled (a stratum not
  listed, or smaller than its allocation, is taken whole). Well-starred strata are drawn densely
  (the tools live there), the zero- and few-star strata sparsely; estimates about the whole
  archive weight each label by its stratum's population over its sample size.
* **Held-out test split**: within each stratum, the first `round(TEST_SHARE * n)` sampled
  repositories of a second seeded shuffle form the test split. No setting is tuned on it.
* **Second passes**: a seeded subsample of the sampled repositories with a README is labelled
  again with the README in view (kinds), and a seeded subsample of the categorised tools is
  labelled again from metadata alone (categories); agreement is Cohen's kappa.

Run `uv run python -m ml.labels.sample kinds|readme-pass|categories|category-pass` to print what
each labelling pass reads. Changing a constant here, or the mirror, changes the sample and
invalidates the labels (`tests/labels/test_labels.py` checks they still match).
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from ml.labels.strata import stratum
from mlops_atlas.paths import mirror_root

ARCHIVE_RESPONSES = Path("snapshots") / "github-2023-01-18" / "responses"
README_FILE = Path("readmes") / "readmes.jsonl"
GIT_MANIFEST = Path("git") / "MANIFEST.csv"

SEED = 2023
#: Repositories sampled per stratum (strata not listed are taken whole).
ALLOCATION: dict[str, int] = {
    "0/no readme": 45,
    "1-9/no readme": 75,
    "10-99/readme": 180,
}
TEST_SHARE = 0.3
#: Size of the second kind pass (README in view), drawn from sampled repositories with a README.
README_PASS_SIZE = 80
#: Size of the second category pass (metadata only), drawn from the categorised tools.
CATEGORY_PASS_SIZE = 60


@dataclass(frozen=True)
class Unit:
    """A repository of the sampling frame. `key` is GitHub's id as text, or `git:<lower name>`
    for a repository known only from a git history (the warehouse's own keys)."""

    key: str
    github_id: int | None
    full_name: str
    stars: int | None
    has_readme: bool
    item: dict[str, Any]

    @property
    def stratum(self) -> str:
        return stratum(self.stars, self.has_readme)


@dataclass(frozen=True)
class Drawn:
    """A sampled repository: its stratum and split, and whether a second pass reads it."""

    unit: Unit
    split: str  # train | test
    readme_pass: bool


def mirror_dir(root: Path | None = None) -> Path:
    """The data mirror; fails clearly without one."""
    root = root if root is not None else mirror_root()
    if root is None:
        raise FileNotFoundError(
            "no data mirror: set ATLAS_MIRROR or provide ../shared/data beside the project"
        )
    return root


def responses_dir(root: Path | None = None) -> Path:
    """The archive's response folder under the data mirror."""
    return mirror_dir(root) / ARCHIVE_RESPONSES


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


def load_readmes(path: Path) -> dict[str, str]:
    """Lower-case archive name -> README text, from the mirror's README file."""
    texts: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                names = item["requested_full_names"]
                text = item["text"]
            except (json.JSONDecodeError, KeyError, TypeError) as error:
                raise ValueError(f"{path}, line {number}: not a README line ({error})") from error
            for name in names:
                texts.setdefault(str(name).lower(), str(text))
    return texts


def git_only_names(path: Path, archive_names: set[str]) -> list[tuple[str, str]]:
    """(requested, fetched) names of MANIFEST rows the archive does not name, in file order."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        (row["requested_full_name"], row["fetched_full_name"] or row["requested_full_name"])
        for row in rows
        if row["requested_full_name"].lower() not in archive_names
    ]


def sampling_frame(root: Path | None = None) -> list[Unit]:
    """Every repository the sample is drawn from, sorted by key."""
    root = mirror_dir(root)
    archive = load_archive_repositories(root / ARCHIVE_RESPONSES)
    readmes = load_readmes(root / README_FILE) if (root / README_FILE).is_file() else {}
    units = [
        Unit(
            key=str(repository_id),
            github_id=repository_id,
            full_name=item["full_name"],
            stars=item.get("stargazers_count"),
            has_readme=item["full_name"].lower() in readmes,
            item=item,
        )
        for repository_id, item in archive.items()
    ]
    archive_names = {item["full_name"].lower() for item in archive.values()}
    if (root / GIT_MANIFEST).is_file():
        for requested, fetched in git_only_names(root / GIT_MANIFEST, archive_names):
            units.append(
                Unit(
                    key=f"git:{fetched.lower()}",
                    github_id=None,
                    full_name=fetched,
                    stars=None,
                    has_readme=requested.lower() in readmes or fetched.lower() in readmes,
                    item={"full_name": fetched, "requested_full_name": requested},
                )
            )
    return sorted(units, key=lambda u: u.key)


def _shuffled(units: list[Unit], salt: str) -> list[Unit]:
    ordered = sorted(units, key=lambda u: u.key)
    random.Random(f"{SEED}:{salt}").shuffle(ordered)
    return ordered


def draw_sample(frame: list[Unit]) -> list[Drawn]:
    """The labelled sample, its test split and the README pass, in key order (see module
    docstring). Independent of the frame's order."""
    by_stratum: dict[str, list[Unit]] = {}
    for unit in frame:
        by_stratum.setdefault(unit.stratum, []).append(unit)
    drawn: list[Unit] = []
    test: set[str] = set()
    for name in sorted(by_stratum):
        members = _shuffled(by_stratum[name], name)
        chosen = members[: ALLOCATION.get(name, len(members))]
        drawn += chosen
        held_out = _shuffled(chosen, f"test:{name}")[: round(TEST_SHARE * len(chosen))]
        test.update(u.key for u in held_out)
    with_readme = [u for u in drawn if u.has_readme]
    second = {u.key for u in _shuffled(with_readme, "readme-pass")[:README_PASS_SIZE]}
    return [
        Drawn(u, "test" if u.key in test else "train", u.key in second)
        for u in sorted(drawn, key=lambda u: u.key)
    ]


def category_pass_keys(tool_keys: list[str]) -> set[str]:
    """The categorised tools labelled a second time from metadata alone (seeded, key order
    independent)."""
    ordered = sorted(set(tool_keys))
    random.Random(f"{SEED}:category-pass").shuffle(ordered)
    return set(ordered[:CATEGORY_PASS_SIZE])


# -- printing what a labelling pass reads ----------------------------------------------------

_BADGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|<[^>]+>|\[!\[.*?\]\(.*?\)\]\(.*?\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_CODE = re.compile(r"```.*?```", re.S)
_SPACE = re.compile(r"\s+")


def readme_excerpt(text: str, chars: int = 700) -> str:
    """The first words of a README for a reader: code, images, badges and tags dropped."""
    text = _CODE.sub(" ", text[:20000])
    text = _LINK.sub(r"\1", _BADGE.sub(" ", text))
    return _SPACE.sub(" ", text).strip()[:chars]


def _metadata(console: Console, number: int, unit: Unit) -> None:
    item = unit.item
    console.rule(f"{number}. {unit.key} {unit.full_name} [{unit.stratum}]", align="left")
    console.print(f"description: {item.get('description') or ''}", markup=False)
    console.print(f"topics: {', '.join(item.get('topics') or [])}", markup=False)
    console.print(
        f"language: {item.get('language')}  stars: {unit.stars}  fork: {item.get('fork')}  "
        f"archived: {item.get('archived')}  homepage: {item.get('homepage') or ''}",
        markup=False,
    )


def main(argv: list[str]) -> int:
    passes = ("kinds", "readme-pass", "categories", "category-pass")
    if len(argv) != 1 or argv[0] not in passes:
        print(f"usage: python -m ml.labels.sample {'|'.join(passes)}", file=sys.stderr)
        return 2
    console = Console(width=140)
    root = mirror_dir()
    sample = draw_sample(sampling_frame(root))
    readmes = load_readmes(root / README_FILE) if (root / README_FILE).is_file() else {}
    if argv[0] in ("categories", "category-pass"):
        from ml.kind.labels import load_kind_labels

        labels = load_kind_labels()
        tools = set(labels.loc[labels["kind"] == "tool", "repository_id"])
        chosen = category_pass_keys(list(tools)) if argv[0] == "category-pass" else tools
        sample = [d for d in sample if d.unit.key in chosen]
    elif argv[0] == "readme-pass":
        sample = [d for d in sample if d.readme_pass]
    for number, drawn in enumerate(sample, start=1):
        _metadata(console, number, drawn.unit)
        if argv[0] in ("readme-pass", "categories"):
            names = (drawn.unit.full_name, drawn.unit.item.get("requested_full_name") or "")
            text = next((readmes[n.lower()] for n in names if n.lower() in readmes), "")
            console.print(f"readme: {readme_excerpt(text)}", markup=False)
    console.print(f"{len(sample)} repositories")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
