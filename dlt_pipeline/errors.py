"""Errors of the load stage that end a run; each message names what failed and what to do."""

from __future__ import annotations


class LoadFailed(RuntimeError):
    """A load whose source answered nothing. The run is stored as `failed` (raw_github.runs)
    and nothing downstream may start."""
