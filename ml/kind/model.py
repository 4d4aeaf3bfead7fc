"""Kind of repository (tool, learning, list, example, other): a class-weighted logistic regression.

Why this model: the study's headline finding is that much of "MLOps" on GitHub is learning
material, so the kind label must be more than a keyword match, yet explainable. A linear model
over TF-IDF word n-grams (name, description, topics), TF-IDF words of the README (its own block,
so a long README cannot drown the description), character n-grams of the name (catches
'awesome-', '-tutorial', '-course' however spelt) and a few facts a reader can check (license,
releases, homepage, owner type, stars/forks, size, language, whether a README exists) keeps
every weight inspectable. Class weights balance the rare kinds (lists, examples) against the
common ones. `use_readme=False` drops the README block and flag: the same model without README,
for measuring what the README adds.

Repositories are keyed by the warehouse's `repository_id` (text), so repositories known only
from git are classified too.
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
from threadpoolctl import threadpool_limits

from ml.config import config_section
from ml.kind.features import NUMERIC_FEATURES, kind_features
from ml.memo import remembered
from ml.text import effective_min_df, enough_readmes

README_FEATURES = ("has_readme",)


@dataclass(frozen=True)
class KindModel:
    """A fitted pipeline plus the full list of kinds (some may have had no training labels)."""

    pipeline: Pipeline
    kinds: tuple[str, ...]
    max_description_chars: int
    max_readme_chars: int
    use_readme: bool


def build_pipeline(settings: dict, n_documents: int, use_readme: bool = True) -> Pipeline:
    """The unfitted feature + classifier pipeline; `min_df` shrinks for very small samples."""
    min_df = effective_min_df(int(settings["min_df"]), n_documents)
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
    numeric = [f for f in NUMERIC_FEATURES if use_readme or f not in README_FEATURES]
    blocks = [
        ("words", words, "text"),
        ("name_chars", chars, "name_text"),
        ("language", OneHotEncoder(handle_unknown="ignore"), ["language"]),
        ("numeric", StandardScaler(), numeric),
    ]
    if use_readme:
        readme = TfidfVectorizer(
            min_df=min_df,
            max_df=0.9,
            max_features=int(settings["readme_max_features"]),
            sublinear_tf=True,
            stop_words="english",
            token_pattern=r"(?u)\b[^\W\d_][\w\-]+\b",
        )
        blocks.insert(1, ("readme", readme, "readme_text"))
    classifier = LogisticRegression(
        C=float(settings["C"]),
        class_weight="balanced",
        max_iter=int(settings["max_iter"]),
        random_state=int(settings["seed"]),
    )
    return Pipeline([("features", ColumnTransformer(blocks)), ("classifier", classifier)])


def labelled_rows(repos: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Labelled repositories joined to their label (`label_kind`, and `split` when the labels
    carry one), by `repository_id`; fails naming ids absent from `repos`."""
    ids = repos["repository_id"].astype(str)
    label_ids = labels["repository_id"].astype(str)
    missing = sorted(set(label_ids) - set(ids))
    if missing:
        raise ValueError(
            f"{len(missing)} labelled repository_id(s) not in the repositories frame: {missing[:5]}"
        )
    indexed = labels.assign(repository_id=label_ids).set_index("repository_id")
    rows = repos.loc[ids.isin(indexed.index)].copy()
    keys = rows["repository_id"].astype(str)
    rows["label_kind"] = keys.map(indexed["kind"]).to_numpy()
    if "split" in indexed.columns:
        rows["split"] = keys.map(indexed["split"]).to_numpy()
    rows["_key"] = keys.to_numpy()
    return rows.sort_values("_key", kind="stable").drop(columns="_key").reset_index(drop=True)


def fit_kind_model(
    rows: pd.DataFrame, kinds: list[str], settings: dict, use_readme: bool = True
) -> KindModel:
    """Fit on `rows` (repositories with a `label_kind` column); needs two distinct kinds."""
    if rows["label_kind"].nunique() < 2:
        raise ValueError("the kind model needs labels of at least two kinds to train")
    max_chars = int(settings["max_description_chars"])
    readme_chars = int(settings["max_readme_chars"])
    features = kind_features(rows, max_chars, readme_chars)
    use_readme = use_readme and enough_readmes(features["readme_text"], int(settings["min_df"]))
    pipeline = build_pipeline(settings, len(rows), use_readme)
    # Single-threaded: on a few hundred rows BLAS threads cost ten times the work.
    with threadpool_limits(limits=1):
        pipeline.fit(features, rows["label_kind"].to_numpy())
    return KindModel(
        pipeline=pipeline,
        kinds=tuple(kinds),
        max_description_chars=max_chars,
        max_readme_chars=readme_chars,
        use_readme=use_readme,
    )


def training_rows(repos: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The labelled repositories a model may learn from: the train split (all labels when the
    labels carry no split). The test split is scored once, never learnt or tuned on."""
    rows = labelled_rows(repos, labels)
    return rows[rows["split"] == "train"] if "split" in rows.columns else rows


def train_kind_model(
    repos: pd.DataFrame,
    labels: pd.DataFrame,
    config: dict | None = None,
    use_readme: bool = True,
) -> KindModel:
    """Train on the hand-labelled repositories of the train split (labels joined to `repos`
    by `repository_id`)."""
    settings = config_section("kind", config)
    # The same fit scores the test split in ml_kind_evaluation (`held_out_kinds`): made once,
    # in a process of its own, so the models dbt builds beside it keep this process's lock.
    return remembered(
        fit_kind_model,
        training_rows(repos, labels),
        list(settings["kinds"]),
        settings,
        use_readme,
        own_process=True,
    )


def predict_kinds(model: KindModel, repos: pd.DataFrame) -> pd.DataFrame:
    """Kind and probabilities for every repository, in input order.

    Columns: `repository_id`, `kind` (most probable), `confidence` (its probability) and one
    `proba__<kind>` per configured kind (0 for kinds the model never saw in training).
    """
    columns = ["repository_id", "kind", "confidence", *[f"proba__{k}" for k in model.kinds]]
    if repos.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in columns}).astype(
            {"repository_id": object, "kind": object}
        )
    features = kind_features(repos, model.max_description_chars, model.max_readme_chars)
    with threadpool_limits(limits=1):
        raw = model.pipeline.predict_proba(features)
    trained = list(model.pipeline.classes_)
    proba = np.zeros((len(repos), len(model.kinds)))
    for j, kind in enumerate(model.kinds):
        if kind in trained:
            proba[:, j] = raw[:, trained.index(kind)]
    best = proba.argmax(axis=1)
    out = pd.DataFrame(
        {
            "repository_id": repos["repository_id"].to_numpy(),
            "kind": np.asarray(model.kinds, dtype=object)[best],
            "confidence": proba[np.arange(len(repos)), best],
        }
    )
    for j, kind in enumerate(model.kinds):
        out[f"proba__{kind}"] = proba[:, j]
    return out
