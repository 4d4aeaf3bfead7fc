"""Load per-repository activity (dlt source `github_activity`) live or from an archive."""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlt

from dlt_pipeline.errors import LoadFailed
from dlt_pipeline.github.activity import ActivityFetcher
from dlt_pipeline.github.archive import Archive
from dlt_pipeline.github.client import GitHubClient, RateLimitStop, SourceUnreachable
from dlt_pipeline.github.load import github_pipeline, open_run, run_source
from dlt_pipeline.github.selection import activity_full_names
from dlt_pipeline.github.settings import GitHubSettings
from dlt_pipeline.tables import Column, Table, by_name
from dlt_pipeline.warehouse import count_rows, current_stars, fetch_statuses
from mlops_atlas.paths import ARCHIVE_DIR, RAW_GITHUB_DATASET

#: Pinned: dlt keys the ETags and issue cursors by source name.
SOURCE_NAME = "github_activity"

_ENDPOINT_PATH = re.compile(
    r"^/repos/([^/]+)/([^/]+)/(releases|tags|contributors|issues|stargazers/history|languages)/?$"
)
_ENDPOINT_NAMES = {"stargazers/history": "star_history"}

_TEXT = Column("text")
_TIMESTAMP = Column("timestamp")
_BIGINT = Column("bigint")
_BOOL = Column("bool")


def _table(table: str, primary_key: tuple[str, ...], **columns: Column) -> Table:
    common = {
        "repository_full_name": Column("text", nullable=False),
        "run_id": _TEXT,
        "recorded_at": _TIMESTAMP,
    }
    return Table(table, primary_key, {**common, **columns})


#: The raw activity tables, merged on their keys across runs.
ACTIVITY_TABLES: dict[str, Table] = by_name(
    _table(
        "releases",
        ("repository_full_name", "id"),
        id=_BIGINT,
        tag_name=_TEXT,
        name=_TEXT,
        published_at=_TIMESTAMP,
        created_at=_TIMESTAMP,
        is_prerelease=_BOOL,
        is_draft=_BOOL,
    ),
    _table("tags", ("repository_full_name", "tag_name"), tag_name=_TEXT, commit_sha=_TEXT),
    _table(
        "contributors",
        ("repository_full_name", "contributor_key"),
        contributor_key=_TEXT,
        login=_TEXT,
        is_anonymous=_BOOL,
        user_type=_TEXT,
        contributions=_BIGINT,
    ),
    _table(
        "issues",
        ("repository_full_name", "id"),
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
    _table(
        "star_history",
        ("repository_full_name", "day", "source"),
        day=Column("date"),
        stars_total=_BIGINT,
        stars_gained=_BIGINT,
        source=_TEXT,
    ),
    _table("languages", ("repository_full_name", "language"), language=_TEXT, bytes=_BIGINT),
    _table(
        "activity_fetches",
        ("run_id", "repository_full_name", "endpoint"),
        endpoint=_TEXT,
        status=_TEXT,
        http_status=_BIGINT,
        rows=_BIGINT,
        message=_TEXT,
    ),
)
#: Key in the source state: how the latest run ended (`stopped` with `resume_after`, or not).
STATE_LAST_RUN = "last_run"


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
) -> Any:
    """Releases, tags, contributors, issues, star history and languages of each repository.

    Every fetch leaves an `activity_fetches` row; a rate-limit stop or an unreachable API ends
    the run and is recorded in the source state (`last_run`).
    """

    @dlt.resource(name="github_activity")
    def activity() -> Iterator[Any]:
        for table in ACTIVITY_TABLES.values():
            yield table.materialize()
        state = dlt.current.source_state()
        etags: dict[str, str] = state.setdefault("etags", {})
        cursors: dict[str, str] = state.setdefault("issue_cursors", {})
        salt: str = state.setdefault("identity_salt", secrets.token_hex(16))
        state[STATE_LAST_RUN] = {"run_id": run_id, "resume_after": None, "failure": None}
        fetcher = ActivityFetcher(
            client, etags=etags, issue_cursors=cursors, salt=salt, replay_first_urls=plan
        )
        try:
            for full_name in full_names:
                for result in fetcher.all(full_name, stars.get(full_name.lower())):
                    stamp = {"run_id": run_id, "recorded_at": result.recorded_at}
                    if result.rows:
                        yield ACTIVITY_TABLES[result.endpoint].rows(
                            [{**row, **stamp} for row in result.rows]
                        )
                    yield ACTIVITY_TABLES["activity_fetches"].rows(
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
            state[STATE_LAST_RUN]["resume_after"] = stop.resume_at.isoformat(timespec="seconds")
        except SourceUnreachable as exc:
            state[STATE_LAST_RUN]["failure"] = str(exc)

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
    lake: bool = False,
) -> ActivityLoadSummary:
    """Load activity for the selected repositories: live (recording into the run's archive) or
    replaying exactly the activity requests an archive holds (none, for zimmerman-2023).
    `lake`: `warehouse_path` is a lake folder, written as Parquet."""
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
    source = github_activity(client, run.run_id, names, current_stars(warehouse_path), plan=plan)
    pipeline = github_pipeline(warehouse_path, pipelines_dir, lake=lake)
    run_source(pipeline, source, client)
    last_run = pipeline.state["sources"][SOURCE_NAME][STATE_LAST_RUN]
    failure = last_run.get("failure")
    if not failure and client.stats.requests and not client.stats.answered:
        failure = f"GitHub answered none of {client.stats.requests} activity requests"
    if failure:
        raise LoadFailed(f"GitHub activity of run {run.run_id} failed: {failure}")
    fetched = fetch_statuses(warehouse_path, "activity_fetches", run.run_id)
    return ActivityLoadSummary(
        run_id=run.run_id,
        mode=run.mode,
        status="stopped" if last_run["resume_after"] else "complete",
        repositories=len({repository for repository, _ in fetched}),
        requests=client.stats.requests,
        replayed=client.stats.replayed,
        not_modified=client.stats.by_status.get(304, 0),
        rate_limit_remaining=dict(client.stats.rate_limit_remaining),
        rows=count_rows(warehouse_path, RAW_GITHUB_DATASET, ACTIVITY_TABLES),
        statuses=dict(Counter(status for _, status in fetched)),
        seconds=time.monotonic() - started,
        resume_after=last_run["resume_after"],
    )
