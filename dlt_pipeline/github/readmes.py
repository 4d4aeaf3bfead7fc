"""README texts of repositories (dlt source `github_readmes`, table `raw_github.readmes`).

A README says what a project *is* (a tool, a course, a list; what task it serves) far better than
a one-line description, so the kind and category models read it. Two ways in:

* **Replaying an archive**, the texts come from the data mirror's `readmes/readmes.jsonl` (one
  README per line, read at each snapshot's HEAD; see that folder's README), plus any
  `/readme` responses the archive itself recorded.
* **Live**, from `GET /repos/{owner}/{repo}/readme` for the discovered repositories with at least
  `sources.github.readme_min_stars` stars (plus `activity_repositories`). Each request carries
  `If-None-Match` with the ETag of the text already stored for that name (a 304 costs no primary
  rate limit and keeps the stored text), every response is recorded in the run's archive like any
  other, and a 404 is stored as a row with status `missing`: "no README" is an answer, not an
  error.

Every fetch leaves a `readme_fetches` row (ok, not_modified, missing, unavailable, error); a
failure never stops the others, and a rate-limit stop keeps what was loaded. Texts are untrusted
markdown/HTML, stored as received; dbt cleans them for modelling and no report shows them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dlt

from dlt_pipeline.github.archive import Archive, ArchiveError, request_key
from dlt_pipeline.github.client import ApiResponse, GitHubClient, GitHubError, RateLimitStop
from dlt_pipeline.github.load import github_pipeline, open_run, run_source
from dlt_pipeline.github.settings import GitHubSettings
from dlt_pipeline.tables import Column, Table, by_name
from dlt_pipeline.warehouse import (
    count_rows,
    fetch_statuses,
    repositories_by_stars,
    stored_readme_names,
)
from mlops_atlas.paths import ARCHIVE_DIR, RAW_GITHUB_DATASET, mirror_root

#: Pinned: dlt keys the stored ETags by source name.
SOURCE_NAME = "github_readmes"
#: The mirror's README file, relative to the mirror root.
MIRROR_FILE = Path("readmes") / "readmes.jsonl"
SOURCE_MIRROR = "mirror"
SOURCE_API = "api"

_README_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)/readme/?$")
_HTML_REPOSITORY = re.compile(r"^/([^/]+)/([^/]+)/")

_TEXT = Column("text")

#: The raw README tables: the latest text per (name asked for, source), and every fetch.
README_TABLES: dict[str, Table] = by_name(
    Table(
        "readmes",
        ("repository_full_name", "source"),
        {
            "repository_full_name": Column("text", nullable=False),
            "source": Column("text", nullable=False),
            "fetched_full_name": _TEXT,
            "status": _TEXT,
            "http_status": Column("bigint"),
            "path": _TEXT,
            "commit_sha": _TEXT,
            "blob_sha": _TEXT,
            "committed_at": Column("timestamp"),
            "is_truncated": Column("bool"),
            "text": _TEXT,
            "text_bytes": Column("bigint"),
            "etag": _TEXT,
            "run_id": _TEXT,
            "recorded_at": Column("timestamp"),
        },
    ),
    Table(
        "readme_fetches",
        ("run_id", "repository_full_name"),
        {
            "run_id": Column("text", nullable=False),
            "repository_full_name": Column("text", nullable=False),
            "status": _TEXT,
            "http_status": Column("bigint"),
            "message": _TEXT,
            "recorded_at": Column("timestamp"),
        },
    ),
)
READMES = README_TABLES["readmes"]
FETCHES = README_TABLES["readme_fetches"]


class ReadmeFileError(ArchiveError):
    """The mirror's README file cannot be read; names the file and line."""


# -- the mirror's file ---------------------------------------------------------------------------


