"""Read one git repository's commits (HEAD plus all tags) and tags into plain rows.

Works on bare or non-bare, partial or full repositories, and only reads: the mirror must stay
untouched. Faults (not a repository, empty, shallow, missing objects) become a status and a
message rather than an exception, so one bad history never stops a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dlt_pipeline.git.email_domains import organisation_domain
from dlt_pipeline.git.gitcmd import GitError, first_line, run_git
from dlt_pipeline.git.manifest import HistorySpec
from dlt_pipeline.git.semver import parse_tag_version
from dlt_pipeline.git.settings import (
    FIELD_SEP,
    LOG_DATE_ARG,
    LOG_FIELDS,
    LOG_FORMAT,
    STATUS_CORRUPT,
    STATUS_EMPTY,
    STATUS_OK,
    STATUS_SHALLOW,
    STATUS_SKIPPED,
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class HistoryExtract:
    """What one repository gave: rows for `commits`/`tags` and the facts for `histories`."""

    spec: HistorySpec
    status: str
    message: str | None = None
    default_branch: str | None = None
    commits: pa.Table | None = None  # Arrow, the columns of `commits`; None when not read
    tags: list[dict] = field(default_factory=list)
    commit_total: int | None = None  # commits reachable from HEAD+tags (all, not only new)
    tips: list[str] = field(default_factory=list)  # HEAD and peeled tag commits, for next time
    refs: str | None = None  # refs_fingerprint when read; unchanged refs are not read again
    unchanged: bool = False  # refs as at the last load: not read, its rows are in the warehouse

    @property
    def commit_rows(self) -> int:
        """Commit rows this extraction read."""
        return 0 if self.commits is None else self.commits.num_rows


class IdentityHasher:
    """Salted SHA-256 of the lower-cased e-mail, memoised (a repository has few authors)."""

    def __init__(self, salt: str) -> None:
        if not salt:
            raise ValueError("identity salt must not be empty")
        self._salt = salt.encode("utf-8") + b"\x00"
        self._memo: dict[str, str] = {}

    def __call__(self, email: str) -> str:
        hit = self._memo.get(email)
        if hit is None:
            hit = hashlib.sha256(self._salt + email.lower().encode("utf-8")).hexdigest()
            self._memo[email] = hit
        return hit

    def __repr__(self) -> str:  # never show the salt in logs or tracebacks
        return "IdentityHasher(<salt hidden>)"


def tz_minutes(offset: str) -> int:
    """`+0530` -> 330, `-0130` -> -90."""
    sign = -1 if offset[0] == "-" else 1
    return sign * (int(offset[1:3]) * 60 + int(offset[3:5]))


def parse_log(raw: bytes, repository: str, hasher: IdentityHasher) -> pa.Table:
    """Rows of `commits` from `git log -z --format=LOG_FORMAT` output, as an Arrow table. The
    e-mail becomes a salted hash and, where it can name an organisation, its domain; the address
    is not kept.

    Split and converted by Arrow's compute kernels, which hold no Python object per value and
    release the interpreter's lock, so the histories read side by side are parsed side by side;
    Python sees only each distinct e-mail and time zone.
    """
    fields = _log_fields(raw)
    sha, parents, at, ad, ct, cd, email, name = (
        pc.list_element(fields, i) for i in range(len(LOG_FIELDS))
    )
    n_parents = pc.if_else(
        pc.equal(parents, ""), 0, pc.add(pc.cast(pc.count_substring(parents, " "), pa.int64()), 1)
    )
    return pa.table(
        {
            "repository": pa.array([repository] * len(sha), pa.string()),
            "sha": sha,
            "authored_at": _utc_seconds(at),
            "committed_at": _utc_seconds(ct),
            "author_tz_offset_minutes": _each_distinct(ad, tz_minutes, pa.int64()),
            "committer_tz_offset_minutes": _each_distinct(cd, tz_minutes, pa.int64()),
            "parents_count": n_parents,
            "is_merge": pc.greater(n_parents, 1),
            "author_id": _each_distinct(email, hasher, pa.string()),
            "author_domain": _each_distinct(email, organisation_domain, pa.string()),
            "author_name": name,
        }
    )


def _log_fields(raw: bytes) -> pa.ListArray:
    """One list of LOG_FORMAT's fields per commit record. Bytes that are not UTF-8 become
    U+FFFD, as Python's "replace" decoding makes them. A record splits on its first seven
    separators, so an author name holding the separator keeps it."""
    size = len(raw) - raw.endswith(b"\x00")  # the last record's NUL, if any, left out
    try:
        # the bytes as one Arrow value without copying them; the cast checks the UTF-8
        ends = pa.py_buffer(np.array([0, size], np.int64))
        text = pa.Array.from_buffers(pa.large_binary(), 1, [None, ends, pa.py_buffer(raw)])
        text = text.cast(pa.large_string())
    except pa.ArrowInvalid:
        text = pa.array([raw[:size].decode("utf-8", "replace")], pa.large_string())
    records = (
        pc.list_flatten(pc.split_pattern(text, "\x00")).cast(pa.string())
        if size
        else pa.array([], pa.string())
    )
    fields = pc.split_pattern(records, FIELD_SEP, max_splits=len(LOG_FIELDS) - 1)
    if len(fields) and pc.min(pc.list_value_length(fields)).as_py() != len(LOG_FIELDS):
        raise ValueError("git log printed a record without every field")
    return fields


def _utc_seconds(column: pa.Array) -> pa.Array:
    """Unix seconds as printed by git (`%at`, `%ct`) -> UTC timestamps. A time that is not a
    whole number of seconds a timestamp holds (to the year 294,247) is an error: the history's
    status becomes corrupt, with the error in its message."""
    try:
        micros = pc.multiply_checked(pc.cast(column, pa.int64()), 1_000_000)
    except pa.ArrowInvalid as exc:
        raise ValueError(f"git log printed a commit time that cannot be read: {exc}") from None
    return micros.cast(pa.timestamp("us", tz="UTC"))


def _each_distinct(column: pa.Array, func: Callable[[str], Any], type_: pa.DataType) -> pa.Array:
    """`func` of every value, called once per distinct value (a history has few authors and
    time zones)."""
    encoded = pc.dictionary_encode(column)
    values = pa.array([func(v) for v in encoded.dictionary.to_pylist()], type_)
    return pc.take(values, encoded.indices)


_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class _Ref:
    name: str  # refs/tags/v1.0
    sha: str


def _list_refs(repo: Path, patterns: Iterable[str]) -> list[_Ref]:
    # No object fields in the format: for-each-ref dies on a ref to a missing object otherwise.
    out = run_git(repo, ["for-each-ref", "--format=%(refname)%00%(objectname)", *patterns]).stdout
    refs = []
    for line in out.decode("utf-8", "replace").splitlines():
        name, _, sha = line.partition("\x00")
        refs.append(_Ref(name, sha))
    return refs


@dataclass(frozen=True)
class _Described:
    tag_refs: list[_Ref]
    head_sha: str | None  # HEAD's branch tip; None while the branch is unborn
    answers: list[tuple[str | None, str | None]]  # as _batch_check's, for _extract's queries
    tagger: dict[str, datetime]  # as _tagger_times's


_DESCRIBE_FORMAT = (
    "%00".join(("%(refname)", "%(objectname)", "%(objecttype)", "%(*objectname)", "%(*objecttype)"))
    + "%00%(taggerdate:unix)"
)


def _describe_refs(repo: Path, head_ref: str | None) -> _Described | None:
    """The tags and HEAD's branch with what `_batch_check` and `_tagger_times` would answer for
    them, read by one `for-each-ref` with object fields. None when that cannot stand in for the
    careful path, which then names the problem: a ref to a missing object makes it fail, and a
    tag of a tag peels one level only."""
    patterns = ["refs/tags", *([head_ref] if head_ref else [])]
    out = run_git(repo, ["for-each-ref", f"--format={_DESCRIBE_FORMAT}", *patterns], check=False)
    if out.returncode != 0:
        return None
    tag_refs: list[_Ref] = []
    answers: list[tuple[str | None, str | None]] = []
    tagger: dict[str, datetime] = {}
    head_sha = None
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        fields = line.split("\x00")
        if len(fields) != 6:
            return None
        name, sha, kind, peeled_sha, peeled_kind, tagged_unix = fields
        if name == head_ref:
            if kind != "commit":
                return None
            head_sha = sha
        if not name.startswith("refs/tags/"):
            continue
        tag_refs.append(_Ref(name, sha))
        if kind != "tag":
            answers += [(sha, kind), (sha, kind)]
            continue
        if peeled_kind == "tag":
            return None
        answers += [(sha, kind), (peeled_sha, peeled_kind)]
        if tagged_unix:
            with contextlib.suppress(ValueError, OverflowError):
                tagger[sha] = datetime.fromtimestamp(int(tagged_unix), UTC)
    if head_sha:
        answers.append((head_sha, "commit"))
    return _Described(tag_refs, head_sha, answers, tagger)


def _batch_check(repo: Path, queries: list[str]) -> list[tuple[str | None, str | None]]:
    """(sha, type) per query via one `cat-file --batch-check`; (None, None) when missing."""
    if not queries:
        return []
    data = ("\n".join(queries) + "\n").encode()
    out = run_git(
        repo, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], input_bytes=data
    ).stdout
    results: list[tuple[str | None, str | None]] = []
    for line in out.decode("utf-8", "replace").splitlines():
        if line.endswith(" missing") or line.endswith(" ambiguous"):
            results.append((None, None))
        else:
            sha, _, kind = line.partition(" ")
            results.append((sha, kind))
    if len(results) != len(queries):
        raise GitError(f"{repo}: cat-file answered {len(results)} of {len(queries)} queries")
    return results


def _tagger_times(repo: Path, tag_object_shas: list[str]) -> dict[str, datetime]:
    """Tagger time of each annotated tag object (tags without a tagger line are left out)."""
    if not tag_object_shas:
        return {}
    data = ("\n".join(tag_object_shas) + "\n").encode()
    out = run_git(repo, ["cat-file", "--batch"], input_bytes=data).stdout
    times: dict[str, datetime] = {}
    pos = 0
    while pos < len(out):
        header_end = out.index(b"\n", pos)
        sha, kind, size = out[pos:header_end].decode().split(" ")
        body = out[header_end + 1 : header_end + 1 + int(size)]
        pos = header_end + 1 + int(size) + 1
        if kind != "tag":
            continue
        for line in body.split(b"\n\n", 1)[0].split(b"\n"):
            if line.startswith(b"tagger "):
                # "tagger Name <email> 1234567890 +0200"
                parts = line.rsplit(b" ", 2)
                with contextlib.suppress(ValueError, IndexError, OverflowError):
                    times[sha] = datetime.fromtimestamp(int(parts[1]), UTC)
                break
    return times


def _read_head(git_dir: Path) -> tuple[str | None, str | None]:
    """(branch ref like refs/heads/main, detached sha) from the HEAD file."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None, None
    if head.startswith("ref: "):
        return head[5:].strip(), None
    return None, head or None


