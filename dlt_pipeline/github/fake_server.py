"""A small fake of GitHub's REST API on 127.0.0.1, with faults injected, for the tests and benchmarks.

It serves real HTTP with GitHub's headers (`link`, `etag`, rate limits) over a generated set of
repositories, so the client's pagination, search splitting, renames and fault handling are
exercised for real.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


def make_repo(
    repo_id: int,
    full_name: str,
    topics: list[str],
    created: date,
    stars: int = 1,
    description: str | None = "a repository",
) -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {
        "id": repo_id,
        "node_id": f"R_{repo_id}",
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": {
            "login": owner,
            "id": repo_id * 10,
            "type": "Organization" if repo_id % 2 else "User",
        },
        "html_url": f"https://github.com/{full_name}",
        "description": description,
        "fork": False,
        "created_at": f"{created.isoformat()}T12:00:00Z",
        "updated_at": "2026-11-01T00:00:00Z",
        "pushed_at": "2026-10-01T00:00:00Z",
        "homepage": None,
        "size": 100 + repo_id % 50,
        "stargazers_count": stars,
        "watchers_count": stars,
        "language": "Python",
        "forks_count": stars // 10,
        "open_issues_count": 3,
        "license": {"key": "mit", "name": "MIT License", "spdx_id": "MIT"} if repo_id % 3 else None,
        "topics": topics,
        "archived": False,
        "disabled": False,
        "default_branch": "main",
        "score": 1.0,
    }


@dataclass
class Fault:
    """A fault served instead of the normal answer, to requests whose path+query matches.

    Kinds: primary (rate limit spent), secondary (403 with Retry-After), 429 (with
    Retry-After), 502 / 503, timeout (the normal answer after `delay` seconds: a timeout when
    that exceeds the client's), slow (the same after a quarter of it), truncated (half the body), gzip (a gzip body cut
    short), status:<n>.
    """

    match: str
    kind: str
    times: int = 1
    reset_in: float = 1.0
    delay: float = 2.0
    retry_after: str = "1"


@dataclass
class RandomFaults:
    """Transient faults for a share of all requests, drawn from a seeded generator, so a soak
    run is the same every time: each request that draws a fault gets one of `kinds`."""

    rate: float
    kinds: tuple[str, ...]
    seed: int = 0
    delay: float = 0.05
    retry_after: str = "0"
    served: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        import random

        self._rng = random.Random(self.seed)

    def draw(self) -> Fault | None:
        if self._rng.random() >= self.rate:
            return None
        kind = self._rng.choice(self.kinds)
        self.served[kind] = self.served.get(kind, 0) + 1
        return Fault(".", kind, delay=self.delay, retry_after=self.retry_after)


@dataclass
class FakeGitHub:
    repos: list[dict[str, Any]] = field(default_factory=list)
    renamed: dict[str, int] = field(default_factory=dict)  # old full name -> repository id
    gone: dict[str, int] = field(default_factory=dict)  # full name -> 404 or 451
    faults: list[Fault] = field(default_factory=list)
    extra_routes: dict[str, Callable[[str, dict], tuple[int, dict, Any]]] = field(
        default_factory=dict
    )
    files: dict[str, bytes] = field(default_factory=dict)  # raw file path -> bytes
    # full name -> {"releases": [...], "tags": [...], "contributors": [...], "issues": [...],
    #               "star_weeks": [...] or None (404), "languages": {...}, "empty": bool, "computing": n}
    activity: dict[str, dict[str, Any]] = field(default_factory=dict)
    # full name -> README text (absent: 404, no README); served base64 like GitHub's contents
    readmes: dict[str, str] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    search_cap: int = 1000
    rate_remaining: int = 4999
    random_faults: RandomFaults | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- server plumbing ---------------------------------------------------------------------
    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.handle(self)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return self.url

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _fault_for(self, target: str) -> Fault | None:
        with self.lock:
            if self.random_faults is not None:
                drawn = self.random_faults.draw()
                if drawn is not None:
                    return drawn
            for fault in self.faults:
                if fault.times > 0 and re.search(fault.match, target):
                    fault.times -= 1
                    return fault
        return None

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with self.lock:
            self.requests.append(
                {
                    "path": parts.path,
                    "params": params,
                    "headers": dict(handler.headers),
                    "at": time.time(),
                }
            )
        fault = self._fault_for(handler.path)
        resource = "search" if parts.path.startswith("/search") else "core"
        headers = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(self.rate_remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": resource,
        }
        if fault is not None:
            if fault.kind == "primary":
                headers.update(
                    {
                        "x-ratelimit-remaining": "0",
                        "x-ratelimit-reset": str(int(time.time() + fault.reset_in)),
                    }
                )
                return self._send(handler, 403, headers, {"message": "API rate limit exceeded"})
            if fault.kind == "secondary":
                headers["retry-after"] = fault.retry_after
                return self._send(
                    handler, 403, headers, {"message": "You have exceeded a secondary rate limit."}
                )
            if fault.kind == "429":
                headers["retry-after"] = fault.retry_after
                return self._send(handler, 429, headers, {"message": "Too Many Requests"})
            if fault.kind in ("502", "503"):
                return self._send(handler, int(fault.kind), headers, {"message": "Server Error"})
            if fault.kind in ("timeout", "slow"):
                time.sleep(fault.delay if fault.kind == "timeout" else fault.delay / 4)
            if fault.kind.startswith("status:"):
                return self._send(
                    handler, int(fault.kind.split(":")[1]), headers, {"message": "injected"}
                )
        status, extra, body = self.route(parts.path, params, handler)
        headers.update(extra)
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        if fault is not None and fault.kind == "truncated":
            raw = raw[: max(len(raw) // 2, 1)]
        if fault is not None and fault.kind == "gzip":
            packed = gzip.compress(raw)
            raw = packed[: max(len(packed) // 2, 1)]
            headers["content-encoding"] = "gzip"
        self._send(handler, status, headers, raw)

    def _send(self, handler: BaseHTTPRequestHandler, status: int, headers: dict, body: Any) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("content-type", "application/json; charset=utf-8")
            handler.send_header("content-length", str(len(raw)))
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass

    # -- routes ------------------------------------------------------------------------------
    def route(
        self, path: str, params: dict, handler: BaseHTTPRequestHandler
    ) -> tuple[int, dict, Any]:
        for pattern, func in self.extra_routes.items():
            if re.fullmatch(pattern, path):
                return func(path, params)
        if path in self.files:
            return 200, {}, self.files[path]
        if path == "/search/repositories":
            return self.search(params)
        match = re.fullmatch(r"/(?:repos/([^/]+/[^/]+)|repositories/(\d+))/readme", path)
        if match:
            return self.readme_route(match.group(1), match.group(2), handler)
        match = re.fullmatch(
            r"/repos/([^/]+)/([^/]+)/(releases|tags|contributors|issues|stargazers/history|languages)",
            path,
        )
        if match:
            return self.activity_route(
                f"{match.group(1)}/{match.group(2)}", match.group(3), params, handler
            )
        match = re.fullmatch(r"/repositories/(\d+)", path)
        if match:
            repo = self.by_id(int(match.group(1)))
            return (
                (200, {"etag": _etag(repo)}, self.details(repo))
                if repo
                else (404, {}, {"message": "Not Found"})
            )
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)", path)
        if match:
            name = f"{match.group(1)}/{match.group(2)}"
            if name in self.gone:
                return (
                    self.gone[name],
                    {},
                    {"message": "Not Found" if self.gone[name] == 404 else "Unavailable"},
                )
            if name in self.renamed:
                host = handler.headers.get("Host")
                return (
                    301,
                    {"location": f"http://{host}/repositories/{self.renamed[name]}"},
                    {"message": "Moved Permanently"},
                )
            repo = next((r for r in self.repos if r["full_name"] == name), None)
            return (
                (200, {"etag": _etag(repo)}, self.details(repo))
                if repo
                else (404, {}, {"message": "Not Found"})
            )
        return 404, {}, {"message": "Not Found", "path": path}

    def activity_route(
        self, name: str, endpoint: str, params: dict, handler: BaseHTTPRequestHandler
    ) -> tuple[int, dict, Any]:
        data = self.activity.get(name)
        if data is None:
            return 404, {}, {"message": "Not Found"}
        if data.get("empty") and endpoint != "languages":
            return 409, {}, {"message": "Git Repository is empty."}
        if endpoint == "stargazers/history":
            if data.get("computing", 0) > 0:
                data["computing"] -= 1
                return 202, {}, {}
            if data.get("star_weeks") is None:
                return 404, {}, {"message": "Not Found"}
            body: Any = data["star_weeks"]
        elif endpoint == "languages":
            body = data.get("languages", {})
        else:
            items = list(data.get(endpoint, []))
            if endpoint == "issues" and params.get("since"):
                items = [i for i in items if i["updated_at"] >= params["since"]]
            if endpoint == "issues":
                items.sort(key=lambda i: i["updated_at"])
            per_page = int(params.get("per_page", 30))
            page = int(params.get("page", 1))
            body = items[(page - 1) * per_page : page * per_page]
            last = max((len(items) + per_page - 1) // per_page, 1)
            headers: dict[str, str] = {}
            if page < last:
                headers["link"] = (
                    f'<{self.url}/repos/{name}/{endpoint}?{urlencode({**params, "page": page + 1})}>; rel="next"'
                )
            etag = '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
            if handler.headers.get("If-None-Match") == etag:
                return 304, {"etag": etag}, b""
            return 200, {**headers, "etag": etag}, body
        etag = '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"etag": etag}, b""
        return 200, {"etag": etag}, body

    def readme_route(
        self, name: str | None, repo_id: str | None, handler: BaseHTTPRequestHandler
    ) -> tuple[int, dict, Any]:
        """GET /repos/{name}/readme (301 to /repositories/{id}/readme after a rename)."""
        if name in self.renamed:
            host = handler.headers.get("Host")
            location = f"http://{host}/repositories/{self.renamed[name]}/readme"
            return 301, {"location": location}, {"message": "Moved Permanently"}
        if repo_id is not None:
            repo = self.by_id(int(repo_id))
            name = repo["full_name"] if repo else None
        text = self.readmes.get(name or "")
        if text is None:
            return 404, {}, {"message": "Not Found"}
        raw = text.encode("utf-8")
        body = {
            "name": "README.md",
            "path": "README.md",
            "sha": hashlib.sha1(raw).hexdigest(),
            "size": len(raw),
            "html_url": f"https://github.com/{name}/blob/main/README.md",
            "encoding": "base64",
            "content": base64.encodebytes(raw).decode("ascii"),
        }
        etag = '"' + hashlib.sha1(raw).hexdigest() + '"'
        if handler.headers.get("If-None-Match") == etag:
            return 304, {"etag": etag}, b""
        return 200, {"etag": etag}, body

    def by_id(self, repo_id: int) -> dict | None:
        return next((r for r in self.repos if r["id"] == repo_id), None)

    @staticmethod
    def details(repo: dict) -> dict:
        detail = dict(repo)
        detail.update(subscribers_count=7, network_count=11, permissions={"admin": False})
        return detail

    def search(self, params: dict) -> tuple[int, dict, Any]:
        query = params.get("q", "")
        topic = re.search(r"topic:(\S+)", query)
        created = re.search(r"created:(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", query)
        found = [r for r in self.repos if topic and topic.group(1) in r["topics"]]
        if created:
            start, end = created.group(1), created.group(2)
            found = [r for r in found if start <= r["created_at"][:10] <= end]
        found.sort(key=lambda r: -r["id"])
        per_page = int(params.get("per_page", 30))
        page = int(params.get("page", 1))
        reachable = found[: self.search_cap]
        items = reachable[(page - 1) * per_page : page * per_page]
        last = max((len(reachable) + per_page - 1) // per_page, 1)
        headers = {}
        links = []
        if page < last:
            links.append(
                f'<{self.url}/search/repositories?{urlencode({**params, "page": page + 1})}>; rel="next"'
            )
            links.append(
                f'<{self.url}/search/repositories?{urlencode({**params, "page": last})}>; rel="last"'
            )
        if links:
            headers["link"] = ", ".join(links)
        body = {"total_count": len(found), "incomplete_results": False, "items": items}
        headers["etag"] = '"' + hashlib.sha1(json.dumps(body).encode()).hexdigest() + '"'
        return 200, headers, body


def _etag(repo: dict | None) -> str:
    return '"' + hashlib.sha1(json.dumps(repo, sort_keys=True).encode()).hexdigest() + '"'


def spread_repos(
    topic: str, count: int, first_id: int, start: date = date(2016, 1, 1), days: int = 3000
) -> list[dict[str, Any]]:
    """`count` repositories under `topic`, created evenly across `days` days from `start`."""
    return [
        make_repo(
            first_id + i,
            f"org{(first_id + i) % 97}/{topic}-repo-{first_id + i}",
            [topic, "python"],
            start + timedelta(days=(i * days) // max(count, 1)),
            stars=(i * 37) % 1000,
        )
        for i in range(count)
    ]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
