"""The study's six task categories as a supervised, calibrated classifier over tools.

Why this model: a tool's task is stated in its own words (name, description, topics and, far
more fully, its README), and a few hundred labelled tools are enough for a linear model over
TF-IDF words, whose weights stay inspectable. A class-weighted multinomial logistic regression
is wrapped in sigmoid calibration (scikit-learn's CalibratedClassifierCV, fitted on internal
folds of the training tools), so a probability of 0.6 means roughly six right in ten; then

* the **primary** category is the most probable one;
* a **secondary** category is given only when the evidence supports it: the second most probable
  category reaches `secondary_min_probability` (the study lets a tool serve several tasks);
* the classifier **abstains** (category `unassigned`) when the primary's probability is below
  `abstain_below`; an abstention counts as a miss in every accuracy it reports.

`use_readme=False` leaves the README out: the same model without README. Repositories
are keyed by the warehouse's `repository_id` (text).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from ml.evaluation import ABSTAINED
from ml.memo import remembered
from ml.text import (
    effective_min_df,
    enough_readmes,
    readme_text,
    repository_documents,
    stop_words,
)

UNASSIGNED = "unassigned"


def proba_column(category: str) -> str:
    """`proba__<category>` with every non-word character as `_` (a valid column name)."""
    return "proba__" + re.sub(r"\W+", "_", category).strip("_")


def category_features(repos: pd.DataFrame, settings: dict, use_readme: bool) -> pd.DataFrame:
    """One document per tool: name, description and topics, followed (with `use_readme`) by
    the opening `max_readme_chars` of its cleaned README, where a project says what it does.
    One vocabulary for both, so a README's words reinforce the description's rather than
    forming a second, sparser block. (A README-absent flag, tried as a feature, flattened the
    calibrated probabilities in cross-validation and is left out: a tool without a README is
    simply judged on its metadata.)"""
    out = pd.DataFrame(index=repos.index)
    text = repository_documents(
        repos, ("name", "description", "topics"), int(settings["max_description_chars"])
    )
    if use_readme:
        readme = readme_text(repos, int(settings["max_readme_chars"]))
        text = (text + " " + readme).str.strip()
    out["text"] = text
    has = repos["has_readme"] if "has_readme" in repos.columns else pd.Series(False, repos.index)
    out["has_readme"] = has.fillna(False).astype(bool).astype(float)
    return out


def _words(settings: dict, n: int, **extra: Any) -> TfidfVectorizer:
    return TfidfVectorizer(
        ngram_range=(1, int(settings["word_ngram_max"])),
        min_df=effective_min_df(int(settings["min_df"]), n),
        sublinear_tf=True,
        stop_words=stop_words(settings.get("extra_stop_words", [])),
        token_pattern=r"(?u)\b[^\W\d_][\w\-]+\b",
        **extra,
    )


def build_pipeline(settings: dict, n_documents: int, use_readme: bool) -> Pipeline:
    """The unfitted features + logistic regression (before calibration)."""
    blocks: list[tuple[str, Any, Any]] = [("words", _words(settings, n_documents), "text")]
    classifier = LogisticRegression(
        C=float(settings["C"]),
        class_weight="balanced",
        max_iter=int(settings["max_iter"]),
        random_state=int(settings["seed"]),
    )
    return Pipeline([("features", ColumnTransformer(blocks)), ("classifier", classifier)])


@dataclass(frozen=True)
class CategoryModel:
    """A fitted, calibrated classifier; `calibrated` is False when a category had too few
    training tools for calibration folds (its probabilities are then the regression's own)."""

    estimator: Any
    categories: tuple[str, ...]
    settings: dict
    use_readme: bool
    calibrated: bool


def fit_category_model(
    rows: pd.DataFrame, categories: list[str], settings: dict, use_readme: bool = True
) -> CategoryModel:
    """Fit on `rows` (tools with a `label_category` column: the primary category)."""
    labels = rows["label_category"].to_numpy().astype(str)
    if len(set(labels)) < 2:
        raise ValueError("the category model needs tools of at least two categories to train")
    readmes = readme_text(rows, int(settings["max_readme_chars"]))
    use_readme = use_readme and enough_readmes(readmes, int(settings["min_df"]))
    features = category_features(rows, settings, use_readme)
    pipeline = build_pipeline(settings, len(rows), use_readme)
    folds = min(int(settings["calibration_folds"]), int(pd.Series(labels).value_counts().min()))
    # Single-threaded: on a few hundred rows BLAS threads cost ten times the work.
    with warnings.catch_warnings(), threadpool_limits(limits=1):
        warnings.filterwarnings("ignore", category=UserWarning)
        if folds >= 2:
            splitter = StratifiedKFold(folds, shuffle=True, random_state=int(settings["seed"]))
            estimator = CalibratedClassifierCV(
                pipeline, method=str(settings["calibration"]), cv=splitter, ensemble=False
            )
            estimator.fit(features, labels)
        else:
            estimator = pipeline.fit(features, labels)
    return CategoryModel(estimator, tuple(categories), settings, use_readme, folds >= 2)


def train_category_model(
    train: pd.DataFrame, settings: dict, use_readme: bool = True
) -> CategoryModel:
    """`fit_category_model` on the train split's labelled tools: the deployed classifier
    (ml_tool_categories) and the held-out evaluation's, made once per build and in a process
    of its own, so the models dbt builds beside it keep this process's lock."""
    return remembered(
        fit_category_model,
        train,
        list(settings["categories"]),
        settings,
        use_readme,
        own_process=True,
    )


def predict_categories(model: CategoryModel, repos: pd.DataFrame) -> pd.DataFrame:
    """Primary, secondary, probabilities and abstention for every repository, in input order.

    Columns: `repository_id`, `primary_category` (most probable), `confidence` (its
    probability), `secondary_category` (NULL unless supported), `is_abstained`, `category`
    (the primary, or `unassigned` when abstained) and one `proba__<category>` per category.
    """
    settings = model.settings
    columns = [proba_column(c) for c in model.categories]
    if repos.empty:
        empty = {c: pd.Series(dtype=float) for c in columns}
        return pd.DataFrame(
            {
                "repository_id": pd.Series(dtype=object),
                "primary_category": pd.Series(dtype=object),
                "confidence": pd.Series(dtype=float),
                "secondary_category": pd.Series(dtype=object),
                "is_abstained": pd.Series(dtype=bool),
                "category": pd.Series(dtype=object),
                **empty,
            }
        )
    with threadpool_limits(limits=1):
        raw = model.estimator.predict_proba(category_features(repos, settings, model.use_readme))
    trained = list(model.estimator.classes_)
    proba = np.zeros((len(repos), len(model.categories)))
    for j, category in enumerate(model.categories):
        if category in trained:
            proba[:, j] = raw[:, trained.index(category)]
    order = np.argsort(-proba, axis=1, kind="stable")
    names = np.asarray(model.categories, dtype=object)
    rows = np.arange(len(repos))
    confidence = proba[rows, order[:, 0]]
    second = proba[rows, order[:, 1]] if proba.shape[1] > 1 else np.zeros(len(repos))
    abstained = confidence < float(settings["abstain_below"])
    supported = (second >= float(settings["secondary_min_probability"])) & ~abstained
    out = pd.DataFrame(
        {
            "repository_id": repos["repository_id"].to_numpy(),
            "primary_category": names[order[:, 0]],
            "confidence": confidence,
            "secondary_category": np.where(supported, names[order[:, 1]], None),
            "is_abstained": abstained,
            "category": np.where(abstained, UNASSIGNED, names[order[:, 0]]),
        }
    )
    for j, column in enumerate(columns):
        out[column] = proba[:, j]
    return out


def predicted_label(predictions: pd.DataFrame) -> np.ndarray:
    """The answer an evaluation scores: the primary category, or ABSTAINED."""
    return np.where(
        predictions["is_abstained"].to_numpy(), ABSTAINED, predictions["primary_category"]
    ).astype(str)
