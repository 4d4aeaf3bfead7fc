"""Real headless Chromium for the report tests: a local server and a watched page.

Both browser test modules (fixture pages and the real site) use these, so the launch flags, the
record of console errors, outside requests and dialogs, and the screenshots work the same way.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_chromium() -> None:
    """Skip the calling test when Chromium or playwright is missing (CI installs both)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) while the block runs; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def watched_page(
    profile: Path, screenshot_path: Callable[[str, int], Path], width: int = 1200
) -> Iterator[tuple[object, dict[str, list[str]], Callable[[str], Path]]]:
    """A fresh Chromium page (new `profile` folder) and what it saw: `seen["errors"]` (console
    errors, page errors, HTTP >= 400), `seen["outside"]` (requests not to 127.0.0.1),
    `seen["dialogs"]` and `seen["shots"]`; `shot(name)` saves a full-page screenshot where
    `screenshot_path(name, number)` says."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, list[str]] = {"errors": [], "outside": [], "dialogs": [], "shots": []}
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=LAUNCH_ARGS,
            viewport={"width": width, "height": 900},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()

            def on_request(req) -> None:
                parts = urlsplit(req.url)
                if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
                    seen["outside"].append(req.url)

            def on_dialog(dialog) -> None:
                seen["dialogs"].append(dialog.message)
                dialog.dismiss()

            context.on("request", on_request)
            page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on(
                "response",
                lambda r: r.status >= 400 and seen["errors"].append(f"{r.status} {r.url}"),
            )
            page.on("dialog", on_dialog)

            def shot(name: str) -> Path:
                path = screenshot_path(name, len(seen["shots"]) + 1)
                page.screenshot(path=str(path), full_page=True)
                seen["shots"].append(str(path))
                print(f"screenshot: {path}")
                return path

            yield page, seen, shot
        finally:
            context.close()
