"""The dbt exposures name exactly the tables the report pages read.

Pages read `warehouse.<source>`; each source is `reports/sources/warehouse/<source>.sql`, which
selects from warehouse relations (most from one; a few join several, made once in each DuckDB
session of the renderer so a page per repository looks up one row). A relation's table name is
the dbt node's name, so the set of names reached from the paper (index.md) and from the
dashboard (every other page) must equal the `depends_on` of the `paper` and `dashboard`
exposures.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from mlops_atlas.checks import relations_read
from mlops_atlas.paths import DBT_PROJECT_DIR, REPORTS_DIR

PAGES = REPORTS_DIR / "pages"
SOURCES = REPORTS_DIR / "sources" / "warehouse"
SOURCE_USE = re.compile(r"\bwarehouse\.([a-z_0-9]+)\b")
REF = re.compile(r"ref\('([a-z_0-9]+)'\)")


def _tables_read(pages: list[Path]) -> set[str]:
    tables = set()
    for page in pages:
        for source in SOURCE_USE.findall(page.read_text(encoding="utf-8")):
            sql = SOURCES / f"{source}.sql"
            assert sql.is_file(), f"{page.relative_to(PAGES)} reads warehouse.{source}: no {sql}"
            relations = relations_read(sql.read_text(encoding="utf-8"))
            assert relations, f"{sql} reads no warehouse relation"
            tables.update(relation.split(".")[1] for relation in relations)
    return tables


def _exposures() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for exposure in yaml.safe_load(path.read_text(encoding="utf-8")).get("exposures") or []:
            found[exposure["name"]] = set(REF.findall(" ".join(exposure["depends_on"])))
    return found


@pytest.mark.parametrize("exposure", ["paper", "dashboard"])
def test_exposure_depends_on_the_tables_its_pages_read(exposure: str) -> None:
    paper = PAGES / "index.md"
    pages = [paper] if exposure == "paper" else [p for p in PAGES.rglob("*.md") if p != paper]
    assert len(pages) >= (1 if exposure == "paper" else 6)
    read = _tables_read(pages)
    declared = _exposures()[exposure]
    assert read == declared, (
        f"exposure {exposure}: missing {sorted(read - declared)}, unused {sorted(declared - read)}"
    )
