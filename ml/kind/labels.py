"""Read the hand labels the kind classifier is trained and measured on.

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

The kind labels are a seeded stratified sample (`ml/labels/sample.py`) with a held-out test
split; they are the only ground truth the kind model has, so a missing or malformed file stops
the run with an error that names the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ml.config import config_section

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REQUIRED_COLUMNS = ("repository_id", "kind")
SPLITS = ("train", "test")


def project_path(value: str | Path) -> Path:
    """A configured path, resolved against the project root when relative."""
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


def default_labels_path(config: dict | None = None, key: str = "labels_path") -> Path:
    """`kind.<key>` from the ML config, resolved against the project root."""
    return project_path(config_section("kind", config)[key])


def read_label_file(path: Path, what: str, columns: Sequence[str]) -> pd.DataFrame:
    """A label CSV as text columns; fails naming the file when it is absent or lacks columns."""
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path} (expected columns {', '.join(columns)})")
    labels = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in labels.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    return labels


def load_kind_labels(
    path: Path | str | None = None, config: dict | None = None, key: str = "labels_path"
) -> pd.DataFrame:
    """The kind labels as a frame (`repository_id` and `kind` text, plus any other columns:
    `full_name`, `stratum`, `split`, `confidence`, `note`). `key` names another labels file of
    the config (`readme_pass_labels_path`: the second pass).

    Raises FileNotFoundError naming the path when the file is absent, and ValueError naming it
    when a required column is missing, a kind or split is unknown or an id repeats.
    """
    path = Path(path) if path is not None else default_labels_path(config, key)
    labels = read_label_file(path, "hand labels for the kind classifier", REQUIRED_COLUMNS)
    kinds = config_section("kind", config)["kinds"]
    return validate_labels(labels, kinds, source=str(path))


def validate_labels(labels: pd.DataFrame, kinds: Sequence[str], source: str) -> pd.DataFrame:
    """Check columns, kinds, splits and duplicate ids; return a clean copy with text ids."""
    missing = [c for c in REQUIRED_COLUMNS if c not in labels.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}")
    out = labels.copy()
    out["repository_id"] = out["repository_id"].astype(str).str.strip()
    out["kind"] = out["kind"].astype(str).str.strip().str.lower()
    out = out[(out["repository_id"] != "") & (out["kind"] != "")]
    unknown = sorted(set(out["kind"]) - set(kinds))
    if unknown:
        raise ValueError(f"{source}: unknown kind(s) {unknown}; expected one of {list(kinds)}")
    check_split(out, source)
    duplicated = out.loc[out["repository_id"].duplicated(), "repository_id"].tolist()
    if duplicated:
        raise ValueError(f"{source}: repository_id labelled more than once: {duplicated[:5]}")
    return out.reset_index(drop=True)


def check_split(labels: pd.DataFrame, source: str) -> None:
    """A `split` column, when present, holds only train and test."""
    if "split" in labels.columns:
        wrong = sorted(set(labels["split"]) - set(SPLITS))
        if wrong:
            raise ValueError(f"{source}: unknown split(s) {wrong}; expected one of {list(SPLITS)}")
