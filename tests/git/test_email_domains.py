"""Author e-mail domains: kept for organisations, dropped for people, bots and placeholders, and
the address never stored."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dlt_pipeline.git.email_domains import (
    PERSONAL_DOMAINS,
    is_personal_domain,
    organisation_domain,
)
from dlt_pipeline.git.load import load_git_histories
from tests.git.gitrepo import commit, init_repo, write_manifest


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("Jane.Doe@Acme-Corp.IO", "acme-corp.io"),
        ("dev@research.stanford.edu", "research.stanford.edu"),
        ("jane@gmail.com", None),
        ("jane@yahoo.co.uk", None),
        ("jane@outlook.com.br", None),
        ("jane@iki.fi", None),
        ("12345+jane@users.noreply.github.com", None),
        ("49699333+dependabot[bot]@users.noreply.github.com", None),
        ("action@github.com", None),
        ("noreply@github.com", None),
        ("release-bot@acme-corp.io", None),
        ("root@localhost", None),
        ("me@laptop.local", None),
        ("me@sub.example.org", None),
        ("me@10.0.0.1", None),
        ("not an address", None),
        ("@acme-corp.io", None),
        ("jane@myexample.com", "myexample.com"),
        ("jane@live.sap.com", "live.sap.com"),
    ],
)
def test_organisation_domain(email: str, domain: str | None) -> None:
    assert organisation_domain(email) == domain


def test_personal_domains_are_lower_case_domains() -> None:
    assert all(d == d.lower() and "." in d and "@" not in d for d in PERSONAL_DOMAINS)
    assert all(is_personal_domain(d) for d in PERSONAL_DOMAINS)
    assert is_personal_domain("hotmail.fr") and not is_personal_domain("hotmail-corp.com")


def test_the_loader_keeps_organisation_domains_only(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror" / "git"
    repo = init_repo(mirror / "acme__tool")
    authors = {
        "company": "Jane.Doe@Acme-Corp.io",
        "personal": "john.private@gmail.com",
        "noreply": "777+someone@users.noreply.github.com",
        "bot": "49699333+dependabot[bot]@users.noreply.github.com",
    }
    for i, (message, email) in enumerate(authors.items()):
        commit(repo, message, f"2021-0{i + 1}-01T00:00:00+00:00", author_email=email)
    write_manifest(mirror, [{"requested_full_name": "acme/tool", "dir_name": "acme__tool"}])
    warehouse = tmp_path / "w.duckdb"
    load_git_histories(
        warehouse, mirror=mirror.parent, pipelines_dir=tmp_path / "p", progress=False
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        domains = [
            r[0] for r in con.execute("select author_domain from raw_git.commits").fetchall()
        ]
        authors_seen = con.execute(
            "select count(distinct author_id) from raw_git.commits"
        ).fetchone()
    # one domain kept (the company's), three dropped; four distinct hashed authors
    assert sorted(domains, key=str) == [None, None, None, "acme-corp.io"]
    assert authors_seen == (4,)
    raw = warehouse.read_bytes().lower()
    for email in authors.values():
        assert email.lower().encode() not in raw
        assert email.lower().split("@")[0].encode() not in raw
    assert b"gmail.com" not in raw and b"noreply.github.com" not in raw