def read_mirror_readmes(path: Path, run_id: str, recorded_at: str | None = None) -> list[dict]:
    """One `readmes` row per archive name a README of the mirror file answers for (the first
    line naming it wins: names are case-insensitive).

    The whole file is read and checked before a row is returned, so a bad line stops the load
    with the file and line named and nothing half-loaded. `recorded_at` defaults to the file's
    modification time (when the mirror wrote it).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReadmeFileError(f"README file {path}: cannot be read ({exc})") from exc
    stamp = recorded_at or _file_time(path)
    rows: dict[str, dict] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            fetched = item["fetched_full_name"]
            requested = item.get("requested_full_names") or [fetched]
            text = item["text"]
            if not isinstance(fetched, str) or "/" not in fetched:
                raise ValueError(f"fetched_full_name {fetched!r} is not owner/name")
            if not isinstance(requested, list) or not all(
                isinstance(n, str) and "/" in n for n in requested
            ):
                raise ValueError("requested_full_names is not a list of owner/name")
            if not isinstance(text, str):
                raise ValueError("text is not a string")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ReadmeFileError(
                f"README file {path}, line {number}: not a valid README line ({exc})"
            ) from exc
        for name in requested:
            rows.setdefault(
                name.lower(),
                {
                    "repository_full_name": name,
                    "source": SOURCE_MIRROR,
                    "fetched_full_name": fetched,
                    "status": "ok",
                    "http_status": None,
                    "path": item.get("path"),
                    "commit_sha": item.get("commit"),
                    "blob_sha": None,
                    "committed_at": item.get("committed_at"),
                    "is_truncated": bool(item.get("truncated")),
                    "text": text,
                    "text_bytes": len(text.encode("utf-8")),
                    "etag": None,
                    "run_id": run_id,
                    "recorded_at": stamp,
                },
            )
    return list(rows.values())


def _file_time(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


# -- the API ------------------------------------------------------------------------------------


@dataclass
class ReadmeFetch:
    """One repository's README request: its `readme_fetches` row and, when there is one, the
    `readmes` row (an `ok` text or a `missing` answer)."""

    full_name: str
    status: str  # ok | not_modified | missing | unavailable | error
    http_status: int | None
    recorded_at: str | None
    readme: dict[str, Any] | None = None
    message: str | None = None


def readme_from_response(full_name: str, response: ApiResponse, run_id: str) -> ReadmeFetch:
    """What a `/readme` answer means: a text (200), no README (404), unchanged (304) or not
    available (any other status). A 200 whose content cannot be decoded is `unavailable`."""
    at = response.recorded_at
    status = response.status
    if status == 304:
        return ReadmeFetch(full_name, "not_modified", 304, at)
    row: dict[str, Any] = {
        "repository_full_name": full_name,
        "source": SOURCE_API,
        "fetched_full_name": full_name,
        "http_status": status,
        "path": None,
        "commit_sha": None,
        "blob_sha": None,
        "committed_at": None,
        "is_truncated": False,
        "text": None,
        "text_bytes": None,
        "etag": None,
        "run_id": run_id,
        "recorded_at": at,
    }
    if status == 404:
        return ReadmeFetch(full_name, "missing", 404, at, {**row, "status": "missing"})
    data = response.data if isinstance(response.data, dict) else {}
    if status != 200:
        message = data.get("message") if isinstance(data, dict) else None
        text = f"{full_name} readme: HTTP {status} {message or ''}".strip()
        return ReadmeFetch(full_name, "unavailable", status, at, message=text)
    try:
        text = decode_content(data)
    except ValueError as exc:
        return ReadmeFetch(
            full_name, "unavailable", status, at, message=f"{full_name} readme: {exc}"
        )
    row.update(
        status="ok",
        fetched_full_name=_html_full_name(data.get("html_url")) or full_name,
        path=data.get("path"),
        blob_sha=data.get("sha"),
        text=text,
        text_bytes=len(text.encode("utf-8")),
        etag=response.headers.get("etag"),
    )
    return ReadmeFetch(full_name, "ok", status, at, row)


def decode_content(data: dict[str, Any]) -> str:
    """The README text of a contents answer (base64, as GitHub sends it); invalid UTF-8 bytes
    are replaced. Raises ValueError for an answer without decodable content."""
    content = data.get("content")
    encoding = data.get("encoding", "base64")
    if not isinstance(content, str):
        raise ValueError("answer has no content")
    if encoding != "base64":
        raise ValueError(f"unexpected content encoding {encoding!r}")
    try:
        raw = base64.b64decode(content, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"content is not base64 ({exc})") from exc
    return raw.decode("utf-8", errors="replace")


def _html_full_name(url: Any) -> str | None:
    """`owner/name` from a README's `html_url` (the repository's current name after a move)."""
    if not isinstance(url, str):
        return None
    match = _HTML_REPOSITORY.match(urlsplit(url).path)
    return f"{match.group(1)}/{match.group(2)}" if match else None


class ReadmeFetcher:
    """Fetches READMEs conditionally: `etags` (request key -> ETag) persist between runs in the
    source state, and are sent only for names whose text the warehouse still holds."""

    def __init__(
        self, client: GitHubClient, run_id: str, etags: dict[str, str], stored: set[str]
    ) -> None:
        self.client = client
        self.run_id = run_id
        self.etags = etags
        self.stored = stored

    def fetch(self, full_name: str, url: str | None = None) -> ReadmeFetch:
        """One README; a request that fails for good is an `error` fetch, never raised (a
        rate-limit stop is raised: the run ends there, keeping what it loaded)."""
        url = url or f"/repos/{full_name}/readme"
        key = request_key(self.client.url(url))
        etag = self.etags.get(key) if full_name.lower() in self.stored else None
        try:
            response = self.client.get(url, headers={"If-None-Match": etag} if etag else None)
        except RateLimitStop:
            raise
        except GitHubError as exc:
            return ReadmeFetch(full_name, "error", None, None, message=str(exc))
        result = readme_from_response(full_name, response, self.run_id)
        if result.status == "ok" and response.headers.get("etag"):
            self.etags[key] = response.headers["etag"]
        elif result.status == "missing":
            self.etags.pop(key, None)
        return result


def replay_plan(archive: Archive) -> dict[str, str]:
    """Repository -> the first `/readme` URL an archive recorded for it, in recorded order."""
    plan: dict[str, str] = {}
    for entry in archive.answers():
        match = _README_PATH.match(entry.path)
        if match:
            plan.setdefault(f"{match.group(1)}/{match.group(2)}", entry.url)
    return plan


# -- the dlt source -----------------------------------------------------------------------------

#: Key in the source state: how the latest run ended (`resume_after` set when it stopped).
STATE_LAST_RUN = "last_run"


@dlt.source(name=SOURCE_NAME, max_table_nesting=0)
def github_readmes(
    run_id: str,
    mirror_rows: list[dict] | None = None,
    client: GitHubClient | None = None,
    targets: dict[str, str | None] | None = None,
    stored: set[str] | None = None,
) -> Any:
    """README rows from the mirror file (`mirror_rows`) and from the API (`targets`: repository
    -> URL, None for the usual `/repos/{name}/readme`), with one `readme_fetches` row per
    request. Both tables exist after any run, rows or not."""

    @dlt.resource(name="github_readmes")
    def readmes() -> Iterator[Any]:
        for table in README_TABLES.values():
            yield table.materialize()
        if mirror_rows:
            yield READMES.rows(mirror_rows)
        state = dlt.current.source_state()
        etags: dict[str, str] = state.setdefault("etags", {})
        state[STATE_LAST_RUN] = {"run_id": run_id, "resume_after": None}
        if client is None or not targets:
            return
        fetcher = ReadmeFetcher(client, run_id, etags, stored or set())
        try:
            for full_name, url in targets.items():
                result = fetcher.fetch(full_name, url)
                if result.readme is not None:
                    yield READMES.rows([result.readme])
                yield FETCHES.rows(
                    [
                        {
                            "run_id": run_id,
                            "repository_full_name": full_name,
                            "status": result.status,
                            "http_status": result.http_status,
                            "message": result.message,
                            "recorded_at": result.recorded_at,
                        }
                    ]
                )
        except RateLimitStop as stop:
            state[STATE_LAST_RUN]["resume_after"] = stop.resume_at.isoformat(timespec="seconds")

    return readmes


@dataclass
class ReadmeLoadSummary:
    """What a README load did, for the closing summary and for tests."""

    run_id: str
    mode: str  # replay | live
    status: str  # complete | stopped
    mirror_rows: int
    requests: int
    replayed: int
    not_modified: int
    rows: dict[str, int]
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    resume_after: str | None = None


def live_targets(warehouse_path: Path, settings: GitHubSettings) -> list[str]:
    """The repositories a live run asks for a README: observed with at least
    `readme_min_stars` stars (renames followed, gone ones left out), plus
    `activity_repositories`."""
    names = repositories_by_stars(warehouse_path, settings.readme_min_stars)
    known = {n.lower() for n in names}
    names += [n for n in settings.activity_repositories if n.lower() not in known]
    return list(dict.fromkeys(names))


def load_readmes(
    warehouse_path: Path,
    *,
    archive: str | Path | None = None,
    run_id: str | None = None,
    mirror: Path | None = None,
    settings: GitHubSettings | None = None,
    token: str | None = None,
    full_names: list[str] | None = None,
    pipelines_dir: Path | None = None,
    archive_dir: Path = ARCHIVE_DIR,
    lake: bool = False,
) -> ReadmeLoadSummary:
    """Load README texts into `raw_github.readmes`.

    With `archive`: the mirror's README file (`mirror`, default `$ATLAS_MIRROR` or
    ../shared/data; none there is not an error, the tables are then empty) plus the `/readme`
    responses the archive recorded, replayed offline. Live (`run_id` of the discovery run): the
    API, recording into that run's archive folder. `lake`: `warehouse_path` is a lake folder,
    written as Parquet.
    """
    started = time.monotonic()
    settings = settings or GitHubSettings.from_config()
    mirror_rows: list[dict] = []
    targets: dict[str, str | None]
    if archive is not None:
        run = open_run(settings, archive=archive)
        assert run.replay is not None
        targets = dict(replay_plan(run.replay))
        mirror = mirror if mirror is not None else mirror_root()
        if mirror is not None and (mirror / MIRROR_FILE).is_file():
            mirror_rows = read_mirror_readmes(mirror / MIRROR_FILE, run.run_id)
    else:
        run = open_run(settings, token=token, run_id=run_id, archive_dir=archive_dir)
        names = full_names if full_names is not None else live_targets(warehouse_path, settings)
        targets = dict.fromkeys(names)
    client = run.client
    source = github_readmes(
        run.run_id,
        mirror_rows=mirror_rows,
        client=client,
        targets=targets,
        stored=stored_readme_names(warehouse_path, SOURCE_API),
    )
    pipeline = github_pipeline(warehouse_path, pipelines_dir, lake=lake)
    run_source(pipeline, source, client)
    last_run = pipeline.state["sources"][SOURCE_NAME][STATE_LAST_RUN]
    statuses = Counter(
        status for _, status in fetch_statuses(warehouse_path, "readme_fetches", run.run_id)
    )
    return ReadmeLoadSummary(
        run_id=run.run_id,
        mode=run.mode,
        status="stopped" if last_run["resume_after"] else "complete",
        mirror_rows=len(mirror_rows),
        requests=client.stats.requests,
        replayed=client.stats.replayed,
        not_modified=client.stats.by_status.get(304, 0),
        rows=count_rows(warehouse_path, RAW_GITHUB_DATASET, README_TABLES),
        statuses=dict(statuses),
        seconds=time.monotonic() - started,
        resume_after=last_run["resume_after"],
    )
