"""The hand-curated reference data is well-formed and consistent with the January 2023 archive.

These files are ground truth for naming clusters and measuring a kind classifier, so a typo,
a duplicate or a drifted sample silently corrupts every score computed against them.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from ml.labels.sample import (
    SAMPLE_SIZE,
    SEED,
    draw_sample,
    load_archive_repositories,
    responses_dir,
)
from mlops_atlas.paths import PROJECT_ROOT

CURATED_TOOLS = PROJECT_ROOT / "dbt_project" / "seeds" / "curated_tools.csv"
REPOSITORY_KINDS = PROJECT_ROOT / "ml" / "labels" / "repository_kinds.csv"

CATEGORIES = {
    "all-in-one",
    "data pipeline",
    "infrastructure",
    "modeling and training",
    "monitoring",
    "serving",
}
KINDS = {"tool", "learning", "list", "example", "other"}
CONFIDENCES = {"high", "low"}


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def curated() -> list[dict[str, str]]:
    header, rows = read_csv(CURATED_TOOLS)
    assert header == [
        "full_name",
        "category",
        "kind",
        "label_source",
        "note",
        "in_zimmerman_2023",
    ]
    return rows


@pytest.fixture(scope="module")
def kinds() -> list[dict[str, str]]:
    header, rows = read_csv(REPOSITORY_KINDS)
    assert header == ["repository_id", "full_name", "kind", "confidence", "note"]
    return rows


@pytest.fixture(scope="module")
def archive(mirror: Path) -> dict[int, dict]:
    return load_archive_repositories(responses_dir(mirror))


# curated tools


def test_curated_tools_has_enough_rows_in_every_category(curated: list[dict[str, str]]) -> None:
    assert len(curated) >= 110
    per_category = Counter(row["category"] for row in curated)
    assert set(per_category) == CATEGORIES
    assert min(per_category.values()) >= 10, per_category


def test_curated_tools_values_are_valid(curated: list[dict[str, str]]) -> None:
    for row in curated:
        owner, slash, name = row["full_name"].partition("/")
        assert owner and slash and name and "/" not in name, row["full_name"]
        assert row["full_name"] == row["full_name"].strip(), row["full_name"]
        assert row["category"] in CATEGORIES, row
        assert row["kind"] == "tool", row
        assert row["label_source"].strip(), row
        assert row["in_zimmerman_2023"] in {"true", "false"}, row


def test_curated_tools_are_unique_and_sorted(curated: list[dict[str, str]]) -> None:
    names = [row["full_name"].lower() for row in curated]
    duplicates = [name for name, count in Counter(names).items() if count > 1]
    assert not duplicates
    assert names == sorted(names)


def test_curated_in_zimmerman_2023_matches_archive(
    curated: list[dict[str, str]], archive: dict[int, dict]
) -> None:
    archived = {item["full_name"] for item in archive.values()}
    archived_lower = {name.lower(): name for name in archived}
    for row in curated:
        expected = row["full_name"] in archived
        assert row["in_zimmerman_2023"] == str(expected).lower(), row["full_name"]
        # A name in the archive must use the archive's spelling, not just match ignoring case.
        spelled = archived_lower.get(row["full_name"].lower())
        assert spelled is None or spelled == row["full_name"], (row["full_name"], spelled)
    assert sum(row["in_zimmerman_2023"] == "true" for row in curated) >= 60


# repository kinds


def test_kind_labels_are_valid(kinds: list[dict[str, str]]) -> None:
    assert len(kinds) >= 170
    for row in kinds:
        assert row["repository_id"].isdigit(), row
        assert row["kind"] in KINDS, row
        assert row["confidence"] in CONFIDENCES, row
        if row["confidence"] == "low":
            assert row["note"].strip(), f"low-confidence label without a note: {row}"
    ids = [row["repository_id"] for row in kinds]
    assert len(ids) == len(set(ids))


def test_kind_labels_name_archived_repositories(
    kinds: list[dict[str, str]], archive: dict[int, dict]
) -> None:
    for row in kinds:
        item = archive.get(int(row["repository_id"]))
        assert item is not None, f"{row['repository_id']} is not in the archive"
        assert item["full_name"] == row["full_name"], (row, item["full_name"])


def test_sample_script_reproduces_the_labelled_ids(
    kinds: list[dict[str, str]], archive: dict[int, dict]
) -> None:
    assert len(archive) == 1007  # the archive's documented count of distinct repositories
    sampled = {int(item["id"]) for item in draw_sample(archive, SAMPLE_SIZE, SEED)}
    assert sampled == {int(row["repository_id"]) for row in kinds}


def test_curated_tools_in_the_sample_are_labelled_tool(
    curated: list[dict[str, str]], kinds: list[dict[str, str]]
) -> None:
    curated_names = {row["full_name"] for row in curated}
    for row in kinds:
        if row["full_name"] in curated_names:
            assert row["kind"] == "tool", row


# the sampling logic itself, without the mirror


def test_draw_sample_is_seeded_and_independent_of_input_order() -> None:
    repositories = {i: {"id": i, "full_name": f"o/r{i}"} for i in range(50)}
    shuffled = dict(reversed(list(repositories.items())))
    first = draw_sample(repositories, 10, 7)
    assert first == draw_sample(shuffled, 10, 7)
    assert [item["id"] for item in first] == sorted(item["id"] for item in first)
    assert first != draw_sample(repositories, 10, 8)
    with pytest.raises(ValueError, match="exceeds"):
        draw_sample(repositories, 51, 7)


def test_load_archive_dedups_and_names_bad_files(tmp_path: Path) -> None:
    first, second = {"id": 2, "full_name": "o/b"}, {"id": 1, "full_name": "o/a"}
    (tmp_path / "a.json").write_text(json.dumps({"total_count": 1, "items": [first]}))
    (tmp_path / "b.json").write_text(json.dumps({"total_count": 2, "items": [first, second]}))
    assert sorted(load_archive_repositories(tmp_path)) == [1, 2]
    (tmp_path / "c.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"c\.json"):
        load_archive_repositories(tmp_path)


README = PROJECT_ROOT / "ml" / "labels" / "README.md"


def readme_table(heading: str) -> dict[str, list[str]]:
    """The markdown table under `## <heading>` in ml/labels/README.md: first cell -> other cells."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"## {heading}"))
    table: dict[str, list[str]] = {}
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip().strip("*") for cell in line.strip("|").split("|")]
        table[cells[0]] = cells[1:]
    return table


def test_readme_kind_counts_match_the_labels(kinds: list[dict[str, str]]) -> None:
    table = readme_table(f"Counts (repository_kinds.csv, {len(kinds)} rows)")
    for kind in [*sorted(KINDS), "all"]:
        rows = [r for r in kinds if kind in ("all", r["kind"])]
        high = sum(r["confidence"] == "high" for r in rows)
        assert table[kind][:3] == [str(high), str(len(rows) - high), str(len(rows))], kind
        if kind != "all":
            assert table[kind][3] == f"{round(100 * len(rows) / len(kinds))}%", kind


def test_readme_curated_counts_match_the_seed(curated: list[dict[str, str]]) -> None:
    table = readme_table(f"Curated tools (curated_tools.csv, {len(curated)} rows)")
    for category in [*sorted(CATEGORIES), "all"]:
        rows = [r for r in curated if category in ("all", r["category"])]
        in_archive = sum(r["in_zimmerman_2023"] == "true" for r in rows)
        assert table[category] == [str(len(rows)), str(in_archive)], category
