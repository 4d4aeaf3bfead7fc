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
from typing import Any, TypeVar

from mlops_atlas.environment import prepare_process
from mlops_atlas.paths import REPORTS_BUILD_DIR, REPORTS_PAGES_DIR, mirror_root

#: The archive replayed when no token is set: the 2023 study's own search responses.
DEFAULT_ARCHIVE = "zimmerman-2023"

T = TypeVar("T")


class Stages:
    """Runs and times the stages of one run. Subclass `show` to display them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

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
    git_progress: bool = False,
) -> LoadResult:
    """Load GitHub data, README texts and git histories into `warehouse`.

    Replaying an archive, the activity and README requests it holds are replayed, and the git
    histories and README texts come from the data mirror (`mirror`, default `$ATLAS_MIRROR` or
    ../shared/data). Live, the same selection of repositories feeds the activity load and the
    git clones, and READMEs are fetched for the discovered repositories.
    """
    from dlt_pipeline.git.load import load_git_histories
    from dlt_pipeline.github.activity_load import load_activity
    from dlt_pipeline.github.load import load_github
    from dlt_pipeline.github.readmes import load_readmes
    from dlt_pipeline.github.selection import activity_full_names

    prepare_process()
    stages = stages or Stages()
    result = LoadResult(archive=archive)
    how = f" (replaying {archive})" if archive else " (live)"
    result.github = stages.run(
        "GitHub discovery" + how, lambda: load_github(warehouse, archive=archive)
    )
    result.readmes = stages.run(
        "READMEs" + how,
        lambda: load_readmes(
            warehouse, archive=archive, run_id=result.github.run_id, mirror=mirror
        ),
    )
    if archive is not None:
        result.activity = stages.run(
            "GitHub activity" + how, lambda: load_activity(warehouse, archive=archive)
        )
        mirror = mirror if mirror is not None else mirror_root()
        if git and mirror is not None and (mirror / "git").is_dir():
            result.git = stages.run(
                "git histories (mirror)",
                lambda: load_git_histories(warehouse, mirror=mirror, progress=git_progress),
            )
        return result
    names = activity_full_names(warehouse)
    run_id = result.github.run_id
    result.activity = stages.run(
        "GitHub activity" + how, lambda: load_activity(warehouse, run_id=run_id, full_names=names)
    )
    if git:
        result.git = stages.run(
            f"git histories (cloning {len(names)})",
            lambda: load_git_histories(warehouse, clone_full_names=names, progress=git_progress),
        )
    return result


def build(
    warehouse: Path,
    *,
    as_of: date | None = None,
    stages: Stages | None = None,
    target_dir: Path | None = None,
    capture_output: bool = False,
) -> Any:
    """`dbt build` over `warehouse`: staging, intermediate, marts, the ML models, every test."""
    from mlops_atlas.dbt_runner import run_dbt

    prepare_process()
    stages = stages or Stages()
    vars_ = {"as_of": as_of.isoformat()} if as_of else None
    return stages.run(
        "dbt build",
        lambda: run_dbt(
            "build",
            warehouse,
            vars_=vars_,
            target_dir=target_dir,
            capture_output=capture_output,
        ),
    )


def render(
    warehouse: Path,
    out: Path = REPORTS_BUILD_DIR,
    *,
    pages: Path = REPORTS_PAGES_DIR,
    stages: Stages | None = None,
) -> Any:
    """Render the paper and the dashboard (Evidence pages) over `warehouse` to `out`."""
    from mlops_atlas.render.site import render_site

    prepare_process()
    stages = stages or Stages()
    return stages.run("reports", lambda: render_site(pages, warehouse, out))


def run(
    warehouse: Path,
    *,
    archive: str | None,
    git: bool = True,
    as_of: date | None = None,
    out: Path = REPORTS_BUILD_DIR,
    mirror: Path | None = None,
    stages: Stages | None = None,
    git_progress: bool = False,
) -> RunResult:
    """The main job: load, build (with the models and tests), render."""
    stages = stages or Stages()
    loaded = load(
        warehouse, archive=archive, git=git, mirror=mirror, stages=stages, git_progress=git_progress
    )
    result = RunResult(load=loaded, stages=stages.seconds)
    result.build = build(warehouse, as_of=as_of, stages=stages)
    result.render = render(warehouse, out, stages=stages)
    return result
