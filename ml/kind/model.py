"""Kind of repository (tool, learning, list, example, other): a class-weighted logistic regression.

Why this model: the study's headline finding is that much of "MLOps" on GitHub is learning
material, so the kind label must be more than a keyword match, yet explainable. A linear model
over TF-IDF word n-grams (name, description, topics), character n-grams of the name (catches
'awesome-', '-tutorial', '-course' however spelt) and a few facts a reader can check (license,
releases, homepage, owner type, stars/forks, size, language) keeps every weight inspectable.
Class weights balance the rare kinds (lists, examples) against the common ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ml.config import config_section
from ml.kind.features import NUMERIC_FEATURES, kind_features


@dataclass(frozen=True)
class KindModel:
    """A fitted pipeline plus the full list of kinds (some may have had no training labels)."""

    pipeline: Pipeline
    kinds: tuple[str, ...]
    max_description_chars: int


def build_pipeline(settings: dict, n_documents: int) -> Pipeline:
    """The unfitted feature + classifier pipeline; `min_df` shrinks for very small samples."""
    min_df = int(settings["min_df"]) if n_documents >= 10 * int(settings["min_df"]) else 1
    words = TfidfVectorizer(
        ngram_range=(1, int(settings["word_ngram_max"])),
        min_df=min_df,
        sublinear_tf=True,
        token_pattern=r"(?u)\b\w[\w+#\-]*\b",
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(int(settings["char_ngram_min"]), int(settings["char_ngram_max"])),
        min_df=min_df,
        sublinear_tf=True,
    )
    features = ColumnTransformer(
        [
            ("words", words, "text"),
            ("name_chars", chars, "name_text"),
            ("language", OneHotEncoder(handle_unknown="ignore"), ["language"]),
            ("numeric", StandardScaler(), list(NUMERIC_FEATURES)),
        ]
    )
    classifier = LogisticRegression(
        C=float(settings["C"]),
        class_weight="balanced",
        max_iter=int(settings["max_iter"]),
        random_state=int(settings["seed"]),
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def _labelled_rows(repos: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Labelled repositories joined to their label; fails naming ids absent from `repos`."""
    ids = repos["repository_id"].astype("int64")
    missing = sorted(set(labels["repository_id"].astype("int64")) - set(ids))
    if missing:
        raise ValueError(
            f"{len(missing)} labelled repository_id(s) not in the repositories frame: {missing[:5]}"
        )
    label_by_id = labels.set_index(labels["repository_id"].astype("int64"))["kind"]
    rows = repos.loc[ids.isin(label_by_id.index)].copy()
    rows["label_kind"] = rows["repository_id"].astype("int64").map(label_by_id).to_numpy()
    return rows.sort_values("repository_id", kind="stable").reset_index(drop=True)


def fit_kind_model(rows: pd.DataFrame, kinds: list[str], settings: dict) -> KindModel:
    """Fit on `rows` (repositories with a `label_kind` column); needs two distinct kinds."""
    if rows["label_kind"].nunique() < 2:
        raise ValueError("the kind model needs labels of at least two kinds to train")
    max_chars = int(settings["max_description_chars"])
    pipeline = build_pipeline(settings, len(rows))
    pipeline.fit(kind_features(rows, max_chars), rows["label_kind"].to_numpy())
    return KindModel(pipeline=pipeline, kinds=tuple(kinds), max_description_chars=max_chars)


def train_kind_model(
    repos: pd.DataFrame, labels: pd.DataFrame, config: dict | None = None
) -> KindModel:
    """Train on every hand-labelled repository (labels joined to `repos` by `repository_id`)."""
    settings = config_section("kind", config)
    return fit_kind_model(_labelled_rows(repos, labels), list(settings["kinds"]), settings)


def predict_kinds(model: KindModel, repos: pd.DataFrame) -> pd.DataFrame:
    """Kind and probabilities for every repository, in input order.

    Columns: `repository_id`, `kind` (most probable), `confidence` (its probability) and one
    `proba__<kind>` per configured kind (0 for kinds the model never saw in training).
    """
    columns = ["repository_id", "kind", "confidence", *[f"proba__{k}" for k in model.kinds]]
    if repos.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns}).astype(
            {"repository_id": "int64", "kind": object}
        )
    raw = model.pipeline.predict_proba(kind_features(repos, model.max_description_chars))
    trained = list(model.pipeline.classes_)
    proba = np.zeros((len(repos), len(model.kinds)))
    for j, kind in enumerate(model.kinds):
        if kind in trained:
            proba[:, j] = raw[:, trained.index(kind)]
    best = proba.argmax(axis=1)
    out = pd.DataFrame(
        {
            "repository_id": repos["repository_id"].astype("int64").to_numpy(),
            "kind": np.asarray(model.kinds, dtype=object)[best],
            "confidence": proba[np.arange(len(repos)), best],
        }
    )
    for j, kind in enumerate(model.kinds):
        out[f"proba__{kind}"] = proba[:, j]
    return out
