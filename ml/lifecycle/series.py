"""Monthly activity series per repository, cut at the analysis date.

Both the stage rules and the shape clustering read activity through `monthly_series`, so they see
the same months: from a repository's first observed month to the last month completed by
`as_of` (and by the end of its observation, when that is earlier), zero-filled, never a later
month. A month in progress would read as a fall in activity, so it is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd


def naive_utc(value: pd.Timestamp | str) -> pd.Timestamp:
    """A timestamp as naive UTC, so tz-aware marts and naive test data compare safely."""
    ts = pd.Timestamp(value)
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


def naive_utc_series(values: pd.Series) -> pd.Series:
    """A column of timestamps as naive UTC (see `naive_utc`)."""
    # parsed only when not timestamps already: on a timestamp column to_datetime changes nothing,
    # but first reads its values to decide whether to cache them (0.6 s of the back-test panel)
    ts = values if pd.api.types.is_datetime64_any_dtype(values) else pd.to_datetime(values)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    return ts


def month_start(value: pd.Timestamp) -> pd.Timestamp:
    """The first day of the month holding `value`."""
    return naive_utc(value).to_period("M").to_timestamp()


def last_complete_month(value: pd.Timestamp | str) -> pd.Timestamp:
    """The first day of the last month that had ended by `value` (a month start ends the month
    before it)."""
    return _last_complete_month(pd.Timestamp(value))


@lru_cache(maxsize=1 << 14)
def _last_complete_month(value: pd.Timestamp) -> pd.Timestamp:
    # asked once per repository and origin, for a few hundred distinct instants
    return month_start(value) - pd.DateOffset(months=1)


def monthly_series(
    activity_monthly: pd.DataFrame,
    as_of: pd.Timestamp,
    column: str,
    observed_until: Mapping[Any, pd.Timestamp] | None = None,
) -> dict[Any, pd.Series]:
    """One zero-filled monthly series of `column` per repository, from its first month to the last
    month complete at `as_of`.

    Later months are dropped; so are months not complete at a repository's `observed_until`
    (when its history was observed only up to then: silence after it is unknown, not inactivity).
    A repository whose first month is after the cut-off gets an empty series. Missing values
    inside the window count as 0: the marts zero-fill between first and last observed month, and
    silence after the last observed month up to the cut-off is inactivity.
    """
    for needed in ("repository_id", "month", column):
        if needed not in activity_monthly.columns:
            raise ValueError(f"activity_monthly lacks column {needed!r}")
    cutoff = last_complete_month(as_of)
    observed_until = observed_until or {}
    months = naive_utc_series(activity_monthly["month"])
    frame = pd.DataFrame(
        {
            "repository_id": activity_monthly["repository_id"].to_numpy(),
            "month_index": (months.dt.year * 12 + months.dt.month - 1).to_numpy(),
            "value": pd.to_numeric(activity_monthly[column], errors="coerce")
            .fillna(0.0)
            .to_numpy(),
        }
    )
    # One pass over the rows sorted by repository (numpy slices, not a groupby: this runs for
    # every repository at every back-test origin and timeline date).
    frame = frame.sort_values("repository_id", kind="stable")
    ids = frame["repository_id"].to_numpy()
    month_index = frame["month_index"].to_numpy()
    value = frame["value"].to_numpy()
    keys, starts = np.unique(ids, return_index=True)
    bounds = [*starts.tolist(), len(ids)]
    cutoff_index = cutoff.year * 12 + cutoff.month - 1
    series: dict[int, pd.Series] = {}
    for position, repository_id in enumerate(keys.tolist()):
        end_index = cutoff_index
        until = observed_until.get(repository_id)
        if until is not None and not pd.isna(until):
            end = last_complete_month(until)
            end_index = min(end_index, end.year * 12 + end.month - 1)
        rows = slice(bounds[position], bounds[position + 1])
        kept = month_index[rows] <= end_index
        if not kept.any():
            series[repository_id] = pd.Series(dtype=float)
            continue
        months = month_index[rows][kept]
        first = int(months.min())
        values = np.zeros(end_index - first + 1)
        np.add.at(values, months - first, value[rows][kept])
        series[repository_id] = pd.Series(values, index=_month_range(first, end_index))
    return series


@lru_cache(maxsize=1 << 14)
def _month_range(first_index: int, last_index: int) -> pd.DatetimeIndex:
    """Month starts from month number `first_index` to `last_index` (year * 12 + month - 1),
    shared by the series of one span (an index's values cannot change; none of its users
    renames it)."""
    return pd.date_range(
        pd.Timestamp(year=first_index // 12, month=first_index % 12 + 1, day=1),
        pd.Timestamp(year=last_index // 12, month=last_index % 12 + 1, day=1),
        freq="MS",
    )
