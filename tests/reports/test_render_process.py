"""What a render process loads: a worker is a fresh Python, so every module it imports is paid
again in each one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mlops_atlas.paths import PROJECT_ROOT
from tests.reports.conftest import FIXTURES

RENDER = """
import json, sys
from pathlib import Path
from mlops_atlas.render import render_site
fixtures, warehouse, out = map(Path, sys.argv[1:4])
log = []
render_site(fixtures / "pages", warehouse, out / "site", sql_log=log, data_schemas=("marts",))
render_site(
    fixtures / "filters" / "pages", warehouse, out / "filters",
    sources_dir=fixtures / "sources", sql_log=log, markdown_pages=("explorer",),
)
print(json.dumps({
    "pandas": "pandas" in sys.modules,
    "keyed": sum("__atlas_key" in sql for sql in log),
    "filtered": 'class="atlas-filter"' in (out / "filters" / "explorer" / "index.html").read_text(),
    "exported": sorted(p.name for p in (out / "site" / "data").rglob("*.parquet")),
}))
"""


def test_a_render_imports_no_pandas(warehouse: Path, tmp_path: Path) -> None:
    """DuckDB's Python client imports pandas (about half a second) at a process's first bound
    parameter; the renderer's statements, its lookups' and row filters' parses and the data
    export among them, take their text as literals."""
    done = subprocess.run(
        [sys.executable, "-c", RENDER, str(FIXTURES), str(warehouse), str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # the paths that parse SQL in DuckDB ran: a lookup keyed, the explorer's filter checked
    assert found["keyed"] >= 1 and found["filtered"]
    assert found["exported"], "no table was exported"
    assert found["pandas"] is False
