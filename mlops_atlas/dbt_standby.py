"""A `dbt build` started ahead of its time: its process imports dbt and parses the project while
the data loads, then waits; told to build, it builds at once with the manifest it parsed.

Parsing reads only the project's files, never the warehouse, so it can run while the load holds
the warehouse's lock. What it saves is everything a fresh dbt process does before its first
node: starting Python, importing dbt and the adapter (about 3 s), parsing or loading a saved
parse; and, once parsed, it imports what the project's Python models import (the ML code,
pandas, scikit-learn: about 2 s that the build's first Python models would wait for) and
starts the server the long ML computations are forked from (ml/own_process.py). It starts
the node with the longest chain of work after it first (dbt_schedule.py).

The parse writes to a folder of its own (`parse/`, beside the build's target), so the last
build's artifacts stay whole whatever happens to it; when the build starts, the parse's manifest
and saved parse are put in the target, where a build writes them.

Run as `python -m mlops_atlas.dbt_standby SPEC` (a JSON list: the parse's and the build's dbt
arguments). It prints `PARSED_LINE` when the parse has ended, then reads one line: `build`
builds, anything else (or the end of its input) ends it without building.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import shutil
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from mlops_atlas.dbt_runner import (
    OUTPUT_TAIL_LINES,
    PARTIAL_PARSE_FILE,
    RUN_RESULTS_FILE,
    WAREHOUSE_BUILD_ARGS,
    DbtSummary,
    invocation,
    read_output,
    summarize,
)
from mlops_atlas.dbt_schedule import use_longest_chain_first
from mlops_atlas.environment import leave
from mlops_atlas.paths import DBT_PROJECT_DIR, PROJECT_ROOT, dbt_target_for
from mlops_atlas.unchanged import project_digest

#: What the standby process prints when its parse has ended (then, whether it succeeded).
PARSED_LINE = "mlops-atlas: parse ended"
#: The parse's files a build writes too, put in the build's target when the build starts.
PARSE_ARTIFACTS = ("manifest.json", PARTIAL_PARSE_FILE)


class StandbyBuild:
    """`dbt build` of `warehouse_path` with `vars_`, parsed ahead in a process that waits.

    `build` runs it; `stop` ends the process when no build comes (a skipped build, a failed
    load). A parse that failed hands nothing over: the build then parses as a fresh dbt
    process would (reporting any error)."""

    def __init__(
        self,
        warehouse_path: Path,
        *,
        vars_: Mapping[str, Any] | None = None,
        project_dir: Path = DBT_PROJECT_DIR,
    ) -> None:
        self.target_dir = dbt_target_for(Path(warehouse_path).resolve())
        self.vars = dict(vars_) if vars_ else None
        self.project_dir = project_dir
        self.project = project_digest(project_dir)  # what the parse read; an edit voids it
        self._parsed: bool | None = None
        self.folder = self.target_dir.parent / "parse"
        for name in PARSE_ARTIFACTS:  # only this parse's files are handed over
            (self.folder / name).unlink(missing_ok=True)
        parse, env, _ = invocation(
            "parse", warehouse_path, project_dir, self.folder, None, vars_, ("--quiet",)
        )
        build, _, _ = invocation(
            "build", warehouse_path, project_dir, self.target_dir, None, vars_, WAREHOUSE_BUILD_ARGS
        )
        spec = json.dumps([parse[1:], build[1:]])  # dbt's arguments, without the program
        self._process = subprocess.Popen(
            [sys.executable, "-m", "mlops_atlas.dbt_standby", spec],
            env=env,
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        self._tail: deque[str] = deque(maxlen=OUTPUT_TAIL_LINES)

    def matches(self, target_dir: Path, vars_: Mapping[str, Any] | None) -> bool:
        """Whether this is the build asked for: the same target folder and vars, and the project
        as it was when the parse began (a file edited during the load must be built as edited,
        and the build's stamp records the files as they are now)."""
        return (
            Path(target_dir).resolve() == self.target_dir
            and (dict(vars_) if vars_ else None) == self.vars
            and project_digest(self.project_dir) == self.project
        )

    def parsed(self) -> bool:
        """Wait for the parse to end; whether it succeeded."""
        if self._parsed is None:
            assert self._process.stdout is not None
            self._parsed = False
            for line in self._process.stdout:
                if PARSED_LINE in line:
                    self._parsed = line.rstrip().endswith("ok")
                    break
                self._tail.append(line)
        return self._parsed

    def build(self, on_line: Callable[[str], None] | None = None) -> DbtSummary:
        """Wait for the parse, hand its files to the target, build; the summary, or DbtFailed
        naming the failing nodes (as `run_dbt` does). `on_line` gets each line of the build's
        output."""
        process = self._process
        assert process.stdin is not None and process.stdout is not None
        if self.parsed():
            self.target_dir.mkdir(parents=True, exist_ok=True)
            for name in PARSE_ARTIFACTS:
                if (self.folder / name).is_file():
                    shutil.copyfile(self.folder / name, self.target_dir / name)
        (self.target_dir / RUN_RESULTS_FILE).unlink(missing_ok=True)
        started = time.monotonic()
        try:
            process.stdin.write("build\n")
            process.stdin.close()
        except BrokenPipeError:
            pass  # it ended already; its output and exit code say why
        returncode = read_output(process, self._tail, on_line)
        return summarize(
            "build",
            self.target_dir,
            ok=returncode == 0,
            seconds=time.monotonic() - started,
            failure=f"exit {returncode}",
            output="".join(self._tail),
        )

    def stop(self) -> None:
        """End the process if it still runs (the build was skipped or never came)."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def _import_ahead(modules: list[str]) -> None:
    """Import what the Python models will import (the ML code, pandas, scikit-learn: about a
    second each for the first models of a build), while the process waits anyway. A module
    that fails to import is left for the build, which reports it at its model."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the build reports it, at the model that imports it
            continue


def _end(code: int) -> NoReturn:
    """End the process as soon as the build's warehouse is closed. dbt-duckdb closes (and
    checkpoints) it at exit; the rest of a normal exit, tearing down the interpreter's modules
    (dbt, pandas, scikit-learn), took about 1.5 s that the main job waited for. So: close the
    warehouse, then leave (`leave`: threads, exit steps, output, as a normal exit)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    try:
        DuckDBConnectionManager.close_all_connections()  # the exit step dbt-duckdb registers
    finally:
        leave(code)  # the dropped environment closes the database as it is collected


def main(spec: str) -> int:
    """The standby process: parse, report, import what the Python models import, wait for
    `build`, build with the parsed manifest."""
    from dbt.cli.main import dbtRunner

    from ml.own_process import imported_modules, start_server

    use_longest_chain_first()
    parse_args, build_args = json.loads(spec)
    parsed = dbtRunner().invoke(parse_args)
    manifest = parsed.result if parsed.success else None
    # on a line of its own, whatever dbt printed last
    print(f"\n{PARSED_LINE}: {'ok' if manifest is not None else 'failed'}", flush=True)
    if manifest is not None:
        models = manifest.nodes.values()
        python = (n.raw_code for n in models if getattr(n, "language", "sql") == "python")
        modules = imported_modules(python)
        _import_ahead(modules)
        # the process the long computations are forked from, with the same modules; if it
        # cannot start now, each computation starts it or reports why it cannot
        with contextlib.suppress(OSError):
            start_server(modules)
    if sys.stdin.readline().strip() != "build":
        return 0
    built = dbtRunner(manifest=manifest).invoke(build_args)
    _end(0 if built.success else 1)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
