"""The one HTTP client every GitHub resource goes through.

It owns what GitHub's API demands of a polite, resumable crawler: bearer auth, pacing of search
requests, primary and secondary rate limits, bounded retries of 5xx, timeouts and truncated
bodies, and recording every accepted response to the run's archive (or serving it from one).
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter

from dlt_pipeline.github.archive import Archive, ArchiveWriter, request_key, scrub_url
from dlt_pipeline.github.settings import GitHubSettings
from dlt_pipeline.github.transport import RECORDED_AT_HEADER, REPLAYED_HEADER, ReplayAdapter

log = logging.getLogger(__name__)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return json.loads(response.content) if response.content.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def connection_reason(exc: Exception) -> str:
    """The readable cause inside requests' long connection-error text (refused, DNS, timeout)."""
    found = re.findall(r"Failed to resolve '[^']+'|\[Errno -?\d+\][^'\")]*|timed out", str(exc))
    return found[-1].strip() if found else type(exc).__name__


class GitHubError(Exception):
    """A request that failed for good after retries; names the request."""


class SourceUnreachable(Exception):
    """The API did not answer at all: `max_connection_failures` attempts in a row failed to
    connect. Not a GitHubError, so no per-request handler swallows it: the run stops."""


class RateLimitStop(GitHubError):
    """GitHub's primary rate limit is spent until `resume_at`, further away than we may wait."""

    def __init__(self, url: str, resume_at: datetime) -> None:
        self.url = url
        self.resume_at = resume_at
        super().__init__(
            f"GitHub rate limit exhausted at {url}; resume after {resume_at.isoformat(timespec='seconds')}"
        )


@dataclass
class ApiResponse:
    """An accepted response: status, parsed JSON (None when empty), headers and when it arrived."""

    url: str
    status: int
    data: Any
    headers: dict[str, str]
    recorded_at: str
    requested_url: str
    redirected_from: list[str] = field(default_factory=list)

    @property
    def request_path(self) -> str:
        """The request as path plus sorted query: the same live and replayed, whatever the host."""
        return request_key(self.requested_url)

    def next_link(self) -> str | None:
        """The `rel="next"` URL of a paginated listing, if any."""
        for part in self.headers.get("link", "").split(","):
            segments = [s.strip() for s in part.split(";")]
            if len(segments) >= 2 and any(s == 'rel="next"' for s in segments[1:]):
                return segments[0].strip("<>")
        return None


@dataclass
class ClientStats:
    """What the closing summary reports about the network."""

    requests: int = 0
    #: responses accepted as answers (anything but a retried fault)
    answered: int = 0
    replayed: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    by_status: Counter[int] = field(default_factory=Counter)
    rate_limit_remaining: dict[str, int] = field(default_factory=dict)
    rate_limit_reset: dict[str, int] = field(default_factory=dict)


