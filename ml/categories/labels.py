"""Read the category labels the task classifier is trained and measured on.

Every label in ml/labels/ was written by an AI language model (Anthropic's Claude) on
2026-11-28, one repository at a time; no rule or classifier produced or pre-filled any label.
Kind labels were read from the repository's metadata in the January 2023 archive (name,
description, topics, language, stars, homepage, fork and archived flags). Category labels were
read from the same metadata plus the first 330 to 380 characters of the README, stripped of
code, images, badges and HTML. For a few well-known projects whose metadata says little, the
annotator's knowledge of the project also counted, and the label's note says so. Second passes
re-labelled seeded subsamples under other evidence: 80 kinds with the first 500 README
characters in view, 60 categories from metadata alone. They were written after the first pass
by the same annotator, who could recall the first-pass labels, so their agreement (Cohen's
kappa) is an upper bound on consistency, not a measure of independent annotators. No person
reviewed the labels; the checks are automated (valid values, one label per repository, a note
on every low-confidence label, the sample redrawn from its seed) plus the agreement figures.

The categorised tools are the sampled repositories labelled `tool` (`ml/labels/sample.py`),
with the kind labels' test split. A tool whose task is none of the study's six (a React
library, an application) is labelled `none`: it is counted, but neither trains nor scores the
classifier, which has no such class.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ml.config import config_section
from ml.kind.labels import check_split, project_path, read_label_file

REQUIRED_COLUMNS = ("repository_id", "primary_category")
NO_CATEGORY = "none"


def default_labels_path(config: dict | None = None, key: str = "labels_path") -> Path:
    """`categories.<key>` from the ML config, resolved against the project root."""
    return project_path(config_section("categories", config)[key])


def load_category_labels(
    path: Path | str | None = None, config: dict | None = None, key: str = "labels_path"
) -> pd.DataFrame:
    """The category labels (`repository_id`, `primary_category`, `secondary_category`
    ('' when none), plus `full_name`, `stratum`, `split`, `confidence`, `note` when
    present). `key` names another labels file of the config (`metadata_pass_labels_path`).

    Raises FileNotFoundError naming the path when the file is absent, and ValueError naming it
    for a missing column, an unknown category or split, a secondary equal to the primary, or a
    repeated id.
    """
    path = Path(path) if path is not None else default_labels_path(config, key)
    labels = read_label_file(path, "category labels", REQUIRED_COLUMNS)
    categories = list(config_section("categories", config)["categories"])
    return validate_category_labels(labels, categories, str(path))


def validate_category_labels(
    labels: pd.DataFrame, categories: list[str], source: str
) -> pd.DataFrame:
    """Check the values; return a clean copy with text ids and an empty secondary as ''."""
    out = labels.copy()
    if "secondary_category" not in out.columns:
        out["secondary_category"] = ""
    for column in ("repository_id", "primary_category", "secondary_category"):
        out[column] = out[column].fillna("").astype(str).str.strip()
    out = out[out["repository_id"] != ""]
    wrong = sorted(set(out["primary_category"]) - {*categories, NO_CATEGORY})
    wrong += sorted(set(out["secondary_category"]) - {*categories, ""})
    if wrong:
        raise ValueError(f"{source}: unknown categor(ies) {wrong}; expected one of {categories}")
    same = out.loc[out["primary_category"] == out["secondary_category"], "repository_id"]
    if len(same):
        raise ValueError(f"{source}: secondary equals primary for {same.tolist()[:5]}")
    check_split(out, source)
    duplicated = out.loc[out["repository_id"].duplicated(), "repository_id"].tolist()
    if duplicated:
        raise ValueError(f"{source}: repository_id labelled more than once: {duplicated[:5]}")
    return out.reset_index(drop=True)


def categorised(labels: pd.DataFrame) -> pd.DataFrame:
    """The labels in one of the six categories (`none` left out)."""
    return labels[labels["primary_category"] != NO_CATEGORY].reset_index(drop=True)
