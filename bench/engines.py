"""Benchmark the two engines on the mirror: each stage of the main job on DuckDB and on Spark,
then the comparison of their tables.

    uv run python bench/engines.py

Runs `pipeline.load`, `pipeline.build` and `pipeline.render` for `--engine duckdb` (one file)
and `--engine spark` (a Parquet lake built on a local Spark session), one after the other in a
temporary folder, and prints seconds per stage (the Spark build also per step), then the
table-by-table comparison (`mlops_atlas.compare`). The two builds are those a user gets: both
run every data test, and the Spark build also runs dbt's unit tests (a few seconds there),
which the DuckDB build leaves to the test suite. Needs the data mirror and Java 17+. Close
other heavy work first: the machine has two cores.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from mlops_atlas import pipeline
from mlops_atlas.compare import compare_warehouses, comparison_table
from mlops_atlas.paths import mirror_root


def run_engine(engine: str, folder: Path) -> tuple[Path, dict[str, float], object]:
    warehouse = folder / ("atlas.duckdb" if engine == "duckdb" else "lake")
    stages = pipeline.Stages()
    pipeline.load(warehouse, archive=pipeline.DEFAULT_ARCHIVE, stages=stages, engine=engine)
    built = pipeline.build(warehouse, stages=stages, engine=engine)
    pipeline.render(warehouse, folder / f"site-{engine}", stages=stages)
    return warehouse, stages.seconds, built


def main() -> int:
    if mirror_root() is None:
        print("no data mirror: set ATLAS_MIRROR", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        results = {engine: run_engine(engine, Path(tmp)) for engine in pipeline.ENGINES}
        print("| stage | " + " | ".join(pipeline.ENGINES) + " |")
        print("| --- |" + " ---: |" * len(pipeline.ENGINES))
        names = [
            ("load: GitHub discovery", "GitHub discovery"),
            ("load: GitHub activity", "GitHub activity"),
            ("load: git histories", "git histories"),
            ("dbt build (models, ML, tests)", "dbt build"),
            ("reports", "reports"),
        ]
        for label, prefix in names:
            cells = []
            for engine in pipeline.ENGINES:
                seconds = results[engine][1]
                found = [v for k, v in seconds.items() if k.startswith(prefix)]
                cells.append(f"{sum(found):.1f}" if found else "-")
            print(f"| {label} | " + " | ".join(cells) + " |")
        totals = [f"{sum(results[e][1].values()):.1f}" for e in pipeline.ENGINES]
        print("| total | " + " | ".join(totals) + " |")
        print("\nSpark build steps (seconds):")
        for step, seconds in results["spark"][2].steps.items():
            print(f"- {step}: {seconds:.1f}")
        print()
        diffs = compare_warehouses(results["duckdb"][0], results["spark"][0])
        print(comparison_table(diffs))
        print(f"\n{sum(d.identical for d in diffs)} of {len(diffs)} tables identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
