"""Logistic growth curve of the ecosystem: recovers known parameters, fails honestly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.ecosystem.growth import (
    CAP_CORRECTED,
    cumulative_by_month,
    curve_table,
    cycle_position,
    fitted_table,
    fitted_values,
    growth_curves,
    logistic,
    monthly_series,
    with_cap_correction,
)

CONFIG = load_ml_config()
FIRST = pd.Timestamp("2015-01-01")


def _group(topic: str, cumulative: np.ndarray) -> pd.DataFrame:
    months = pd.date_range(FIRST, periods=len(cumulative), freq="MS")
    return pd.DataFrame(
        {
            "month": months,
            "topic": topic,
            "new_repositories": np.diff(cumulative, prepend=0),
            "cumulative_repositories": cumulative,
        }
    )


def _noisy_logistic(k: float, r: float, t0: float, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    clean = logistic(np.arange(n, dtype=float), k, r, t0)
    return np.maximum.accumulate(np.round(clean * rng.normal(1.0, 0.01, n)))


def test_recovers_known_parameters() -> None:
    data = _group("all", _noisy_logistic(1000, 0.12, 40, 80, seed=1))
    fits, fitted = growth_curves(data, CONFIG)
    fit = fits.iloc[0]
    assert fit["fit_status"] == "ok"
    assert fit["saturation"] == pytest.approx(1000, rel=0.03)
    assert fit["growth_rate"] == pytest.approx(0.12, rel=0.05)
    assert fit["inflection_month"] == pd.Timestamp("2018-05-01")  # 40 months after 2015-01
    assert fit["r_squared"] > 0.99
    # Latest month t=79: z = 0.12 * 39 = 4.7 -> saturating.
    assert fit["cycle_position"] == "saturating"
    assert fit["share_of_saturation"] == pytest.approx(fit["latest_cumulative"] / fit["saturation"])
    assert len(fitted) == 80 + CONFIG["ecosystem_curve"]["forecast_months"]
    assert fitted["is_forecast"].sum() == CONFIG["ecosystem_curve"]["forecast_months"]


def test_early_growth_is_placed_before_the_inflection() -> None:
    # Observed up to 10 months before the inflection, steep enough to see the bend starting.
    data = _group("serving", _noisy_logistic(5000, 0.15, 60, 50, seed=2))
    fit = growth_curves(data, CONFIG)[0].iloc[0]
    assert fit["fit_status"] == "ok"
    # True values: 49 - 60 = -11 months, z = 0.15 * -11 = -1.65 < -1.317 -> emerging.
    assert fit["months_from_inflection"] == pytest.approx(-11, abs=3)
    assert fit["cycle_position"] == "emerging"


def test_cycle_position_rule_boundaries() -> None:
    knee = math.log(2 + math.sqrt(3))
    assert cycle_position(-knee - 0.01) == "emerging"
    assert cycle_position(-knee + 0.01) == "accelerating"
    assert cycle_position(0.0) == "decelerating"
    assert cycle_position(knee) == "saturating"
    # The knees sit at 21% and 79% of saturation.
    assert logistic(np.array([-knee]), 1.0, 1.0, 0.0)[0] == pytest.approx(0.2113, abs=1e-4)


def test_too_few_points_and_flat_series_give_null_rows() -> None:
    data = pd.concat(
        [
            _group("all", _noisy_logistic(1000, 0.12, 40, 80, seed=1)),
            _group("monitoring", np.array([1.0, 2.0, 4.0, 8.0, 9.0])),
            _group("infrastructure", np.full(30, 7.0)),
        ]
    )
    fits, fitted = growth_curves(data, CONFIG)
    fits = fits.set_index("group")
    assert fits.loc["monitoring", "fit_status"] == "too few points (5 < 12)"
    assert fits.loc["infrastructure", "fit_status"] == "no growth in the observed months"
    for group in ("monitoring", "infrastructure"):
        assert fits.loc[group, ["saturation", "growth_rate", "r_squared"]].isna().all()
        assert pd.isna(fits.loc[group, "inflection_month"])
    assert fits.loc["monitoring", "latest_cumulative"] == 9.0
    assert set(fitted["group"]) == {"all"}


def test_months_after_as_of_are_ignored_and_fit_is_deterministic() -> None:
    data = _group("all", _noisy_logistic(1000, 0.12, 40, 80, seed=1))
    cut = growth_curves(data, CONFIG, as_of="2019-12-15")[0].iloc[0]
    assert cut["latest_month"] == pd.Timestamp("2019-12-01")
    assert cut["n_months"] == 60
    first = growth_curves(data, CONFIG)
    second = growth_curves(data.sample(frac=1.0, random_state=4), CONFIG)
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_frame_equal(first[1], second[1])


def test_fitted_values_come_from_the_stored_fit() -> None:
    # ml_ecosystem_curve_fitted evaluates the fits stored in ml_ecosystem_curve, no second fit.
    data = _group("all", _noisy_logistic(1000, 0.12, 40, 80, seed=1))
    fits, fitted = growth_curves(data, CONFIG)
    again = fitted_values(fits, monthly_series(data), CONFIG)
    pd.testing.assert_frame_equal(again, fitted)
    observed = fitted.dropna(subset=["observed_cumulative"])
    y, pred = observed["observed_cumulative"], observed["fitted_cumulative"]
    r_squared = 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert r_squared == pytest.approx(fits.iloc[0]["r_squared"], rel=1e-9)


def _members(category: str, monthly_counts: np.ndarray, first: str = "2015-01-01") -> pd.DataFrame:
    """One row per repository created, `monthly_counts[i]` of them in month i (mid-month)."""
    months = pd.date_range(first, periods=len(monthly_counts), freq="MS") + pd.Timedelta(days=14)
    created = np.repeat(months.to_numpy(), monthly_counts.astype(int))
    return pd.DataFrame(
        {
            "repository_id": [f"{category}:{i}" for i in range(len(created))],
            "category": category,
            "created_at": created,
        }
    )


def _categories() -> pd.DataFrame:
    """Serving: a logistic of 600 tools with its inflection at month 40 (2018-05); monitoring:
    one of 300 with the inflection at month 60 (2020-01); infrastructure: 6 tools."""
    t = np.arange(97, dtype=float)  # 2015-01 .. 2023-01
    serving = np.diff(np.round(logistic(t, 600, 0.15, 40)), prepend=0)
    monitoring = np.diff(np.round(logistic(t, 300, 0.12, 60)), prepend=0)
    infrastructure = np.zeros(97)
    infrastructure[[10, 30, 50, 70, 80, 90]] = 1
    return pd.concat(
        [
            _members("serving", serving),
            _members("monitoring", monitoring),
            _members("infrastructure", infrastructure),
        ],
        ignore_index=True,
    )


def test_cumulative_by_month_zero_fills_a_shared_spine_up_to_as_of() -> None:
    members = _categories()
    frame = cumulative_by_month(members, "category", "2023-01-19 04:13:20", total_group="all tools")
    assert set(frame["category"]) == {"all tools", "infrastructure", "monitoring", "serving"}
    per_group = frame.groupby("category")
    # Every group has every month from the first creation of any group to the month of as_of.
    assert (per_group["month"].min() == pd.Timestamp("2015-01-01")).all()
    assert (per_group["month"].max() == pd.Timestamp("2023-01-01")).all()
    assert (per_group.size() == 97).all()
    latest = per_group["cumulative_repositories"].last()
    assert latest["infrastructure"] == 6
    assert latest["all tools"] == len(members)
    assert frame["repositories_created"].sum() == 2 * len(members)
    # Nothing created after as_of counts, and no month after it appears.
    cut = cumulative_by_month(members, "category", "2016-06-30")
    assert cut["month"].max() == pd.Timestamp("2016-06-01")
    early = members[pd.to_datetime(members["created_at"]) <= "2016-06-30"]
    assert cut.groupby("category")["cumulative_repositories"].last().sum() == len(early)


def test_category_curves_recover_known_inflections_and_refuse_tiny_categories() -> None:
    frame = cumulative_by_month(_categories(), "category", "2023-01-19", total_group="all tools")
    fits = growth_curves(frame, CONFIG, as_of="2023-01-19", group_column="category")[0]
    fits = fits.set_index("group")
    assert fits.loc["serving", "fit_status"] == "ok"
    assert fits.loc["serving", "inflection_month"] == pd.Timestamp("2018-05-01")
    assert fits.loc["serving", "saturation"] == pytest.approx(600, rel=0.02)
    assert fits.loc["monitoring", "fit_status"] == "ok"
    assert fits.loc["monitoring", "inflection_month"] == pd.Timestamp("2020-01-01")
    minimum = CONFIG["ecosystem_curve"]["min_repositories"]
    assert fits.loc["infrastructure", "fit_status"] == f"too few repositories (6 < {minimum})"
    assert fits.loc["infrastructure", ["saturation", "r_squared"]].isna().all()
    assert (
        fits.loc["all tools", "latest_cumulative"]
        == fits.drop(index="all tools")["latest_cumulative"].sum()
    )


def test_curve_and_fitted_tables_are_deterministic_and_keyed() -> None:
    members = _categories()
    as_of = pd.Timestamp("2023-01-19 04:13:20")
    tables = []
    for order in (members, members.sample(frac=1.0, random_state=5)):
        monthly = cumulative_by_month(order, "category", as_of, total_group="all tools")
        curves = curve_table(monthly, "category", as_of, CONFIG)
        tables.append((curves, fitted_table(curves, monthly, "category", as_of, CONFIG)))
    pd.testing.assert_frame_equal(tables[0][0], tables[1][0])
    pd.testing.assert_frame_equal(tables[0][1], tables[1][1])
    curves, fitted = tables[0]
    assert curves["category"].is_unique and (curves["as_of"] == as_of).all()
    assert fitted["category_month_id"].is_unique
    assert fitted["category_month_id"].iloc[0] == "all tools:2015-01-01"
    # Categories without a fit have no fitted rows.
    assert "infrastructure" not in set(fitted["category"])


def test_small_or_extrapolated_curves_are_not_findings() -> None:
    grown = _group("grown", _noisy_logistic(1000, 0.12, 40, 80, seed=1))
    rising = _group("rising", _noisy_logistic(1000, 0.12, 70, 60, seed=2))  # turns after month 60
    small = _group("small", _noisy_logistic(25, 0.12, 30, 80, seed=3))
    fits, _ = growth_curves(pd.concat([grown, rising, small]), CONFIG)
    status = fits.set_index("group")["finding_status"].to_dict()
    assert status["grown"] == "finding"
    assert status["rising"] == "inflection after the latest month (extrapolated)"
    minimum = CONFIG["ecosystem_curve"]["min_finding_repositories"]
    assert status["small"] == f"fewer than {minimum} repositories"
    assert fits.set_index("group")["is_finding"].to_dict() == {
        "grown": True,
        "rising": False,
        "small": False,
    }


def test_the_cap_correction_adds_the_missing_repositories_where_low_star_ones_were_created() -> (
    None
):
    overall = _group("all", np.arange(1, 25, dtype=float) * 10)
    months = pd.date_range(FIRST, periods=24, freq="MS")
    # Low-star repositories: one created in month 0, three in month 20.
    low = pd.Series([months[0], months[20], months[20], months[20]])
    out = with_cap_correction(overall, low, missing=40)
    corrected = out[out["topic"] == CAP_CORRECTED].set_index("month")["cumulative_repositories"]
    original = overall.set_index("month")["cumulative_repositories"]
    added = corrected - original
    assert added.iloc[0] == pytest.approx(10) and added.iloc[19] == pytest.approx(10)
    assert added.iloc[20] == pytest.approx(40) and added.iloc[-1] == pytest.approx(40)
    # Nothing missing, nothing added; the other groups are untouched.
    same = with_cap_correction(overall, low, missing=0)
    assert same[same["topic"] == CAP_CORRECTED]["cumulative_repositories"].tolist() == (
        original.tolist()
    )
    pd.testing.assert_frame_equal(out[out["topic"] == "all"][overall.columns], overall)
