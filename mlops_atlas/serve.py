"""Serve a folder (the rendered site, or dbt's docs) over HTTP on 127.0.0.1 only."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def bind(folder: Path, port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """A server for `folder` bound to 127.0.0.1 (port 0 takes a free one), not yet serving.

    The caller runs `serve_forever()` in its main thread, so Ctrl-C interrupts the loop itself
    rather than waiting on a shutdown handshake with a background thread."""
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        raise FileNotFoundError(f"{folder} holds no index.html: build it first")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server, f"http://127.0.0.1:{server.server_address[1]}/"
