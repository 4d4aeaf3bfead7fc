"""Skip a stage whose inputs are those of its last successful run: an unchanged re-run.

Each stage that can be skipped has a key, a SHA-256 of everything its result is made from, and a
stamp written after it last succeeded. A stage runs again as soon as any part of its key
differs, so a skipped stage leaves exactly what running it would leave:

- the replay of an archive: the archive's files, the mirror's README texts, the loader's code
  and settings (and the warehouse must still hold that run, complete);
- `dbt build`: the content of every raw table (row hashes, not load ids), the dbt project, the
  ML code and labels, the vars, the versions of the libraries; and the content of every table
  the build wrote must be what it was when the stamp was written (a hand-run dbt, or any other
  change to the marts, builds again);
- the reports: the content of every built table the pages can read, the pages, their sources
  and the renderer's code, and the folder they were written to.

Stamps live beside the warehouse (`stamps/`), the dbt stamp in dbt's target folder, the reports'
in the reports folder; deleting a stamp runs its stage again. The Spark engine's lake is never
skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from mlops_atlas.paths import (
    DBT_PROJECT_DIR,
    DLT_CONFIG_FILE,
    PROJECT_ROOT,
    RAW_GIT_DATASET,
    RAW_GITHUB_DATASET,
)

#: The stamp file of each stage.
REPLAY_STAMP = "replay.json"
BUILD_STAMP = "atlas_build_inputs.json"
RENDER_STAMP = ".atlas-inputs.json"

#: Schemas the loaders write (their contents are the build's input), and those the build
#: writes (its output).
RAW_SCHEMAS = (RAW_GITHUB_DATASET, RAW_GIT_DATASET)
#: Columns that say when or by which load a row was written, not what it holds.
BOOKKEEPING_COLUMNS = ("_dlt_load_id", "_dlt_id")
#: Libraries whose version can change what a build computes.
BUILD_LIBRARIES = ("dbt-core", "dbt-duckdb", "duckdb", "scikit-learn", "pandas", "numpy", "scipy")
#: Folders skipped in code trees (dbt's own outputs, caches).
_NOT_CODE = {"target", "logs", "dbt_packages", "__pycache__", "node_modules", ".venv"}


def stamps_dir(warehouse: Path) -> Path:
    """Where the stamps of the stages that read a warehouse live: beside it."""
    return Path(warehouse).parent / "stamps" / Path(warehouse).stem


def tree_digest(*roots: Path) -> str:
    """SHA-256 of every file under `roots` (path and content), caches and build outputs left out."""
    digest = hashlib.sha256()
    for root in roots:
        root = Path(root)
        files = [root] if root.is_file() else sorted(_files(root))
        for file in files:
            digest.update(f"\x00{file.relative_to(root.parent)}\x00".encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _files(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        return
    for path in root.iterdir():
        if path.name in _NOT_CODE or path.name.startswith("."):
            continue
        if path.is_dir():
            yield from _files(path)
        elif path.is_file():
            yield path


def key(*parts: Any) -> str:
    """SHA-256 of the parts as canonical JSON."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def table_digest(warehouse: Path, schemas: Iterable[str] | None = None) -> str | None:
    """SHA-256 of the content of every table in `schemas` (every schema but the raw ones when
    None; views are made from tables): per table its row count and the sum of its rows' hashes,
    bookkeeping columns left out, so the same rows loaded again give the same digest. None for
    a lake or no warehouse. Remembered while the file is unchanged (one run asks twice)."""
    warehouse = Path(warehouse)
    if not warehouse.is_file():
        return None
    stat = warehouse.stat()
    memo_key = (str(warehouse.resolve()), stat.st_mtime_ns, stat.st_size, tuple(schemas or ()))
    if memo_key not in _digests:
        if len(_digests) > 8:
            _digests.clear()
        _digests[memo_key] = _table_digest(warehouse, schemas)
    return _digests[memo_key]


_digests: dict[tuple, str] = {}


