"""Warehouse frames for the ML models: the as_of instant and tools per category and month."""

from __future__ import annotations

import pandas as pd

from ml.warehouse import ALL_TOOLS, as_of_instant, tool_category_monthly


def test_as_of_instant_reads_the_one_row() -> None:
    frame = pd.DataFrame({"as_of_at": [pd.Timestamp("2023-01-19 04:13:20")], "is_given": [False]})
    assert as_of_instant(frame) == pd.Timestamp("2023-01-19 04:13:20")


def test_tool_category_monthly_counts_tools_by_creation_month() -> None:
    dim = pd.DataFrame(
        {
            "repository_id": ["1", "2", "3", "4"],
            "created_at": pd.to_datetime(["2020-01-05", "2020-03-01", "2020-03-20", "2024-01-01"]),
        }
    )
    clusters = pd.DataFrame(
        {
            "repository_id": ["1", "2", "3", "4", "5"],  # 5 is not in dim_repositories
            "category": ["serving", "serving", "monitoring", "serving", "monitoring"],
        }
    )
    monthly = tool_category_monthly(dim, clusters, pd.Timestamp("2020-04-15"))
    latest = monthly.groupby("category")["cumulative_repositories"].last().to_dict()
    # Repository 4 was created after as_of; 5 has no creation time.
    assert latest == {ALL_TOOLS: 3, "monitoring": 1, "serving": 2}
    assert monthly["month"].min() == pd.Timestamp("2020-01-01")
    assert monthly["month"].max() == pd.Timestamp("2020-04-01")
