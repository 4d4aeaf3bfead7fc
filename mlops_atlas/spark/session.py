"""The Spark session the build runs in, configured from the `spark` target of profiles.yml.

dbt's session method creates its session with `SparkSession.builder...getOrCreate()`; starting
ours first with the same parameters (read from the profile, one place) means dbt and the ML step
share one JVM. The JVM's own settings must be in the environment before it starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

from mlops_atlas.paths import PROJECT_ROOT

PROFILES_FILE = PROJECT_ROOT / "profiles.yml"
PROFILE = "mlops_atlas"
#: The dbt target of the Spark engine.
SPARK_TARGET = "spark"
#: The environment variable naming the lake folder (profiles.yml reads it).
LAKE_VARIABLE = "ATLAS_LAKE"

#: The JVM's settings, read when it starts: loopback only, and a heap for the marts' joins
#: (the default ran out).
JVM_ENVIRONMENT: dict[str, str] = {
    "SPARK_LOCAL_IP": "127.0.0.1",
    "PYSPARK_SUBMIT_ARGS": "--driver-memory 4g pyspark-shell",
}


def spark_environment(lake: Path) -> dict[str, str]:
    """Variables a process needs before it starts Spark on `lake`."""
    return {**JVM_ENVIRONMENT, LAKE_VARIABLE: str(Path(lake).resolve())}


def session_parameters(lake: Path, profiles: Path = PROFILES_FILE) -> dict[str, str]:
    """The `server_side_parameters` of the profile's spark target, rendered for `lake` (its
    `env_var()` calls answered as dbt answers them), plus what dbt-spark adds itself."""
    environment = {**os.environ, LAKE_VARIABLE: str(Path(lake).resolve())}

    def env_var(name: str, default: str | None = None) -> str:
        if name in environment:
            return environment[name]
        if default is None:
            raise KeyError(f"{profiles}: env_var {name!r} is not set")
        return default

    outputs = yaml.safe_load(profiles.read_text(encoding="utf-8"))[PROFILE]["outputs"]
    raw: Mapping[str, Any] = outputs[SPARK_TARGET].get("server_side_parameters", {})
    render = jinja2.Environment(undefined=jinja2.StrictUndefined)
    params = {
        str(key): render.from_string(str(value)).render(env_var=env_var)
        for key, value in raw.items()
    }
    # dbt-spark forces this on every session it configures (see its SparkCredentials).
    params["spark.sql.ansi.enabled"] = "false"
    return params


def start_session(lake: Path) -> Any:
    """The Spark session for `lake` (created once per process, with Hive's metastore as dbt's)."""
    from pyspark.sql import SparkSession

    os.environ.update(spark_environment(lake))
    (Path(lake) / "_spark").mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in session_parameters(lake).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # dbt-spark asks for the session again on every query, and Spark warns each time that one
    # exists: errors only
    spark.sparkContext.setLogLevel("ERROR")
    return spark
