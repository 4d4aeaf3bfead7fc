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
import duckdb
from dlt.pipeline.exceptions import PipelineStepFailed

from dlt_pipeline.github.activity import ActivityFetcher
from dlt_pipeline.github.archive import Archive, ArchiveWriter
from dlt_pipeline.github.client import GitHubClient, RateLimitStop
from dlt_pipeline.github.load import github_pipeline, new_run_id, root_cause
from dlt_pipeline.github.named_archives import resolve_archive
from dlt_pipeline.github.selection import activity_full_names, current_stars
from dlt_pipeline.github.settings import GitHubSettings, github_token
from dlt_pipeline.paths import ARCHIVE_DIR, RAW_GITHUB_DATASET

#: Pinned: dlt keys the ETags and issue cursors by source name.
SOURCE_NAME = "github_activity"

_ENDPOINT_PATH = re.compile(
    r"^/repos/([^/]+)/([^/]+)/(releases|tags|contributors|issues|stargazers/history|languages)/?$"
)
_ENDPOINT_NAMES = {"stargazers/history": "star_history"}

_KEYS: dict[str, list[str]] = {
    "releases": ["repository_full_name", "id"],
    "tags": ["repository_full_name", "tag_name"],
    "contributors": ["repository_full_name", "contributor_key"],
    "issues": ["repository_full_name", "id"],
    "star_history": ["repository_full_name", "day", "source"],
    "languages": ["repository_full_name", "language"],
    "activity_fetches": ["run_id", "repository_full_name", "endpoint"],
}
_TEXT = {"data_type": "text"}
_COLUMNS: dict[str, dict[str, Any]] = {
    "releases": {
        "id": {"data_type": "bigint"},
        "tag_name": _TEXT,
        "name": _TEXT,
        "published_at": {"data_type": "timestamp"},
        "created_at": {"data_type": "timestamp"},
        "is_prerelease": {"data_type": "bool"},
        "is_draft": {"data_type": "bool"},
    },
    "tags": {"tag_name": _TEXT, "commit_sha": _TEXT},
    "contributors": {
        "contributor_key": _TEXT,
        "login": _TEXT,
        "is_anonymous": {"data_type": "bool"},
        "user_type": _TEXT,
        "contributions": {"data_type": "bigint"},
    },
    "issues": {
        "id": {"data_type": "bigint"},
        "number": {"data_type": "bigint"},
        "state": _TEXT,
        "created_at": {"data_type": "timestamp"},
        "updated_at": {"data_type": "timestamp"},
        "closed_at": {"data_type": "timestamp"},
        "is_pull_request": {"data_type": "bool"},
        "merged_at": {"data_type": "timestamp"},
        "author_association": _TEXT,
        "author_login": _TEXT,
        "author_type": _TEXT,
        "comments": {"data_type": "bigint"},
    },
    "star_history": {
        "day": {"data_type": "date"},
        "stars_total": {"data_type": "bigint"},
        "stars_gained": {"data_type": "bigint"},
        "source": _TEXT,
    },
    "languages": {"language": _TEXT, "bytes": {"data_type": "bigint"}},
    "activity_fetches": {
        "endpoint": _TEXT,
        "status": _TEXT,
        "http_status": {"data_type": "bigint"},
        "rows": {"data_type": "bigint"},
        "message": _TEXT,
    },
}
ACTIVITY_TABLES = tuple(_KEYS)


def _hints(table: str) -> Any:
    # fresh dicts each time: dlt annotates column hints in place (keys become non-nullable)
    columns = {
        "repository_full_name": {"data_type": "text", "nullable": False},
        "run_id": {"data_type": "text"},
        "recorded_at": {"data_type": "timestamp"},
        **{name: dict(spec) for name, spec in _COLUMNS[table].items()},
    }
    return dlt.mark.make_hints(
        table_name=table, primary_key=_KEYS[table], write_disposition="merge", columns=columns
    )


def _routed(table: str, rows: Any) -> Any:
    return dlt.mark.with_hints(rows, _hints(table), create_table_variant=True)


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
        for table in ACTIVITY_TABLES:
            yield _routed(table, dlt.mark.materialize_table_schema())
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
                        yield _routed(result.endpoint, [{**row, **stamp} for row in result.rows])
                    yield _routed(
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
        folder, name = resolve_archive(str(archive))
        replay = Archive.open(folder, name=name)
        client = GitHubClient(settings, replay=replay)
        run_id, mode = replay.name, "replay"
        plan = replay_plan(replay)
        names = list(dict.fromkeys(repo for repo, _ in plan))
    else:
        token = token if token is not None else github_token()
        run_id = run_id or new_run_id()
        recorder = ArchiveWriter(
            archive_dir / run_id, run_id=run_id, secrets=(token,) if token else ()
        )
        client = GitHubClient(settings, token=token, recorder=recorder)
        mode = "live"
        names = (
            full_names if full_names is not None else activity_full_names(warehouse_path, settings)
        )
    stars = current_stars(warehouse_path)
    outcome = ActivityOutcome()
    pipeline = github_pipeline(warehouse_path, pipelines_dir)
    try:
        pipeline.run(github_activity(client, run_id, names, stars, plan=plan, outcome=outcome))
    except PipelineStepFailed as exc:
        raise root_cause(exc) from exc
    finally:
        client.close()
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        rows = {
            t: con.execute(f"select count(*) from {RAW_GITHUB_DATASET}.{t}").fetchone()[0]
            for t in ACTIVITY_TABLES
        }
    return ActivityLoadSummary(
        run_id=run_id,
        mode=mode,
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
