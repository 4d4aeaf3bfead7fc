"""The dlt source for GitHub discovery: search observations, repository details, run bookkeeping.

One generator feeds several tables (routed with `dlt.mark.with_hints`), because the details
depend on what the search found and must be fetched after it, in the same run.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dlt

from dlt_pipeline.github.archive import Archive
from dlt_pipeline.github.client import GitHubClient, GitHubError, RateLimitStop
from dlt_pipeline.github.search import SearchPage, TopicSearch, replay_search_pages
from dlt_pipeline.github.tables import TableSpec, materialize_all, routed

log = logging.getLogger(__name__)

#: The source name is pinned: dlt keys incremental state by it, so renaming code keeps state.
SOURCE_NAME = "github"

_REPO_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)/?$")

_RUN = {"run_id": {"data_type": "text", "nullable": False}}

#: The raw tables of discovery and their declared columns.
TABLES: dict[str, TableSpec] = {
    "repository_observations": {
        "primary_key": ["run_id", "query", "page", "id"],
        "columns": {
            **_RUN,
            "query": {"data_type": "text", "nullable": False},
            "page": {"data_type": "bigint", "nullable": False},
            "id": {"data_type": "bigint", "nullable": False},
            "search_topic": {"data_type": "text"},
            "position": {"data_type": "bigint"},
            "full_name": {"data_type": "text"},
            "description": {"data_type": "text"},
            "stargazers_count": {"data_type": "bigint"},
            "created_at": {"data_type": "timestamp"},
            "pushed_at": {"data_type": "timestamp"},
            "recorded_at": {"data_type": "timestamp"},
            "request_url": {"data_type": "text"},
        },
    },
    "repository_details": {
        "primary_key": ["run_id", "requested_full_name"],
        "columns": {
            **_RUN,
            "requested_full_name": {"data_type": "text", "nullable": False},
            "detail_status": {"data_type": "text"},
            "http_status": {"data_type": "bigint"},
            "id": {"data_type": "bigint"},
            "full_name": {"data_type": "text"},
            "subscribers_count": {"data_type": "bigint"},
            "network_count": {"data_type": "bigint"},
            "parent_full_name": {"data_type": "text"},
            "source_full_name": {"data_type": "text"},
            "recorded_at": {"data_type": "timestamp"},
            "request_url": {"data_type": "text"},
        },
    },
    "search_queries": {
        "primary_key": ["run_id", "query"],
        "columns": {
            **_RUN,
            "query": {"data_type": "text", "nullable": False},
            "search_topic": {"data_type": "text"},
            "total_count": {"data_type": "bigint"},
            "incomplete_results": {"data_type": "bool"},
            "pages": {"data_type": "bigint"},
            "items": {"data_type": "bigint"},
            "recorded_at": {"data_type": "timestamp"},
        },
    },
    "load_errors": {
        "primary_key": ["run_id", "request_url"],
        "columns": {
            **_RUN,
            "request_url": {"data_type": "text", "nullable": False},
            "subject": {"data_type": "text"},
            "error": {"data_type": "text"},
            "occurred_at": {"data_type": "timestamp"},
        },
    },
}


@dataclass
class RunOutcome:
    """How a run ended, filled in while the source runs and read by the loader afterwards."""

    stopped: RateLimitStop | None = None
    errors: list[str] = field(default_factory=list)


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
    run_id: str,
    topics: list[str] | None = None,
    replay: Archive | None = None,
    outcome: RunOutcome | None = None,
    fetch_details: bool = True,
    today: str | None = None,
) -> Any:
    """Repositories found by topic search, with their details.

    Live, `topics` drive the search. Replaying, the archive's own requests do (its topics, pages
    and endpoints), so the run it recorded is reproduced whatever today's config says.
    """
    outcome = outcome if outcome is not None else RunOutcome()

    @dlt.resource(name="github_discovery", max_table_nesting=1)
    def discovery() -> Iterator[Any]:
        yield from materialize_all(TABLES)
        seen: dict[int, str] = {}
        query_rows: dict[str, dict] = {}
        if replay is not None and client.replaying:
            pages = replay_search_pages(client, replay)
        else:
            day = datetime.fromisoformat(today).date() if today else datetime.now(UTC).date()
            pages = TopicSearch(client, day).run(list(topics or []))
        try:
            for page in pages:
                rows = observation_rows(run_id, page)
                for row in rows:
                    seen.setdefault(int(row["id"]), str(row.get("full_name")))
                summary = query_rows.setdefault(page.query, query_row(run_id, page))
                summary["pages"] += 1
                summary["items"] += len(rows)
                if rows:
                    yield routed(TABLES, "repository_observations", rows)
        except RateLimitStop as stop:
            outcome.stopped = stop
            log.warning("%s", stop)
        except GitHubError as exc:  # the search cannot go on; what it found is kept
            outcome.errors.append(str(exc))
            yield routed(
                TABLES, "load_errors", [_error_row(run_id, "/search/repositories", "search", exc)]
            )
        yield routed(TABLES, "search_queries", list(query_rows.values()))
        if outcome.stopped or not fetch_details:
            return
        replaying = replay is not None and client.replaying
        targets = _replay_detail_targets(replay) if replaying else list(seen.values())
        for requested in targets:
            try:
                response = client.get(f"/repos/{requested}")
            except RateLimitStop as stop:
                outcome.stopped = stop
                log.warning("%s", stop)
                return
            except GitHubError as exc:
                outcome.errors.append(str(exc))
                yield routed(
                    TABLES,
                    "load_errors",
                    [_error_row(run_id, f"/repos/{requested}", requested, exc)],
                )
                continue
            yield routed(TABLES, "repository_details", [detail_row(run_id, requested, response)])

    return discovery


def _error_row(run_id: str, url: str, subject: str, exc: Exception) -> dict:
    return {
        "run_id": run_id,
        "request_url": url,
        "subject": subject,
        "error": str(exc),
        "occurred_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
