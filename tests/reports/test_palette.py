"""The report palette (dbt_project/seeds/report_palette.csv): stage colours in the cycle's order,
and every two colours of a palette told apart by readers with colour-vision deficiencies."""

from __future__ import annotations

import csv
import itertools

import numpy as np
import pytest

from mlops_atlas.paths import DBT_PROJECT_DIR

SEED = DBT_PROJECT_DIR / "seeds" / "report_palette.csv"
MIN_DISTANCE = 10.0  # CIELAB ΔE (1976) every two colours of a palette keep

# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}


def _rows() -> list[dict[str, str]]:
    with SEED.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) for i in (0, 2, 4)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x, y, z = (xyz @ linear) / np.array([0.95047, 1.0, 1.08883])

    def f(t: float) -> float:
        return np.cbrt(t) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    return np.array([116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))])


def test_the_seed_is_well_formed() -> None:
    rows = _rows()
    for palette in {r["palette"] for r in rows}:
        members = [r for r in rows if r["palette"] == palette]
        assert sorted(int(r["series_order"]) for r in members) == list(range(1, len(members) + 1))
        assert len({r["colour_hex"].lower() for r in members}) == len(members), palette
    assert all(len(r["colour_hex"]) == 6 and int(r["colour_hex"], 16) >= 0 for r in rows)


def test_stages_follow_the_cycle_on_a_ramp_then_three_distinct_states() -> None:
    stages = sorted(
        (r for r in _rows() if r["palette"] == "stage"), key=lambda r: int(r["series_order"])
    )
    phases = [r for r in stages if r["is_cycle_phase"] == "true"]
    assert [r["short_label"] for r in phases] == ["trigger", "peak", "trough", "slope", "plateau"]
    assert stages[: len(phases)] == phases  # the phases first, in order
    # A sequential ramp: each phase lighter than the one before.
    lightness = [_lab(_linear(r["colour_hex"]))[0] for r in phases]
    assert lightness == sorted(lightness) and len(set(lightness)) == len(lightness)
    off = [r["series"] for r in stages[len(phases) :]]
    assert off == ["dormant", "archived", "insufficient history"]


@pytest.mark.parametrize("palette", ["stage", "category"])
@pytest.mark.parametrize("vision", list(SIMULATIONS))
def test_every_two_colours_stay_apart(palette: str, vision: str) -> None:
    colours = [r["colour_hex"] for r in _rows() if r["palette"] == palette]
    assert len(colours) >= 2
    seen = {c: _lab(SIMULATIONS[vision] @ _linear(c)) for c in colours}
    closest = min(
        (float(np.linalg.norm(seen[a] - seen[b])), a, b)
        for a, b in itertools.combinations(colours, 2)
    )
    assert closest[0] >= MIN_DISTANCE, f"{palette} under {vision}: {closest}"
