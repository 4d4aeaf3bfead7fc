"""The pipeline, composed once: load (archive or live) → git histories → dbt build → render.

The command line, the tests' fixtures and the benchmarks all call these functions, so the
warehouse they build is the warehouse a user builds. Each stage is timed by a `Stages` object;
the command line passes one that shows progress, everything else the silent default.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlops_atlas.checks import (
    check_as_of,
    render_workers,
    require_built,
    require_unlocked,
    require_warehouse,
)
from mlops_atlas.environment import prepare_process
from mlops_atlas.paths import (
    LAKE_PATH,
    REPORTS_BUILD_DIR,
    REPORTS_PAGES_DIR,
    WAREHOUSE_PATH,
    dbt_manifest_for,
    dbt_target_for,
    mirror_root,
)

if TYPE_CHECKING:
    from mlops_atlas.dbt_standby import StandbyBuild

#: The archive replayed when no token is set: the 2023 study's own search responses.
DEFAULT_ARCHIVE = "zimmerman-2023"
#: Engines a warehouse is built on: DuckDB (the default; the warehouse is a file) or Spark (the
#: warehouse is a lake folder: the load writes Parquet there, Spark builds its tables there).
ENGINES = ("duckdb", "spark")


def default_warehouse(engine: str = "duckdb") -> Path:
    """The warehouse an engine uses unless told otherwise."""
    return LAKE_PATH if _check_engine(engine) == "spark" else WAREHOUSE_PATH


def _check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    return engine


T = TypeVar("T")


class Stages:
    """Runs and times the stages of one run. Subclass `show` to display them, and `count` to
    show how far a long stage has got (git histories, dbt nodes, pages: n of N)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def count(self, done: int, total: int | None) -> None:
        """Progress of the running stage; the silent default ignores it."""

    def run(self, name: str, func: Callable[[], T]) -> T:
        started = time.monotonic()
        try:
            return self.show(name, func)
        finally:
            self.seconds[name] = time.monotonic() - started

    def show(self, name: str, func: Callable[[], T]) -> T:
        return func()


@dataclass
class LoadResult:
    """What each loader did (their own summaries), for the closing summary and for tests."""

    archive: str | None
    github: Any = None
    activity: Any = None
    git: Any = None
    readmes: Any = None


@dataclass
class RunResult:
    load: LoadResult
    build: Any = None
    render: Any = None
    stages: dict[str, float] = field(default_factory=dict)


def choose_archive(archive: str | None, live: bool, token: str | None) -> str | None:
    """The archive to replay, or None for a live run: an explicit archive wins, `live` asks for
    a live run, and otherwise a run is live only when a GitHub token is set."""
    if archive or live:
        return archive
    return None if token else DEFAULT_ARCHIVE


def load(
    warehouse: Path,
    *,
    archive: str | None,
    git: bool = True,
    mirror: Path | None = None,
    stages: Stages | None = None,
    engine: str = "duckdb",
) -> LoadResult:
    """Load GitHub data, README texts and git histories into `warehouse`.

    Replaying an archive, the activity and README requests it holds are replayed, and the git
    histories and README texts come from the data mirror (`mirror`, default `$ATLAS_MIRROR` or
    ../shared/data). Live, the same selection of repositories feeds the activity load and the
    git clones, and READMEs are fetched for the discovered repositories. With engine `spark`
    the warehouse is a lake folder and the raw tables are written there as Parquet.
    """
    from dlt_pipeline.git.load import load_git_histories
    from dlt_pipeline.github.activity_load import load_activity
    from dlt_pipeline.github.selection import activity_full_names
    from mlops_atlas.unchanged import ReplayCheck

    prepare_process()
    lake = _check_engine(engine) == "spark"
    stages = stages or Stages()
    result = LoadResult(archive=archive)
    how = f" (replaying {archive})" if archive else " (live)"
    mirror = mirror if mirror is not None else mirror_root()
    replay = None if archive is None or lake else ReplayCheck(warehouse, archive, mirror)
    if replay is not None and (summary := replay.loaded_before()) is not None:
        result.github = stages.run(
            f"GitHub replay of {archive} (loaded before: skipped)", lambda: summary
        )
    else:
        _load_github(warehouse, result, archive, how, mirror, stages, lake)
        if replay is not None:
            replay.done(result.github)
    if archive is not None:
        if git and mirror is not None and (mirror / "git").is_dir():
            result.git = stages.run(
                "git histories (mirror)",
                lambda: load_git_histories(
                    warehouse, mirror=mirror, progress=False, on_history=stages.count, lake=lake
                ),
            )
        return result
    names = activity_full_names(warehouse)
    run_id = result.github.run_id
    result.activity = stages.run(
        "GitHub activity" + how,
        lambda: load_activity(warehouse, run_id=run_id, full_names=names, lake=lake),
    )
    if git:
        result.git = stages.run(
            f"git histories (cloning {len(names)})",
            lambda: load_git_histories(
                warehouse,
                clone_full_names=names,
                progress=False,
                on_history=stages.count,
                lake=lake,
            ),
        )
    return result


