"""The built fixture site in real headless Chromium, served from 127.0.0.1 only."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dlt_pipeline.paths import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def served_site(built_site: tuple[Path, object]) -> Iterator[str]:
    out, _ = built_site
    handler = functools.partial(_QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def browser_page(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh Chromium page plus the console errors, outside requests and dialogs it saw."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    shots = SCREENSHOTS / request.node.name
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    seen: dict[str, list[str]] = {"errors": [], "outside": [], "dialogs": [], "shots": []}
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            user_data_dir=str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=LAUNCH_ARGS,
            viewport={"width": 1200, "height": 900},
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()

            def on_request(req: object) -> None:
                url = req.url  # type: ignore[attr-defined]
                parts = urlsplit(url)
                if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
                    seen["outside"].append(url)

            context.on("request", on_request)
            page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on(
                "response",
                lambda r: r.status >= 400 and seen["errors"].append(f"{r.status} {r.url}"),
            )

            def on_dialog(d: object) -> None:
                seen["dialogs"].append(d.message)  # type: ignore[attr-defined]
                d.dismiss()  # type: ignore[attr-defined]

            page.on("dialog", on_dialog)

            def shot(name: str) -> None:
                path = shots / f"{len(seen['shots']) + 1:02d}-{name}.png"
                page.screenshot(path=str(path), full_page=True)
                seen["shots"].append(str(path))
                print(f"screenshot: {path}")

            yield page, seen, shot
        finally:
            context.close()


@pytest.mark.timeout(120)
def test_site_in_chromium(served_site: str, browser_page) -> None:
    page, seen, shot = browser_page
    page.goto(served_site)
    page.wait_for_selector(".atlas-chart svg.main-svg")
    page.wait_for_function("document.querySelectorAll('.atlas-chart .main-svg').length >= 3")
    assert page.locator(".atlas-chart").count() == 3
    # Each figure drew its traces: the horizontal bar chart has one bar per language.
    assert page.locator(".atlas-chart").nth(0).locator("g.point").count() == 5
    shot("index")

    region = page.locator(".atlas-region div.atlas-variant")
    filtered = region.locator(".atlas-table tbody tr")
    assert filtered.count() == 6
    assert "Showing 6 repositories for All languages" in page.inner_text("main")

    page.select_option("select[data-input=language]", label="Python")
    page.wait_for_function(
        "document.querySelector('.atlas-region .atlas-table tbody').rows.length === 2"
    )
    assert filtered.all_inner_texts()[0].startswith("acme/serve")
    assert "Showing 2 repositories for Python" in page.inner_text("main")
    page.select_option("select[data-input=language]", label="O'Caml")
    page.wait_for_function(
        "document.querySelector('.atlas-region .atlas-table tbody').rows.length === 1"
    )
    assert filtered.first.inner_text().startswith("gamma/monitor")
    shot("dropdown-ocaml")

    repos = page.locator(".atlas-table").first
    assert repos.locator("tbody tr").count() == 5  # rows=5, six repositories
    assert "page 1 of 2" in repos.locator(".atlas-pager").inner_text()
    repos.locator(".atlas-search").fill("alert")
    assert repos.locator("tbody tr").count() == 1
    # The description is shown as text, not run as script.
    assert repos.locator("tbody td").nth(1).inner_text() == "<script>alert(1)</script>"
    repos.locator(".atlas-search").fill("")
    repos.locator("th", has_text="Stars").locator("button").click()  # descending first
    repos.locator("th", has_text="Stars").locator("button").click()  # then ascending
    assert repos.locator("tbody tr").first.inner_text().startswith("nulls/none")
    shot("sorted-ascending")

    repos.locator(".atlas-search").fill("reilly")
    repos.locator("tbody a", has_text="O'Reilly/ml-book").click()
    page.wait_for_selector("h1")
    assert page.url.startswith(served_site + "repos/o-reilly-ml-book-")
    assert page.inner_text("h1") == "O'Reilly/ml-book"
    assert page.locator(".atlas-bigvalue-value").first.inner_text() == "800"
    assert "Examples for the O'Reilly book" in page.inner_text("main")
    shot("repository-page")

    page.click("nav a:has-text('About')")
    page.wait_for_url(served_site + "about/index.html")
    page.click("text=one repository")
    page.wait_for_selector(".atlas-chart .main-svg")
    assert page.inner_text("h1") == "acme/serve"
    shot("linked-from-about")

    assert seen["errors"] == []
    assert seen["outside"] == []
    assert seen["dialogs"] == []
    assert len(seen["shots"]) == 5
