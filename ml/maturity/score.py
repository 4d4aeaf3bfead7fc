"""A transparent maturity score in the style of the OpenSSF criticality score, comparable only
between repositories measured on the same evidence.

Each signal is normalised to [0, 1] against a threshold T, either on a log scale,
`log(1 + min(x, T)) / log(1 + T)`, or linearly for ratios and flags, `min(x, T) / T`. Signals where
less is better (months since the last commit) use `1 - normalised`, which keeps every weight
positive and the score in [0, 1] (OpenSSF uses a negative weight instead).

Every signal comes from one source (`search`: the GitHub search observation; `git`: the git
history; `issues`: the issue list). A repository's evidence level is the set of sources whose
signals were all measured, and its score is the weighted mean over exactly the signals of those
sources: the same signals for every repository of a level. Rankings compare a repository only
with the others of its level (`rank_in_evidence`). Scores of different levels are different
measurements, so a repository can never climb a ranking by having fewer signals measured: losing a
signal moves it to another level instead of letting the others carry it. (The alternative,
filling an unmeasured signal with the population's value, would let a below-average project gain
by not being measured.)

The score carries an interval: the spread of the score over bootstrap draws that resample the
level's signals with replacement and scale each weight by a random factor between 1/f and f
(`interval.weight_factor`), so it shows how much the number rests on which signals and weights
were chosen. `score_static` and `score_activity` are the same weighted mean over the level's
static signals (age, popularity, license, owner) and activity signals (recent work) alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ml.config import config_section

SCALES = ("log", "linear")
DIRECTIONS = ("higher", "lower")
#: Sources in the order an evidence level names them.
SOURCES = ("search", "git", "issues")
PARTS = ("static", "activity")
NO_EVIDENCE = "none"


@dataclass(frozen=True)
class Signal:
    """One scored signal: where it comes from and how it is normalised."""

    name: str
    column: str
    weight: float
    threshold: float
    scale: str
    direction: str
    source: str
    part: str
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
            source=str(spec.get("source", "search")),
            part=str(spec.get("part", "static")),
            description=str(spec.get("description", "")),
        )
        if signal.weight <= 0 or signal.threshold <= 0:
            raise ValueError(f"maturity signal {name!r}: weight and threshold must be > 0")
        if signal.scale not in SCALES or signal.direction not in DIRECTIONS:
            raise ValueError(
                f"maturity signal {name!r}: scale must be one of {SCALES}, "
                f"direction one of {DIRECTIONS}"
            )
        if signal.source not in SOURCES or signal.part not in PARTS:
            raise ValueError(
                f"maturity signal {name!r}: source must be one of {SOURCES}, part one of {PARTS}"
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


def evidence_level(sources: tuple[str, ...] | list[str]) -> str:
    """The name of the evidence level made of `sources` (e.g. `search + git`), `none` if empty."""
    ordered = [s for s in SOURCES if s in sources]
    return " + ".join(ordered) if ordered else NO_EVIDENCE


def _levels(measured: pd.DataFrame, specs: list[Signal]) -> pd.Series:
    """Each row's evidence level: the sources all of whose signals were measured."""
    complete = {
        source: measured[[s.name for s in specs if s.source == source]].all(axis=1)
        for source in SOURCES
        if any(s.source == source for s in specs)
    }
    frame = pd.DataFrame(complete, index=measured.index)
    return frame.apply(lambda row: evidence_level([s for s, ok in row.items() if ok]), axis=1)


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted mean of `values` (rows x signals) with `weights` (draws x signals, or
    one row); NaN where the weights sum to 0."""
    total = weights.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (values @ weights.T) / np.where(total > 0, total, np.nan)


def _interval(
    values: np.ndarray, weights: np.ndarray, level_name: str, settings: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) of the score of every row of one level over bootstrap draws of its signals
    and weights. The draws depend only on the level and the seed, so a repository's interval
    does not depend on which other repositories were scored."""
    draws = int(settings["bootstrap_samples"])
    factor = float(settings["weight_factor"])
    alpha = (1.0 - float(settings["interval_level"])) / 2.0
    k = len(weights)
    rng = np.random.default_rng([int(settings["seed"]), *map(ord, level_name)])
    counts = rng.multinomial(k, np.full(k, 1.0 / k), size=draws)
    scaling = np.exp(rng.uniform(-np.log(factor), np.log(factor), size=(draws, k)))
    scores = _weighted_mean(values, counts * scaling * weights)
    return np.quantile(scores, alpha, axis=1), np.quantile(scores, 1.0 - alpha, axis=1)


SCORE_COLUMNS = [
    "repository_id",
    "maturity_score",
    "score_low",
    "score_high",
    "score_static",
    "score_activity",
    "evidence_level",
    "rank_in_evidence",
    "repositories_in_evidence",
    "coverage",
    "signals_measured",
    "signals_used",
]