def _load_github(
    warehouse: Path,
    result: LoadResult,
    archive: str | None,
    how: str,
    mirror: Path | None,
    stages: Stages,
    lake: bool,
) -> None:
    """Discovery and READMEs, and for a replay the archive's activity too."""
    from dlt_pipeline.github.activity_load import load_activity
    from dlt_pipeline.github.load import load_github
    from dlt_pipeline.github.readmes import load_readmes

    result.github = stages.run(
        "GitHub discovery" + how, lambda: load_github(warehouse, archive=archive, lake=lake)
    )
    result.readmes = stages.run(
        "READMEs" + how,
        lambda: load_readmes(
            warehouse, archive=archive, run_id=result.github.run_id, mirror=mirror, lake=lake
        ),
    )
    if archive is not None:
        result.activity = stages.run(
            "GitHub activity" + how, lambda: load_activity(warehouse, archive=archive, lake=lake)
        )


def _dbt_vars(as_of: date | None) -> dict[str, str] | None:
    """The vars a build passes to dbt (a standby build must have the same to be used)."""
    return {"as_of": as_of.isoformat()} if as_of else None


def build(
    warehouse: Path,
    *,
    as_of: date | None = None,
    stages: Stages | None = None,
    target_dir: Path | None = None,
    engine: str = "duckdb",
    standby: StandbyBuild | None = None,
) -> Any:
    """`dbt build` over `warehouse`: staging, intermediate, marts, the ML models, every data
    test (the unit tests are left to the test suite: WAREHOUSE_BUILD_ARGS; a Spark build runs
    them).

    `as_of` must lie within the loaded data (CheckFailed otherwise, before dbt starts). dbt's
    output is read, not shown: its nodes are counted into `stages`, its log is beside the
    warehouse, and a failure names the failing nodes. With engine `spark`, on a local Spark
    session over the lake folder `warehouse` (`mlops_atlas/spark/`; dbt's artifacts stay inside
    the lake, `target_dir` is not used). A `standby` build started before the load (`run` does
    this) runs the build when it is the one asked for."""
    from mlops_atlas.dbt_runner import WAREHOUSE_BUILD_ARGS, DbtSummary, node_counter, run_dbt
    from mlops_atlas.unchanged import BUILD_STAMP, build_key, read_stamp, table_digest, write_stamp

    prepare_process()
    require_warehouse(warehouse)
    require_unlocked(warehouse)
    if as_of is not None:
        check_as_of(warehouse, as_of)
    stages = stages or Stages()
    vars_ = _dbt_vars(as_of)
    if _check_engine(engine) == "spark":
        from mlops_atlas.spark.build import run_spark_build

        return stages.run(
            "dbt build (Spark)",
            lambda: run_spark_build(warehouse, vars_=vars_, capture_output=True),
        )
    target_dir = Path(target_dir) if target_dir is not None else dbt_target_for(warehouse)
    stamp = target_dir / BUILD_STAMP
    inputs = build_key(warehouse, vars_)
    last = read_stamp(stamp) or {}
    if (
        inputs is not None
        and last.get("inputs") == inputs
        and last.get("outputs") == table_digest(warehouse)
    ):
        return stages.run(
            "dbt build (inputs unchanged: skipped)",
            lambda: DbtSummary("build", 0, 0, 0, 0, 0.0, target_dir, skipped=True),
        )
    stamp.unlink(missing_ok=True)

    def dbt_build() -> Any:
        if standby is not None:
            if standby.matches(target_dir, vars_):
                return standby.build(on_line=node_counter(stages.count))
            standby.stop()  # another build was asked for: it would only wait
        return run_dbt(
            "build",
            warehouse,
            vars_=vars_,
            target_dir=target_dir,
            extra_args=WAREHOUSE_BUILD_ARGS,
            on_line=node_counter(stages.count),
        )

    summary = stages.run("dbt build", dbt_build)
    if inputs is not None:
        write_stamp(stamp, {"inputs": inputs, "outputs": table_digest(warehouse)})
    return summary


