"""Repository search by topic, complete beyond GitHub's 1,000-results-per-query cap.

A query over the cap is split by `created:` date range, halving each range until every part
fits, and the parts are unioned. Every page fetched, the probe pages included, is yielded: each is
an observation, and downstream deduplicates repositories.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from dlt_pipeline.github.archive import Archive
from dlt_pipeline.github.client import ApiResponse, GitHubClient, GitHubError

log = logging.getLogger(__name__)

SEARCH_PATH = "/search/repositories"
_TOPIC = re.compile(r"topic:([^\s+]+)")


@dataclass(frozen=True)
class SearchPage:
    """One page of search results and the query it answers."""

    topic: str
    query: str
    page: int
    response: ApiResponse

    @property
    def total_count(self) -> int:
        return int((self.response.data or {}).get("total_count") or 0)

    @property
    def items(self) -> list[dict]:
        return list((self.response.data or {}).get("items") or [])


def topic_of(query: str) -> str:
    """The topic a search query asks for (`topic:mlops created:...` -> `mlops`)."""
    match = _TOPIC.search(query)
    return match.group(1) if match else query


def split_range(start: date, end: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """Halve an inclusive date range into two non-overlapping inclusive ranges."""
    if end <= start:
        raise ValueError(f"cannot split the single-day range {start}")
    middle = start + timedelta(days=(end - start).days // 2)
    return (start, middle), (middle + timedelta(days=1), end)


def page_query(url: str) -> tuple[str, int]:
    """The `q` and `page` parameters of a search URL."""
    params = parse_qs(urlsplit(url).query)
    query = params.get("q", [""])[0]
    page = int(params.get("page", ["1"])[0] or 1)
    return query, page


class TopicSearch:
    """Runs the live search plan for a list of topics through a client."""

    def __init__(self, client: GitHubClient, today: date) -> None:
        self.client = client
        self.settings = client.settings
        self.today = today

    def _fetch(self, topic: str, query: str, page: int) -> SearchPage:
        response = self.client.get(
            SEARCH_PATH, {"q": query, "per_page": self.settings.per_page, "page": page}, search=True
        )
        if response.status != 200:
            raise GitHubError(f"search {query!r} page {page} answered HTTP {response.status}")
        return SearchPage(topic, query, page, response)

    def _pages(self, first: SearchPage) -> Iterator[SearchPage]:
        """The first page and the rest of its query, up to the cap."""
        yield first
        reachable = min(first.total_count, self.settings.search_result_cap)
        last_page = math.ceil(reachable / self.settings.per_page)
        current = first
        page = 1
        while page < last_page and current.items:
            page += 1
            current = self._fetch(first.topic, first.query, page)
            yield current

    def topic(self, topic: str, span: tuple[date, date] | None = None) -> Iterator[SearchPage]:
        """Every page for `topic` (created within `span`), splitting the span while over the cap."""
        query = f"topic:{topic}"
        if span is not None:
            query += f" created:{span[0].isoformat()}..{span[1].isoformat()}"
        first = self._fetch(topic, query, 1)
        cap = self.settings.search_result_cap
        single_day = span is not None and span[0] >= span[1]
        if first.total_count <= cap or single_day:
            if first.total_count > cap:
                log.warning(
                    "%s: %d results in a single day; only %d reachable",
                    query,
                    first.total_count,
                    cap,
                )
            yield from self._pages(first)
            return
        yield first  # the probe is an observation too
        parts = (
            split_range(*span)
            if span
            else [(date.fromisoformat(self.settings.search_start_date), self.today)]
        )
        for part in parts:
            yield from self.topic(topic, part)

    def run(self, topics: list[str] | tuple[str, ...]) -> Iterator[SearchPage]:
        for topic in topics:
            yield from self.topic(topic)


def replay_search_pages(client: GitHubClient, archive: Archive) -> Iterator[SearchPage]:
    """The search pages an archive recorded, requested again in recorded order."""
    for entry in archive.answers():
        if entry.path.rstrip("/").endswith(SEARCH_PATH) and entry.status == 200:
            query, page = page_query(entry.url)
            response = client.get(entry.url, search=True)
            yield SearchPage(topic_of(query), query, page, response)
