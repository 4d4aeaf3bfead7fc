"""The dlt source `git`: tables `commits`, `tags` and `histories` of dataset raw_git.

All three resources share one extraction (each repository is read once, in a small thread
pool), and each first declares its table so the table exists even after a run with no rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dlt
from dlt.common.schema.typing import TTableSchemaColumns

from dlt_pipeline.git.clone import sync_clone
from dlt_pipeline.git.gitcmd import GitError
from dlt_pipeline.git.history import HistoryExtract, IdentityHasher, extract_history
from dlt_pipeline.git.manifest import HistorySpec
from dlt_pipeline.git.settings import (
    EXTRACT_WORKERS,
    PAGE_SIZE,
    SOURCE_NAME,
    STATE_SALT,
    STATE_TIPS,
    STATUS_SKIPPED,
)


def _cols(spec: dict[str, tuple[str, bool, str]]) -> TTableSchemaColumns:
    return {
        name: {"name": name, "data_type": kind, "nullable": nullable, "description": doc}
        for name, (kind, nullable, doc) in spec.items()
    }


COMMIT_COLUMNS = _cols(
    {
        "repository": ("text", False, "requested GitHub owner/name; the history's key"),
        "sha": ("text", False, "commit id"),
        "authored_at": ("timestamp", False, "author time, UTC"),
        "committed_at": ("timestamp", False, "committer time, UTC"),
        "author_tz_offset_minutes": ("bigint", False, "author's UTC offset in minutes"),
        "committer_tz_offset_minutes": ("bigint", False, "committer's UTC offset in minutes"),
        "parents_count": ("bigint", False, "number of parents (0 for a root commit)"),
        "is_merge": ("bool", False, "more than one parent"),
        "author_id": ("text", False, "salted SHA-256 of the lower-cased author e-mail"),
        "author_name": ("text", True, "author name as recorded in git (untrusted text)"),
    }
)
TAG_COLUMNS = _cols(
    {
        "repository": ("text", False, "requested GitHub owner/name"),
        "tag_name": ("text", False, "name under refs/tags/"),
        "target_sha": ("text", True, "peeled commit; NULL when missing or not a commit"),
        "tagged_at": ("timestamp", True, "tagger time if annotated, else target commit time"),
        "is_annotated": ("bool", False, "tag object (true) or lightweight ref (false)"),
        "is_semver": ("bool", False, "strict SemVer 2.0 name, optional leading v"),
        "semver_major": ("bigint", True, "major version when the name is version-like"),
        "semver_minor": ("bigint", True, "minor version"),
        "semver_patch": ("bigint", True, "patch version (0 when the name has two parts)"),
        "semver_prerelease": ("text", True, "pre-release label, NULL for a final release"),
    }
)
HISTORY_COLUMNS = _cols(
    {
        "repository": ("text", False, "requested GitHub owner/name; key of commits and tags"),
        "requested_full_name": ("text", False, "name asked for"),
        "fetched_full_name": ("text", True, "name the history was fetched under (renames)"),
        "source": ("text", False, "'mirror' or 'clone'"),
        "path": ("text", True, "folder the history was read from"),
        "default_branch": ("text", True, "branch HEAD points to"),
        "observed_until": ("timestamp", True, "end of the observation window (snapshot/fetch)"),
        "commits": ("bigint", True, "commits reachable from HEAD plus all tags"),
        "tags": ("bigint", True, "number of tags"),
        "status": ("text", False, "ok | empty | shallow | corrupt | skipped"),
        "message": ("text", True, "why a history is not ok, or tag problems"),
        "loaded_at": ("timestamp", False, "when this row was written"),
    }
)


class SharedExtraction:
    """Reads every history once, on first use, for all three resources."""

    def __init__(
        self,
        specs: Sequence[HistorySpec],
        hasher: IdentityHasher,
        known_tips: Mapping[str, Sequence[str]],
        cache_dir: Path | None,
        url_template: str,
        on_done: Callable[[HistoryExtract], None] | None = None,
    ) -> None:
        self._specs = list(specs)
        self._hasher = hasher
        self._known = known_tips
        self._cache_dir = cache_dir
        self._url_template = url_template
        self._on_done = on_done
        self._lock = threading.Lock()
        self._results: list[HistoryExtract] | None = None

    def _one(self, spec: HistorySpec) -> HistoryExtract:
        result = self._extract(spec)
        if self._on_done:
            self._on_done(result)
        return result

    def _extract(self, spec: HistorySpec) -> HistoryExtract:
        if spec.source == "clone":
            if self._cache_dir is None:
                raise ValueError("cache_dir is required for clone sources")
            try:
                path, fetched_at = sync_clone(
                    spec.requested_full_name, self._cache_dir, self._url_template
                )
            except GitError as exc:
                return HistoryExtract(spec, STATUS_SKIPPED, str(exc))
            spec = replace(spec, path=path, observed_until=fetched_at)
        return extract_history(spec, self._hasher, self._known.get(spec.repository, ()))

    def results(self) -> list[HistoryExtract]:
        with self._lock:
            if self._results is None:
                with ThreadPoolExecutor(max_workers=EXTRACT_WORKERS) as pool:
                    self._results = list(pool.map(self._one, self._specs))
            return self._results


def _row_table(
    extraction: SharedExtraction,
    name: str,
    primary_key: tuple[str, ...],
    columns: TTableSchemaColumns,
) -> Any:
    """A merge resource yielding the rows each extracted history holds under `name`, in pages."""

    def rows() -> Iterator[Any]:
        yield dlt.mark.materialize_table_schema()
        for result in extraction.results():
            table_rows = getattr(result, name)
            for start in range(0, len(table_rows), PAGE_SIZE):
                yield table_rows[start : start + PAGE_SIZE]

    return dlt.resource(
        rows, name=name, primary_key=primary_key, write_disposition="merge", columns=columns
    )


def _history_row(result: HistoryExtract, loaded_at: datetime) -> dict[str, Any]:
    spec = result.spec
    extracted = result.commit_total is not None and result.status != STATUS_SKIPPED
    return {
        "repository": spec.repository,
        "requested_full_name": spec.requested_full_name,
        "fetched_full_name": spec.fetched_full_name,
        "source": spec.source,
        "path": str(spec.path) if spec.path else None,
        "default_branch": result.default_branch,
        "observed_until": spec.observed_until,
        "commits": result.commit_total if extracted else None,
        "tags": len(result.tags) if extracted else None,
        "status": result.status,
        "message": result.message,
        "loaded_at": loaded_at,
    }


@dlt.source(name=SOURCE_NAME, max_table_nesting=0)
def git_source(
    extraction: SharedExtraction,
    identity_salt: str,
    store_salt: bool,
) -> Any:
    """Resources for the three raw_git tables over one shared extraction.

    `store_salt`: keep a generated salt in the source state so the warehouse's author ids stay
    stable across runs (a salt from config is not stored).
    """

    commits = _row_table(extraction, "commits", ("repository", "sha"), COMMIT_COLUMNS)
    tags = _row_table(extraction, "tags", ("repository", "tag_name"), TAG_COLUMNS)

    @dlt.resource(
        name="histories",
        primary_key="repository",
        write_disposition="merge",
        columns=HISTORY_COLUMNS,
    )
    def histories() -> Iterator[Any]:
        yield dlt.mark.materialize_table_schema()
        loaded_at = datetime.now(UTC)
        state = dlt.current.source_state()
        if store_salt:
            state[STATE_SALT] = identity_salt
        tips = state.setdefault(STATE_TIPS, {})
        rows = []
        for result in extraction.results():
            rows.append(_history_row(result, loaded_at))
            if result.tips:
                tips[result.spec.repository] = result.tips
        yield rows

    return commits, tags, histories