def dbt_docs(warehouse: Path, *, stages: Stages | None = None) -> Path:
    """dbt's documentation site (every model and column, with the lineage) generated beside
    the warehouse; returns its folder (index.html, manifest.json, catalog.json)."""
    from mlops_atlas.dbt_runner import node_counter, run_dbt

    prepare_process()
    require_warehouse(warehouse)
    require_unlocked(warehouse)
    stages = stages or Stages()
    summary = stages.run(
        "dbt docs generate",
        lambda: run_dbt("docs generate", warehouse, on_line=node_counter(stages.count)),
    )
    return summary.target_dir


def render(
    warehouse: Path,
    out: Path = REPORTS_BUILD_DIR,
    *,
    pages: Path = REPORTS_PAGES_DIR,
    stages: Stages | None = None,
    sql_log: list[str] | None = None,
) -> Any:
    """Render the paper and the dashboard (Evidence pages) over `warehouse` to `out`, with the
    marts and model tables as Parquet in `out/data/` (documented from the build's manifest).
    Skipped, returning None, when the tables, the pages, their sources, the renderer and the
    manifest are those of the site already in `out`; else the site's summary. Each statement
    run is appended to `sql_log` if given."""
    from mlops_atlas.render.data_export import DATA_SCHEMAS
    from mlops_atlas.render.site import BUILD_MARKER, check_out_dir, render_site
    from mlops_atlas.unchanged import RENDER_STAMP, read_stamp, render_key, write_stamp

    prepare_process()
    workers = render_workers()
    out = Path(out)
    check_out_dir(out)
    sources = pages.parent / "sources"
    require_built(warehouse, sources)
    stages = stages or Stages()
    manifest = dbt_manifest_for(Path(warehouse))
    inputs = render_key(warehouse, pages, sources, out, manifest)
    if (
        inputs is not None
        and (out / BUILD_MARKER).is_file()
        and (read_stamp(out / RENDER_STAMP) or {}).get("inputs") == inputs
    ):
        return stages.run("reports (inputs unchanged: skipped)", lambda: None)
    site = stages.run(
        "reports",
        lambda: render_site(
            pages,
            warehouse,
            out,
            on_page=stages.count,
            data_schemas=DATA_SCHEMAS,
            manifest=manifest,
            sql_log=sql_log,
            workers=workers,
        ),
    )
    if inputs is not None:
        write_stamp(out / RENDER_STAMP, {"inputs": inputs})
    return site


def run(
    warehouse: Path,
    *,
    archive: str | None,
    git: bool = True,
    as_of: date | None = None,
    out: Path = REPORTS_BUILD_DIR,
    mirror: Path | None = None,
    stages: Stages | None = None,
    engine: str = "duckdb",
) -> RunResult:
    """The main job: load, build (with the models and tests), render; on DuckDB or Spark.

    On DuckDB, the dbt process of the build starts before the load and parses the project
    while the data loads (`StandbyBuild`), so the build begins with dbt ready."""
    from mlops_atlas.dbt_runner import dbt_available
    from mlops_atlas.dbt_standby import StandbyBuild

    stages = stages or Stages()
    standby = None
    if _check_engine(engine) == "duckdb" and dbt_available():
        prepare_process()
        standby = StandbyBuild(warehouse, vars_=_dbt_vars(as_of))
    try:
        loaded = load(
            warehouse, archive=archive, git=git, mirror=mirror, stages=stages, engine=engine
        )
        result = RunResult(load=loaded, stages=stages.seconds)
        result.build = build(warehouse, as_of=as_of, stages=stages, engine=engine, standby=standby)
    finally:
        if standby is not None:
            standby.stop()
    result.render = render(warehouse, out, stages=stages)
    return result
