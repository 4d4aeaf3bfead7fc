"""Per-repository activity from the GitHub API: releases (tags as fallback), contributors,
issues and pull requests, star history and languages.

Each endpoint is fetched with `If-None-Match` from the ETag recorded for the same URL in an
earlier run (a 304 costs no primary rate limit), and every outcome (ok, not modified, empty
repository, still computing, unavailable) is recorded in `activity_fetches`, never fatal.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dlt_pipeline.github.archive import request_key
from dlt_pipeline.github.client import ApiResponse, GitHubClient, GitHubError, RateLimitStop

log = logging.getLogger(__name__)


@dataclass
class FetchResult:
    """Rows of one endpoint for one repository, and how the fetch went."""

    endpoint: str
    # ok | not_modified | empty_repository | computing | unavailable | not_recorded | error
    status: str
    http_status: int | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    recorded_at: str | None = None


class ActivityFetcher:
    """Fetches one repository's activity; `etags` and `issue_cursors` carry state between runs."""

    def __init__(
        self,
        client: GitHubClient,
        *,
        etags: dict[str, str],
        issue_cursors: dict[str, str],
        salt: str,
        replay_first_urls: dict[tuple[str, str], str] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.client = client
        self.etags = etags
        self.issue_cursors = issue_cursors
        self.salt = salt
        self.replay_first_urls = replay_first_urls
        self.sleep = sleep or client.sleep

    # -- plumbing -----------------------------------------------------------------------------
    def _get(self, url: str) -> ApiResponse:
        key = request_key(self.client.url(url))
        etag = self.etags.get(key)
        response = self.client.get(url, headers={"If-None-Match": etag} if etag else None)
        if response.status == 200 and response.headers.get("etag"):
            self.etags[key] = response.headers["etag"]
        return response

    def _fetch(
        self, full_name: str, endpoint: str, path: str, *, listing: bool
    ) -> tuple[Any, FetchResult]:
        """The endpoint's JSON (every page of a listing) and how the fetch went.

        Replaying, the first URL is the one the archive recorded for this repository and endpoint
        (none: `not_recorded`); pagination then follows `link` headers as it did live.
        """
        settings = self.client.settings
        url: str | None = path
        if self.replay_first_urls is not None:
            url = self.replay_first_urls.get((full_name, endpoint))
            if url is None:
                return None, FetchResult(
                    endpoint, "not_recorded", None, message="not in the replayed archive"
                )
        items: list[Any] = []
        pages = 0
        first: ApiResponse | None = None
        while url and pages < settings.max_pages_per_listing:
            response = self._get(url)
            retries = 0
            while response.status == 202 and retries < settings.stats_retry_count:
                retries += 1  # GitHub is still computing: bounded retries
                if not self.client.replaying:
                    self.sleep(settings.stats_retry_seconds)
                response = self._get(url)
            pages += 1
            first = first or response
            failed = _unsuccessful(full_name, endpoint, response)
            if failed is not None:
                return None, failed
            if not listing:
                return response.data, FetchResult(
                    endpoint, "ok", response.status, recorded_at=response.recorded_at
                )
            if isinstance(response.data, list):
                items.extend(response.data)
            url = response.next_link()
        assert first is not None
        return items, FetchResult(endpoint, "ok", first.status, recorded_at=first.recorded_at)

    # -- endpoints ----------------------------------------------------------------------------
    def releases(self, full_name: str) -> FetchResult:
        items, result = self._fetch(
            full_name,
            "releases",
            f"/repos/{full_name}/releases?per_page={self.client.settings.per_page}",
            listing=True,
        )
        result.rows = [
            {
                "repository_full_name": full_name,
                "id": item.get("id"),
                "tag_name": item.get("tag_name"),
                "name": item.get("name"),
                "published_at": item.get("published_at"),
                "created_at": item.get("created_at"),
                "is_prerelease": bool(item.get("prerelease")),
                "is_draft": bool(item.get("draft")),
            }
            for item in _dicts(items)
            if item.get("id") is not None
        ]
        return result

    def tags(self, full_name: str) -> FetchResult:
        items, result = self._fetch(
            full_name,
            "tags",
            f"/repos/{full_name}/tags?per_page={self.client.settings.per_page}",
            listing=True,
        )
        result.rows = [
            {
                "repository_full_name": full_name,
                "tag_name": item.get("name"),
                "commit_sha": (item.get("commit") or {}).get("sha"),
            }
            for item in _dicts(items)
            if item.get("name")
        ]
        return result

    def contributors(self, full_name: str) -> FetchResult:
        items, result = self._fetch(
            full_name,
            "contributors",
            f"/repos/{full_name}/contributors?anon=1&per_page={self.client.settings.per_page}",
            listing=True,
        )
        for item in _dicts(items):
            anonymous = item.get("type") == "Anonymous" or not item.get("login")
            if anonymous:
                # never store an email: a salted hash identifies the contributor within the warehouse
                identity = (item.get("email") or "").strip().lower()
                key = "anon:" + hashlib.sha256((self.salt + identity).encode()).hexdigest()[:20]
            else:
                key = f"user:{item.get('login')}"
            result.rows.append(
                {
                    "repository_full_name": full_name,
                    "contributor_key": key,
                    "login": None if anonymous else item.get("login"),
                    "is_anonymous": anonymous,
                    "user_type": item.get("type"),
                    "contributions": item.get("contributions"),
                }
            )
        return result

    def _issues_path(self, full_name: str, since: str | None) -> str:
        path = f"/repos/{full_name}/issues?state=all&sort=updated&direction=asc&per_page={self.client.settings.per_page}"
        return path + (f"&since={since}" if since else "")

    def issues(self, full_name: str) -> FetchResult:
        """Issues and pull requests updated since the last run's cursor (merge on id)."""
        since = self.issue_cursors.get(full_name)
        items, result = self._fetch(
            full_name, "issues", self._issues_path(full_name, since), listing=True
        )
        for item in _dicts(items):
            if item.get("id") is None:
                continue
            user = item.get("user") or {}  # a deleted user is null: the issue is kept
            pull = item.get("pull_request")
            result.rows.append(
                {
                    "repository_full_name": full_name,
                    "id": item["id"],
                    "number": item.get("number"),
                    "state": item.get("state"),
                    "created_at": item.get("created_at"),
                    "updated_at": item.get("updated_at"),
                    "closed_at": item.get("closed_at"),
                    "is_pull_request": pull is not None,
                    "merged_at": (pull or {}).get("merged_at"),
                    "author_association": item.get("author_association"),
                    "author_login": user.get("login"),
                    "author_type": user.get("type"),
                    "comments": item.get("comments"),
                }
            )
        cursor = max((r["updated_at"] for r in result.rows if r["updated_at"]), default=None)
        if cursor and cursor != since:
            self.issue_cursors[full_name] = cursor
            if not self.client.replaying:
                # Prime the conditional cache for the URL the next run will ask: unchanged, it
                # then answers 304, which GitHub does not count against the primary rate limit.
                self._get(self._issues_path(full_name, cursor))
        return result

    def star_history(self, full_name: str, current_stars: int | None) -> FetchResult:
        """Weekly star totals with a daily breakdown; else one point from `stargazers_count`.

        Assumed shape (as GitHub's statistics endpoints): `[{"week": <unix or ISO date>,
        "total": n, "days": [7 counts, Sunday first]}]`.
        """
        data, result = self._fetch(
            full_name, "star_history", f"/repos/{full_name}/stargazers/history", listing=False
        )
        if result.status == "ok" and isinstance(data, list):
            result.rows = list(_star_rows(full_name, data))
        elif result.status in ("unavailable", "empty_repository") and current_stars is not None:
            # one honest point from the current count, never invented history
            result.rows = [
                {
                    "repository_full_name": full_name,
                    "day": (result.recorded_at or "")[:10],
                    "stars_total": current_stars,
                    "stars_gained": None,
                    "source": "current_count",
                }
            ]
            result.status = "unavailable"
            result.message = f"{result.message}; kept the current star count as one point"
        return result

    def languages(self, full_name: str) -> FetchResult:
        data, result = self._fetch(
            full_name, "languages", f"/repos/{full_name}/languages", listing=False
        )
        if isinstance(data, dict):
            result.rows = [
                {"repository_full_name": full_name, "language": k, "bytes": v}
                for k, v in data.items()
            ]
        return result

    def all(self, full_name: str, current_stars: int | None) -> Iterator[FetchResult]:
        """Every endpoint for one repository; a failure of one never stops the others."""
        steps: list[tuple[str, Callable[[], FetchResult]]] = [
            ("releases", lambda: self.releases(full_name)),
            ("tags", lambda: self.tags(full_name)),
            ("contributors", lambda: self.contributors(full_name)),
            ("issues", lambda: self.issues(full_name)),
            ("star_history", lambda: self.star_history(full_name, current_stars)),
            ("languages", lambda: self.languages(full_name)),
        ]
        releases: FetchResult | None = None
        for endpoint, step in steps:
            if endpoint == "tags" and not (
                releases and releases.status == "ok" and not releases.rows
            ):
                continue  # tags only for projects that never publish GitHub releases
            try:
                result = step()
            except RateLimitStop:
                raise
            except GitHubError as exc:
                result = FetchResult(endpoint, "error", None, message=str(exc))
            if endpoint == "releases":
                releases = result
            yield result


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [item for item in items or [] if isinstance(item, dict)]


def _unsuccessful(full_name: str, endpoint: str, response: ApiResponse) -> FetchResult | None:
    """How a fetch that yields no data went (not modified, empty, computing, unavailable)."""
    at = response.recorded_at
    if response.status == 304:
        return FetchResult(endpoint, "not_modified", 304, recorded_at=at)
    if response.status == 409:
        return FetchResult(
            endpoint,
            "empty_repository",
            409,
            message=f"{full_name}: repository is empty",
            recorded_at=at,
        )
    if response.status == 202:
        return FetchResult(
            endpoint,
            "computing",
            202,
            message=f"{full_name} {endpoint}: still being computed",
            recorded_at=at,
        )
    if response.status == 204:
        return FetchResult(endpoint, "ok", 204, recorded_at=at)
    if response.status != 200:
        message = response.data.get("message") if isinstance(response.data, dict) else None
        text = f"{full_name} {endpoint}: HTTP {response.status} {message or ''}".strip()
        return FetchResult(endpoint, "unavailable", response.status, message=text, recorded_at=at)
    return None


def _star_rows(full_name: str, weeks: list[Any]) -> Iterator[dict[str, Any]]:
    dated = [
        (start, week)
        for week in _dicts(weeks)
        if (start := _week_start(week.get("week"))) is not None
    ]
    total = 0
    for start, week in sorted(dated, key=lambda pair: pair[0]):
        days = week.get("days")
        gains = (
            [int(g or 0) for g in days]
            if isinstance(days, list) and days
            else [int(week.get("total") or 0)]
        )
        for offset, gained in enumerate(gains):
            total += gained
            yield {
                "repository_full_name": full_name,
                "day": (start + timedelta(days=offset)).date().isoformat(),
                "stars_total": total,
                "stars_gained": gained,
                "source": "history",
            }


def _week_start(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None
