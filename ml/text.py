"""Text preparation shared by the kind classifier, task clusters and topic models.

Repository names, descriptions and topics come from GitHub and are untrusted: any of them may be
None, NaN, a numpy array (DuckDB list columns), emoji, or a 10 MB description. Every model reads
text through these helpers so that it sees the same cleaned, bounded text, and a pathological
description cannot blow up memory or dominate a TF-IDF vocabulary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

# Anything that is not a letter, digit, or a character that carries meaning in tool names
# (c++, c#, .net) becomes a space; emoji and pictographs go this way.
_NON_WORD = re.compile(r"[^\w+#.\-\s]+", flags=re.UNICODE)
_SEPARATORS = re.compile(r"[_\-./\s]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPACES = re.compile(r"\s+")
_TRAILING_PUNCT = re.compile(r"(?<!\w)[.\-]+|[.\-]+(?!\w)")

DEFAULT_MAX_CHARS = 2000
MAX_TOPICS = 40
MAX_TOPIC_CHARS = 60


def is_missing(value: Any) -> bool:
    """True for None, NaN and pandas NA (but not for empty strings or lists)."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return value is pd.NA or value is pd.NaT


def clean_text(value: Any, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Lower-cased, emoji-free, whitespace-collapsed text, cut to `max_chars` *before* any regex.

    Cutting first bounds the work on a 10 MB description; the first couple of thousand characters
    are what a reader (and a model) sees of a description anyway.
    """
    if is_missing(value):
        return ""
    return _cleaned(str(value)[: max(int(max_chars), 0)])


@lru_cache(maxsize=1 << 16)
def _cleaned(text: str) -> str:
    """The cleaning itself, remembered: every fit of a cross-validation cleans the same
    descriptions and READMEs again, and the regular expressions dominated the fits' time."""
    text = unicodedata.normalize("NFKC", text)
    text = _NON_WORD.sub(" ", text)
    text = _TRAILING_PUNCT.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()


def split_name(value: Any, max_chars: int = 200) -> str:
    """A repository name as words: 'awesomeMLOps_list-v2' -> 'awesome ml ops list v2'.

    CamelCase, snake_case and kebab-case are split so that 'awesome-mlops' and 'AwesomeMLOps'
    share the word 'awesome' with descriptions.
    """
    if is_missing(value):
        return ""
    text = str(value)[:max_chars]
    text = _CAMEL.sub(" ", text)
    text = _SEPARATORS.sub(" ", text)
    return clean_text(text, max_chars)


def topics_list(value: Any) -> list[str]:
    """GitHub topics as a bounded list of cleaned strings, whatever container they arrive in."""
    if is_missing(value):
        return []
    if isinstance(value, str):
        items: Iterable[Any] = re.split(r"[,\s]+", value)
    elif isinstance(value, Iterable):
        items = value
    else:
        return []
    out: list[str] = []
    for item in items:
        if len(out) >= MAX_TOPICS:
            break
        if is_missing(item):
            continue
        topic = clean_text(item, MAX_TOPIC_CHARS)
        if topic:
            out.append(topic)
    return out


def topics_text(value: Any) -> str:
    """Topics joined by spaces, with hyphens kept so 'model-serving' stays one token."""
    return " ".join(topics_list(value))


def repository_documents(
    repos: pd.DataFrame,
    fields: Iterable[str] = ("name", "description", "topics"),
    max_chars: int = DEFAULT_MAX_CHARS,
) -> pd.Series:
    """One document per repository (index aligned with `repos`), built from the named fields.

    `name` is split into words; `topics` keep their hyphens; `description` is cut to `max_chars`.
    Missing columns are treated as empty so callers can pass partial frames in tests.
    """
    parts: list[pd.Series] = []
    for field in fields:
        if field not in repos.columns:
            continue
        column = repos[field]
        if field == "name":
            parts.append(column.map(split_name))
        elif field == "topics":
            parts.append(column.map(topics_text))
        else:
            parts.append(column.map(lambda v: clean_text(v, max_chars)))
    if not parts:
        return pd.Series([""] * len(repos), index=repos.index, dtype=object)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.str.cat(part, sep=" ")
    return joined.map(lambda s: _SPACES.sub(" ", s).strip())


def readme_text(repos: pd.DataFrame, max_chars: int) -> pd.Series:
    """Each repository's README (the `readme` column, already cleaned of markup by dbt) as words,
    cut to `max_chars`; '' for a repository without one or a frame without the column."""
    if "readme" not in repos.columns:
        return pd.Series("", index=repos.index, dtype=object)
    return repos["readme"].map(lambda v: clean_text(v, max_chars))


def stop_words(extra: list[str] | tuple[str, ...]) -> list[str]:
    """English stop words plus the configured domain words every MLOps repository shares."""
    return sorted(ENGLISH_STOP_WORDS | {w.lower() for w in extra})


def effective_min_df(min_df: int, n_documents: int) -> int:
    """`min_df` for a vocabulary over `n_documents`: the configured value, or 1 for samples too
    small for it to make sense (fewer than ten times as many documents)."""
    return int(min_df) if n_documents >= 10 * int(min_df) else 1


def enough_readmes(texts: pd.Series, min_df: int) -> bool:
    """Whether enough training READMEs exist to learn README words from: a build without
    READMEs, or a sample with a handful, trains without them instead of failing."""
    return int((texts.str.strip() != "").sum()) >= 2 * effective_min_df(min_df, len(texts))


def tfidf_matrix(documents: pd.Series, settings: dict) -> tuple[sparse.csr_matrix, np.ndarray]:
    """TF-IDF over the documents; an empty vocabulary gives a zero-column matrix, not an error.

    `min_df` falls to 1 and `max_df` to 1.0 for samples too small for them to make sense.
    """
    n = len(documents)
    min_df = effective_min_df(int(settings["min_df"]), n)
    max_df = float(settings["max_df"]) if n >= 20 else 1.0
    vectorizer = TfidfVectorizer(
        stop_words=stop_words(settings.get("extra_stop_words", [])),
        min_df=min_df,
        max_df=max_df,
        sublinear_tf=True,
        token_pattern=r"(?u)\b[^\W\d_][\w]+\b",
    )
    try:
        matrix = vectorizer.fit_transform(documents.fillna("").tolist())
    except ValueError:  # empty vocabulary: no document has a usable word
        return sparse.csr_matrix((n, 0)), np.array([], dtype=object)
    return sparse.csr_matrix(matrix), vectorizer.get_feature_names_out()
