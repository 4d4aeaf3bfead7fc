"""What the command line tells a user when something they can cause goes wrong: one or two
lines naming what failed (file, URL, repository, lock) and what to do, never a traceback
unless asked for (`--verbose`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

#: At most this many failing dbt nodes are named; the rest are counted.
MAX_NODES_NAMED = 5

_LOCK = re.compile(
    r"Could not set lock on file \"?([^\":]+)\"?: Conflicting lock is held in (.+?)(?:\. See also|$)"
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and its causes, outermost first (dlt wraps the project's own errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _known_types() -> tuple[type[BaseException], ...]:
    from dlt_pipeline.errors import LoadFailed
    from dlt_pipeline.git.manifest import ManifestError
    from dlt_pipeline.github.archive import ArchiveError
    from dlt_pipeline.github.client import GitHubError, SourceUnreachable
    from dlt_pipeline.github.settings import SettingsError
    from dlt_pipeline.runs import RunNotFound
    from mlops_atlas.checks import CheckFailed
    from mlops_atlas.render.errors import RenderError
    from mlops_atlas.render.site import OutDirNotReplaceable
    from mlops_atlas.sql import QueryError

    return (
        ArchiveError,
        CheckFailed,
        GitHubError,
        LoadFailed,
        ManifestError,
        OutDirNotReplaceable,
        QueryError,
        RenderError,
        RunNotFound,
        SettingsError,
        SourceUnreachable,
    )


def _dbt_message(exc: BaseException, warehouse: Path | None) -> str:
    from mlops_atlas.paths import dbt_logs_for

    text = str(exc)
    head, _, nodes = text.partition(": ")
    names = [n.strip() for n in nodes.split("\n")[0].split(",") if n.strip()]
    if len(names) > MAX_NODES_NAMED:
        shown = ", ".join(names[:MAX_NODES_NAMED]) + f" and {len(names) - MAX_NODES_NAMED} more"
    else:
        shown = ", ".join(names) or "see dbt's output"
    logs = f"; dbt's log: {dbt_logs_for(warehouse) / 'dbt.log'}" if warehouse else ""
    return f"{head}: {shown}{logs}"


def user_message(exc: BaseException, warehouse: Path | None = None) -> str | None:
    """The line to show for an error a user can cause, or None for an unexpected one."""
    from mlops_atlas.dbt_runner import DbtFailed

    known = _known_types()
    for link in _chain(exc):
        if isinstance(link, DbtFailed):
            return _dbt_message(link, warehouse)
        if isinstance(link, known):
            return str(link).strip().splitlines()[0]
        lock = _LOCK.search(str(link))
        if lock:
            return (
                f"warehouse {lock.group(1)} is in use by another process ({lock.group(2)}): "
                "wait for it to finish, or give another --warehouse"
            )
    return None
