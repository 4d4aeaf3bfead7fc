"""Recorded GitHub API archives: `manifest.jsonl` plus `responses/` (format version 1).

The format is described in `shared/data/snapshots/README.md`. Every live response is written
here, so any run can be replayed offline; a reader fails closed with the archive and line at fault.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

#: Response headers kept in an archive (lower-case). `location` is needed to replay redirects.
KEPT_HEADERS = (
    "link",
    "etag",
    "last-modified",
    "date",
    "location",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-resource",
    "retry-after",
)

#: Query parameters that carry credentials and must never be written anywhere.
SECRET_PARAMS = frozenset({"access_token", "client_secret", "token"})

#: Statuses that describe a passing fault rather than an answer; replay skips them.
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})

#: The archive format this code reads and writes (`shared/data/snapshots/README.md`, version 1).
#: A manifest line may carry `format_version`; a line without one is version 1.
FORMAT_VERSION = 1

_SEARCH_PATH = "/search/repositories"
_REPOSITORY_PATH = re.compile(r"^/(repos/[^/]+/[^/]+|repositories/\d+)/?$")


class ArchiveError(Exception):
    """An archive that cannot be read or does not hold a requested response."""


def scrub_url(url: str) -> str:
    """The URL with credential query parameters removed (never recorded, logged or stored)."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in SECRET_PARAMS
    ]
    rebuilt = parts._replace(
        query=urlencode(query, safe=":/,.*@"), netloc=parts.netloc.rsplit("@", 1)[-1]
    )
    return rebuilt.geturl()


def request_key(url: str) -> str:
    """A host-independent key for a request: path plus sorted query parameters.

    Replays match on this, so an archive recorded against any host (GitHub, a fake server on
    another port) replays the same way.
    """
    parts = urlsplit(scrub_url(url))
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path.rstrip("/") + ("?" + urlencode(query) if query else "")


@dataclass(frozen=True)
class ArchiveEntry:
    """One manifest line: a request and where its recorded response body lives."""

    url: str
    method: str
    status: int
    headers: dict[str, str]
    body: str
    recorded_at: str
    line: int
    run_id: str | None = None

    @property
    def key(self) -> str:
        return request_key(self.url)

    @property
    def path(self) -> str:
        return urlsplit(self.url).path


@dataclass
class Archive:
    """A readable archive folder; bodies are loaded lazily and validated on access."""

    root: Path
    entries: list[ArchiveEntry]
    name: str

    @classmethod
    def open(cls, root: Path, name: str | None = None) -> Archive:
        root = Path(root)
        manifest = root / "manifest.jsonl"
        if not manifest.is_file():
            raise ArchiveError(f"archive {root}: no manifest.jsonl")
        entries: list[ArchiveEntry] = []
        with manifest.open(encoding="utf-8") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    line = json.loads(raw)
                    entry = ArchiveEntry(
                        url=str(line["url"]),
                        method=str(line.get("method", "GET")),
                        status=int(line["status"]),
                        headers={
                            str(k).lower(): str(v) for k, v in (line.get("headers") or {}).items()
                        },
                        body=str(line["body"]),
                        recorded_at=str(line["recorded_at"]),
                        line=number,
                        run_id=line.get("run_id"),
                    )
                    version = int(line.get("format_version", 1))
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    raise ArchiveError(
                        f"archive {manifest}, line {number}: not a valid manifest line ({exc})"
                    ) from exc
                if version > FORMAT_VERSION:
                    raise ArchiveError(
                        f"archive {manifest}, line {number}: written in archive format version "
                        f"{version}; this version of mlops-atlas reads version {FORMAT_VERSION} "
                        "(update mlops-atlas to replay it)"
                    )
                if not (root / entry.body).is_file():
                    raise ArchiveError(
                        f"archive {manifest}, line {number}: body file {entry.body} is missing"
                    )
                entries.append(entry)
        run_ids = {e.run_id for e in entries if e.run_id}
        default_name = run_ids.pop() if len(run_ids) == 1 else root.name
        archive = cls(root=root, entries=entries, name=name or default_name)
        for entry in archive.answers():  # fail before anything is loaded, not halfway through
            archive._check_body(entry, archive.body_bytes(entry))
        return archive

    def body_bytes(self, entry: ArchiveEntry) -> bytes:
        """The recorded body, as received (`open` has checked that it is JSON or empty)."""
        try:
            return (self.root / entry.body).read_bytes()
        except OSError as exc:
            raise ArchiveError(
                f"archive {self.root}, line {entry.line}: cannot read {entry.body}: {exc}"
            ) from exc

    def _check_body(self, entry: ArchiveEntry, data: bytes) -> None:
        """JSON (or empty), and the repositories in it carry the fields every load relies on."""
        if not data.strip():  # an empty body is allowed, e.g. for a 304
            return
        try:
            parsed = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ArchiveError(
                f"archive {self.root}, line {entry.line}: body file {entry.body} is not valid JSON ({exc})"
            ) from exc
        if entry.status != 200:
            return
        where = f"archive {self.root / 'manifest.jsonl'}, line {entry.line} ({entry.body})"
        if entry.path.rstrip("/") == _SEARCH_PATH:
            items = parsed.get("items") if isinstance(parsed, dict) else None
            if not isinstance(items, list):
                raise ArchiveError(f"{where}: a search response without an `items` list")
            for index, item in enumerate(items, start=1):
                problem = repository_problem(item)
                if problem:
                    raise ArchiveError(f"{where}: item {index}{_item_id(item)}: {problem}")
        elif _REPOSITORY_PATH.match(entry.path):
            problem = repository_problem(parsed, search_item=False)
            if problem:
                raise ArchiveError(f"{where}: repository{_item_id(parsed)}: {problem}")

    def answers(self) -> Iterator[ArchiveEntry]:
        """Entries that answered their request (transient faults that were retried are left out)."""
        return (e for e in self.entries if e.status not in TRANSIENT_STATUSES)

    @property
    def latest_recorded_at(self) -> str | None:
        return max((e.recorded_at for e in self.entries), default=None)


