"""The label sets are well-formed, reproducible from their seeded sample, consistent with each
other and with the archive, and described identically wherever they are described.

These files are the ground truth every text model is trained and scored on, so a typo, a
duplicate, a drifted sample or a provenance statement that says something else in one place
silently corrupts every figure computed against them.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ml.categories.labels import NO_CATEGORY
from ml.labels.agreement import cohen_kappa, pass_agreement
from ml.labels.match import match_labels
from ml.labels.provenance import CURATED_STATEMENT, LABELS_STATEMENT, PAGES_STATEMENT
from ml.labels.sample import (
    ALLOCATION,
    CATEGORY_PASS_SIZE,
    README_PASS_SIZE,
    TEST_SHARE,
    category_pass_keys,
    draw_sample,
    load_archive_repositories,
    responses_dir,
    sampling_frame,
)
from ml.labels.strata import design_weights, star_band, stratum
from mlops_atlas.paths import PROJECT_ROOT

LABELS = PROJECT_ROOT / "ml" / "labels"
CURATED_TOOLS = PROJECT_ROOT / "dbt_project" / "seeds" / "curated_tools.csv"
KINDS_FILE = LABELS / "repository_kinds.csv"
README_PASS_FILE = LABELS / "repository_kinds_readme_pass.csv"
CATEGORIES_FILE = LABELS / "tool_categories.csv"
METADATA_PASS_FILE = LABELS / "tool_categories_metadata_pass.csv"

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
    assert header == ["full_name", "category", "kind", "label_source", "note", "in_zimmerman_2023"]
    return rows


@pytest.fixture(scope="module")
def kinds() -> list[dict[str, str]]:
    header, rows = read_csv(KINDS_FILE)
    assert header == [
        "repository_id",
        "full_name",
        "stratum",
        "split",
        "kind",
        "confidence",
        "note",
    ]
    return rows


@pytest.fixture(scope="module")
def categories() -> list[dict[str, str]]:
    header, rows = read_csv(CATEGORIES_FILE)
    assert header == [
        "repository_id",
        "full_name",
        "stratum",
        "split",
        "primary_category",
        "secondary_category",
        "confidence",
        "note",
    ]
    return rows


@pytest.fixture(scope="module")
def archive(mirror: Path) -> dict[int, dict]:
    return load_archive_repositories(responses_dir(mirror))


@pytest.fixture(scope="module")
def sample(mirror: Path):
    return draw_sample(sampling_frame(mirror))


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
        spelled = archived_lower.get(row["full_name"].lower())
        assert spelled is None or spelled == row["full_name"], (row["full_name"], spelled)
    assert sum(row["in_zimmerman_2023"] == "true" for row in curated) >= 60


# the sample


def test_the_sample_is_reproduced_exactly_by_its_script(kinds, sample) -> None:
    drawn = [(d.unit.key, d.unit.full_name, d.unit.stratum, d.split) for d in sample]
    labelled = [(r["repository_id"], r["full_name"], r["stratum"], r["split"]) for r in kinds]
    assert labelled == drawn


def test_the_sample_follows_its_allocation_and_test_share(sample, mirror: Path) -> None:
    frame = Counter(u.stratum for u in sampling_frame(mirror))
    drawn = Counter(d.unit.stratum for d in sample)
    for name, size in frame.items():
        assert drawn[name] == min(ALLOCATION.get(name, size), size), name
        in_test = sum(d.split == "test" for d in sample if d.unit.stratum == name)
        assert in_test == round(TEST_SHARE * drawn[name]), name
    assert len(sample) >= 300


def test_the_frame_is_the_archive_plus_the_git_only_histories(mirror: Path, archive) -> None:
    frame = sampling_frame(mirror)
    archive_keys = {str(i) for i in archive}
    assert {u.key for u in frame if u.github_id is not None} == archive_keys
    git_only = [u for u in frame if u.github_id is None]
    with (mirror / "git" / "MANIFEST.csv").open(newline="", encoding="utf-8") as handle:
        manifest = [row["requested_full_name"].lower() for row in csv.DictReader(handle)]
    names = {item["full_name"].lower() for item in archive.values()}
    assert len(git_only) == sum(name not in names for name in manifest)
    assert all(u.key.startswith("git:") and u.stars is None for u in git_only)


def test_kind_labels_are_valid(kinds: list[dict[str, str]]) -> None:
    for row in kinds:
        assert row["kind"] in KINDS, row
        assert row["confidence"] in CONFIDENCES, row
        assert row["split"] in {"train", "test"}, row
        if row["confidence"] == "low":
            assert row["note"].strip(), f"low-confidence label without a note: {row}"
    ids = [row["repository_id"] for row in kinds]
    assert len(ids) == len(set(ids))


def test_kind_labels_name_archived_repositories(kinds, archive: dict[int, dict]) -> None:
    for row in kinds:
        if row["repository_id"].startswith("git:"):
            continue
        item = archive.get(int(row["repository_id"]))
        assert item is not None, f"{row['repository_id']} is not in the archive"
        assert item["full_name"] == row["full_name"], (row, item["full_name"])


def test_every_sampled_tool_has_a_category_and_nothing_else_does(kinds, categories) -> None:
    tools = [
        (r["repository_id"], r["full_name"], r["stratum"], r["split"])
        for r in kinds
        if r["kind"] == "tool"
    ]
    labelled = [(r["repository_id"], r["full_name"], r["stratum"], r["split"]) for r in categories]
    assert labelled == tools
    categorised = [r for r in categories if r["primary_category"] != NO_CATEGORY]
    assert len(categorised) >= 200


def test_category_labels_are_valid(categories: list[dict[str, str]]) -> None:
    for row in categories:
        assert row["primary_category"] in CATEGORIES | {NO_CATEGORY}, row
        assert row["secondary_category"] in CATEGORIES | {""}, row
        assert row["secondary_category"] != row["primary_category"], row
        assert row["confidence"] in CONFIDENCES, row
        if row["confidence"] == "low":
            assert row["note"].strip(), f"low-confidence label without a note: {row}"


def test_second_passes_are_the_seeded_subsamples(sample, kinds) -> None:
    _, readme_pass = read_csv(README_PASS_FILE)
    expected = [d.unit.key for d in sample if d.readme_pass]
    assert [r["repository_id"] for r in readme_pass] == expected
    assert len(expected) == README_PASS_SIZE
    assert all(d.unit.has_readme for d in sample if d.readme_pass)
    _, metadata_pass = read_csv(METADATA_PASS_FILE)
    tools = [r["repository_id"] for r in kinds if r["kind"] == "tool"]
    chosen = category_pass_keys(tools)
    assert {r["repository_id"] for r in metadata_pass} == chosen
    assert len(chosen) == CATEGORY_PASS_SIZE
    for row in readme_pass:
        assert row["kind"] in KINDS
    for row in metadata_pass:
        assert row["primary_category"] in CATEGORIES | {NO_CATEGORY}


def test_curated_tools_in_the_sample_are_labelled_tool(curated, kinds) -> None:
    curated_names = {row["full_name"] for row in curated}
    for row in kinds:
        if row["full_name"] in curated_names:
            assert row["kind"] == "tool", row


# the logic, without the mirror


def test_draw_sample_is_seeded_and_independent_of_input_order(mirror: Path) -> None:
    frame = sampling_frame(mirror)
    assert draw_sample(frame) == draw_sample(list(reversed(frame)))


def test_load_archive_dedups_and_names_bad_files(tmp_path: Path) -> None:
    first, second = {"id": 2, "full_name": "o/b"}, {"id": 1, "full_name": "o/a"}
    (tmp_path / "a.json").write_text(json.dumps({"total_count": 1, "items": [first]}))
    (tmp_path / "b.json").write_text(json.dumps({"total_count": 2, "items": [first, second]}))
    assert sorted(load_archive_repositories(tmp_path)) == [1, 2]
    (tmp_path / "c.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"c\.json"):
        load_archive_repositories(tmp_path)


def test_star_bands_and_strata() -> None:
    assert [star_band(s) for s in (0, 1, 9, 10, 99, 100, 999, 1000, 10**6)] == [
        "0",
        "1-9",
        "1-9",
        "10-99",
        "10-99",
        "100-999",
        "100-999",
        "1000+",
        "1000+",
    ]
    assert star_band(None) == star_band(float("nan")) == star_band(pd.NA) == "unknown"
    assert stratum(12, True) == "10-99/readme" and stratum(0, False) == "0/no readme"


def test_design_weights_are_population_over_sample() -> None:
    population = pd.Series(["a"] * 10 + ["b"] * 100)
    sample = pd.Series(["a", "a", "b", "b", "b", "b", "c"])
    weights = design_weights(sample, population)
    assert weights.tolist() == [5.0, 5.0, 25.0, 25.0, 25.0, 25.0, 1.0]


def test_labels_find_their_repository_by_key_or_any_name() -> None:
    repos = pd.DataFrame(
        {
            "repository_id": ["7", "git:solo/x"],
            "full_name": ["new/name", "solo/x"],
            "other_full_names": [["Old/Name"], []],
        }
    )
    labels = pd.DataFrame(
        {
            "repository_id": ["7", "git:old/name", "git:SOLO/X", "99"],
            "full_name": ["new/name", "old/name", "Solo/X", "gone/away"],
            "kind": ["tool", "tool", "list", "other"],
        }
    )
    matched = match_labels(labels, repos)
    assert matched["repository_id"].tolist() == ["7", "git:solo/x"]
    assert matched["kind"].tolist() == ["tool", "list"]


def test_cohen_kappa_matches_a_worked_example() -> None:
    # 2x2 table: agree yes 20, agree no 15, yes/no 5, no/yes 10 -> po 0.7, pe 0.5, kappa 0.4
    first = pd.Series(["y"] * 20 + ["n"] * 15 + ["y"] * 5 + ["n"] * 10).to_numpy()
    second = pd.Series(["y"] * 20 + ["n"] * 15 + ["n"] * 5 + ["y"] * 10).to_numpy()
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa(first, first) == 1.0
    a = pd.DataFrame({"repository_id": ["1", "2", "3"], "kind": ["tool", "list", "tool"]})
    b = pd.DataFrame({"repository_id": ["3", "2", "4"], "kind": ["tool", "tool", "list"]})
    result = pass_agreement(a, b, "kind", samples=50, seed=1, level=0.95)
    assert result["n"] == 2 and result["agreement"] == 0.5


# the account of how the labels were made


def _words(text: str) -> str:
    return " ".join(text.replace("`", "").split())


def test_the_statement_counts_match_the_files() -> None:
    readme_pass = len(read_csv(README_PASS_FILE)[1])
    metadata_pass = len(read_csv(METADATA_PASS_FILE)[1])
    assert f"{readme_pass} kinds with the first" in LABELS_STATEMENT
    assert f"{metadata_pass} categories from metadata alone" in LABELS_STATEMENT
    curated = len(read_csv(CURATED_TOOLS)[1])
    assert f"names {curated} well-known" in CURATED_STATEMENT


@pytest.mark.parametrize(
    "path",
    [
        LABELS / "README.md",
        PROJECT_ROOT / "ml" / "kind" / "labels.py",
        PROJECT_ROOT / "ml" / "categories" / "labels.py",
    ],
    ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix(),
)
def test_the_labels_statement_is_repeated_word_for_word(path: Path) -> None:
    assert _words(LABELS_STATEMENT) in _words(path.read_text(encoding="utf-8"))


def test_the_curated_statement_is_repeated_word_for_word() -> None:
    seeds = yaml.safe_load(
        (PROJECT_ROOT / "dbt_project" / "seeds" / "_seeds__models.yml").read_text(encoding="utf-8")
    )
    described = {seed["name"]: seed["description"] for seed in seeds["seeds"]}
    assert _words(CURATED_STATEMENT) in _words(described["curated_tools"])
    assert _words(CURATED_STATEMENT) in _words((LABELS / "README.md").read_text(encoding="utf-8"))


def test_every_page_showing_kinds_or_categories_says_how_their_labels_were_made() -> None:
    pages = PROJECT_ROOT / "reports" / "pages"
    showing = [
        p
        for p in sorted(pages.rglob("*.md"))
        if re.search(r"\bml_(tool_categories|repository_kind)\b", p.read_text(encoding="utf-8"))
    ]
    assert pages / "index.md" in showing and pages / "explorer.md" in showing
    missing = [
        p.relative_to(pages).as_posix()
        for p in showing
        if _words(PAGES_STATEMENT) not in _words(p.read_text(encoding="utf-8"))
    ]
    assert missing == []
    assert _words(PAGES_STATEMENT) in _words((LABELS / "README.md").read_text(encoding="utf-8"))


README = LABELS / "README.md"


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
    table = readme_table(f"Kinds (repository_kinds.csv, {len(kinds)} rows)")
    for kind in [*sorted(KINDS), "all"]:
        rows = [r for r in kinds if kind in ("all", r["kind"])]
        high = sum(r["confidence"] == "high" for r in rows)
        test = sum(r["split"] == "test" for r in rows)
        assert table[kind] == [str(high), str(len(rows) - high), str(test), str(len(rows))], kind


def test_readme_category_counts_match_the_labels(categories: list[dict[str, str]]) -> None:
    table = readme_table(f"Categories (tool_categories.csv, {len(categories)} rows)")
    for category in [*sorted(CATEGORIES), NO_CATEGORY, "all"]:
        rows = [r for r in categories if category in ("all", r["primary_category"])]
        secondary = sum(r["secondary_category"] != "" for r in rows)
        test = sum(r["split"] == "test" for r in rows)
        assert table[category] == [str(len(rows)), str(secondary), str(test)], category


def test_readme_curated_counts_match_the_seed(curated: list[dict[str, str]]) -> None:
    table = readme_table(f"Curated tools (curated_tools.csv, {len(curated)} rows)")
    for category in [*sorted(CATEGORIES), "all"]:
        rows = [r for r in curated if category in ("all", r["category"])]
        in_archive = sum(r["in_zimmerman_2023"] == "true" for r in rows)
        assert table[category] == [str(len(rows)), str(in_archive)], category


def test_readme_strata_table_matches_the_sample(sample) -> None:
    table = readme_table("How the sample was drawn")
    drawn = Counter(d.unit.stratum for d in sample)
    shown = {k: v for k, v in table.items() if re.match(r"^(\d|unknown)", k)}
    assert {k: int(v[1]) for k, v in shown.items()} == dict(drawn)


def test_the_sample_script_prints_what_each_pass_read(
    capsys, mirror: Path, kinds, categories
) -> None:
    from ml.labels.sample import main

    assert main(["nonsense"]) == 2
    assert main(["kinds"]) == 0
    assert f"{len(kinds)} repositories" in capsys.readouterr().out
    assert main(["categories"]) == 0
    out = capsys.readouterr().out
    assert f"{len(categories)} repositories" in out and "readme: " in out
    assert main(["category-pass"]) == 0
    assert f"{CATEGORY_PASS_SIZE} repositories" in capsys.readouterr().out
