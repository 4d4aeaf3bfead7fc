"""The strata the labelled sample is drawn from: a stars band crossed with having a README.

Stars are what separates a course from a platform most visibly, and a README is what the models
gain or lack, so the sample is stratified by both: every band and README state is represented,
the rare well-starred bands are drawn far more densely than the thousands of zero-star
repositories, and each label carries the weight its stratum needs for estimates about the
whole population. Fixed, not a knob: changing a band changes the sample the labels were written
for.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pandas as pd

from ml.text import is_missing

#: Lower bounds of the stars bands; the last is open-ended.
STAR_BANDS: tuple[int, ...] = (0, 1, 10, 100, 1000)
#: The band of a repository with no star count (known only from a git history).
UNKNOWN_BAND = "unknown"


def star_band(stars: Any) -> str:
    """'0', '1-9', '10-99', '100-999', '1000+', or 'unknown' when there is no star count."""
    if is_missing(stars):
        return UNKNOWN_BAND
    value = int(stars)
    if value >= STAR_BANDS[-1]:
        return f"{STAR_BANDS[-1]}+"
    low, high = next((lo, hi) for lo, hi in pairwise(STAR_BANDS) if value < hi)
    return str(low) if high - low == 1 else f"{low}-{high - 1}"


def stratum(stars: Any, has_readme: bool) -> str:
    """The stratum of a repository: `<band>/readme` or `<band>/no readme`."""
    return f"{star_band(stars)}/{'readme' if has_readme else 'no readme'}"


def design_weights(sample_strata: pd.Series, population_strata: pd.Series) -> pd.Series:
    """Each labelled repository's weight for estimates about the population: its stratum's
    population count over its sample count (N_h / n_h), so densely drawn strata do not
    dominate. A stratum missing from the population (a build of other data) weighs 1 per
    label."""
    sample = sample_strata.value_counts()
    population = population_strata.value_counts().reindex(sample.index)
    per_stratum = population.fillna(sample) / sample
    return sample_strata.map(per_stratum).astype(float)
