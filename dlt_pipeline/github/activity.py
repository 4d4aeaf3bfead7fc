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

from dlt_pipeline.github.client import ApiResponse, GitHubClient, GitHubError

log = logging.getLogger(__name__)

ENDPOINTS = ("releases", "tags", "contributors", "issues", "star_history", "languages")


@dataclass
class FetchResult:
    """Rows of one endpoint for one repository, and how the fetch went."""

    endpoint: str
    status: str  # ok | not_modified | empty_repository | computing | unavailable | error
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
    def _first_url(self, full_name: str, endpoint: str, default: str) -> str | None:
        if self.replay_first_urls is None:
            return default
        return self.replay_first_urls.get((full_name, endpoint))

    def _get(self, url: str) -> ApiResponse:
        key = self.client.url(url)
        etag = self.etags.get(_etag_key(key))
        response = self.client.get(url, headers={"If-None-Match": etag} if etag else None)
        if response.status == 200 and response.headers.get("etag"):
            self.etags[_etag_key(key)] = response.headers["etag"]
        return response

    def _listing(
        self, full_name: str, endpoint: str, url: str | None
    ) -> tuple[list[Any], FetchResult | None]:
        """All pages of a listing; or a FetchResult saying why there is nothing to read."""
        if url is None:
            return [], FetchResult(
                endpoint, "not_recorded", None, message="not in the replayed archive"
            )
        items: list[Any] = []
        pages = 0
        next_url: str | None = url
        first: ApiResponse | None = None
        while next_url and pages < self.client.settings.max_pages_per_listing:
            response = self._get(next_url)
            pages += 1
            first = first or response
            if response.status == 304:
                return [], FetchResult(
                    endpoint, "not_modified", 304, recorded_at=response.recorded_at
                )
            if response.status == 409:
                return [], FetchResult(
                    endpoint,
                    "empty_repository",
                    409,
                    message=f"{full_name}: repository is empty",
                    recorded_at=response.recorded_at,
                )
            if response.status == 204:
                return [], FetchResult(endpoint, "ok", 204, recorded_at=response.recorded_at)
            if response.status != 200:
                message = (
                    (response.data or {}).get("message")
                    if isinstance(response.data, dict)
                    else None
                )
                return [], FetchResult(
                    endpoint,
                    "unavailable",
                    response.status,
                    message=f"{full_name} {endpoint}: HTTP {response.status} {message or ''}".strip(),
                    recorded_at=response.recorded_at,
                )
            if isinstance(response.data, list):
                items.extend(response.data)
            next_url = response.next_link()
        return items, None if first is None else FetchResult(
            endpoint, "ok", 200, recorded_at=first.recorded_at
        )

    # -- endpoints ----------------------------------------------------------------------------
    def releases(self, full_name: str) -> FetchResult:
        per_page = self.client.settings.per_page
        url = self._first_url(
            full_name, "releases", f"/repos/{full_name}/releases?per_page={per_page}"
        )
        items, outcome = self._listing(full_name, "releases", url)
        assert outcome is not None
        outcome.rows = [
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
            for item in items
            if isinstance(item, dict) and item.get("id") is not None
        ]
        return outcome

    def tags(self, full_name: str) -> FetchResult:
        per_page = self.client.settings.per_page
        url = self._first_url(full_name, "tags", f"/repos/{full_name}/tags?per_page={per_page}")
        items, outcome = self._listing(full_name, "tags", url)
        assert outcome is not None
        outcome.rows = [
            {
                "repository_full_name": full_name,
                "tag_name": item.get("name"),
                "commit_sha": (item.get("commit") or {}).get("sha"),
            }
            for item in items
            if isinstance(item, dict) and item.get("name")
        ]
        return outcome

    def contributors(self, full_name: str) -> FetchResult:
        per_page = self.client.settings.per_page
        url = self._first_url(
            full_name, "contributors", f"/repos/{full_name}/contributors?anon=1&per_page={per_page}"
        )
        items, outcome = self._listing(full_name, "contributors", url)
        assert outcome is not None
        rows = []
        for item in items:
            if not isinstance(item, dict):
                continue
            anonymous = item.get("type") == "Anonymous" or not item.get("login")
            if anonymous:
                # never store an email: a salted hash identifies the contributor within the warehouse
                identity = f"{(item.get('email') or '').strip().lower()}"
                key = "anon:" + hashlib.sha256((self.salt + identity).encode()).hexdigest()[:20]
            else:
                key = f"user:{item.get('login')}"
            rows.append(
                {
                    "repository_full_name": full_name,
                    "contributor_key": key,
                    "login": None if anonymous else item.get("login"),
                    "is_anonymous": anonymous,
                    "user_type": item.get("type"),
                    "contributions": item.get("contributions"),
                }
            )
        outcome.rows = rows
        return outcome

    def issues(self, full_name: str) -> FetchResult:
        """Issues and pull requests updated since the last run's cursor (merge on id)."""
        since = self.issue_cursors.get(full_name)
        per_page = self.client.settings.per_page
        default = (
            f"/repos/{full_name}/issues?state=all&sort=updated&direction=asc&per_page={per_page}"
        )
        if since:
            default += f"&since={since}"
        url = self._first_url(full_name, "issues", default)
        items, outcome = self._listing(full_name, "issues", url)
        assert outcome is not None
        rows = []
        for item in items:
            if not isinstance(item, dict) or item.get("id") is None:
                continue
            user = item.get("user") or {}  # a deleted user is null: the issue is kept
            pull = item.get("pull_request")
            rows.append(
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
        cursor = max((r["updated_at"] for r in rows if r["updated_at"]), default=None)
        if cursor and cursor != since:
            self.issue_cursors[full_name] = cursor
            if not self.client.replaying and outcome.status == "ok":
                # Prime the conditional cache for the URL the next run will ask: unchanged, it
                # then answers 304, which GitHub does not count against the primary rate limit.
                self._get(
                    f"/repos/{full_name}/issues?state=all&sort=updated&direction=asc&per_page={per_page}&since={cursor}"
                )
        outcome.rows = rows
        return outcome

    def star_history(self, full_name: str, current_stars: int | None) -> FetchResult:
        """Weekly star totals with a daily breakdown; else one point from `stargazers_count`.

        Assumed shape (as GitHub's statistics endpoints): `[{"week": <unix or ISO date>,
        "total": n, "days": [7 counts, Sunday first]}]`. 202 means GitHub is still computing:
        retried a bounded number of times, then recorded as `computing`.
        """
        url = self._first_url(full_name, "star_history", f"/repos/{full_name}/stargazers/history")
        if url is None:
            return FetchResult(
                "star_history", "not_recorded", None, message="not in the replayed archive"
            )
        response = self._get(url)
        tries = 0
        while response.status == 202 and tries < self.client.settings.stats_retry_count:
            tries += 1
            if not self.client.replaying:
                self.sleep(self.client.settings.stats_retry_seconds)
            response = self._get(url)
        if response.status == 202:
            return FetchResult(
                "star_history",
                "computing",
                202,
                message=f"{full_name}: star history still being computed",
                recorded_at=response.recorded_at,
            )
        if response.status == 304:
            return FetchResult(
                "star_history", "not_modified", 304, recorded_at=response.recorded_at
            )
        if response.status == 200 and isinstance(response.data, list):
            rows = list(_star_rows(full_name, response.data))
            return FetchResult(
                "star_history", "ok", 200, rows=rows, recorded_at=response.recorded_at
            )
        # unavailable (404 on older GitHub Enterprise, 403...): one honest point, never invented values
        rows = []
        if current_stars is not None:
            rows = [
                {
                    "repository_full_name": full_name,
                    "day": response.recorded_at[:10],
                    "stars_total": current_stars,
                    "stars_gained": None,
                    "source": "current_count",
                }
            ]
        return FetchResult(
            "star_history",
            "unavailable",
            response.status,
            rows=rows,
            message=f"{full_name}: star history unavailable (HTTP {response.status}); "
            "kept the current star count as one point",
            recorded_at=response.recorded_at,
        )

    def languages(self, full_name: str) -> FetchResult:
        url = self._first_url(full_name, "languages", f"/repos/{full_name}/languages")
        if url is None:
            return FetchResult(
                "languages", "not_recorded", None, message="not in the replayed archive"
            )
        response = self._get(url)
        if response.status == 304:
            return FetchResult("languages", "not_modified", 304, recorded_at=response.recorded_at)
        if response.status != 200 or not isinstance(response.data, dict):
            return FetchResult(
                "languages",
                "unavailable",
                response.status,
                message=f"{full_name} languages: HTTP {response.status}",
                recorded_at=response.recorded_at,
            )
        rows = [
            {"repository_full_name": full_name, "language": k, "bytes": v}
            for k, v in response.data.items()
        ]
        return FetchResult("languages", "ok", 200, rows=rows, recorded_at=response.recorded_at)

    def all(self, full_name: str, current_stars: int | None) -> Iterator[FetchResult]:
        """Every endpoint for one repository; a failure of one never stops the others."""
        steps: list[tuple[str, Callable[[], FetchResult]]] = [
            ("releases", lambda: self.releases(full_name)),
            ("contributors", lambda: self.contributors(full_name)),
            ("issues", lambda: self.issues(full_name)),
            ("star_history", lambda: self.star_history(full_name, current_stars)),
            ("languages", lambda: self.languages(full_name)),
        ]
        for endpoint, step in steps:
            try:
                result = step()
            except GitHubError as exc:
                if type(exc).__name__ == "RateLimitStop":
                    raise
                result = FetchResult(endpoint, "error", None, message=str(exc))
            yield result
            if endpoint == "releases" and result.status == "ok" and not result.rows:
                try:
                    yield self.tags(full_name)  # projects that never publish GitHub releases
                except GitHubError as exc:
                    if type(exc).__name__ == "RateLimitStop":
                        raise
                    yield FetchResult("tags", "error", None, message=str(exc))


def _etag_key(url: str) -> str:
    from dlt_pipeline.github.archive import request_key

    return request_key(url)


def _star_rows(full_name: str, weeks: list[Any]) -> Iterator[dict[str, Any]]:
    total = 0
    for week in sorted((w for w in weeks if isinstance(w, dict)), key=lambda w: str(w.get("week"))):
        start = _week_start(week.get("week"))
        if start is None:
            continue
        days = week.get("days")
        if isinstance(days, list) and days:
            for offset, gained in enumerate(days):
                total += int(gained or 0)
                yield {
                    "repository_full_name": full_name,
                    "day": (start + timedelta(days=offset)).date().isoformat(),
                    "stars_total": week.get("cumulative", total)
                    if offset == len(days) - 1
                    else total,
                    "stars_gained": int(gained or 0),
                    "source": "history",
                }
        else:
            gained = int(week.get("total") or 0)
            total += gained
            yield {
                "repository_full_name": full_name,
                "day": start.date().isoformat(),
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
