"""Read the hand labels the kind classifier is trained and measured on.

The labels are a random sample of the January 2023 archive labelled by a person
(`ml/labels/sample.py` draws it); they are the only ground truth the kind model has, so a missing
or malformed file must stop the run with an error that names the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ml.config import config_section

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REQUIRED_COLUMNS = ("repository_id", "kind")


def default_labels_path(config: dict | None = None) -> Path:
    """`kind.labels_path` from the ML config, resolved against the project root."""
    path = Path(config_section("kind", config)["labels_path"])
    return path if path.is_absolute() else PROJECT_ROOT / path


def load_kind_labels(path: Path | str | None = None, config: dict | None = None) -> pd.DataFrame:
    """The hand labels as a frame (`repository_id` int, `kind` str, plus any other columns).

    Raises FileNotFoundError naming the path when the file is absent, and ValueError naming it
    when a required column is missing or a kind is not one the config knows.
    """
    path = Path(path) if path is not None else default_labels_path(config)
    if not path.exists():
        raise FileNotFoundError(
            f"hand labels for the kind classifier not found: {path} "
            "(expected columns repository_id, kind)"
        )
    labels = pd.read_csv(path)
    kinds = config_section("kind", config)["kinds"]
    return validate_labels(labels, kinds, source=str(path))


def validate_labels(labels: pd.DataFrame, kinds: Sequence[str], source: str) -> pd.DataFrame:
    """Check columns, kinds and duplicate ids; return a clean copy with `repository_id` as int."""
    missing = [c for c in REQUIRED_COLUMNS if c not in labels.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}")
    out = labels.dropna(subset=["repository_id", "kind"]).copy()
    out["repository_id"] = out["repository_id"].astype("int64")
    out["kind"] = out["kind"].astype(str).str.strip().str.lower()
    unknown = sorted(set(out["kind"]) - set(kinds))
    if unknown:
        raise ValueError(f"{source}: unknown kind(s) {unknown}; expected one of {list(kinds)}")
    duplicated = out.loc[out["repository_id"].duplicated(), "repository_id"].tolist()
    if duplicated:
        raise ValueError(f"{source}: repository_id labelled more than once: {duplicated[:5]}")
    return out.reset_index(drop=True)
