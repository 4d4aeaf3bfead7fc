"""docs/questions.md: every question's SQL runs on the warehouse built from the mirror and
answers with rows, through the same read-only path `mlops-atlas sql` takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_atlas.paths import PROJECT_ROOT
from mlops_atlas.sql import ask, connect

QUESTIONS = PROJECT_ROOT / "docs" / "questions.md"


def questions() -> list[tuple[str, str]]:
    """(question, SQL) for every `## N. ...` heading and the sql block under it."""
    text = QUESTIONS.read_text(encoding="utf-8")
    found = re.findall(r"^## (\d+\. [^\n]+)\n(?:.*?\n)??```sql\n(.*?)```", text, flags=re.S | re.M)
    return [(title, sql) for title, sql in found]


def test_there_are_twelve_questions() -> None:
    titles = [t for t, _ in questions()]
    assert len(titles) == 12 and len(set(titles)) == 12


@pytest.mark.parametrize("title, sql", questions(), ids=[t for t, _ in questions()])
def test_every_question_answers_with_rows(mirror_warehouse: Path, title: str, sql: str) -> None:
    with connect(mirror_warehouse) as con:
        answer = ask(con, sql, limit=100)
    assert answer.total > 0, f"{title}: no rows"
    assert all(c for c in answer.columns)
