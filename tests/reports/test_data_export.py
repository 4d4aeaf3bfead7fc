"""The data a reader takes away: the marts and model tables as Parquet beside the pages, with a
README of their columns from dbt's docs, readable by DuckDB without the warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from mlops_atlas.paths import dbt_manifest_for
from mlops_atlas.render import render_site
from mlops_atlas.render.data_export import DATA_DIR, DATA_SCHEMAS
from tests.reports.conftest import FIXTURES


def _tables(warehouse: Path) -> dict[str, int]:
    """`schema.table` -> rows, for every table and view of the published schemas."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in (select unnest(?::varchar[]))",
            [list(DATA_SCHEMAS)],
        ).fetchall()
        return {n: con.execute(f"select count(*) from {n}").fetchone()[0] for (n,) in names}


def test_the_real_site_carries_every_mart_and_model_table(
    real_site, mirror_warehouse: Path
) -> None:
    out, summary = real_site
    data = out / DATA_DIR
    expected = _tables(mirror_warehouse)
    assert {f"{t.schema}.{t.name}" for t in summary.data_tables} == set(expected)
    files = {p.relative_to(data).as_posix() for p in data.rglob("*.parquet")}
    assert files == {f"{n.replace('.', '/')}.parquet" for n in expected}
    # Read back by a fresh DuckDB session that knows no warehouse: the same rows and columns.
    con = duckdb.connect()
    with duckdb.connect(str(mirror_warehouse), read_only=True) as wh:
        for name, rows in expected.items():
            path = data / f"{name.replace('.', '/')}.parquet"
            assert con.execute(f"select count(*) from '{path}'").fetchone()[0] == rows, name
            got = [d[0] for d in con.execute(f"select * from '{path}' limit 0").description]
            want = [d[0] for d in wh.execute(f"select * from {name} limit 0").description]
            assert got == want, name
    # A join across two files answers as the warehouse does.
    joined = (
        "select count(*) from {m} as m inner join {r} as r using (repository_id)"
        " where r.stars >= 100 and m.evidence_level = 'search + git'"
    )
    files = {
        "m": f"read_parquet('{data / 'ml' / 'ml_maturity.parquet'}')",
        "r": f"read_parquet('{data / 'marts' / 'dim_repositories.parquet'}')",
    }
    with duckdb.connect(str(mirror_warehouse), read_only=True) as wh:
        want = wh.execute(joined.format(m="ml.ml_maturity", r="marts.dim_repositories")).fetchone()
    assert want[0] > 0
    assert con.execute(joined.format(**files)).fetchone() == want


def test_the_readme_documents_each_column_from_the_manifest(
    real_site, mirror_warehouse: Path
) -> None:
    out, summary = real_site
    readme = (out / DATA_DIR / "README.md").read_text(encoding="utf-8")
    nodes = json.loads(dbt_manifest_for(mirror_warehouse).read_text(encoding="utf-8"))["nodes"]
    documented = {
        (n["schema"], n["alias"]): n for n in nodes.values() if n["resource_type"] == "model"
    }
    for table in summary.data_tables:
        section = readme.split(f"## {table.schema}.{table.name}\n", 1)[1].split("\n## ", 1)[0]
        assert f"`{table.file}`, {table.rows:,} rows." in section
        node = documented[(table.schema, table.name)]
        assert " ".join(node["description"].split()).replace("|", "\\|") in section
        rows = re.findall(r"^\| `([^`]+)` \| ([^|]+) \| (.*) \|$", section, flags=re.M)
        assert [c for c, _, _ in rows] == [c for c, _, _ in table.columns]
        for column, _, text in rows:
            want = node["columns"].get(column, {}).get("description", "")
            assert text == " ".join(want.split()).replace("|", "\\|"), (table.name, column)


def test_no_schemas_no_data_folder(warehouse: Path, tmp_path: Path) -> None:
    render_site(FIXTURES / "pages", warehouse, tmp_path / "site")
    assert not (tmp_path / "site" / DATA_DIR).exists()


def test_without_a_manifest_the_tables_are_written_and_marked_undocumented(
    warehouse: Path, tmp_path: Path
) -> None:
    summary = render_site(
        FIXTURES / "pages",
        warehouse,
        tmp_path / "site",
        data_schemas=("marts",),
        manifest=tmp_path / "missing" / "manifest.json",
    )
    data = tmp_path / "site" / DATA_DIR
    assert {t.name for t in summary.data_tables} == set(
        p.stem for p in (data / "marts").glob("*.parquet")
    )
    assert {t.name for t in summary.data_tables} >= {"dim_repositories", "repository_facets"}
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "No dbt manifest was found" in readme
    with duckdb.connect(str(warehouse), read_only=True) as con:
        want = con.execute("select count(*) from marts.repository_facets").fetchone()[0]
    assert f"`marts/repository_facets.parquet`, {want:,} rows. (not documented)" in readme
