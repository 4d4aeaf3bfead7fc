"""A transparent maturity score in the style of the OpenSSF criticality score.

Each signal is normalised to [0, 1] against a threshold T, either on a log scale,
`log(1 + min(x, T)) / log(1 + T)`, or linearly for ratios and flags, `min(x, T) / T`. Signals where
less is better (months since the last commit) use `1 - normalised`, which keeps every weight
positive and the score in [0, 1] (OpenSSF uses a negative weight instead). The score is the
weighted mean over the signals that were measured: a NULL signal is left out and the remaining
weights are renormalised, and `coverage` reports how much of the total weight was measured. So
every score is the sum of its `contribution__<signal>` columns, each explainable from one stored
column, its weight and its threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml.config import config_section

SCALES = ("log", "linear")
DIRECTIONS = ("higher", "lower")


@dataclass(frozen=True)
class Signal:
    """One scored signal: where it comes from and how it is normalised."""

    name: str
    column: str
    weight: float
    threshold: float
    scale: str
    direction: str
    description: str = ""

    def formula(self) -> str:
        """The normalisation as text, with this signal's column and threshold filled in."""
        t = f"{self.threshold:g}"
        x = f"max({self.column}, 0)"
        if self.scale == "log":
            core = f"log(1 + min({x}, {t})) / log(1 + {t})"
        else:
            core = f"min({x}, {t}) / {t}"
        return core if self.direction == "higher" else f"1 - {core}"


def signals_from_config(config: dict[str, Any] | None = None) -> list[Signal]:
    """The configured signals, validated so a typo in the `ml_maturity` var fails with its name."""
    section = config_section("maturity", config)
    signals = []
    for name, spec in section["signals"].items():
        signal = Signal(
            name=name,
            column=str(spec["column"]),
            weight=float(spec["weight"]),
            threshold=float(spec["threshold"]),
            scale=str(spec.get("scale", "log")),
            direction=str(spec.get("direction", "higher")),
            description=str(spec.get("description", "")),
        )
        if signal.weight <= 0 or signal.threshold <= 0:
            raise ValueError(f"maturity signal {name!r}: weight and threshold must be > 0")
        if signal.scale not in SCALES or signal.direction not in DIRECTIONS:
            raise ValueError(
                f"maturity signal {name!r}: scale must be one of {SCALES}, "
                f"direction one of {DIRECTIONS}"
            )
        signals.append(signal)
    if not signals:
        raise ValueError("maturity config lists no signals")
    return signals


def normalise(values: pd.Series, signal: Signal) -> pd.Series:
    """Map raw values to [0, 1] for one signal; NULL stays NULL (not measured is not zero).

    Negative values (clock skew in "months since") are clipped to 0 before capping at T.
    """
    x = pd.to_numeric(values.astype("object").where(values.notna()), errors="coerce")
    x = x.astype(float).clip(lower=0.0, upper=signal.threshold)
    if signal.scale == "log":
        scaled = np.log1p(x) / np.log1p(signal.threshold)
    else:
        scaled = x / signal.threshold
    return 1.0 - scaled if signal.direction == "lower" else scaled


def maturity_scores(signals: pd.DataFrame, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Score every repository in `signals` (one row per repository); the `ml_maturity` table.

    Columns: `repository_id`, `maturity_score` (NaN when no signal was measured),
    `coverage` (measured weight / total weight), `signals_measured`, then per signal
    `normalised__<signal>` and `contribution__<signal>` (weight * normalised / measured weight,
    summing to the score; NaN when the signal was not measured).
    """
    specs = signals_from_config(config)
    missing = sorted({s.column for s in specs} - set(signals.columns))
    if missing:
        raise ValueError(f"signals table lacks columns {missing} needed by the maturity score")
    if "repository_id" not in signals.columns:
        raise ValueError("signals table lacks column 'repository_id'")
    if signals["repository_id"].duplicated().any():
        dupes = signals.loc[signals["repository_id"].duplicated(), "repository_id"].tolist()[:5]
        raise ValueError(f"signals must have one row per repository; duplicated: {dupes}")

    normalised = pd.DataFrame(
        {s.name: normalise(signals[s.column], s) for s in specs}, index=signals.index
    )
    weights = pd.Series({s.name: s.weight for s in specs})
    measured = normalised.notna()
    measured_weight = measured.mul(weights, axis=1).sum(axis=1)
    denominator = measured_weight.where(measured_weight > 0)
    contributions = normalised.mul(weights, axis=1).div(denominator, axis=0)

    out = pd.DataFrame({"repository_id": signals["repository_id"].to_numpy()})
    out["maturity_score"] = contributions.sum(axis=1, min_count=1).clip(0.0, 1.0).to_numpy()
    out["coverage"] = (measured_weight / weights.sum()).to_numpy()
    out["signals_measured"] = measured.sum(axis=1).astype("int64").to_numpy()
    for s in specs:
        out[f"normalised__{s.name}"] = normalised[s.name].to_numpy()
    for s in specs:
        out[f"contribution__{s.name}"] = contributions[s.name].to_numpy()
    return out


def score_definition(config: dict[str, Any] | None = None) -> pd.DataFrame:
    """The score's definition for the report: one row per signal.

    Columns: `signal`, `source_column`, `weight`, `weight_share` (of the total weight),
    `threshold`, `scale`, `direction`, `formula`, `description` (the config's one line).
    """
    specs = signals_from_config(config)
    total = sum(s.weight for s in specs)
    return pd.DataFrame(
        {
            "signal": [s.name for s in specs],
            "source_column": [s.column for s in specs],
            "weight": [s.weight for s in specs],
            "weight_share": [s.weight / total for s in specs],
            "threshold": [s.threshold for s in specs],
            "scale": [s.scale for s in specs],
            "direction": [s.direction for s in specs],
            "formula": [s.formula() for s in specs],
            "description": [s.description for s in specs],
        }
    )
