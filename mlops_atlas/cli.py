"""`mlops-atlas`: the command line over `mlops_atlas.pipeline`. Each command parses its
options, calls the library and prints; no logic lives here."""

from __future__ import annotations

import functools
import time
import webbrowser
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from mlops_atlas import pipeline
from mlops_atlas.checks import CheckFailed, parse_as_of
from mlops_atlas.environment import leave, prepare_process
from mlops_atlas.errors import user_message
from mlops_atlas.logs import route_logs
from mlops_atlas.paths import REPORTS_BUILD_DIR

T = TypeVar("T")

app = typer.Typer(
    help=(
        "MLOps Atlas: which open-source MLOps tools exist, what each does, and how mature it is.\n\n"
        "Loads GitHub search results and git histories into a DuckDB warehouse, builds it with "
        "dbt (marts and models), and renders the paper and the dashboard. Start with `run`."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console(stderr=True)
out_console = Console()

# One definition per option, so each reads the same in every command.
WarehouseOption = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        metavar="PATH",
        help="The warehouse: a DuckDB file (default: warehouse/atlas.duckdb in the project), or "
        "with --engine spark a lake folder (default: warehouse/lake).",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        "-e",
        metavar="duckdb|spark",
        help="duckdb: one DuckDB file. spark: the raw tables as a Parquet lake, built on a "
        "local Spark session (profiles.yml, target spark).",
    ),
]
ArchiveOption = Annotated[
    str | None,
    typer.Option(
        "--archive",
        "-a",
        metavar="NAME|FOLDER",
        help="Replay a recorded archive offline: a named one (zimmerman-2023) or a folder with "
        "manifest.jsonl. Default: live when GITHUB_TOKEN is set, else zimmerman-2023.",
    ),
]
LiveOption = Annotated[
    bool,
    typer.Option(
        "--live",
        help="Collect live from GitHub even without GITHUB_TOKEN (60 requests an hour).",
    ),
]
GitOption = Annotated[
    bool,
    typer.Option(
        "--git/--no-git",
        help="Load git commit histories too (the data mirror's, or cloned live).",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Describe the ecosystem as of this date, within the loaded data "
        "(default: the latest GitHub observation).",
    ),
]
OutOption = Annotated[
    Path,
    typer.Option(
        "--out",
        metavar="FOLDER",
        help="Folder of the rendered site (default: reports/build in the project).",
        show_default=False,
    ),
]
VerboseOption = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        help="Show the libraries' log lines, and the traceback of an error.",
    ),
]
PortOption = Annotated[
    int,
    typer.Option(
        "--port", metavar="N", help="Port on 127.0.0.1 (0: a free one).", show_default=False
    ),
]
OpenOption = Annotated[bool, typer.Option("--open", help="Open it in a web browser too.")]


