"""Helpers shared by the GitHub tests: the test token and read-only warehouse queries."""

from __future__ import annotations

from pathlib import Path

import duckdb

#: Credential-like, so the scrubbing that guards real tokens applies to it.
TOKEN = "ghp_fake_token_for_tests_0001"


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()
