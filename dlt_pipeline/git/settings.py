"""Constants of the git loader in one place: git invocation, formats, pool size, config keys.

Values a user may want to change at run time are read from dlt config (`.dlt/config.toml`
or the environment) under `[sources.git]`; the defaults live here.
"""

from __future__ import annotations

# Every git call starts with this. `safe.directory=*`: the mirror may belong to another user.
# `--no-replace-objects`: refs/replace grafts would change which commits exist (kubeflow/pipelines).
GIT_BASE_ARGS: tuple[str, ...] = ("git", "-c", "safe.directory=*", "--no-replace-objects")
# Environment for every git call: never take optional locks, never prompt for credentials.
# No GIT_FLUSH: git writes into a temporary file (gitcmd.run_git), which it never flushes after
# each commit as it does a pipe.
GIT_ENV_OVERRIDES: dict[str, str] = {
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "LC_ALL": "C",
}

# One NUL-terminated record per commit (`git log -z`); fields split by \x1f. The author name is
# last so that any odd byte in it cannot shift the other fields.
FIELD_SEP = "\x1f"
# The fields in order (history.parse_log reads them in this order): sha, parents, author and
# committer time (Unix seconds, then offset), e-mail, name.
LOG_FIELDS: tuple[str, ...] = ("%H", "%P", "%at", "%ad", "%ct", "%cd", "%ae", "%an")
LOG_FORMAT = "%x1f".join(LOG_FIELDS)
# With `--date=format:%z`, %ad/%cd print the author's/committer's own offset, e.g. +0530.
LOG_DATE_ARG = "--date=format:%z"

# Repositories extracted in parallel (git runs outside the GIL; parsing does not).
EXTRACT_WORKERS = 4
# Seconds before one git call on one repository is given up (a clone or fetch may take long).
GIT_READ_TIMEOUT_SECONDS = 300
GIT_NETWORK_TIMEOUT_SECONDS = 1800

PIPELINE_NAME = "mlops_atlas_git"
SOURCE_NAME = "git"
MANIFEST_FILE = "MANIFEST.csv"
MIRROR_SUBDIR = "git"
CACHE_SUBDIR = "git"

# dlt config keys (e.g. env SOURCES__GIT__REMOTE_URL_TEMPLATE).
REMOTE_URL_TEMPLATE_KEY = "sources.git.remote_url_template"
IDENTITY_SALT_KEY = "sources.git.identity_salt"
DEFAULT_REMOTE_URL_TEMPLATE = "https://github.com/{full_name}.git"
# Partial clone: commits and tags only, trees and blobs fetched never.
CLONE_FILTER = "tree:0"

# Key in the dlt source state.
STATE_SALT = "identity_salt"
STATE_TIPS = "tips"
# Per history, the refs fingerprint and status of its last read (history.refs_fingerprint).
STATE_REFS = "refs"
REFS_FINGERPRINT = "fingerprint"
REFS_STATUS = "status"

STATUS_OK = "ok"
STATUS_EMPTY = "empty"
STATUS_SHALLOW = "shallow"
STATUS_CORRUPT = "corrupt"
STATUS_SKIPPED = "skipped"
# Histories read with these statuses are not read again while their refs stay the same (the
# others failed, and are tried again every run; a skipped clone has no fingerprint).
REREAD_UNLESS_CHANGED = (STATUS_OK, STATUS_EMPTY, STATUS_SKIPPED)