def _clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """An error a user can cause ends in one line naming what failed and what to do (exit 1);
    anything else in one line too, with the traceback shown only under --verbose."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            console.print("[red]interrupted[/red]: what was loaded before is kept; run again")
            raise typer.Exit(130) from None
        except Exception as exc:
            if kwargs.get("verbose"):
                raise
            message = user_message(exc, kwargs.get("warehouse"))
            if message is None:
                first = (str(exc).strip().splitlines() or [""])[0][:300]
                message = (
                    f"unexpected {type(exc).__name__}: {first} "
                    "(run again with --verbose for the traceback)"
                )
            console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
            raise typer.Exit(1) from exc

    return wrapper


class ConsoleStages(pipeline.Stages):
    """Each stage shown while it runs (a spinner, n of N where it counts, elapsed time) and
    ticked with its seconds when done."""

    def __init__(self) -> None:
        super().__init__()
        self._progress: Progress | None = None
        self._task: Any = None
        self._counted = ""

    def show(self, name: str, func: Callable[[], T]) -> T:
        started = time.monotonic()
        self._counted = ""
        if not console.is_terminal:  # a log file gets the ticks only, no live display
            result = func()
            console.print(f"✓ {name}{self._counted} ({time.monotonic() - started:.1f} s)")
            return result
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            self._progress, self._task = progress, progress.add_task(name, total=None)
            try:
                result = func()
            finally:
                self._progress = None
        console.print(
            f"[green]✓[/green] {name}{self._counted} ({time.monotonic() - started:.1f} s)"
        )
        return result

    def count(self, done: int, total: int | None) -> None:
        self._counted = f": {done:,} of {total:,}" if total else f": {done:,}"
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)


def _archive(archive: str | None, live: bool) -> str | None:
    from dlt_pipeline.github.settings import github_token

    chosen = pipeline.choose_archive(archive, live, github_token())
    if chosen == pipeline.DEFAULT_ARCHIVE and archive is None:
        console.print(
            f"No GITHUB_TOKEN set: replaying the recorded archive [bold]{chosen}[/bold] "
            "(the 2023 study's GitHub search)."
        )
    return chosen


def _warehouse(warehouse: Path | None, engine: str = "duckdb") -> Path:
    """The warehouse given, or the engine's default (an unknown engine is a one-line error)."""
    if engine not in pipeline.ENGINES:
        raise CheckFailed(f"--engine {engine!r}: choose one of {', '.join(pipeline.ENGINES)}")
    return warehouse if warehouse is not None else pipeline.default_warehouse(engine)


def _as_date(value: str | None) -> date | None:
    return parse_as_of(value) if value is not None else None


def _prepare(verbose: bool, warehouse: Path) -> None:
    log_file = route_logs(verbose, warehouse)
    if log_file is not None:
        console.print(f"[dim]library log: {log_file}[/dim]", highlight=False)