def maturity_scores(signals: pd.DataFrame, config: dict[str, Any] | None = None) -> pd.DataFrame:
    """Score every repository in `signals` (one row per repository); the score columns of
    `ml_maturity`.

    Columns: SCORE_COLUMNS, then per signal `normalised__<signal>` (NaN when not measured) and
    `contribution__<signal>` (weight * normalised / the level's total weight, summing to the
    score; NaN for a signal outside the repository's evidence level). `maturity_score`,
    its interval and parts are NaN at evidence level `none`. `rank_in_evidence` is 1 for the
    highest score among the `repositories_in_evidence` of the same level (ties share the rank);
    `coverage` is the level's weight over the total weight of all signals.
    """
    specs = signals_from_config(config)
    settings = config_section("maturity", config)["interval"]
    missing = sorted({s.column for s in specs} - set(signals.columns))
    if missing:
        raise ValueError(f"signals table lacks columns {missing} needed by the maturity score")
    if "repository_id" not in signals.columns:
        raise ValueError("signals table lacks column 'repository_id'")
    if signals["repository_id"].duplicated().any():
        dupes = signals.loc[signals["repository_id"].duplicated(), "repository_id"].tolist()[:5]
        raise ValueError(f"signals must have one row per repository; duplicated: {dupes}")

    signals = signals.reset_index(drop=True)
    names = [s.name for s in specs]
    normalised = pd.DataFrame({s.name: normalise(signals[s.column], s) for s in specs})
    measured = normalised.notna()
    levels = _levels(measured, specs) if len(signals) else pd.Series(dtype=object)
    weights = np.array([s.weight for s in specs])
    out = pd.DataFrame({"repository_id": signals["repository_id"].to_numpy()})
    for column in SCORE_COLUMNS[1:]:
        out[column] = np.nan
    out["evidence_level"] = levels.to_numpy() if len(signals) else []
    contributions = pd.DataFrame(np.nan, index=normalised.index, columns=names)
    for level in sorted(set(levels) - {NO_EVIDENCE}):
        rows = (levels == level).to_numpy()
        used = np.array([s.source in level.split(" + ") for s in specs])
        values = normalised.loc[rows, used].to_numpy()
        w = weights[used]
        contributions.loc[rows, list(np.array(names)[used])] = values * w / w.sum()
        out.loc[rows, "maturity_score"] = _weighted_mean(values, w)
        low, high = _interval(values, w, level, settings)
        out.loc[rows, "score_low"], out.loc[rows, "score_high"] = low, high
        for part in PARTS:
            in_part = np.array([s.part == part for s in np.array(specs)[used]])
            if in_part.any():
                out.loc[rows, f"score_{part}"] = _weighted_mean(values[:, in_part], w[in_part])
        out.loc[rows, "coverage"] = w.sum() / weights.sum()
        out.loc[rows, "signals_used"] = int(used.sum())
    out["coverage"] = out["coverage"].fillna(0.0)
    out["signals_used"] = out["signals_used"].fillna(0).astype("int64")
    out["signals_measured"] = measured.sum(axis=1).astype("int64").to_numpy()
    scored = out["maturity_score"].notna()
    out["rank_in_evidence"] = (
        out[scored].groupby("evidence_level")["maturity_score"].rank(method="min", ascending=False)
    ).astype("Int64")
    out["repositories_in_evidence"] = (
        out[scored].groupby("evidence_level")["maturity_score"].transform("size")
    ).astype("Int64")
    for s in specs:
        out[f"normalised__{s.name}"] = normalised[s.name].to_numpy()
    for s in specs:
        out[f"contribution__{s.name}"] = contributions[s.name].to_numpy()
    return out


def score_definition(config: dict[str, Any] | None = None) -> pd.DataFrame:
    """The score's definition for the report: one row per signal.

    Columns: `signal`, `source_column`, `source` (search, git or issues: which evidence level
    needs it), `part` (static or activity), `weight`, `weight_share` (of the total weight),
    `threshold`, `scale`, `direction`, `formula`, `description` (the config's one line), then the
    interval's settings, the same on every row: `interval_level`, `interval_weight_factor`,
    `interval_draws`.
    """
    specs = signals_from_config(config)
    interval = config_section("maturity", config)["interval"]
    total = sum(s.weight for s in specs)
    out = pd.DataFrame(
        {
            "signal": [s.name for s in specs],
            "source_column": [s.column for s in specs],
            "source": [s.source for s in specs],
            "part": [s.part for s in specs],
            "weight": [s.weight for s in specs],
            "weight_share": [s.weight / total for s in specs],
            "threshold": [s.threshold for s in specs],
            "scale": [s.scale for s in specs],
            "direction": [s.direction for s in specs],
            "formula": [s.formula() for s in specs],
            "description": [s.description for s in specs],
        }
    )
    out["interval_level"] = float(interval["interval_level"])
    out["interval_weight_factor"] = float(interval["weight_factor"])
    out["interval_draws"] = int(interval["bootstrap_samples"])
    return out
