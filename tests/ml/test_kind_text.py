"""Shared text preparation (ml/text.py) that the kind, cluster and topic models read through."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ml.text import clean_text, repository_documents, split_name, topics_list


def test_clean_text_handles_none_nan_emoji_and_case() -> None:
    assert clean_text(None) == ""
    assert clean_text(float("nan")) == ""
    assert clean_text(pd.NA) == ""
    assert clean_text("🚀🔥 Fast   Model-Serving 😀") == "fast model-serving"
    assert clean_text("🚀🔥😀") == ""


def test_clean_text_cuts_ten_megabytes_before_work() -> None:
    huge = "serving " * (10 * 1024 * 1024 // 8)
    start = time.perf_counter()
    out = clean_text(huge, max_chars=2000)
    assert time.perf_counter() - start < 1.0
    assert len(out) <= 2000
    assert out.startswith("serving serving")


def test_split_name_splits_camel_snake_and_kebab() -> None:
    assert split_name("awesomeMLOps_list-v2") == "awesome ml ops list v2"
    assert split_name(None) == ""


def test_topics_list_accepts_lists_arrays_strings_and_junk() -> None:
    assert topics_list(["mlops", None, "Model-Serving", "🚀"]) == ["mlops", "model-serving"]
    assert topics_list(np.array(["a", "b"])) == ["a", "b"]
    assert topics_list("mlops, kubeflow") == ["mlops", "kubeflow"]
    assert topics_list(None) == []
    assert topics_list(42) == []
    assert len(topics_list([f"t{i}" for i in range(500)])) == 40


def test_repository_documents_joins_fields_and_tolerates_missing_columns() -> None:
    repos = pd.DataFrame(
        {
            "name": ["my_tool", None],
            "description": ["Serve models 🚀", None],
            "topics": [None, ["x"]],
        }
    )
    docs = repository_documents(repos, ("name", "description", "topics", "absent"))
    assert docs.tolist() == ["my tool serve models", "x"]
