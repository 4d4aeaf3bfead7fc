"""The dlt source for GitHub discovery: search observations, repository details, run bookkeeping.

One generator feeds several tables (routed with `dlt.mark.with_hints`), because the details
depend on what the search found and must be fetched after it, in the same run.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dlt

from dlt_pipeline.github.archive import Archive, repository_problem
from dlt_pipeline.github.client import (
    GitHubClient,
    GitHubError,
    RateLimitStop,
    SourceUnreachable,
)
from dlt_pipeline.github.search import SearchPage, TopicSearch, replay_search_pages
from dlt_pipeline.tables import Column, Table, by_name

log = logging.getLogger(__name__)

#: The source name is pinned: dlt keys incremental state by it, so renaming code keeps state.
SOURCE_NAME = "github"

_REPO_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)/?$")

_RUN_ID = Column("text", nullable=False)

#: The raw tables of discovery and their declared columns.
TABLES: dict[str, Table] = by_name(
    Table(
        "repository_observations",
        ("run_id", "query", "page", "id"),
        {
            "run_id": _RUN_ID,
            "query": Column("text", nullable=False),
            "page": Column("bigint", nullable=False),
            "id": Column("bigint", nullable=False),
            "search_topic": Column("text"),
            "position": Column("bigint"),
            "full_name": Column("text"),
            "description": Column("text"),
            "stargazers_count": Column("bigint"),
            "created_at": Column("timestamp"),
            "pushed_at": Column("timestamp"),
            "recorded_at": Column("timestamp"),
            "request_url": Column("text"),
        },
    ),
    Table(
        "repository_details",
        ("run_id", "requested_full_name"),
        {
            "run_id": _RUN_ID,
            "requested_full_name": Column("text", nullable=False),
            "detail_status": Column("text"),
            "http_status": Column("bigint"),
            "id": Column("bigint"),
            "full_name": Column("text"),
            "subscribers_count": Column("bigint"),
            "network_count": Column("bigint"),
            "parent_full_name": Column("text"),
            "source_full_name": Column("text"),
            "recorded_at": Column("timestamp"),
            "request_url": Column("text"),
        },
    ),
    Table(
        "search_queries",
        ("run_id", "query"),
        {
            "run_id": _RUN_ID,
            "query": Column("text", nullable=False),
            "search_topic": Column("text"),
            "total_count": Column("bigint"),
            "incomplete_results": Column("bool"),
            "pages": Column("bigint"),
            "items": Column("bigint"),
            "recorded_at": Column("timestamp"),
        },
    ),
    Table(
        "load_errors",
        ("run_id", "request_url"),
        {
            "run_id": _RUN_ID,
            "request_url": Column("text", nullable=False),
            "subject": Column("text"),
            "error": Column("text"),
            "occurred_at": Column("timestamp"),
        },
    ),
)
#: One row per run: how it ended, written by the source as its last row, so the run's outcome
#: is data, not an object passed around. `complete`; `stopped` on a rate limit (the next live run
#: resumes it); `failed` when the API was unreachable or answered no request (`message` says why).
RUNS = Table(
    "runs",
    ("run_id",),
    {
        "run_id": _RUN_ID,
        "mode": Column("text"),
        "archive": Column("text"),
        "status": Column("text"),
        "resume_after": Column("text"),
        "started_at": Column("timestamp"),
        "finished_at": Column("timestamp"),
        "requests": Column("bigint"),
        "replayed": Column("bigint"),
        "topics": Column("text"),
        "errors": Column("bigint"),
        "message": Column("text"),
    },
)


@dataclass(frozen=True)
class RunInfo:
    """What the loader knows of a run before it starts (the rest of its `runs` row is learnt)."""

    run_id: str
    mode: str  # live | replay
    archive: str
    topics: tuple[str, ...]
    started_at: datetime


def run_status(
    client: GitHubClient,
    stopped: RateLimitStop | None,
    failure: str | None,
    errors: list[dict[str, Any]],
) -> tuple[str, str | None]:
    """(status, message) of a run: failed when the source answered nothing."""
    if failure:
        return "failed", failure
    if client.stats.requests and not client.stats.answered:
        first = errors[0]["error"] if errors else "no response"
        return "failed", f"GitHub answered none of {client.stats.requests} requests ({first})"
    if stopped:
        return "stopped", str(stopped)
    return "complete", None


def run_row(
    run: RunInfo,
    client: GitHubClient,
    stopped: RateLimitStop | None,
    errors: list[dict[str, Any]],
    failure: str | None = None,
) -> dict[str, Any]:
    status, message = run_status(client, stopped, failure, errors)
    return {
        "run_id": run.run_id,
        "mode": run.mode,
        "archive": run.archive,
        "status": status,
        "message": message,
        "resume_after": stopped.resume_at.isoformat(timespec="seconds") if stopped else None,
        "started_at": run.started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "requests": client.stats.requests,
        "replayed": client.stats.replayed,
        "topics": ",".join(run.topics) if run.mode == "live" else "",
        "errors": len(errors),
    }


def observation_rows(run_id: str, page: SearchPage) -> list[dict]:
    """Search items as observation rows: every GitHub field plus where and when they were seen."""
    rows = []
    for position, item in enumerate(page.items, start=1):
        row = dict(item)
        row.update(
            run_id=run_id,
            query=page.query,
            page=page.page,
            search_topic=page.topic,
            position=position,
            recorded_at=page.response.recorded_at,
            request_url=page.response.request_path,
        )
        rows.append(row)
    return rows


def query_row(run_id: str, page: SearchPage) -> dict[str, Any]:
    """The `search_queries` row of a query, as its first page describes it (pages/items counted on)."""
    return {
        "run_id": run_id,
        "query": page.query,
        "search_topic": page.topic,
        "total_count": page.total_count,
        "incomplete_results": bool((page.response.data or {}).get("incomplete_results")),
        "pages": 0,
        "items": 0,
        "recorded_at": page.response.recorded_at,
    }


def detail_row(run_id: str, requested: str, response: Any) -> dict:
    """A repository's details, or a record that it is gone; nested fork parents kept as names."""
    data = response.data if isinstance(response.data, dict) else {}
    if response.status == 200:
        status = "moved" if response.redirected_from else "ok"
    elif response.status in (404, 410, 451):
        status = "gone"
    else:
        status = f"http_{response.status}"
    row: dict[str, Any] = {}
    if response.status == 200:
        row = {
            k: v
            for k, v in data.items()
            if k not in ("parent", "source", "permissions", "template_repository")
        }
        for key in ("parent", "source"):
            nested = data.get(key) or {}
            row[f"{key}_full_name"] = nested.get("full_name")
            row[f"{key}_id"] = nested.get("id")
    row.update(
        run_id=run_id,
        requested_full_name=requested,
        detail_status=status,
        http_status=response.status,
        recorded_at=response.recorded_at,
        request_url=response.request_path,
    )
    return row


