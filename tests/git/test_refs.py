"""One `for-each-ref` describes a healthy history's tags as the careful per-object path does,
and gives way to that path where it cannot (a tag of a tag, a ref to a missing object)."""

from __future__ import annotations

from pathlib import Path

from dlt_pipeline.git.history import (
    _batch_check,
    _describe_refs,
    _list_refs,
    _plain_git_dir,
    _tagger_times,
)
from tests.git.gitrepo import commit, git, init_repo


def _careful(repo: Path, head_ref: str) -> tuple[list, dict]:
    refs = _list_refs(repo, ["refs/tags", head_ref])
    tags = [r for r in refs if r.name.startswith("refs/tags/")]
    head = next(r.sha for r in refs if r.name == head_ref)
    queries = [q for r in tags for q in (r.sha, f"{r.sha}^{{}}")] + [f"{head}^{{commit}}"]
    answers = _batch_check(repo, queries)
    annotated = [r.sha for r, (_, kind) in zip(tags, answers[::2], strict=False) if kind == "tag"]
    return answers, _tagger_times(repo, annotated)


def test_one_call_answers_as_the_careful_path_does(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "tool")
    first = commit(repo, "first", "2020-01-01T00:00:00+00:00")
    commit(repo, "second", "2020-02-01T00:00:00+02:00")
    git(repo, "tag", "light")
    git(repo, "tag", "-a", "v1", "-m", "one", first, GIT_COMMITTER_DATE="2021-06-01T12:00:00+02:00")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    git(repo, "tag", "on-a-tree", tree)
    git(repo, "tag", "-a", "v2", "-m", "tree", tree, GIT_COMMITTER_DATE="2021-07-01T00:00:00Z")

    described = _describe_refs(repo, "refs/heads/main")
    assert described is not None
    answers, tagger = _careful(repo, "refs/heads/main")
    assert described.answers == answers
    assert described.tagger == tagger and len(tagger) == 2
    assert [r.name for r in described.tag_refs] == [
        "refs/tags/light",
        "refs/tags/on-a-tree",
        "refs/tags/v1",
        "refs/tags/v2",
    ]
    assert _plain_git_dir(repo) == repo / ".git"


def test_a_tag_of_a_tag_or_a_missing_object_takes_the_careful_path(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "tool")
    commit(repo, "first", "2020-01-01T00:00:00+00:00")
    git(repo, "tag", "-a", "inner", "-m", "inner")
    git(repo, "tag", "-a", "outer", "-m", "outer", "inner")
    assert _describe_refs(repo, "refs/heads/main") is None
    git(repo, "tag", "-d", "outer")
    assert _describe_refs(repo, "refs/heads/main") is not None
    (repo / ".git" / "refs" / "tags" / "gone").write_text("1" * 40 + "\n")
    assert _describe_refs(repo, "refs/heads/main") is None


def test_folders_git_would_not_take_are_left_to_git(tmp_path: Path) -> None:
    bare = init_repo(tmp_path / "bare.git", bare=True)
    assert _plain_git_dir(bare) == bare
    plain = tmp_path / "plain"
    (plain / "objects").mkdir(parents=True)
    (plain / "refs").mkdir()
    (plain / "HEAD").write_text("not a ref\n")
    assert _plain_git_dir(plain) is None
    assert _plain_git_dir(tmp_path / "nothing") is None