def _print_load(loaded: pipeline.LoadResult) -> None:
    github, activity, git = loaded.github, loaded.activity, loaded.git
    table = Table(title="Loaded", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    if github is not None:
        table.add_row("GitHub run", f"{github.run_id} ({github.mode}, {github.status})")
        requests = github.requests + getattr(activity, "requests", 0)
        replayed = github.replayed + getattr(activity, "replayed", 0)
        table.add_row("requests made", f"{requests:,} ({replayed:,} served from the archive)")
        limits = {**github.rate_limit_remaining, **(getattr(activity, "rate_limit_remaining", {}))}
        table.add_row(
            "rate limit left", ", ".join(f"{k}: {v}" for k, v in limits.items()) or "n/a (replay)"
        )
        table.add_row("search observations", f"{github.rows.get('repository_observations', 0):,}")
        if github.resume_after:
            table.add_row(
                "[yellow]stopped[/yellow]", f"rate limit; run again after {github.resume_after}"
            )
    if git is not None:
        table.add_row(
            "git histories read", f"{git.histories_ok:,} ok, {git.histories_failed:,} failed"
        )
        table.add_row("git commits in the warehouse", f"{git.warehouse_rows['commits']:,}")
    console.print(table)


def _print_stages(stages: dict[str, float]) -> None:
    total = sum(stages.values())
    shown = ", ".join(f"{name} {seconds:.1f}" for name, seconds in stages.items())
    console.print(f"Seconds per stage: {shown}; {total:.1f} in all.", highlight=False)


@app.command(short_help="The main job: load, build, render.")
@_clean_errors
def run(
    archive: ArchiveOption = None,
    live: LiveOption = False,
    git: GitOption = True,
    as_of: AsOfOption = None,
    warehouse: WarehouseOption = None,
    engine: EngineOption = "duckdb",
    out: OutOption = REPORTS_BUILD_DIR,
    verbose: VerboseOption = False,
) -> None:
    """The main job: load, build the warehouse (marts, models, tests), render the reports."""
    from mlops_atlas.findings import headline_findings

    warehouse = _warehouse(warehouse, engine)
    _prepare(verbose, warehouse)
    date_ = _as_date(as_of)
    stages = ConsoleStages()
    result = pipeline.run(
        warehouse,
        archive=_archive(archive, live),
        git=git,
        as_of=date_,
        out=out,
        stages=stages,
        engine=engine,
    )
    _print_load(result.load)
    _print_stages(result.stages)
    console.print()
    out_console.print("[bold]What the warehouse says[/bold]")
    for line in headline_findings(warehouse):
        out_console.print(f"- {escape(line)}", highlight=False)
    out_console.print()
    serve_hint = "mlops-atlas serve" + ("" if out == REPORTS_BUILD_DIR else f" --out {out}")
    for line in (
        f"The paper:      {out / 'index.html'}  (serve it: {serve_hint})",
        f"Its markdown:   {out / 'markdown' / 'index.md'}",
        f"The dashboard:  {out / 'explorer' / 'index.html'}",
        f'The warehouse:  {warehouse}  (ask it: mlops-atlas sql "select ...")',
    ):
        _print_whole(line)


@app.command(short_help="Load GitHub data and git histories.")
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
    warehouse = _warehouse(warehouse, engine)
    _prepare(verbose, warehouse)
    stages = ConsoleStages()
    loaded = pipeline.load(
        warehouse, archive=_archive(archive, live), git=git, stages=stages, engine=engine
    )
    _print_load(loaded)
    _print_stages(stages.seconds)


@app.command(short_help="Build the warehouse with dbt (models, tests).")
@_clean_errors
def build(
    as_of: AsOfOption = None,
    warehouse: WarehouseOption = None,
    engine: EngineOption = "duckdb",
    verbose: VerboseOption = False,
) -> None:
    """Build the warehouse with dbt: staging, intermediate, marts, the ML models, every data
    test."""
    warehouse = _warehouse(warehouse, engine)
    _prepare(verbose, warehouse)
    summary = pipeline.build(
        warehouse, as_of=_as_date(as_of), stages=ConsoleStages(), engine=engine
    )
    if getattr(summary, "skipped", False):
        console.print(
            "dbt build: the warehouse and the project are as they were at the last build, "
            f"so nothing was rebuilt; artifacts in {summary.target_dir}"
        )
        return
    console.print(
        f"dbt build: {summary.passed:,} passed, {summary.warned:,} warned "
        f"in {summary.seconds:.1f} s; artifacts in {summary.target_dir}"
    )


@app.command(short_help="Render the paper and the dashboard.")
@_clean_errors
def report(
    warehouse: WarehouseOption = None,
    engine: EngineOption = "duckdb",
    out: OutOption = REPORTS_BUILD_DIR,
    verbose: VerboseOption = False,
) -> None:
    """Render the paper and the dashboard (reports/pages) to static HTML and markdown."""
    warehouse = _warehouse(warehouse, engine)
    _prepare(verbose, warehouse)
    summary = pipeline.render(warehouse, out, stages=ConsoleStages())
    if summary is None:
        console.print(
            f"The site in {out} was rendered from the same tables and pages, so nothing was "
            f"rendered: open {out / 'index.html'}"
        )
        return
    console.print(
        f"Rendered {len(summary.pages):,} pages in {summary.seconds:.1f} s: "
        f"open {out / 'index.html'}"
    )


@app.command(short_help="Serve the rendered site on 127.0.0.1.")
@_clean_errors
def serve(
    out: OutOption = REPORTS_BUILD_DIR,
    port: PortOption = 0,
    open_: OpenOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Serve the rendered site on 127.0.0.1 until Ctrl-C."""
    _serve(out, port, open_)


@app.command(short_help="Ask the warehouse a question in SQL.")
@_clean_errors
def sql(
    query: Annotated[
        str | None,
        typer.Argument(
            metavar="QUERY",
            help="One SQL statement; without it, a prompt that asks for one after another.",
        ),
    ] = None,
    warehouse: WarehouseOption = None,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", help="Rows shown at most.", show_default=True)
    ] = 50,
    verbose: VerboseOption = False,
) -> None:
    """Ask the warehouse a question in SQL, read-only (the marts and ML tables: docs/questions.md)."""
    from mlops_atlas.sql import QueryError, ask, connect

    warehouse = _warehouse(warehouse)
    with connect(warehouse) as con:
        if query is not None:
            _print_answer(ask(con, query, limit))
            return
        console.print("SQL over the warehouse, read-only; an empty line or `exit` ends.")
        while True:
            try:
                line = input("sql> ")
            except EOFError:
                break
            if line.strip().lower() in ("", "exit", "quit", ".quit", "\\q"):
                break
            try:
                _print_answer(ask(con, line, limit))
            except QueryError as exc:
                console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)


def _print_answer(answer: Any) -> None:
    table = Table(show_lines=False)
    for column in answer.columns:
        table.add_column(escape(column))
    for row in answer.rows:
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    out_console.print(table)
    more = (
        f" (first {len(answer.rows):,} shown; --limit for more)"
        if answer.total > len(answer.rows)
        else ""
    )
    console.print(f"{answer.total:,} rows{more}", highlight=False)


@app.command(short_help="Serve dbt's docs of every table and column.")
@_clean_errors
def docs(
    warehouse: WarehouseOption = None,
    port: PortOption = 0,
    open_: OpenOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Generate dbt's documentation of every model and column and serve it on 127.0.0.1."""
    warehouse = _warehouse(warehouse)
    _prepare(verbose, warehouse)
    target = pipeline.dbt_docs(warehouse, stages=ConsoleStages())
    _serve(target, port, open_)


def _print_whole(line: str) -> None:
    """A line with a path or URL in it, never broken at the terminal's width (so it copies
    whole), and with any `[...]` in a folder name shown as it is, not read as markup."""
    out_console.print(escape(line), soft_wrap=True, highlight=False)


def _serve(folder: Path, port: int, open_browser: bool) -> None:
    from mlops_atlas.serve import bind

    server, url = bind(folder, port)
    _print_whole(f"Serving {folder} at {url}  (Ctrl-C stops)")
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


runs_app = typer.Typer(
    help="The GitHub runs loaded into the warehouse: list them, or drop one.",
    short_help="List the loaded GitHub runs, or drop one.",
    rich_markup_mode=None,
)
app.add_typer(runs_app, name="runs")


@runs_app.callback(invoke_without_command=True)
@_clean_errors
def runs(
    ctx: typer.Context,
    warehouse: WarehouseOption = None,
    verbose: VerboseOption = False,
) -> None:
    """List the runs loaded into the warehouse (run id, mode, status, observations)."""
    if ctx.invoked_subcommand is not None:
        return
    from dlt_pipeline.runs import list_runs

    warehouse = _warehouse(warehouse)
    table = Table(title=f"GitHub runs in {warehouse}")
    for column in ("run id", "mode", "status", "started", "requests", "observations", "errors"):
        table.add_column(column)
    table.add_column("message")
    for record in list_runs(warehouse):
        table.add_row(
            escape(record.run_id),
            record.mode,
            record.status,
            str(record.started_at),
            str(record.requests),
            str(record.observations),
            str(record.errors),
            escape((record.message or "")[:80]),
        )
    out_console.print(table)


@runs_app.command("drop", short_help="Delete every row a run loaded.")
@_clean_errors
def drop(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="The run to drop (see `runs`).")],
    warehouse: WarehouseOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Delete every row a run loaded, so the next build goes on without it."""
    from dlt_pipeline.runs import drop_run

    deleted = drop_run(_warehouse(warehouse), run_id)
    total = sum(deleted.values())
    detail = ", ".join(f"{table} {count:,}" for table, count in sorted(deleted.items()))
    console.print(
        f"Dropped run {escape(run_id)}: {total:,} rows ({detail}). Run `mlops-atlas build`."
    )


def main(prog_name: str | None = None) -> None:
    """Entry point of `mlops-atlas` and `python -m mlops_atlas`. A command that ends (well or
    with its error reported) ends the process at once (`leave`)."""
    prepare_process()
    try:
        app(prog_name=prog_name)
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            leave(stop.code or 0)
        raise
