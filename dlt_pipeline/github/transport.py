"""A requests transport that serves recorded responses, so replay runs the live code path offline."""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from dlt_pipeline.github.archive import Archive, ArchiveEntry, ArchiveError, request_key

#: Header carrying the time a response was received (live) or recorded (replay).
RECORDED_AT_HEADER = "x-atlas-recorded-at"
#: Header marking a response served from an archive rather than the network.
REPLAYED_HEADER = "x-atlas-replayed"


class ReplayAdapter(BaseAdapter):
    """Serves each request from an archive, matched by path and query, in recorded order.

    Without a fallback it fails closed: a request the archive does not hold raises ArchiveError.
    With one (resuming a stopped run) unrecorded requests go to the network.
    """

    def __init__(self, archive: Archive, fallback: HTTPAdapter | None = None) -> None:
        super().__init__()
        self.archive = archive
        self.fallback = fallback
        self._queues: dict[str, deque[ArchiveEntry]] = defaultdict(deque)
        for entry in archive.answers():
            self._queues[entry.key].append(entry)

    def holds(self, url: str) -> bool:
        return bool(self._queues.get(request_key(url)))

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        key = request_key(request.url or "")
        queue = self._queues.get(key)
        if not queue:
            if self.fallback is not None:
                return self.fallback.send(request, **kwargs)
            raise ArchiveError(
                f"archive {self.archive.root} holds no response for {request.method} {key}"
            )
        entry = queue.popleft() if len(queue) > 1 else queue[0]
        response = requests.Response()
        response.status_code = entry.status
        response._content = self.archive.body_bytes(entry)
        headers = CaseInsensitiveDict(entry.headers)
        headers[RECORDED_AT_HEADER] = entry.recorded_at
        headers[REPLAYED_HEADER] = "1"
        headers.setdefault("content-type", "application/json; charset=utf-8")
        response.headers = headers
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        response.reason = "Replayed"
        return response

    def close(self) -> None:
        if self.fallback is not None:
            self.fallback.close()