def _plain_git_dir(repo: Path) -> Path | None:
    """`repo` itself (bare) or its `.git` folder when its files make it a repository as git
    checks one (HEAD naming a ref or a commit, objects and refs folders); else None, and git
    is asked (a `.git` file, a folder git does not take, one inside another repository)."""
    for git_dir in (repo / ".git", repo):
        if not ((git_dir / "objects").is_dir() and (git_dir / "refs").is_dir()):
            continue
        head_ref, detached = _read_head(git_dir)
        if (head_ref or "").startswith("refs/") or _SHA.fullmatch(detached or ""):
            return git_dir
    return None


def refs_fingerprint(spec: HistorySpec) -> str | None:
    """SHA-256 of what decides which commits and tags a history holds: its HEAD, packed-refs and
    loose refs files (read as files, no git call), its object files' names and sizes, and the
    manifest's facts about it. Equal fingerprints mean the same refs over the same objects, so
    an unchanged history need not be read again. None when it
    cannot be read this way (a clone not made, a `.git` file pointing elsewhere, unreadable
    files)."""
    if spec.path is None:
        # Nothing to read: a history the mirror's manifest skips is the same while its entry is.
        return _sha256(repr(spec)) if spec.source == "mirror" else None
    repo = Path(spec.path)
    git_dir = repo / ".git" if (repo / ".git").is_dir() else repo
    digest = hashlib.sha256(repr(spec).encode("utf-8"))
    try:
        for name in ("HEAD", "packed-refs", "shallow"):
            file = git_dir / name
            digest.update(b"\x00" + name.encode() + b"\x00")
            if file.is_file():
                digest.update(file.read_bytes())
        refs = git_dir / "refs"
        if not (git_dir / "HEAD").is_file() or not refs.is_dir():
            return None
        for file in sorted(p for p in refs.rglob("*") if p.is_file()):
            digest.update(b"\x00" + str(file.relative_to(git_dir)).encode() + b"\x00")
            digest.update(file.read_bytes())
        # The object store by name and size (listed, not read): a lost or added object, or a
        # repack, reads the history again, so a history that broke is noticed.
        for file in sorted(p for p in (git_dir / "objects").rglob("*") if p.is_file()):
            digest.update(f"\x00{file.relative_to(git_dir)}\x00{file.stat().st_size}".encode())
    except OSError:
        return None
    return digest.hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def extract_history(
    spec: HistorySpec, hasher: IdentityHasher, known_tips: Iterable[str] = ()
) -> HistoryExtract:
    """Read one repository; with `known_tips` only commits not reachable from them are returned.

    Never raises for a bad repository: the fault is returned as status and message.
    """
    if spec.path is None:
        return HistoryExtract(spec, STATUS_SKIPPED, spec.skip_note or "no path to read")
    try:
        return _extract(spec, spec.path, hasher, list(known_tips))
    except GitError as exc:
        return HistoryExtract(spec, STATUS_CORRUPT, f"{spec.repository}: {exc}")
    except (OSError, ValueError, UnicodeError) as exc:
        return HistoryExtract(
            spec, STATUS_CORRUPT, f"{spec.repository} ({spec.path}): unreadable: {exc}"
        )


