"""The scale bench's table: the order sizes are measured in, and what it keeps of their runs."""

from __future__ import annotations

import pytest

from bench.scale import fastest, rounds


def test_rounds_go_up_the_sizes_and_back_down() -> None:
    assert rounds([1, 3, 10], 2) == [1, 3, 10, 10, 3, 1]
    assert rounds([1, 3, 10], 3) == [1, 3, 10, 10, 3, 1, 1, 3, 10]
    assert rounds([1, 3], 1) == [1, 3]


def test_fastest_keeps_each_stages_least_seconds_and_largest_peak() -> None:
    first = [("load", 4.3, 630.0), ("dbt build", 29.1, 863.0)]
    second = [("load", 5.4, 601.0), ("dbt build", 22.4, 900.0)]
    # seconds and peaks of one stage may come from different runs
    assert fastest([first, second]) == [("load", 4.3, 630.0), ("dbt build", 22.4, 900.0)]


def test_runs_with_different_stages_are_an_error() -> None:
    with pytest.raises(ValueError):
        fastest([[("load", 1.0, 1.0)], [("load", 1.0, 1.0), ("reports", 1.0, 1.0)]])
