"""The same warehouse on Spark: the mirror's data loaded as a Parquet lake, built on a local
Spark session (dbt-spark, session method) with every dbt test, the ML tables computed by the
dbt Python models' own code, then compared table by table with the DuckDB build of the same
data, and rendered into the same report pages.

Needs Java 17+ (`.ci/run` installs it): skipped without Java on a developer's machine, failed
without it in CI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from mlops_atlas import pipeline
from mlops_atlas.compare import compare_warehouses, comparison_table
from mlops_atlas.lake import lake_tables

# The first test builds the lake and the Spark warehouse (its fixture's time counts against it):
# minutes on two cores, well past the suite's default limit per test.
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def spark_lake(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The mirror loaded as a lake and built on Spark: (lake folder, SparkBuildSummary)."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        if os.environ.get("CI"):
            pytest.fail("Java is not installed: .ci/run installs it for the Spark build")
        pytest.skip("Java 17+ is needed for the Spark build")
    lake = tmp_path_factory.mktemp("spark") / "lake"
    pipeline.load(lake, archive=pipeline.DEFAULT_ARCHIVE, mirror=mirror, engine="spark")
    summary = pipeline.build(lake, engine="spark")
    return lake, summary


def test_every_dbt_test_passed_on_spark(spark_lake: tuple[Path, object]) -> None:
    _, summary = spark_lake
    # dbt's own counts, read from its run results: nothing failed or warned, and the ML tables'
    # tests all ran (a selection that matched nothing would pass vacuously)
    for run in (summary.sql, summary.ml_tests):
        assert run["failed"] == 0 and run["warned"] == 0
    assert summary.sql["passed"] > 0
    assert summary.ml_tests["nodes"] > 0
    assert summary.ml_tests["passed"] == summary.ml_tests["nodes"]
    assert summary.sources > 0


#: Tables keyed by an author's salted hash: each warehouse has its own salt (README, knob
#: `sources.git.identity_salt`), so their keys differ by design and they match on rows and sums.
SALTED_KEYS = {"marts.fct_repository_authors"}


def _same_but_salted(diff) -> bool:
    return (
        diff.table in SALTED_KEYS
        and diff.rows_a == diff.rows_b
        and diff.only_in_a == diff.only_in_b == diff.rows_a
        and not diff.sums_differing
        and not diff.columns_only_in_a
        and not diff.columns_only_in_b
    )


def test_spark_tables_equal_the_duckdb_build(
    spark_lake: tuple[Path, object], mirror_warehouse: Path
) -> None:
    lake, summary = spark_lake
    diffs = compare_warehouses(mirror_warehouse, lake)
    with duckdb.connect(str(mirror_warehouse), read_only=True) as con:
        expected = {
            f"{s}.{t}"
            for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where schema_name in ('marts', 'ml')"
            ).fetchall()
        }
    assert {d.table for d in diffs} == expected
    assert {f"ml.{name}" for name in summary.ml_rows} == {t for t in expected if t[:3] == "ml."}
    different = [d for d in diffs if not d.identical and not _same_but_salted(d)]
    assert not different, "Spark differs from DuckDB:\n" + comparison_table(different)
    assert all(d.key for d in diffs), "every table is compared row by row on its key"


def test_the_lake_holds_the_raw_and_built_tables(spark_lake: tuple[Path, object]) -> None:
    lake, _ = spark_lake
    schemas = {schema for schema, _ in lake_tables(lake)}
    assert {"raw_github", "raw_git", "marts", "ml", "reference"} <= schemas


def test_the_report_renders_the_same_from_spark(
    spark_lake: tuple[Path, object], real_site: tuple[Path, object], tmp_path: Path
) -> None:
    lake, _ = spark_lake
    duckdb_out, duckdb_render = real_site
    out = tmp_path / "site"
    summary = pipeline.render(lake, out)
    pages = sorted(p.relative_to(out) for p in summary.pages)
    assert pages and pages == sorted(p.relative_to(duckdb_out) for p in duckdb_render.pages)
    paper = "markdown/index.md"
    assert (tmp_path / "site" / paper).read_text(encoding="utf-8") == (
        duckdb_out / paper
    ).read_text(encoding="utf-8")
