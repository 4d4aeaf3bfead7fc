"""Logistic growth curve of the ecosystem: recovers known parameters, fails honestly."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ml.config import load_ml_config
from ml.ecosystem.growth import (
    cycle_position,
    fitted_values,
    growth_curves,
    logistic,
    monthly_series,
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
