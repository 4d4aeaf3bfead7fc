"""Load git histories (mirror and/or live clones) into the warehouse dataset raw_git.

    from dlt_pipeline.git.load import load_git_histories
    summary = load_git_histories(WAREHOUSE_PATH, mirror=mirror_root())

Re-runs are incremental: a history whose refs and object files are as at its last read is not
read at all (its fingerprint, `history.refs_fingerprint`, is kept in the dlt state); of one that
moved, only commits not reachable from the tips seen last time are read (all rows merge on
their keys).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dlt_pipeline import destination
from dlt_pipeline.git.history import HistoryExtract, IdentityHasher
from dlt_pipeline.git.manifest import HistorySpec, read_manifest
from dlt_pipeline.git.settings import (
    CACHE_SUBDIR,
    DEFAULT_REMOTE_URL_TEMPLATE,
    IDENTITY_SALT_KEY,
    PIPELINE_NAME,
    REFS_STATUS,
    REMOTE_URL_TEMPLATE_KEY,
    SOURCE_NAME,
    STATE_REFS,
    STATE_SALT,
    STATE_TIPS,
    STATUS_CORRUPT,
    STATUS_OK,
    STATUS_SHALLOW,
    STATUS_SKIPPED,
)
from dlt_pipeline.git.source import COMMITS, TAGS, SharedExtraction, arrow_rows, git_source
from dlt_pipeline.warehouse import count_rows, git_commit_counts
from mlops_atlas import paths

TABLES = ("commits", "tags", "histories")


@dataclass
class GitLoadSummary:
    """What one run did: rows extracted per table, warehouse totals, statuses, time."""

    rows: dict[str, int]
    warehouse_rows: dict[str, int]
    histories_ok: int
    histories_failed: int
    statuses: dict[str, int] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    histories_unchanged: int = 0  # refs as at the last load: not read again
    seconds: float = 0.0


def clone_specs(full_names: Sequence[str], cache_dir: Path) -> list[HistorySpec]:
    """Specs for live clones; the path and fetch time are set when the clone is synced."""
    return [
        HistorySpec(
            repository=name,
            requested_full_name=name,
            fetched_full_name=name,
            source="clone",
            path=None,
            observed_until=None,
        )
        for name in dict.fromkeys(full_names)
    ]


def _resolve_salt(source_state: dict) -> tuple[str, bool]:
    """(salt, store it?): config `sources.git.identity_salt`, else the stored one, else new."""
    configured = dlt.secrets.get(IDENTITY_SALT_KEY) or dlt.config.get(IDENTITY_SALT_KEY)
    if configured:
        return str(configured), False
    stored = source_state.get(STATE_SALT)
    if stored:
        return str(stored), True
    return secrets.token_hex(32), True


def load_git_histories(
    warehouse_path: Path,
    *,
    mirror: Path | None = None,
    clone_full_names: Sequence[str] = (),
    cache_dir: Path | None = None,
    pipelines_dir: Path | None = None,
    progress: bool = True,
    on_history: Callable[[int, int], None] | None = None,
    lake: bool = False,
) -> GitLoadSummary:
    """Load the mirror's histories (if `mirror`) and live clones into raw_git; never stops on a
    bad repository (it is recorded in `histories`). Raises ManifestError for a bad manifest.
    `progress` shows a bar and a closing table; `on_history(done, total)` is called as each
    history is read. `lake`: `warehouse_path` is a lake folder, written as Parquet."""
    started = time.perf_counter()
    warehouse_path = Path(warehouse_path)
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    pipelines_dir = (
        Path(pipelines_dir)
        if pipelines_dir
        else destination.pipelines_dir(warehouse_path, lake=lake)
    )
    cache_dir = Path(cache_dir) if cache_dir else paths.CACHE_DIR / CACHE_SUBDIR
    dataset = paths.RAW_GIT_DATASET

    specs: list[HistorySpec] = read_manifest(mirror) if mirror is not None else []
    taken = {s.repository for s in specs}
    specs += [s for s in clone_specs(clone_full_names, cache_dir) if s.repository not in taken]

    pipeline = dlt.pipeline(
        pipeline_name=PIPELINE_NAME,
        destination=destination.destination(warehouse_path, lake=lake),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir),
    )
    if warehouse_path.exists():
        pipeline.sync_destination()  # a lost local state is restored from the warehouse
    source_state = pipeline.state.get("sources", {}).get(SOURCE_NAME, {})
    salt, store_salt = _resolve_salt(source_state)
    in_warehouse = git_commit_counts(warehouse_path)
    # Trust the remembered tips only where the warehouse still holds that history's commits.
    known_tips = {
        repo: tips
        for repo, tips in source_state.get(STATE_TIPS, {}).items()
        if in_warehouse.get(repo, 0) > 0
    }
    # Likewise a history is left unread as unchanged only while its commits are still there.
    known_refs = {
        repo: last
        for repo, last in source_state.get(STATE_REFS, {}).items()
        if last.get(REFS_STATUS) != STATUS_OK or in_warehouse.get(repo, 0) > 0
    }
    url_template = str(dlt.config.get(REMOTE_URL_TEMPLATE_KEY) or DEFAULT_REMOTE_URL_TEMPLATE)

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]git histories"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        disable=not progress,
        transient=False,
    )
    task = bar.add_task("", total=len(specs))
    lock = threading.Lock()

    done = 0

    def on_done(result: HistoryExtract) -> None:
        nonlocal done
        with lock:
            done += 1
            bar.update(task, advance=1, description=result.spec.repository)
            if on_history is not None:
                on_history(done, len(specs))

    extraction = SharedExtraction(
        specs, IdentityHasher(salt), known_tips, cache_dir, url_template, on_done, known_refs
    )
    with bar:
        results = extraction.results()
    if not (results and all(r.unchanged for r in results)):
        _write(pipeline, warehouse_path, git_source(extraction, salt, store_salt, lake), results)
        if progress:
            console.print("loaded into", str(warehouse_path))

    statuses = Counter(r.status for r in results)
    unchanged = sum(1 for r in results if r.unchanged)
    failed = sum(statuses[s] for s in (STATUS_CORRUPT, STATUS_SHALLOW))
    failed += sum(1 for r in results if r.status == STATUS_SKIPPED and r.spec.source == "clone")
    summary = GitLoadSummary(
        rows={
            "commits": sum(r.commit_rows for r in results),
            "tags": sum(len(r.tags) for r in results),
            "histories": len(results) - unchanged,
        },
        warehouse_rows=count_rows(warehouse_path, dataset, TABLES),
        histories_ok=statuses[STATUS_OK],
        histories_failed=failed,
        statuses=dict(statuses),
        messages={r.spec.repository: r.message for r in results if r.message},
        histories_unchanged=unchanged,
        seconds=time.perf_counter() - started,
    )
    if progress:
        _print_summary(console, summary)
    return summary


def _write(
    pipeline: dlt.Pipeline, warehouse_path: Path, source: Any, results: list[HistoryExtract]
) -> None:
    """Load one run's rows and the source state. Into a lake everything goes through dlt (as
    Parquet). Into DuckDB the commits and tags are merged straight from Arrow
    (`destination.merge_arrow`) after dlt has packaged the run, under its load id, and before
    dlt loads the histories and the state, so tips are never remembered for rows not written;
    a failure in between leaves rows whose tips are not remembered, and the next run reads
    them again and replaces them on their keys."""
    lake = destination.is_lake(pipeline)
    for name in TABLES:
        # jsonl loads ~7x faster than SQL inserts into DuckDB, but DuckDB misreads an empty
        # jsonl file (a lone "json" column), so histories without new rows use inserts.
        has_rows = name == "histories" and any(not r.unchanged for r in results)
        fmt = destination.file_format(pipeline, "jsonl" if has_rows else "insert_values")
        source.resources[name].apply_hints(file_format=fmt)
    with destination.arrow_with_dlt_columns():
        load_id = pipeline.extract(source).loads_ids[-1]
        pipeline.normalize()
    if not lake:
        for table in (COMMITS, TAGS):
            frames = [arrow_rows(r, table) for r in results]
            destination.merge_arrow(
                warehouse_path,
                paths.RAW_GIT_DATASET,
                table,
                [f for f in frames if f is not None],
                load_id,
            )
    pipeline.load()
    destination.settle(pipeline)


def _print_summary(console: Console, summary: GitLoadSummary) -> None:
    table = Table(title="raw_git load")
    table.add_column("table")
    table.add_column("rows this run", justify="right")
    table.add_column("rows in warehouse", justify="right")
    for name in TABLES:
        table.add_row(name, f"{summary.rows[name]:,}", f"{summary.warehouse_rows[name]:,}")
    console.print(table)
    console.print(
        f"histories ok {summary.histories_ok}, failed {summary.histories_failed}, "
        f"statuses {summary.statuses}; {summary.seconds:.1f}s"
    )
