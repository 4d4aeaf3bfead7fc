"""Read a version out of a tag name (pure logic, no git).

Rules (documented here because downstream release counts depend on them):

1. **Strict SemVer** (`is_semver = True`): the whole name is `MAJOR.MINOR.PATCH`, optionally
   prefixed by one `v`/`V` and followed by `-PRERELEASE` and/or `+BUILD` as in SemVer 2.0.0,
   e.g. `v1.2.3`, `1.2.3-rc1`, `0.9.0+build.5`.
2. **Version-like** (`is_semver = False`, numbers still filled): a name that ends in a version
   (optionally `v`/`v.` first) after a prefix that ends with `-`, `_`, `/` or `@`
   (`release-1.2`, `sdk/v0.3.1`, `mlflow@2.0.1`), a two-part version (`v1.2` -> patch 0),
   or a PEP 440 style pre-release glued on (`1.2.3rc1`, `1.2.0.dev3`, `1.2b1`
   -> prerelease `rc1`, `dev3`, `b1`).
3. Anything else (`latest`, `nightly-2023-01-01`, `1`, four-part `1.2.3.4`): all NULL.

`semver_prerelease` is NULL for a final release. Build metadata is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_STRICT = re.compile(
    r"^[vV]?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)
_LENIENT = re.compile(
    r"^(?:[A-Za-z][\w.-]*?[-_/@])?(?:[vV]\.?)?(\d+)\.(\d+)(?:\.(\d+))?"
    r"(?:[-.]?((?:a|b|c|rc|alpha|beta|pre|preview|dev|post)(?:[.-]?[0-9A-Za-z]+)*))?$"
)


@dataclass(frozen=True)
class TagVersion:
    """The version read from a tag; all numbers None when the tag is not version-like."""

    is_semver: bool
    major: int | None = None
    minor: int | None = None
    patch: int | None = None
    prerelease: str | None = None


NOT_A_VERSION = TagVersion(is_semver=False)


def parse_tag_version(tag_name: str) -> TagVersion:
    """Apply the module's rules to one tag name (untrusted text from git)."""
    m = _STRICT.match(tag_name)
    if m:
        return TagVersion(True, int(m[1]), int(m[2]), int(m[3]), m[4] or None)
    m = _LENIENT.match(tag_name)
    if m:
        patch = int(m[3]) if m[3] is not None else 0
        return TagVersion(False, int(m[1]), int(m[2]), patch, m[4] or None)
    return NOT_A_VERSION