def _extract(
    spec: HistorySpec, repo: Path, hasher: IdentityHasher, known_tips: list[str]
) -> HistoryExtract:
    where = f"{spec.repository} ({repo})"
    if not repo.is_dir():
        return HistoryExtract(spec, STATUS_CORRUPT, f"{where}: directory does not exist")
    git_dir = _plain_git_dir(repo)
    if git_dir is not None:  # git would find this folder as it is: no need to ask it
        is_shallow = (git_dir / "shallow").is_file()
    else:
        probe = run_git(
            repo, ["rev-parse", "--absolute-git-dir", "--is-shallow-repository"], check=False
        )
        if probe.returncode != 0:
            return HistoryExtract(
                spec, STATUS_CORRUPT, f"{where}: not a git repository: {first_line(probe.stderr)}"
            )
        git_dir_text, shallow = probe.stdout.decode("utf-8", "replace").split("\n")[:2]
        if Path(git_dir_text).resolve() not in (repo.resolve(), (repo / ".git").resolve()):
            # git walked up to an enclosing repository: this folder itself is not one.
            return HistoryExtract(
                spec, STATUS_CORRUPT, f"{where}: not a git repository (enclosed by {git_dir_text})"
            )
        git_dir, is_shallow = Path(git_dir_text), shallow.strip() == "true"
    head_ref, detached = _read_head(git_dir)
    branch = head_ref.removeprefix("refs/heads/") if head_ref else None
    if is_shallow:
        return HistoryExtract(
            spec,
            STATUS_SHALLOW,
            f"{where}: shallow clone, history is truncated; not loaded (unshallow it first)",
            default_branch=branch,
        )

    # A healthy history's tags, their types and tagger times and HEAD's branch in one git call;
    # otherwise each fact is asked for on its own, so a missing object is named.
    described = None if detached else _describe_refs(repo, head_ref)
    if described is not None:
        tag_refs, head_sha, answers = described.tag_refs, described.head_sha, described.answers
    else:
        # One for-each-ref for the tags and HEAD's branch (exact name: a prefix match such as
        # refs/heads/main/x must not stand in for an unborn refs/heads/main).
        refs = _list_refs(repo, ["refs/tags", *([head_ref] if head_ref else [])])
        tag_refs = [ref for ref in refs if ref.name.startswith("refs/tags/")]
        head_sha = detached or next((ref.sha for ref in refs if ref.name == head_ref), None)
        # Per tag: the object's own type, then the fully peeled object.
        queries = []
        for ref in tag_refs:
            queries += [ref.sha, f"{ref.sha}^{{}}"]
        if head_sha:
            queries.append(f"{head_sha}^{{commit}}")
        answers = _batch_check(repo, queries)

    problems: list[str] = []
    tips: list[str] = []
    head_commit = None
    if head_sha:
        head_commit = answers[-1][0]
        if head_commit is None:
            return HistoryExtract(
                spec,
                STATUS_CORRUPT,
                f"{where}: HEAD ({head_ref or 'detached'}) points at missing object {head_sha}",
                default_branch=branch,
            )
        tips.append(head_commit)

    pending_tags: list[tuple[str, str, str | None, str | None]] = []  # name, obj sha, type, target
    annotated: list[str] = []
    for i, ref in enumerate(tag_refs):
        name = ref.name.removeprefix("refs/tags/")
        _own_sha, own_kind = answers[2 * i]
        peeled_sha, peeled_kind = answers[2 * i + 1]
        target = None
        if own_kind is None:
            problems.append(f"tag {name} points at missing object {ref.sha}")
        elif peeled_kind is None:
            problems.append(f"tag {name} peels to a missing object")
        elif peeled_kind != "commit":
            problems.append(f"tag {name} points at a {peeled_kind}, not a commit")
        else:
            target = peeled_sha
            tips.append(peeled_sha)
        if own_kind == "tag":
            annotated.append(ref.sha)
        pending_tags.append((name, ref.sha, own_kind, target))

    if not tips:
        status = STATUS_EMPTY
        message = f"{where}: no commits (unborn HEAD and no tags)"
        if problems:
            message += "; " + "; ".join(problems)
        return HistoryExtract(spec, status, message, default_branch=branch, commit_total=0)

    unique_tips = sorted(set(tips))
    known = sorted(set(known_tips))
    if known:
        # Only known tips that still exist may be excluded; a force-push may have dropped some.
        known_ok = [
            sha for sha, (got, _) in zip(known, _batch_check(repo, known), strict=True) if got
        ]
    else:
        known_ok = []
    stdin = "\n".join([*unique_tips, *(f"^{sha}" for sha in known_ok)]) + "\n"
    log = run_git(
        repo,
        ["log", "-z", f"--format={LOG_FORMAT}", LOG_DATE_ARG, "--stdin"],
        input_bytes=stdin.encode(),
        check=False,
    )
    if log.returncode != 0:
        return HistoryExtract(
            spec,
            STATUS_CORRUPT,
            f"{where}: git log failed (missing or broken objects?): {first_line(log.stderr)}",
            default_branch=branch,
        )
    commits = parse_log(log.stdout, spec.repository, hasher)
    if known_ok:
        tips_in = ("\n".join(unique_tips) + "\n").encode()
        count = run_git(repo, ["rev-list", "--count", "--stdin"], input_bytes=tips_in)
        total = int(count.stdout.strip() or 0)
    else:
        total = len(commits)

    # A tag without a tagger time (lightweight, or annotated with no tagger line) takes its
    # target's commit time; targets loaded in an earlier run are looked up in one git call.
    tagger = described.tagger if described else _tagger_times(repo, annotated)
    wanted = {t for _, obj_sha, _, t in pending_tags if t and obj_sha not in tagger}
    commit_times = _commit_times(commits, wanted)
    missing_times = sorted(wanted - commit_times.keys())
    if missing_times:
        commit_times.update(_committer_times(repo, missing_times))
    tags = []
    for name, obj_sha, kind, target in pending_tags:
        tagged_at = tagger.get(obj_sha)
        if tagged_at is None and target is not None:
            tagged_at = commit_times.get(target)
        version = parse_tag_version(name)
        tags.append(
            {
                "repository": spec.repository,
                "tag_name": name,
                "target_sha": target,
                "tagged_at": tagged_at,
                "is_annotated": kind == "tag",
                "is_semver": version.is_semver,
                "semver_major": version.major,
                "semver_minor": version.minor,
                "semver_patch": version.patch,
                "semver_prerelease": version.prerelease,
            }
        )
    message = None
    if problems:
        message = f"{where}: {len(problems)} tag problem(s), tags kept with NULL target: " + (
            "; ".join(problems[:20]) + ("; ..." if len(problems) > 20 else "")
        )
    return HistoryExtract(
        spec,
        STATUS_OK,
        message,
        default_branch=branch,
        commits=commits,
        tags=tags,
        commit_total=total,
        tips=unique_tips,
    )


def _commit_times(commits: pa.Table, shas: set[str]) -> dict[str, datetime]:
    """Committer time of the commits among `shas` that this extraction read."""
    if not shas or not len(commits):
        return {}
    found = commits.filter(pc.is_in(commits["sha"], value_set=pa.array(sorted(shas))))
    return dict(zip(found["sha"].to_pylist(), found["committed_at"].to_pylist(), strict=True))


def _committer_times(repo: Path, shas: list[str]) -> dict[str, datetime]:
    """Committer time of commits already loaded earlier (incremental runs)."""
    out = run_git(
        repo,
        ["log", "--no-walk=unsorted", "-z", "--format=%H %ct", "--stdin"],
        input_bytes=("\n".join(shas) + "\n").encode(),
    ).stdout
    times = {}
    for rec in out.decode().split("\x00"):
        if rec.strip():
            sha, ct = rec.strip().split(" ")
            times[sha] = datetime.fromtimestamp(int(ct), UTC)
    return times
