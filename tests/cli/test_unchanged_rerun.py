"""An unchanged re-run of the main job skips every stage and ends where a cold run ends.

Real files throughout: a copy of the warehouse the main job's stages built from the mirror (with
the stamps they left beside it), the real archive, git histories, dbt project and pages.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from mlops_atlas import pipeline, unchanged
from mlops_atlas.paths import RAW_GIT_DATASET, RAW_GITHUB_DATASET
from tests.cli.commands import run_cli


def _files(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.name != unchanged.RENDER_STAMP
    }


@pytest.fixture(scope="module")
def rerun(mirror: Path, mirror_warehouse: Path, real_site, tmp_path_factory) -> dict:
    """The main job run twice more over a copy of the cold-built warehouse folder."""
    folder = tmp_path_factory.mktemp("rerun") / "warehouse"
    shutil.copytree(mirror_warehouse.parent, folder)
    warehouse = folder / mirror_warehouse.name
    out = folder.parent / "site"
    runs = []
    for _ in range(2):
        stages = pipeline.Stages()
        pipeline.run(
            warehouse, archive=pipeline.DEFAULT_ARCHIVE, mirror=mirror, out=out, stages=stages
        )
        runs.append(dict(stages.seconds))
    return {"warehouse": warehouse, "out": out, "runs": runs}


def test_a_rerun_skips_the_loads_and_the_build(rerun: dict) -> None:
    first, second = rerun["runs"]
    for stages in (first, second):
        names = " | ".join(stages)
        assert "loaded before: skipped" in names and "GitHub activity" not in names
        assert "dbt build (inputs unchanged: skipped)" in stages, names
    assert "reports" in first  # a new reports folder is rendered once
    assert "reports (inputs unchanged: skipped)" in second


def test_a_rerun_ends_where_the_cold_run_ended(
    rerun: dict, mirror_warehouse: Path, real_site
) -> None:
    schemas = (RAW_GITHUB_DATASET, RAW_GIT_DATASET)
    assert unchanged.table_digest(rerun["warehouse"], schemas) == unchanged.table_digest(
        mirror_warehouse, schemas
    )
    assert unchanged.table_digest(rerun["warehouse"]) == unchanged.table_digest(mirror_warehouse)
    cold_site, _ = real_site
    assert _files(rerun["out"]) == _files(cold_site)


def test_a_changed_table_is_noticed(rerun: dict, tmp_path: Path) -> None:
    copy = tmp_path / "w.duckdb"
    shutil.copyfile(rerun["warehouse"], copy)
    before = unchanged.table_digest(copy)
    raw_before = unchanged.table_digest(copy, (RAW_GIT_DATASET,))
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.dim_repositories set stars = stars + 1 where stars is not null")
    assert unchanged.table_digest(copy) != before
    assert unchanged.table_digest(copy, (RAW_GIT_DATASET,)) == raw_before
    with duckdb.connect(str(copy)) as con:
        con.execute(f"update {RAW_GIT_DATASET}.commits set _dlt_load_id = 'another load'")
    assert unchanged.table_digest(copy, (RAW_GIT_DATASET,)) == raw_before  # bookkeeping only
    with duckdb.connect(str(copy)) as con:
        con.execute(f"delete from {RAW_GIT_DATASET}.commits where parents_count = 0")
    assert unchanged.table_digest(copy, (RAW_GIT_DATASET,)) != raw_before


def test_the_stage_commands_say_they_skipped(rerun: dict) -> None:
    """`build` and `report` on their own, over the re-run folder: each says nothing changed
    rather than printing the counts of a run that did not happen."""
    warehouse, out = rerun["warehouse"], rerun["out"]
    built = run_cli("build", "-w", str(warehouse), cwd=warehouse.parent)
    assert built.returncode == 0, built.stderr
    assert "nothing was rebuilt" in " ".join(built.stderr.split())  # the console is stderr
    rendered = run_cli("report", "-w", str(warehouse), "--out", str(out), cwd=warehouse.parent)
    assert rendered.returncode == 0, rendered.stderr
    assert "nothing was rendered" in " ".join(rendered.stderr.split())
