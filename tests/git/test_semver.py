"""Tag names -> versions, following the rules in dlt_pipeline/git/semver.py."""

from __future__ import annotations

import pytest

from dlt_pipeline.git.semver import TagVersion, parse_tag_version


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("v1.2.3", TagVersion(True, 1, 2, 3, None)),
        ("1.2.3-rc1", TagVersion(True, 1, 2, 3, "rc1")),
        ("0.9.0+build.5", TagVersion(True, 0, 9, 0, None)),
        ("v2.5.0-rc.3", TagVersion(True, 2, 5, 0, "rc.3")),
        ("release-1.2", TagVersion(False, 1, 2, 0, None)),
        ("sdk/v0.3.1", TagVersion(False, 0, 3, 1, None)),
        ("v1.2", TagVersion(False, 1, 2, 0, None)),
        ("1.2.3rc1", TagVersion(False, 1, 2, 3, "rc1")),
        ("v.0.1.0", TagVersion(False, 0, 1, 0, None)),
        ("1.2.0.dev3", TagVersion(False, 1, 2, 0, "dev3")),
        ("latest", TagVersion(False)),
        ("nightly-2023-01-01", TagVersion(False)),
        ("1", TagVersion(False)),
        ("1.2.3.4", TagVersion(False)),
        ("01.2.3", TagVersion(False, 1, 2, 3, None)),
    ],
)
def test_tag_versions(tag: str, expected: TagVersion) -> None:
    assert parse_tag_version(tag) == expected
