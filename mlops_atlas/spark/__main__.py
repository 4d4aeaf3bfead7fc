"""`python -m mlops_atlas.spark LAKE [--vars JSON] [--summary FILE]`: one Spark build in this
process (`build.build_on_spark`), its summary written as JSON to FILE. `mlops_atlas.pipeline`
runs it as a child process, so the JVM ends with the build."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mlops_atlas.environment import prepare_process
from mlops_atlas.spark.build import build_on_spark


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m mlops_atlas.spark")
    parser.add_argument("lake", type=Path)
    parser.add_argument("--vars", default=None, help="dbt vars as JSON")
    parser.add_argument("--summary", type=Path, default=None)
    args = parser.parse_args()
    prepare_process()
    summary = build_on_spark(args.lake, vars_=json.loads(args.vars) if args.vars else None)
    if args.summary is not None:
        args.summary.write_text(json.dumps(summary.to_json(), indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
