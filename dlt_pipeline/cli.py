"""`mlops-atlas`: load GitHub and git data, build the warehouse with dbt, render the reports."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dlt_pipeline.github.settings import github_token
from dlt_pipeline.paths import REPORTS_BUILD_DIR, REPORTS_DIR, WAREHOUSE_PATH, mirror_root

app = typer.Typer(
    help=(
        "MLOps Atlas: which open-source MLOps tools exist, what each does, and how mature it is.\n\n"
        "Loads GitHub search results and git histories into a DuckDB warehouse, builds it with dbt, "
        "and renders the paper and dashboard."
    ),
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

WarehouseOption = Annotated[
    Path, typer.Option("--warehouse", "-w", help="DuckDB warehouse file to write.")
]
ArchiveOption = Annotated[
    str | None,
    typer.Option(
        "--archive",
        "-a",
        help="Replay a recorded archive offline: a folder with manifest.jsonl, or a named archive "
        "(zimmerman-2023). Default: live when GITHUB_TOKEN is set, else zimmerman-2023.",
    ),
]


def _clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Known failures (bad archive, API, git, dbt) end with one clear line, not a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from dlt_pipeline.git.manifest import ManifestError
        from dlt_pipeline.github.archive import ArchiveError
        from dlt_pipeline.github.client import GitHubError
        from dlt_pipeline.transform import DbtFailed

        try:
            return func(*args, **kwargs)
        except (ArchiveError, GitHubError, ManifestError, DbtFailed) as exc:
            from rich.markup import escape

            console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True, highlight=False)
            raise typer.Exit(1) from exc

    return wrapper


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # dlt's schema-inference notices are noise for users; our own warnings stay visible.
    logging.getLogger("dlt").setLevel(logging.ERROR)


class StageTimer:
    """Times each stage of a run for the closing summary."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        started = time.monotonic()
        with console.status(f"[bold]{name}[/bold]…"):
            result = func()
        self.seconds[name] = time.monotonic() - started
        console.print(f"[green]✓[/green] {name} ({self.seconds[name]:.1f} s)")
        return result


def _choose_archive(archive: str | None, live: bool) -> str | None:
    if archive or live:
        return archive
    if github_token():
        return None
    console.print(
        "No GITHUB_TOKEN set: replaying the recorded archive [bold]zimmerman-2023[/bold] (January 2023)."
    )
    return "zimmerman-2023"


def _load(warehouse: Path, archive: str | None, timer: StageTimer, git: bool) -> dict[str, Any]:
    from dlt_pipeline.git.load import load_git_histories
    from dlt_pipeline.github.activity_load import load_activity
    from dlt_pipeline.github.load import load_github
    from dlt_pipeline.github.selection import activity_full_names

    how = f" (replaying {archive})" if archive else " (live)"
    results: dict[str, Any] = {}
    results["github"] = timer.run(
        "GitHub discovery" + how, lambda: load_github(warehouse, archive=archive)
    )
    if archive is not None:
        results["activity"] = timer.run(
            "GitHub activity" + how, lambda: load_activity(warehouse, archive=archive)
        )
        mirror = mirror_root()
        if git and mirror is not None and (mirror / "git").is_dir():
            results["git"] = timer.run(
                "git histories (mirror)",
                lambda: load_git_histories(warehouse, mirror=mirror, progress=False),
            )
        return results
    # live: the same selection feeds the activity load and the git clones
    names = activity_full_names(warehouse)
    run_id = results["github"].run_id
    results["activity"] = timer.run(
        "GitHub activity" + how, lambda: load_activity(warehouse, run_id=run_id, full_names=names)
    )
    if git:
        results["git"] = timer.run(
            f"git histories (cloning {len(names)})",
            lambda: load_git_histories(warehouse, clone_full_names=names, progress=False),
        )
    return results