class GitHubClient:
    """GET requests against the GitHub REST API (or a fake of it, or an archive of it)."""

    def __init__(
        self,
        settings: GitHubSettings,
        *,
        token: str | None = None,
        recorder: ArchiveWriter | None = None,
        replay: Archive | None = None,
        replay_falls_back_to_network: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.token = token
        self.recorder = recorder
        self.replaying = replay is not None and not replay_falls_back_to_network
        self.sleep = sleep
        self.clock = clock
        self.stats = ClientStats()
        self._last_search_at = 0.0
        self._connection_failures = 0
        self._rng = random.Random(0)
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
                "User-Agent": "mlops-atlas",
            }
        )
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"
        if replay is not None:
            fallback = HTTPAdapter() if replay_falls_back_to_network else None
            adapter = ReplayAdapter(replay, fallback=fallback)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)

    @property
    def authenticated(self) -> bool:
        return bool(self.token)

    def url(self, path: str) -> str:
        """An absolute URL for an API path (absolute URLs, e.g. from `link`, pass through)."""
        if path.startswith(("http://", "https://")):
            return path
        return urljoin(self.settings.base_url.rstrip("/") + "/", path.lstrip("/"))

    def close(self) -> None:
        self.session.close()

    # -- pacing and limits -------------------------------------------------------------------

    def _pace_search(self) -> None:
        if self.replaying:
            return
        interval = (
            self.settings.search_interval_authenticated
            if self.authenticated
            else self.settings.search_interval_anonymous
        )
        wait = self._last_search_at + interval - self.clock()
        if wait > 0:
            self._wait(wait)
        self._last_search_at = self.clock()

    def _wait(self, seconds: float) -> None:
        self.stats.waited_seconds += seconds
        self.sleep(seconds)

    def _note_limits(self, headers: requests.structures.CaseInsensitiveDict) -> None:
        resource = headers.get("x-ratelimit-resource", "core")
        if "x-ratelimit-remaining" in headers:
            try:
                self.stats.rate_limit_remaining[resource] = int(headers["x-ratelimit-remaining"])
                self.stats.rate_limit_reset[resource] = int(headers.get("x-ratelimit-reset", 0))
            except ValueError:
                log.warning("unreadable rate-limit headers: %s", dict(headers))

    def _wait_for_reset(self, url: str, reset_epoch: float) -> None:
        """Wait for a primary limit to reset, or stop resumably when that is too far away."""
        wait = max(reset_epoch - self.clock(), 0.0) + 1.0
        if wait > self.settings.max_rate_limit_wait_seconds:
            raise RateLimitStop(scrub_url(url), datetime.fromtimestamp(reset_epoch, UTC))
        log.warning("primary rate limit reached; waiting %.0f s for reset", wait)
        self._wait(wait)

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_base_seconds * (2**attempt)
        return min(base, self.settings.backoff_max_seconds) * (0.5 + self._rng.random() / 2)

    # -- requests ------------------------------------------------------------------------------

    def get(
        self,
        path_or_url: str,
        params: dict[str, Any] | None = None,
        *,
        search: bool = False,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        """GET with retries; returns an accepted response or raises GitHubError / RateLimitStop."""
        url = self.url(path_or_url)
        if params:
            url = requests.Request("GET", url, params=params).prepare().url or url
        shown = scrub_url(url)
        last_problem = "no attempt made"
        for attempt in range(self.settings.max_retries + 1):
            if search:
                self._pace_search()
            self.stats.requests += 1
            try:
                response = self.session.get(
                    url, timeout=self.settings.request_timeout, headers=headers
                )
            except (requests.Timeout, requests.ConnectionError) as exc:
                last_problem = f"{type(exc).__name__}: {connection_reason(exc)}"
                if isinstance(exc, requests.ConnectionError):
                    self._note_connection_failure(shown, exc)
                self._retry(shown, attempt, last_problem)
                continue
            except (
                requests.exceptions.ContentDecodingError,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:  # a body cut short in transit (gzip or chunked): the server was there
                self._connection_failures = 0
                last_problem = f"body cut short ({type(exc).__name__})"
                self._retry(shown, attempt, last_problem)
                continue
            self._connection_failures = 0
            self.stats.by_status[response.status_code] += 1
            if response.headers.get(REPLAYED_HEADER):
                self.stats.replayed += 1
            self._note_limits(response.headers)
            status = response.status_code
            if status in (403, 429):
                retry_after = response.headers.get("retry-after")
                if response.headers.get("x-ratelimit-remaining") == "0" and not retry_after:
                    reset = float(response.headers.get("x-ratelimit-reset", self.clock() + 60))
                    self._wait_for_reset(url, reset)
                    continue
                if retry_after or "secondary rate limit" in response.text.lower() or status == 429:
                    delay = float(retry_after) if retry_after else self._backoff(attempt + 2)
                    last_problem = (
                        f"secondary rate limit (HTTP {status}), retry after {delay:.0f} s"
                    )
                    log.warning("%s: %s", shown, last_problem)
                    self.stats.retries += 1
                    self._wait(delay)
                    continue
            if status >= 500:
                last_problem = f"HTTP {status}"
                self._retry(shown, attempt, last_problem)
                continue
            if status >= 400:  # a plain 403, 404, 409, 451...: answers
                data = _json_or_none(response)
                if (
                    data is None
                    and response.content.strip()
                    and attempt < self.settings.max_retries
                ):
                    # GitHub's error bodies are JSON: one that does not parse was cut short
                    last_problem = f"HTTP {status} with a body cut short"
                    self._retry(shown, attempt, last_problem)
                    continue
                return self._accept(url, response, data)
            try:  # a success must carry whole JSON: a truncated body is retried
                data = json.loads(response.content) if response.content.strip() else None
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                last_problem = f"truncated or invalid JSON body ({exc})"
                self._retry(shown, attempt, last_problem)
                continue
            return self._accept(url, response, data)
        raise GitHubError(
            f"GET {shown} failed after {self.settings.max_retries + 1} attempts: {last_problem}"
        )

    def _note_connection_failure(self, shown: str, exc: Exception) -> None:
        """Count attempts in a row that reached no server; trip after the configured number."""
        self._connection_failures += 1
        if self._connection_failures >= self.settings.max_connection_failures:
            reason = connection_reason(exc)
            raise SourceUnreachable(
                f"GitHub API at {scrub_url(self.settings.base_url)} is unreachable: "
                f"{self._connection_failures} connection attempts in a row failed (last: GET "
                f"{shown}: {reason}); check sources.github.base_url and the network"
            ) from exc

    def _retry(self, shown: str, attempt: int, problem: str) -> None:
        if attempt >= self.settings.max_retries:
            return
        self.stats.retries += 1
        delay = self._backoff(attempt)
        # a retry is routine: shown with --verbose; what failed for good is reported as an error
        log.info("GET %s: %s; retrying in %.1f s", shown, problem, delay)
        self._wait(delay)

    def _scrub(self, response: requests.Response) -> bool:
        """Blank the token wherever a server echoed it, before anything is recorded or stored.

        Returns whether the final body changed (so its parsed JSON is stale).
        """
        # only credential-like strings: a one-letter "token" would mangle every URL
        if not self.token or len(self.token) < 8:
            return False
        secret = self.token.encode()
        body_changed = False
        for hop in [*response.history, response]:
            if secret in hop.content:
                hop._content = hop.content.replace(secret, b"***")
                body_changed = body_changed or hop is response
            for key, value in list(hop.headers.items()):
                if self.token in value:
                    hop.headers[key] = value.replace(self.token, "***")
        return body_changed

    def _accept(self, url: str, response: requests.Response, data: Any) -> ApiResponse:
        self.stats.answered += 1
        if self._scrub(response):
            data = _json_or_none(response)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        hops = [*response.history, response]
        for hop in hops:
            recorded_at = hop.headers.get(RECORDED_AT_HEADER) or now
            if self.recorder is not None and not hop.headers.get(REPLAYED_HEADER):
                self.recorder.record(
                    hop.request.url if hop.request is not None else url,
                    "GET",
                    hop.status_code,
                    dict(hop.headers),
                    hop.content,
                    recorded_at,
                )
        final_request_url = response.request.url if response.request is not None else url
        return ApiResponse(
            url=scrub_url(final_request_url or url),
            status=response.status_code,
            data=data,
            headers={k.lower(): v for k, v in response.headers.items()},
            recorded_at=response.headers.get(RECORDED_AT_HEADER) or now,
            requested_url=scrub_url(url),
            redirected_from=[
                scrub_url(h.request.url) for h in response.history if h.request is not None
            ],
        )
