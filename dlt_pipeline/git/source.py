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
import pyarrow as pa

from dlt_pipeline.git.clone import sync_clone
from dlt_pipeline.git.gitcmd import GitError
from dlt_pipeline.git.history import (
    HistoryExtract,
    IdentityHasher,
    extract_history,
    refs_fingerprint,
)
from dlt_pipeline.git.manifest import HistorySpec
from dlt_pipeline.git.settings import (
    EXTRACT_WORKERS,
    REFS_FINGERPRINT,
    REFS_STATUS,
    REREAD_UNLESS_CHANGED,
    SOURCE_NAME,
    STATE_REFS,
    STATE_SALT,
    STATE_TIPS,
    STATUS_SKIPPED,
)
from dlt_pipeline.tables import Column, Table

COMMITS = Table(
    "commits",
    ("repository", "sha"),
    {
        "repository": Column("text", False, "requested GitHub owner/name; the history's key"),
        "sha": Column("text", False, "commit id"),
        "authored_at": Column("timestamp", False, "author time, UTC"),
        "committed_at": Column("timestamp", False, "committer time, UTC"),
        "author_tz_offset_minutes": Column("bigint", False, "author's UTC offset in minutes"),
        "committer_tz_offset_minutes": Column("bigint", False, "committer's UTC offset in minutes"),
        "parents_count": Column("bigint", False, "number of parents (0 for a root commit)"),
        "is_merge": Column("bool", False, "more than one parent"),
        "author_id": Column("text", False, "salted SHA-256 of the lower-cased author e-mail"),
        "author_domain": Column(
            "text",
            True,
            "author e-mail's domain when it can name an organisation, else NULL"
            " (dlt_pipeline/git/email_domains.py); never the address",
        ),
        "author_name": Column("text", True, "author name as recorded in git (untrusted text)"),
    },
)
TAGS = Table(
    "tags",
    ("repository", "tag_name"),
    {
        "repository": Column("text", False, "requested GitHub owner/name"),
        "tag_name": Column("text", False, "name under refs/tags/"),
        "target_sha": Column("text", True, "peeled commit; NULL when missing or not a commit"),
        "tagged_at": Column("timestamp", True, "tagger time if annotated, else target commit time"),
        "is_annotated": Column("bool", False, "tag object (true) or lightweight ref (false)"),
        "is_semver": Column("bool", False, "strict SemVer 2.0 name, optional leading v"),
        "semver_major": Column("bigint", True, "major version when the name is version-like"),
        "semver_minor": Column("bigint", True, "minor version"),
        "semver_patch": Column("bigint", True, "patch version (0 when the name has two parts)"),
        "semver_prerelease": Column("text", True, "pre-release label, NULL for a final release"),
    },
)
HISTORIES = Table(
    "histories",
    ("repository",),
    {
        "repository": Column("text", False, "requested GitHub owner/name; key of commits and tags"),
        "requested_full_name": Column("text", False, "name asked for"),
        "fetched_full_name": Column("text", True, "name the history was fetched under (renames)"),
        "source": Column("text", False, "'mirror' or 'clone'"),
        "path": Column("text", True, "folder the history was read from"),
        "default_branch": Column("text", True, "branch HEAD points to"),
        "observed_until": Column(
            "timestamp", True, "end of the observation window (snapshot/fetch)"
        ),
        "commits": Column("bigint", True, "commits reachable from HEAD plus all tags"),
        "tags": Column("bigint", True, "number of tags"),
        "status": Column("text", False, "ok | empty | shallow | corrupt | skipped"),
        "message": Column("text", True, "why a history is not ok, or tag problems"),
        "loaded_at": Column("timestamp", False, "when this row was written"),
    },
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
        known_refs: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self._specs = list(specs)
        self._hasher = hasher
        self._known = known_tips
        self._known_refs = known_refs or {}
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
        refs = refs_fingerprint(spec)
        last = self._known_refs.get(spec.repository)
        if refs is not None and last is not None and last.get(REFS_FINGERPRINT) == refs:
            return HistoryExtract(spec, last[REFS_STATUS], refs=refs, unchanged=True)
        result = extract_history(spec, self._hasher, self._known.get(spec.repository, ()))
        if result.status in REREAD_UNLESS_CHANGED:
            result.refs = refs
        return result

    def results(self) -> list[HistoryExtract]:
        with self._lock:
            if self._results is None:
                with ThreadPoolExecutor(max_workers=EXTRACT_WORKERS) as pool:
                    self._results = list(pool.map(self._one, self._specs))
            return self._results


def arrow_rows(result: HistoryExtract, table: Table) -> pa.Table | None:
    """The rows one extracted history holds for `table` (commits or tags), as an Arrow table
    with the table's declared columns and types; None when it holds none."""
    rows = getattr(result, table.name)
    if rows is None or not len(rows):
        return None
    schema = table.arrow_schema()
    if isinstance(rows, pa.Table):
        return rows.select(schema.names).cast(schema)
    return pa.Table.from_pylist(rows, schema=schema)


def _row_table(extraction: SharedExtraction, table: Table, with_rows: bool) -> Any:
    """A resource declaring `table` and, `with_rows`, yielding each history's rows as Arrow."""

    def rows() -> Iterator[Any]:
        yield dlt.mark.materialize_table_schema()
        if with_rows:
            for result in extraction.results():
                found = arrow_rows(result, table)
                if found is not None:
                    yield found

    return table.resource(rows)


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
    rows_via_dlt: bool = True,
) -> Any:
    """Resources for the three raw_git tables over one shared extraction.

    `store_salt`: keep a generated salt in the source state so the warehouse's author ids stay
    stable across runs (a salt from config is not stored). `rows_via_dlt`: the commits and tags
    go through dlt (into a lake); otherwise dlt only declares those two tables and the loader
    writes their rows itself (`destination.merge_arrow`), before this source's state is saved.
    """

    commits = _row_table(extraction, COMMITS, rows_via_dlt)
    tags = _row_table(extraction, TAGS, rows_via_dlt)

    def histories() -> Iterator[Any]:
        yield dlt.mark.materialize_table_schema()
        loaded_at = datetime.now(UTC)
        state = dlt.current.source_state()
        if store_salt:
            state[STATE_SALT] = identity_salt
        tips = state.setdefault(STATE_TIPS, {})
        refs = state.setdefault(STATE_REFS, {})
        rows = []
        for result in extraction.results():
            if result.unchanged:
                continue  # its row and its tips are those of the last load
            rows.append(_history_row(result, loaded_at))
            if result.tips:
                tips[result.spec.repository] = result.tips
            if result.refs:
                refs[result.spec.repository] = {
                    REFS_FINGERPRINT: result.refs,
                    REFS_STATUS: result.status,
                }
            else:
                refs.pop(result.spec.repository, None)
        if rows:
            yield rows

    return commits, tags, HISTORIES.resource(histories)