def _print_summary(warehouse: Path, results: dict[str, Any], timer: StageTimer) -> None:
    import duckdb

    github = results.get("github")
    table = Table(title="MLOps Atlas run", show_lines=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    if github is not None:
        table.add_row("GitHub run", f"{github.run_id} ({github.mode}, {github.status})")
        requests = github.requests + getattr(results.get("activity"), "requests", 0)
        replayed = github.replayed + getattr(results.get("activity"), "replayed", 0)
        table.add_row("requests made", f"{requests} ({replayed} served from the archive)")
        limits = dict(github.rate_limit_remaining)
        limits.update(getattr(results.get("activity"), "rate_limit_remaining", {}) or {})
        table.add_row(
            "rate limit left", ", ".join(f"{k}: {v}" for k, v in limits.items()) or "n/a (replay)"
        )
        if github.resume_after:
            table.add_row(
                "[yellow]stopped[/yellow]", f"rate limit; run again after {github.resume_after}"
            )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where table_name not like '\\_dlt%' escape '\\' and schema_name not like '%\\_staging' escape '\\' "
            "order by 1, 2"
        ).fetchall()
        rows = [
            (
                f"{schema}.{name}",
                con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0],
            )
            for schema, name in tables
        ]
    for name, count in rows:
        table.add_row(f"rows {name}", f"{count:,}")
    for stage, seconds in timer.seconds.items():
        table.add_row(f"seconds {stage}", f"{seconds:.1f}")
    console.print(table)


@app.command()
@_clean_errors
def load(
    archive: ArchiveOption = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live", help="Collect live from GitHub (needs GITHUB_TOKEN for sane limits)."
        ),
    ] = False,
    git: Annotated[
        bool, typer.Option("--git/--no-git", help="Also load git commit histories.")
    ] = True,
    warehouse: WarehouseOption = WAREHOUSE_PATH,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Load GitHub data (live, recording an archive, or replayed from one) and git histories."""
    _setup_logging(verbose)
    timer = StageTimer()
    results = _load(warehouse, _choose_archive(archive, live), timer, git)
    _print_summary(warehouse, results, timer)


@app.command()
@_clean_errors
def build(
    warehouse: WarehouseOption = WAREHOUSE_PATH,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Describe the ecosystem as of this date (YYYY-MM-DD)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run `dbt build` over the warehouse (staging, intermediate, marts, models, tests)."""
    _setup_logging(verbose)
    from dlt_pipeline.transform import run_dbt

    summary = run_dbt("build", warehouse, vars_={"as_of": as_of} if as_of else None)
    console.print(
        f"dbt build: {summary.passed} passed, {summary.warned} warned in {summary.seconds:.1f} s"
    )


@app.command()
@_clean_errors
def report(
    warehouse: WarehouseOption = WAREHOUSE_PATH,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the rendered site.")
    ] = REPORTS_BUILD_DIR,
) -> None:
    """Render the paper and dashboard (reports/pages/*.md) to static HTML and markdown."""
    from reports.render.site import render_site

    summary = render_site(REPORTS_DIR / "pages", warehouse, out)
    console.print(
        f"Rendered {len(summary.pages)} pages in {summary.seconds:.1f} s: open {out / 'index.html'}"
    )


@app.command()
@_clean_errors
def run(
    archive: ArchiveOption = None,
    live: Annotated[
        bool, typer.Option("--live", help="Collect live even without an explicit token check.")
    ] = False,
    warehouse: WarehouseOption = WAREHOUSE_PATH,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """The main job: load, then dbt build, models and reports, in one go."""
    _setup_logging(verbose)
    from dlt_pipeline.transform import dbt_available, run_dbt

    timer = StageTimer()
    results = _load(warehouse, _choose_archive(archive, live), timer, git=True)
    if dbt_available():
        timer.run("dbt build", lambda: run_dbt("build", warehouse))
    pages = REPORTS_DIR / "pages"
    rendered = None
    if (pages / "index.md").is_file():
        from reports.render.site import render_site

        rendered = timer.run("reports", lambda: render_site(pages, warehouse, REPORTS_BUILD_DIR))
    _print_summary(warehouse, results, timer)
    console.print(f"Warehouse: [bold]{warehouse}[/bold]  (query it: duckdb {warehouse})")
    if rendered is not None:
        console.print(
            f"Reports: {len(rendered.pages):,} pages in {rendered.seconds:.1f} s; open "
            f"[bold]{REPORTS_BUILD_DIR / 'index.html'}[/bold] (the paper; its markdown copy is "
            f"{REPORTS_BUILD_DIR / 'markdown' / 'index.md'})"
        )