def _replay_detail_targets(archive: Archive) -> list[str]:
    names: list[str] = []
    for entry in archive.answers():
        match = _REPO_PATH.match(entry.path)
        if match:
            name = f"{match.group(1)}/{match.group(2)}"
            if name not in names:
                names.append(name)
    return names


@dlt.source(name=SOURCE_NAME, max_table_nesting=1)
def github_discovery(
    client: GitHubClient,
    run: RunInfo,
    replay: Archive | None = None,
    fetch_details: bool = True,
    today: str | None = None,
) -> Any:
    """Repositories found by topic search, with their details, and the run's `runs` row.

    Live, `run.topics` drive the search. Replaying, the archive's own requests do (its topics,
    pages and endpoints), so the run it recorded is reproduced whatever today's config says.
    """

    @dlt.resource(name="github_discovery", max_table_nesting=1)
    def discovery() -> Iterator[Any]:
        for table in (*TABLES.values(), RUNS):
            yield table.materialize()
        errors: list[dict[str, Any]] = []
        stopped: RateLimitStop | None = None
        failure: str | None = None
        try:
            for batch in _discover(client, run, replay, fetch_details, today, errors):
                if isinstance(batch, RateLimitStop):
                    stopped = batch
                    log.warning("%s", stopped)
                    break
                yield batch
        except SourceUnreachable as exc:
            failure = str(exc)
        if errors:
            yield TABLES["load_errors"].rows(errors)
        yield RUNS.rows([run_row(run, client, stopped, errors, failure)])

    return discovery


def _discover(
    client: GitHubClient,
    run: RunInfo,
    replay: Archive | None,
    fetch_details: bool,
    today: str | None,
    errors: list[dict[str, Any]],
) -> Iterator[Any]:
    """Marked rows of the search and the details; a rate-limit stop is yielded, not raised,
    and a request that failed for good is appended to `errors` while the run goes on."""
    seen: dict[int, str] = {}
    query_rows: dict[str, dict] = {}
    replaying = replay is not None and client.replaying
    if replaying:
        pages = replay_search_pages(client, replay)
    else:
        day = datetime.fromisoformat(today).date() if today else datetime.now(UTC).date()
        pages = TopicSearch(client, day).run(list(run.topics))
    try:
        for page in pages:
            rows = []
            for row in observation_rows(run.run_id, page):
                problem = repository_problem(row)
                if problem:  # a live answer the models could not use: recorded, not loaded
                    where = f"{page.response.request_path}#item{row.get('position')}"
                    errors.append(_error_row(run.run_id, where, "search item", problem))
                else:
                    rows.append(row)
            for row in rows:
                seen.setdefault(int(row["id"]), str(row.get("full_name")))
            summary = query_rows.setdefault(page.query, query_row(run.run_id, page))
            summary["pages"] += 1
            summary["items"] += len(rows)
            if rows:
                yield TABLES["repository_observations"].rows(rows)
    except RateLimitStop as stop:
        yield TABLES["search_queries"].rows(list(query_rows.values()))
        yield stop
        return
    except GitHubError as exc:  # the search cannot go on; what it found is kept
        errors.append(_error_row(run.run_id, "/search/repositories", "search", exc))
    yield TABLES["search_queries"].rows(list(query_rows.values()))
    if not fetch_details:
        return
    targets = _replay_detail_targets(replay) if replaying else list(seen.values())
    for requested in targets:
        try:
            response = client.get(f"/repos/{requested}")
        except RateLimitStop as stop:
            yield stop
            return
        except GitHubError as exc:
            errors.append(_error_row(run.run_id, f"/repos/{requested}", requested, exc))
            continue
        yield TABLES["repository_details"].rows([detail_row(run.run_id, requested, response)])


def _error_row(run_id: str, url: str, subject: str, exc: Exception | str) -> dict:
    return {
        "run_id": run_id,
        "request_url": url,
        "subject": subject,
        "error": str(exc),
        "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