def _table_digest(warehouse: Path, schemas: Iterable[str] | None) -> str:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        listed = con.execute(
            "select c.table_schema, c.table_name, list(c.column_name order by c.ordinal_position) "
            "from information_schema.columns as c inner join information_schema.tables as t "
            "on c.table_catalog = t.table_catalog and c.table_schema = t.table_schema "
            "and c.table_name = t.table_name "
            "where t.table_type = 'BASE TABLE' and c.table_catalog = current_database() "
            "group by all order by all"
        ).fetchall()
        parts = []
        for schema, table, columns in listed:
            chosen = schema in schemas if schemas is not None else schema not in RAW_SCHEMAS
            if not chosen or schema.endswith("_staging") or table.startswith("_dlt_"):
                continue
            kept = [c for c in columns if c not in BOOKKEEPING_COLUMNS]
            if not kept:
                continue
            hashed = ", ".join(_quote(c) for c in kept)
            count, total = con.execute(
                f"select count(*), coalesce(sum(hash({hashed})::hugeint), 0)::varchar "
                f"from {_quote(schema)}.{_quote(table)}"
            ).fetchone()
            parts.append((schema, table, kept, count, total))
    return key(parts)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_stamp(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_stamp(path: Path, stamp: dict[str, Any]) -> None:
    """Write a stamp whole (a temporary file renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(stamp, sort_keys=True, indent=1), encoding="utf-8")
    partial.replace(path)


def replay_key(archive_folder: Path, readmes: Path | None) -> str:
    """What replaying an archive loads: its files, the README texts, the loader and its settings."""
    return key(
        tree_digest(archive_folder),
        tree_digest(readmes) if readmes is not None and readmes.is_file() else None,
        tree_digest(PROJECT_ROOT / "dlt_pipeline"),
        tree_digest(DLT_CONFIG_FILE) if DLT_CONFIG_FILE.is_file() else None,
    )


def build_key(warehouse: Path, vars_: dict[str, Any] | None) -> str | None:
    """What `dbt build` computes from; None when it cannot be told (a lake)."""
    raw = table_digest(warehouse, RAW_SCHEMAS)
    if raw is None:
        return None
    versions = {name: _version(name) for name in BUILD_LIBRARIES}
    return key(raw, project_digest(), vars_ or {}, versions)


def project_digest(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """The files a dbt build runs: the dbt project, the ML code its models call, the profile."""
    return tree_digest(project_dir, PROJECT_ROOT / "ml", PROJECT_ROOT / "profiles.yml")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def render_key(
    warehouse: Path, pages: Path, sources: Path, out: Path, manifest: Path | None = None
) -> str | None:
    """What the reports are made from (the data README's descriptions come from `manifest`);
    None when it cannot be told (a lake)."""
    built = table_digest(warehouse)
    if built is None:
        return None
    documented = [manifest] if manifest is not None and manifest.is_file() else []
    return key(
        built,
        tree_digest(pages, sources, PROJECT_ROOT / "mlops_atlas" / "render", *documented),
        str(Path(out).resolve()),
    )


class ReplayCheck:
    """Whether replaying `archive` into `warehouse` would load what it loaded last time."""

    def __init__(self, warehouse: Path, archive: str, mirror: Path | None) -> None:
        from dlt_pipeline.github.named_archives import resolve_archive
        from dlt_pipeline.github.readmes import MIRROR_FILE

        self.warehouse = Path(warehouse)
        self.stamp = stamps_dir(warehouse) / REPLAY_STAMP
        folder, _ = resolve_archive(archive)
        self.key = replay_key(folder, mirror / MIRROR_FILE if mirror is not None else None)

    def loaded_before(self) -> Any:
        """The summary of the replay already in the warehouse, or None when it must run."""
        from dlt_pipeline.github.load import GitHubLoadSummary
        from dlt_pipeline.github.source import TABLES
        from dlt_pipeline.warehouse import count_rows, run_outcome

        stamp = read_stamp(self.stamp)
        if stamp is None or stamp.get("key") != self.key or not self.warehouse.is_file():
            return None
        run_id = stamp["run_id"]
        try:
            if run_outcome(self.warehouse, run_id)["status"] != "complete":
                return None
        except (LookupError, duckdb.Error):
            return None
        return GitHubLoadSummary(
            run_id=run_id,
            mode="replay",
            archive=stamp["archive"],
            status="complete",
            requests=0,
            replayed=0,
            rate_limit_remaining={},
            rows=count_rows(self.warehouse, RAW_GITHUB_DATASET, [*TABLES, "runs"], run_id),
            seconds=0.0,
        )

    def done(self, github: Any) -> None:
        """Record a replay that completed; forget any other."""
        self.stamp.unlink(missing_ok=True)
        if github.status == "complete":
            stamp = {"key": self.key, "run_id": github.run_id, "archive": github.archive}
            write_stamp(self.stamp, stamp)