def repository_problem(item: Any, *, search_item: bool = True) -> str | None:
    """What is wrong with a repository object, for the fields the loads and models rely on
    (a search item's owner and counts too; a detail response needs its id and name)."""
    if not isinstance(item, dict):
        return f"not an object but {type(item).__name__}"
    if not isinstance(item.get("id"), int) or isinstance(item.get("id"), bool):
        return f"`id` must be a whole number, got {item.get('id')!r}"
    name = item.get("full_name")
    if not isinstance(name, str) or name.count("/") != 1 or "" in name.split("/"):
        return f"`full_name` must be 'owner/name', got {name!r}"
    if not search_item:
        return None
    owner = item.get("owner")
    if not isinstance(owner, dict) or not isinstance(owner.get("login"), str):
        return f"`owner` must be an object with a `login`, got {owner!r}"[:200]
    for key in ("stargazers_count", "forks_count"):
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return f"`{key}` must be a whole number, got {value!r}"
    for key in ("created_at", "pushed_at"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            return f"`{key}` must be a time, got {value!r}"
    return None


def _item_id(item: Any) -> str:
    value = item.get("id") if isinstance(item, dict) else None
    name = item.get("full_name") if isinstance(item, dict) else None
    shown = " ".join(str(x) for x in (value, name) if x is not None)
    return f" ({shown[:120]})" if shown else ""


@dataclass
class ArchiveWriter:
    """Appends responses to an archive folder as they arrive; safe to share between threads.

    Credential query parameters are dropped from URLs; the client blanks its token in responses
    before they reach the writer.
    """

    root: Path
    run_id: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _count: int = 0

    def __post_init__(self) -> None:
        (self.root / "responses").mkdir(parents=True, exist_ok=True)
        manifest = self.root / "manifest.jsonl"
        if manifest.exists():  # resuming a stopped run: continue numbering after what is there
            self._count = sum(
                1 for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()
            )

    def record(
        self,
        url: str,
        method: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
        recorded_at: str,
    ) -> None:
        url = scrub_url(url)
        kept = {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
        with self._lock:
            self._count += 1
            slug = re.sub(r"[^A-Za-z0-9]+", "_", urlsplit(url).path).strip("_")[:80]
            digest = hashlib.sha1(url.encode()).hexdigest()[:8]
            name = f"responses/{self._count:06d}_{slug}_{digest}.json"
            (self.root / name).write_bytes(body)
            line: dict[str, Any] = {
                "url": url,
                "method": method,
                "status": status,
                "headers": kept,
                "body": name,
                "recorded_at": recorded_at,
                "run_id": self.run_id,
                "format_version": FORMAT_VERSION,
            }
            with (self.root / "manifest.jsonl").open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
