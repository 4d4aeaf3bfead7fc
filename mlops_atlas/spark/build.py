"""`dbt build` on Spark over a lake, in one process and one JVM: the lake's raw tables
registered, the SQL models with their tests (seeds and unit tests included), the ML models run
as Python on the marts (`ml_tables.py`), then the ML models' tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mlops_atlas.dbt_runner import DbtFailed, DbtSummary, dbt_command, summarize
from mlops_atlas.environment import TELEMETRY_OFF
from mlops_atlas.paths import PROJECT_ROOT, lake_dbt_dir
from mlops_atlas.spark.ml_tables import run_ml_models
from mlops_atlas.spark.session import SPARK_TARGET, spark_environment, start_session
from mlops_atlas.spark.sources import register_sources

#: dbt's selector of the ML models: dbt runs Python models on Spark only on Databricks.
ML_MODELS = "path:models/ml"


@dataclass
class SparkBuildSummary:
    """What each step did: dbt's two runs, the ML tables' rows, seconds per step and in all."""

    sql: dict[str, Any]
    ml_tests: dict[str, Any]
    ml_rows: dict[str, int]
    sources: int
    steps: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return int(self.sql["passed"]) + len(self.ml_rows) + int(self.ml_tests["passed"])

    @property
    def warned(self) -> int:
        return int(self.sql["warned"]) + int(self.ml_tests["warned"])

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def lake_dbt_dirs(lake: Path) -> tuple[Path, Path]:
    """dbt's target and log folders of a lake's build (`paths.lake_dbt_dir`)."""
    return lake_dbt_dir(lake) / "target", lake_dbt_dir(lake) / "logs"


def _dbt(command: str, lake: Path, vars_: Mapping[str, Any] | None, *selection: str) -> DbtSummary:
    from dbt.cli.main import dbtRunner

    target_dir, log_dir = lake_dbt_dirs(lake)
    target_dir.mkdir(parents=True, exist_ok=True)
    (target_dir / "run_results.json").unlink(missing_ok=True)
    args = dbt_command(
        command,
        target_dir=target_dir,
        log_dir=log_dir,
        vars_=vars_,
        extra_args=["--target", SPARK_TARGET, *selection],
    )[1:]
    started = time.monotonic()
    result = dbtRunner().invoke(args)
    failure = str(result.exception) if result.exception else "failed"
    return summarize(
        command,
        target_dir,
        ok=bool(result.success),
        seconds=time.monotonic() - started,
        failure=failure,
    )


def _brief(summary: DbtSummary) -> dict[str, Any]:
    return {
        "nodes": summary.nodes,
        "passed": summary.passed,
        "warned": summary.warned,
        "failed": summary.failed,
        "seconds": summary.seconds,
    }


def build_on_spark(lake: Path, *, vars_: Mapping[str, Any] | None = None) -> SparkBuildSummary:
    """Build the lake's warehouse on a local Spark session (see the module doc)."""
    lake = Path(lake).resolve()
    seconds: dict[str, float] = {}
    begun = started = time.monotonic()
    spark = start_session(lake)
    seconds["Spark session"] = time.monotonic() - started

    started = time.monotonic()
    sources = register_sources(spark, lake)
    seconds["register lake sources"] = time.monotonic() - started

    sql = _dbt("build", lake, vars_, "--exclude", ML_MODELS)
    seconds["dbt build (SQL models, seeds, tests)"] = sql.seconds

    started = time.monotonic()
    ml = run_ml_models(spark, lake_dbt_dirs(lake)[0] / "manifest.json")
    seconds["ML models (pandas)"] = time.monotonic() - started

    ml_tests = _dbt("test", lake, vars_, "--select", ML_MODELS)
    seconds["dbt test (ML models)"] = ml_tests.seconds
    return SparkBuildSummary(
        sql=_brief(sql),
        ml_tests=_brief(ml_tests),
        ml_rows=ml.rows,
        sources=sources,
        steps=seconds,
        seconds=time.monotonic() - begun,
    )


def run_spark_build(
    lake: Path, *, vars_: Mapping[str, Any] | None = None, capture_output: bool = False
) -> SparkBuildSummary:
    """`build_on_spark` in a child process (`python -m mlops_atlas.spark`), so the JVM, its
    memory and its metastore lock end with the build. Raises DbtFailed when it fails."""
    lake = Path(lake).resolve()
    if not lake.is_dir():
        raise FileNotFoundError(f"lake not found: {lake} (load it first with --engine spark)")
    target_dir, _ = lake_dbt_dirs(lake)
    target_dir.mkdir(parents=True, exist_ok=True)
    summary_file = target_dir / "spark_build.json"
    summary_file.unlink(missing_ok=True)
    args = [sys.executable, "-m", "mlops_atlas.spark", str(lake), "--summary", str(summary_file)]
    if vars_:
        args += ["--vars", json.dumps(dict(vars_), default=str)]
    env = {**os.environ, **TELEMETRY_OFF, **spark_environment(lake)}
    completed = subprocess.run(
        args, env=env, cwd=PROJECT_ROOT, check=False, capture_output=capture_output, text=True
    )
    if completed.returncode != 0 or not summary_file.is_file():
        tail = (completed.stdout or "")[-3000:] + (completed.stderr or "")[-3000:]
        raise DbtFailed(
            f"Spark build of {lake} failed (exit {completed.returncode}): "
            + (tail if capture_output else "see the output above")
        )
    return SparkBuildSummary(**json.loads(summary_file.read_text(encoding="utf-8")))
