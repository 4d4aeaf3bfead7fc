"""Which histories to load: the mirror's MANIFEST.csv and live clone names, as HistorySpec rows."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dlt_pipeline.git.settings import MANIFEST_FILE, MIRROR_SUBDIR

# GitHub owner/name characters; anything else could smuggle a path or URL part in.
_FULL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9_.][A-Za-z0-9_.-]*$")

_REQUIRED_COLUMNS = ("requested_full_name", "fetched_full_name", "dir_name", "snapshot_taken_at")


class ManifestError(ValueError):
    """MANIFEST.csv is missing, lacks a column, or has a row that cannot be read."""


@dataclass(frozen=True)
class HistorySpec:
    """One history to load.

    `repository` is the key in every raw_git table: the requested GitHub `owner/name` (the
    only name every row has, skipped ones included; `fetched_full_name` tells the rename).
    """

    repository: str
    requested_full_name: str
    fetched_full_name: str | None
    source: str  # 'mirror' | 'clone'
    path: Path | None
    observed_until: datetime | None
    skip_note: str | None = None


def is_valid_full_name(full_name: str) -> bool:
    """True for a plausible GitHub `owner/name` (no `..`, no leading dash, one slash)."""
    return bool(_FULL_NAME.match(full_name)) and not full_name.split("/")[1].startswith("..")


def manifest_path(mirror: Path) -> Path:
    """Accept the mirror root (`$ATLAS_MIRROR`) or its `git/` folder."""
    for candidate in (mirror / MIRROR_SUBDIR / MANIFEST_FILE, mirror / MANIFEST_FILE):
        if candidate.is_file():
            return candidate
    raise ManifestError(f"no {MANIFEST_FILE} in {mirror} or {mirror / MIRROR_SUBDIR}")


def _parse_time(value: str, where: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ManifestError(f"{where}: bad timestamp {value!r}") from exc
    if parsed.tzinfo is None:
        raise ManifestError(f"{where}: timestamp {value!r} has no time zone")
    return parsed.astimezone(UTC)


def read_manifest(mirror: Path) -> list[HistorySpec]:
    """Every manifest row as a spec; rows without `dir_name` become skipped specs with the note."""
    path = manifest_path(mirror)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ManifestError(f"{path}: missing column(s) {', '.join(missing)}")
        specs: list[HistorySpec] = []
        seen: set[str] = set()
        for line_no, row in enumerate(reader, start=2):
            where = f"{path}:{line_no}"
            requested = (row.get("requested_full_name") or "").strip()
            if not is_valid_full_name(requested):
                raise ManifestError(f"{where}: bad requested_full_name {requested!r}")
            if requested in seen:
                raise ManifestError(f"{where}: {requested} listed twice")
            seen.add(requested)
            dir_name = (row.get("dir_name") or "").strip()
            note = (row.get("notes") or "").strip() or None
            if dir_name and ("/" in dir_name or dir_name.startswith(".")):
                raise ManifestError(f"{where}: bad dir_name {dir_name!r}")
            specs.append(
                HistorySpec(
                    repository=requested,
                    requested_full_name=requested,
                    fetched_full_name=(row.get("fetched_full_name") or "").strip() or None,
                    source="mirror",
                    path=path.parent / dir_name if dir_name else None,
                    observed_until=_parse_time(row.get("snapshot_taken_at") or "", where),
                    skip_note=None if dir_name else (note or "skipped: no directory in mirror"),
                )
            )
    return specs


def read_manifest_counts(mirror: Path) -> dict[str, tuple[int, int]]:
    """`requested_full_name -> (commits, tags)` for rows that have a directory (for checks)."""
    with manifest_path(mirror).open(newline="", encoding="utf-8") as fh:
        return {
            row["requested_full_name"]: (int(row["commits"]), int(row["tags"]))
            for row in csv.DictReader(fh)
            if row.get("dir_name")
        }
