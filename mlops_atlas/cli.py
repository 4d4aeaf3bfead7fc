"""`mlops-atlas`: the command line over `mlops_atlas.pipeline`. Each command parses its
options, calls one pipeline function and prints; no logic lives here."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from mlops_atlas import pipeline
from mlops_atlas.environment import prepare_process
from mlops_atlas.paths import REPORTS_BUILD_DIR

T = TypeVar("T")

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
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="The warehouse: a DuckDB file (default warehouse/atlas.duckdb), or with --engine "
        "spark a lake folder (default warehouse/lake).",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        "-e",
        help="duckdb: one DuckDB file. spark: the raw tables as a Parquet lake, built on a "
        "local Spark session (profiles.yml, target spark).",
    ),
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
LiveOption = Annotated[
    bool,
    typer.Option("--live", help="Collect live from GitHub (needs GITHUB_TOKEN for sane limits)."),
]
GitOption = Annotated[bool, typer.Option("--git/--no-git", help="Also load git commit histories.")]
AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Describe the ecosystem as of this date (YYYY-MM-DD).",
    ),
]
VerboseOption = Annotated[bool, typer.Option("--verbose", "-v")]


def _clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Known failures (bad archive, API, git, dbt, a missing warehouse) end with one clear line,
    not a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from dlt_pipeline.git.manifest import ManifestError
        from dlt_pipeline.github.archive import ArchiveError
        from dlt_pipeline.github.client import GitHubError
        from mlops_atlas.dbt_runner import DbtFailed

        try:
            return func(*args, **kwargs)
        except (ArchiveError, GitHubError, ManifestError, DbtFailed, FileNotFoundError) as exc:
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


class ConsoleStages(pipeline.Stages):
    """Stages shown as a spinner while they run and a tick with their seconds when done."""

    def show(self, name: str, func: Callable[[], T]) -> T:
        started = time.monotonic()
        with console.status(f"[bold]{name}[/bold]…"):
            result = func()
        console.print(f"[green]✓[/green] {name} ({time.monotonic() - started:.1f} s)")
        return result


def _archive(archive: str | None, live: bool) -> str | None:
    from dlt_pipeline.github.settings import github_token

    chosen = pipeline.choose_archive(archive, live, github_token())
    if chosen == pipeline.DEFAULT_ARCHIVE and archive is None:
        console.print(
            f"No GITHUB_TOKEN set: replaying the recorded archive [bold]{chosen}[/bold] "
            "(January 2023)."
        )
    return chosen


def _as_date(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _warehouse(warehouse: Path | None, engine: str) -> Path:
    if engine not in pipeline.ENGINES:
        raise typer.BadParameter(
            f"choose one of {', '.join(pipeline.ENGINES)}", param_hint="--engine"
        )
    return warehouse if warehouse is not None else pipeline.default_warehouse(engine)


def _print_summary(warehouse: Path, loaded: pipeline.LoadResult, stages: dict[str, float]) -> None:
    from dlt_pipeline.warehouse import table_row_counts

    github, activity = loaded.github, loaded.activity
    table = Table(title="MLOps Atlas run", show_lines=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    if github is not None:
        table.add_row("GitHub run", f"{github.run_id} ({github.mode}, {github.status})")
        requests = github.requests + getattr(activity, "requests", 0)
        replayed = github.replayed + getattr(activity, "replayed", 0)
        table.add_row("requests made", f"{requests} ({replayed} served from the archive)")
        limits = dict(github.rate_limit_remaining)
        limits.update(getattr(activity, "rate_limit_remaining", {}) or {})
        table.add_row(
            "rate limit left", ", ".join(f"{k}: {v}" for k, v in limits.items()) or "n/a (replay)"
        )
        if github.resume_after:
            table.add_row(
                "[yellow]stopped[/yellow]", f"rate limit; run again after {github.resume_after}"
            )
    for name, count in table_row_counts(warehouse).items():
        table.add_row(f"rows {name}", f"{count:,}")
    for stage, seconds in stages.items():
        table.add_row(f"seconds {stage}", f"{seconds:.1f}")
    console.print(table)


@app.command()
@_clean_errors
def load(
    archive: ArchiveOption = None,
    live: LiveOption = False,
    git: GitOption = True,
    warehouse: WarehouseOption = None,
    engine: EngineOption = "duckdb",
    verbose: VerboseOption = False,
) -> None:
    """Load GitHub data (live, recording an archive, or replayed from one) and git histories."""
    _setup_logging(verbose)
    warehouse = _warehouse(warehouse, engine)
    stages = ConsoleStages()
    loaded = pipeline.load(
        warehouse, archive=_archive(archive, live), git=git, stages=stages, engine=engine
    )
    _print_summary(warehouse, loaded, stages.seconds)


@app.command()
@_clean_errors
def build(
    warehouse: WarehouseOption = None,
    as_of: AsOfOption = None,
    engine: EngineOption = "duckdb",
    verbose: VerboseOption = False,
) -> None:
    """Run `dbt build` over the warehouse (staging, intermediate, marts, models, tests)."""
    _setup_logging(verbose)
    summary = pipeline.build(_warehouse(warehouse, engine), as_of=_as_date(as_of), engine=engine)
    console.print(
        f"dbt build: {summary.passed} passed, {summary.warned} warned in {summary.seconds:.1f} s"
    )


@app.command()
@_clean_errors
def report(
    warehouse: WarehouseOption = None,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the rendered site.")
    ] = REPORTS_BUILD_DIR,
    engine: EngineOption = "duckdb",
) -> None:
    """Render the paper and dashboard (reports/pages/*.md) to static HTML and markdown."""
    summary = pipeline.render(_warehouse(warehouse, engine), out)
    console.print(
        f"Rendered {len(summary.pages)} pages in {summary.seconds:.1f} s: open {out / 'index.html'}"
    )


@app.command()
@_clean_errors
def run(
    archive: ArchiveOption = None,
    live: LiveOption = False,
    git: GitOption = True,
    as_of: AsOfOption = None,
    warehouse: WarehouseOption = None,
    engine: EngineOption = "duckdb",
    verbose: VerboseOption = False,
) -> None:
    """The main job: load, then dbt build, models and reports, in one go."""
    _setup_logging(verbose)
    warehouse = _warehouse(warehouse, engine)
    stages = ConsoleStages()
    result = pipeline.run(
        warehouse,
        archive=_archive(archive, live),
        git=git,
        as_of=_as_date(as_of),
        stages=stages,
        engine=engine,
    )
    _print_summary(warehouse, result.load, result.stages)
    console.print(f"Warehouse: [bold]{warehouse}[/bold]")
    rendered = result.render
    console.print(
        f"Reports: {len(rendered.pages):,} pages in {rendered.seconds:.1f} s; open "
        f"[bold]{REPORTS_BUILD_DIR / 'index.html'}[/bold] (the paper; its markdown copy is "
        f"{REPORTS_BUILD_DIR / 'markdown' / 'index.md'})"
    )


def main(prog_name: str | None = None) -> None:
    """Entry point of `mlops-atlas` and `python -m mlops_atlas`."""
    prepare_process()
    app(prog_name=prog_name)
