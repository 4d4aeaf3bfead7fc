"""Load per-repository activity (dlt source `github_activity`) live or from an archive."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt

from dlt_pipeline.github.activity import ActivityFetcher
from dlt_pipeline.github.archive import Archive
from dlt_pipeline.github.client import GitHubClient, RateLimitStop
from dlt_pipeline.github.load import github_pipeline, open_run, run_source
from dlt_pipeline.github.selection import activity_full_names, current_stars
from dlt_pipeline.github.settings import GitHubSettings
from dlt_pipeline.github.tables import TableSpec, materialize_all, routed
from dlt_pipeline.paths import ARCHIVE_DIR, RAW_GITHUB_DATASET
from dlt_pipeline.warehouse import count_rows

#: Pinned: dlt keys the ETags and issue cursors by source name.
SOURCE_NAME = "github_activity"

_ENDPOINT_PATH = re.compile(
    r"^/repos/([^/]+)/([^/]+)/(releases|tags|contributors|issues|stargazers/history|languages)/?$"
)
_ENDPOINT_NAMES = {"stargazers/history": "star_history"}

_TEXT = {"data_type": "text"}
_TIMESTAMP = {"data_type": "timestamp"}
_BIGINT = {"data_type": "bigint"}
_BOOL = {"data_type": "bool"}


def _spec(primary_key: list[str], **columns: dict[str, Any]) -> TableSpec:
    common = {
        "repository_full_name": {"data_type": "text", "nullable": False},
        "run_id": _TEXT,
        "recorded_at": _TIMESTAMP,
    }
    return {"primary_key": primary_key, "columns": {**common, **columns}}


#: The raw activity tables, merged on their keys across runs.
ACTIVITY_SPECS: dict[str, TableSpec] = {
    "releases": _spec(
        ["repository_full_name", "id"],
        id=_BIGINT,
        tag_name=_TEXT,
        name=_TEXT,
        published_at=_TIMESTAMP,
        created_at=_TIMESTAMP,
        is_prerelease=_BOOL,
        is_draft=_BOOL,
    ),
    "tags": _spec(["repository_full_name", "tag_name"], tag_name=_TEXT, commit_sha=_TEXT),
    "contributors": _spec(
        ["repository_full_name", "contributor_key"],
        contributor_key=_TEXT,
        login=_TEXT,
        is_anonymous=_BOOL,
        user_type=_TEXT,
        contributions=_BIGINT,
    ),
    "issues": _spec(
        ["repository_full_name", "id"],
        id=_BIGINT,
        number=_BIGINT,
        state=_TEXT,
        created_at=_TIMESTAMP,
        updated_at=_TIMESTAMP,
        closed_at=_TIMESTAMP,
        is_pull_request=_BOOL,
        merged_at=_TIMESTAMP,
        author_association=_TEXT,
        author_login=_TEXT,
        author_type=_TEXT,
        comments=_BIGINT,
    ),
    "star_history": _spec(
        ["repository_full_name", "day", "source"],
        day={"data_type": "date"},
        stars_total=_BIGINT,
        stars_gained=_BIGINT,
        source=_TEXT,
    ),
    "languages": _spec(["repository_full_name", "language"], language=_TEXT, bytes=_BIGINT),
    "activity_fetches": _spec(
        ["run_id", "repository_full_name", "endpoint"],
        endpoint=_TEXT,
        status=_TEXT,
        http_status=_BIGINT,
        rows=_BIGINT,
        message=_TEXT,
    ),
}
ACTIVITY_TABLES = tuple(ACTIVITY_SPECS)


@dataclass
class ActivityOutcome:
    stopped: RateLimitStop | None = None
    repositories: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def replay_plan(archive: Archive) -> dict[tuple[str, str], str]:
    """(repository, endpoint) -> the first URL the archive recorded for it, in recorded order."""
    plan: dict[tuple[str, str], str] = {}
    for entry in archive.answers():
        match = _ENDPOINT_PATH.match(entry.path)
        if match:
            endpoint = _ENDPOINT_NAMES.get(match.group(3), match.group(3))
            plan.setdefault((f"{match.group(1)}/{match.group(2)}", endpoint), entry.url)
    return plan


@dlt.source(name=SOURCE_NAME, max_table_nesting=0)
def github_activity(
    client: GitHubClient,
    run_id: str,
    full_names: list[str],
    stars: dict[str, int],
    plan: dict[tuple[str, str], str] | None = None,
    outcome: ActivityOutcome | None = None,
) -> Any:
    """Releases, tags, contributors, issues, star history and languages of each repository."""
    outcome = outcome if outcome is not None else ActivityOutcome()

    @dlt.resource(name="github_activity")
    def activity() -> Iterator[Any]:
        yield from materialize_all(ACTIVITY_SPECS)
        state = dlt.current.source_state()
        etags: dict[str, str] = state.setdefault("etags", {})
        cursors: dict[str, str] = state.setdefault("issue_cursors", {})
        salt: str = state.setdefault("identity_salt", secrets.token_hex(16))
        fetcher = ActivityFetcher(
            client, etags=etags, issue_cursors=cursors, salt=salt, replay_first_urls=plan
        )
        try:
            for full_name in full_names:
                outcome.repositories += 1
                for result in fetcher.all(full_name, stars.get(full_name.lower())):
                    outcome.statuses[result.status] = outcome.statuses.get(result.status, 0) + 1
                    stamp = {"run_id": run_id, "recorded_at": result.recorded_at}
                    if result.rows:
                        yield routed(
                            ACTIVITY_SPECS,
                            result.endpoint,
                            [{**row, **stamp} for row in result.rows],
                        )
                    yield routed(
                        ACTIVITY_SPECS,
                        "activity_fetches",
                        [
                            {
                                "run_id": run_id,
                                "repository_full_name": full_name,
                                "endpoint": result.endpoint,
                                "status": result.status,
                                "http_status": result.http_status,
                                "rows": len(result.rows),
                                "message": result.message,
                                "recorded_at": result.recorded_at,
                            }
                        ],
                    )
        except RateLimitStop as stop:
            outcome.stopped = stop

    return activity


@dataclass
class ActivityLoadSummary:
    run_id: str
    mode: str
    status: str
    repositories: int
    requests: int
    replayed: int
    not_modified: int
    rate_limit_remaining: dict[str, int]
    rows: dict[str, int]
    statuses: dict[str, int]
    seconds: float
    resume_after: str | None = None


def load_activity(
    warehouse_path: Path,
    *,
    archive: str | Path | None = None,
    run_id: str | None = None,
    settings: GitHubSettings | None = None,
    token: str | None = None,
    full_names: list[str] | None = None,
    pipelines_dir: Path | None = None,
    archive_dir: Path = ARCHIVE_DIR,
) -> ActivityLoadSummary:
    """Load activity for the selected repositories: live (recording into the run's archive) or
    replaying exactly the activity requests an archive holds (none, for zimmerman-2023)."""
    started = time.monotonic()
    settings = settings or GitHubSettings.from_config()
    plan: dict[tuple[str, str], str] | None = None
    if archive is not None:
        run = open_run(settings, archive=archive)
        assert run.replay is not None
        plan = replay_plan(run.replay)
        names = list(dict.fromkeys(repo for repo, _ in plan))
    else:
        run = open_run(settings, token=token, run_id=run_id, archive_dir=archive_dir)
        names = (
            full_names if full_names is not None else activity_full_names(warehouse_path, settings)
        )
    client = run.client
    outcome = ActivityOutcome()
    source = github_activity(
        client, run.run_id, names, current_stars(warehouse_path), plan=plan, outcome=outcome
    )
    run_source(github_pipeline(warehouse_path, pipelines_dir), source, client)
    rows = count_rows(warehouse_path, RAW_GITHUB_DATASET, ACTIVITY_TABLES)
    return ActivityLoadSummary(
        run_id=run.run_id,
        mode=run.mode,
        status="stopped" if outcome.stopped else "complete",
        repositories=outcome.repositories,
        requests=client.stats.requests,
        replayed=client.stats.replayed,
        not_modified=client.stats.by_status.get(304, 0),
        rate_limit_remaining=dict(client.stats.rate_limit_remaining),
        rows=rows,
        statuses=dict(outcome.statuses),
        seconds=time.monotonic() - started,
        resume_after=outcome.stopped.resume_at.isoformat(timespec="seconds")
        if outcome.stopped
        else None,
    )
