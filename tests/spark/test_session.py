"""The Spark session is configured from profiles.yml's spark target, rendered for one lake, so
the ML step's session and dbt's are the same, and everything Spark keeps stays in the lake."""

from __future__ import annotations

from pathlib import Path

from mlops_atlas.spark.session import LAKE_VARIABLE, session_parameters, spark_environment
from mlops_atlas.spark.sources import source_statements


def test_the_session_keeps_its_state_in_the_lake_and_runs_in_utc(tmp_path: Path) -> None:
    lake = (tmp_path / "lake").resolve()
    params = session_parameters(lake)
    assert params["spark.sql.warehouse.dir"] == str(lake)
    assert f"-Dderby.system.home={lake}/_spark" in params["spark.driver.extraJavaOptions"]
    assert (
        f"databaseName={lake}/_spark/metastore_db"
        in params["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert params["spark.sql.session.timeZone"] == "UTC"
    assert params["spark.ui.enabled"] == "false"
    assert params["spark.master"] == "local[2]"
    assert params["spark.driver.bindAddress"] == "127.0.0.1"
    assert params["spark.sql.ansi.enabled"] == "false"  # as dbt-spark sets it
    assert not any("{{" in value for value in params.values())
    env = spark_environment(lake)
    assert env[LAKE_VARIABLE] == str(lake) and env["SPARK_LOCAL_IP"] == "127.0.0.1"


def test_source_statements_register_only_the_raw_tables_of_a_lake(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    for folder in (
        "raw_github/runs",
        "raw_git/commits",
        "marts.db/dim_owners",
        "raw_git/_dlt_loads",
    ):
        (lake / folder).mkdir(parents=True)
        (lake / folder / "part-0.parquet").write_bytes(b"")
    (lake / "raw_github" / "empty").mkdir()
    statements = source_statements(lake)
    created = [s for s in statements if s.startswith("create table")]
    assert len(created) == 2
    assert any(
        s.startswith("create table raw_git.commits using parquet location '") for s in created
    )
    assert any(s.startswith("create table raw_github.runs ") for s in created)
