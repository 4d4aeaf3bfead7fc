"""Where the ecosystem as a whole sits on its growth curve.

A logistic curve `K / (1 + exp(-r (t - t0)))` is fitted to the cumulative number of repositories
per month, overall and per topic: K is the saturation level, r the monthly growth rate and t0 the
inflection month, when new repositories per month peak. A coarse grid over the whole box of
allowed growth rates and inflections (the saturation solved exactly at each point) picks a few
starts; a local least-squares fit from each refines it, and the one with the least squared error
is kept, so one bad start cannot fail a fit.

`cycle_position` places the latest month on the fitted curve by z = r (t_latest - t0). The
logistic's growth rate itself accelerates fastest and decelerates fastest at z = -/+ ln(2 + sqrt 3)
(about 1.317, where the curve is at 21% and 79% of K), which with the inflection (z = 0, 50% of
K) splits the curve into four phases:
  z < -1.317: `emerging`; -1.317 <= z < 0: `accelerating` (new repositories per month still rise);
  0 <= z < 1.317: `decelerating` (past the inflection); z >= 1.317: `saturating`.

Two things keep a curve from being over-read. `finding_status` says when a fit is no finding: too
few repositories, or an inflection after the latest month (an extrapolation). And the overall
series has a twin corrected for the search cap (`cap_corrected`): GitHub returns at most 1,000
results a search, ranked by stars, so the repositories left out are the least starred, which are
more often recent; missing them bends the cumulative curve down at its end, towards
"decelerating", and the corrected twin shows by how much.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit

from ml.config import config_section, load_ml_config
from ml.lifecycle.series import naive_utc, naive_utc_series

KNEE = math.log(2.0 + math.sqrt(3.0))

#: The overall series corrected for the search results GitHub's cap left out (`cap_corrected`).
CAP_CORRECTED = "all, corrected for the search cap"

FIT_COLUMNS = [
    "group",
    "saturation",
    "growth_rate",
    "inflection_month",
    "months_from_inflection",
    "r_squared",
    "first_month",
    "latest_month",
    "latest_cumulative",
    "share_of_saturation",
    "cycle_position",
    "n_months",
    "fit_status",
    "is_finding",
    "finding_status",
]


def logistic(t: np.ndarray, saturation: float, growth_rate: float, inflection: float) -> np.ndarray:
    """The logistic curve at months `t`."""
    return saturation / (1.0 + np.exp(-growth_rate * (t - inflection)))


def logistic_jacobian(
    t: np.ndarray, saturation: float, growth_rate: float, inflection: float
) -> np.ndarray:
    """d logistic / d (saturation, growth_rate, inflection) at months `t`: given to the fit, so it
    need not estimate the derivatives by finite differences (three more curve evaluations a step)."""
    e = np.exp(-growth_rate * (t - inflection))
    share = 1.0 / (1.0 + e)
    slope = saturation * e * share * share
    return np.column_stack([share, slope * (t - inflection), -slope * growth_rate])


def cycle_position(z: float) -> str:
    """The phase of the curve at z = growth_rate * (months from the inflection); see module doc."""
    if z < -KNEE:
        return "emerging"
    if z < 0:
        return "accelerating"
    if z < KNEE:
        return "decelerating"
    return "saturating"


def fit_logistic(
    t: np.ndarray, y: np.ndarray, config: dict[str, Any] | None = None
) -> tuple[tuple[float, float, float] | None, str]:
    """Fit (K, r, t0) to points (t, y); returns (params or None, status message).

    y is cumulative repositories: with fewer than `min_repositories` at the end there is no fit,
    because a handful of creation dates traces no curve. y is scaled by its maximum while fitting
    so the bounds and starts do not depend on size.
    """
    c = config_section("ecosystem_curve", config)
    if len(t) < int(c["min_points"]):
        return None, f"too few points ({len(t)} < {c['min_points']})"
    y_max = float(np.max(y))
    if y_max <= 0 or float(np.ptp(y)) == 0:
        return None, "no growth in the observed months"
    if y_max < float(c["min_repositories"]):
        return None, f"too few repositories ({y_max:g} < {c['min_repositories']})"
    scaled = y / y_max
    r_low, r_high = (float(v) for v in c["growth_rate_bounds"])
    margin = float(c["inflection_margin_months"])
    lower = [1.0, r_low, float(t.min()) - margin]
    upper = [float(c["max_saturation_multiple"]), r_high, float(t.max()) + margin]
    best: tuple[float, np.ndarray] | None = None
    errors: list[str] = []
    for start in _grid_starts(t, scaled, lower, upper, c):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)
                params, _ = curve_fit(
                    logistic,
                    t,
                    scaled,
                    p0=start,
                    jac=logistic_jacobian,
                    bounds=(lower, upper),
                    maxfev=int(c["max_evaluations"]),
                )
        except (RuntimeError, ValueError) as error:
            errors.append(str(error))
            continue
        sse = float(np.sum((logistic(t, *params) - scaled) ** 2))
        if np.isfinite(sse) and (best is None or sse < best[0]):
            best = (sse, params)
    if best is None:
        return None, f"did not converge: {errors[0] if errors else 'no finite fit'}"
    k, r, t0 = best[1]
    return (float(k) * y_max, float(r), float(t0)), "ok"


def _grid_starts(
    t: np.ndarray, y: np.ndarray, lower: list[float], upper: list[float], c: dict[str, Any]
) -> list[np.ndarray]:
    """The `grid_starts` best points of a grid over (r, t0) within the bounds, each with its
    best saturation: for a fixed (r, t0) the curve is K times a known shape, so the K with the
    least squared error is a ratio of sums (kept within its bounds). The local fits start from
    these, so the search covers the whole box, not a few guesses inside it."""
    rates_n, inflections_n = (int(v) for v in c["start_grid"])
    rates = np.geomspace(lower[1], upper[1], rates_n)
    inflections = np.linspace(lower[2], upper[2], inflections_n)
    r, t0 = (a.ravel() for a in np.meshgrid(rates, inflections, indexing="ij"))
    with np.errstate(over="ignore"):
        shape = 1.0 / (1.0 + np.exp(-r[:, None] * (t[None, :] - t0[:, None])))
    best_k = (shape @ y) / np.maximum(np.sum(shape * shape, axis=1), 1e-300)
    k = np.clip(best_k, lower[0], upper[0])
    sse = np.sum((k[:, None] * shape - y[None, :]) ** 2, axis=1)
    order = np.argsort(sse, kind="stable")[: int(c["grid_starts"])]
    return [np.array([k[i], r[i], t0[i]]) for i in order]


def finding_status(fit: dict[str, Any], config: dict[str, Any] | None = None) -> str:
    """Whether a fitted curve may be read as a finding: `finding`, else why not. A curve over
    fewer than `min_finding_repositories` repositories, or whose inflection lies after the latest
    month (so the turn it reports is an extrapolation), is shown as such, not as a finding."""
    c = config_section("ecosystem_curve", config)
    if pd.isna(fit.get("saturation")):
        return "no fit"
    if fit["fit_status"] != "ok":
        return "poor fit"
    if fit["latest_cumulative"] < float(c["min_finding_repositories"]):
        return f"fewer than {c['min_finding_repositories']} repositories"
    if fit["months_from_inflection"] < 0:
        return "inflection after the latest month (extrapolated)"
    return "finding"


def cap_corrected(overall: pd.Series, low_star_created: pd.Series, missing: float) -> pd.Series:
    """The cumulative series `overall` (PeriodIndex, as `monthly_series` gives) plus the
    `missing` repositories a capped search did not return, spread over creation months like the
    repositories it did return at or below the last page's star count (`low_star_created`, their
    creation times): the search ranks by stars, so the ones left out rank below the last page.
    Months before the first low-star creation get none."""
    if missing <= 0 or low_star_created.dropna().empty:
        return overall.astype(float)
    months = naive_utc_series(low_star_created.dropna()).dt.to_period("M")
    share = months.value_counts().reindex(overall.index, fill_value=0).sort_index()
    share = share.cumsum() / max(len(months), 1)
    return overall.astype(float) + missing * share.astype(float)


def _month_at(first: pd.Period, offset: float) -> pd.Timestamp:
    return (first + round(offset)).to_timestamp()


FITTED_COLUMNS = [
    "group",
    "month",
    "observed_cumulative",
    "fitted_cumulative",
    "fitted_new",
    "is_forecast",
]


def monthly_series(
    ecosystem_monthly: pd.DataFrame,
    group_column: str = "topic",
    as_of: pd.Timestamp | str | None = None,
) -> dict[Any, pd.Series]:
    """Cumulative repositories per month (PeriodIndex, sorted) of each group, up to `as_of`."""
    for needed in (group_column, "month", "cumulative_repositories"):
        if needed not in ecosystem_monthly.columns:
            raise ValueError(f"ecosystem_monthly lacks column {needed!r}")
    frame = ecosystem_monthly[[group_column, "month", "cumulative_repositories"]].copy()
    frame["month"] = naive_utc_series(frame["month"]).dt.to_period("M")
    if as_of is not None:
        frame = frame[frame["month"] <= naive_utc(as_of).to_period("M")]
    frame = frame.dropna(subset=["cumulative_repositories"])
    return {
        group: rows.groupby("month")["cumulative_repositories"].max().sort_index()
        for group, rows in frame.groupby(group_column, sort=True)
    }


def cumulative_by_month(
    members: pd.DataFrame,
    group_column: str,
    as_of: pd.Timestamp | str | None = None,
    total_group: str | None = None,
) -> pd.DataFrame:
    """Repositories created and cumulative per group and month, the frame `growth_curves` fits.

    `members`: one row per repository and group (`repository_id`, `group_column`, `created_at`).
    Repositories created after `as_of` or with no `created_at` are left out. Every group gets
    every month from the first creation month of any group to the month of `as_of` (else the
    latest creation month), zero-filled, like fct_ecosystem_monthly does for topics. With
    `total_group`, a group of that name counts every distinct repository once.
    Columns: `group_column`, `month`, `repositories_created`, `cumulative_repositories`.
    """
    for needed in ("repository_id", group_column, "created_at"):
        if needed not in members.columns:
            raise ValueError(f"members lack column {needed!r}")
    columns = [group_column, "month", "repositories_created", "cumulative_repositories"]
    frame = members[["repository_id", group_column, "created_at"]].copy()
    frame["month"] = naive_utc_series(frame["created_at"]).dt.to_period("M")
    frame = frame.dropna(subset=["month", group_column])
    if as_of is not None:
        last = naive_utc(as_of).to_period("M")
        frame = frame[naive_utc_series(frame["created_at"]) <= naive_utc(as_of)]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    if as_of is None:
        last = frame["month"].max()
    if total_group is not None:
        total = frame.drop_duplicates("repository_id").assign(**{group_column: total_group})
        frame = pd.concat([frame, total], ignore_index=True)
    created = frame.groupby([group_column, "month"]).size()
    months = pd.period_range(frame["month"].min(), last, freq="M")
    grid = pd.MultiIndex.from_product(
        [sorted(frame[group_column].unique()), months], names=[group_column, "month"]
    )
    out = created.reindex(grid, fill_value=0).rename("repositories_created").reset_index()
    out["cumulative_repositories"] = out.groupby(group_column)["repositories_created"].cumsum()
    out["month"] = out["month"].dt.to_timestamp()
    return out[columns]


def growth_curves(
    ecosystem_monthly: pd.DataFrame,
    config: dict[str, Any] | None = None,
    as_of: pd.Timestamp | str | None = None,
    group_column: str = "topic",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit one logistic curve per group: (fits, fitted values).

    fits (`ml_ecosystem_curve`), one row per group: FIT_COLUMNS; parameters are NULL and
    `fit_status` says why when there are too few months or no fit converged. `fit_status` is `ok`,
    or `poor fit (r_squared ...)` when below `min_r_squared`.
    fitted values (`ml_ecosystem_curve_fitted`): see `fitted_values`, which derives them from
    the fits without fitting again. Months after `as_of` (when given) are ignored.
    """
    config = load_ml_config() if config is None else config  # read the file once, not per group
    c = config_section("ecosystem_curve", config)
    series = monthly_series(ecosystem_monthly, group_column, as_of)
    fits = []
    for group, rows in series.items():
        first, latest = rows.index.min(), rows.index.max()
        t = np.array([(m - first).n for m in rows.index], dtype=float)
        y = rows.to_numpy(dtype=float)
        row: dict[str, Any] = dict.fromkeys(FIT_COLUMNS)
        row.update(
            group=group,
            first_month=first.to_timestamp(),
            latest_month=latest.to_timestamp(),
            latest_cumulative=float(y[-1]),
            n_months=len(y),
        )
        params, status = fit_logistic(t, y, config)
        row["fit_status"] = status
        if params is not None:
            k, r, t0 = params
            prediction = logistic(t, k, r, t0)
            ss_tot = float(np.sum((y - y.mean()) ** 2))
            r_squared = 1.0 - float(np.sum((y - prediction) ** 2)) / ss_tot
            z = r * (t[-1] - t0)
            row.update(
                saturation=k,
                growth_rate=r,
                inflection_month=_month_at(first, t0),
                months_from_inflection=float(t[-1] - t0),
                r_squared=r_squared,
                share_of_saturation=float(y[-1]) / k,
                cycle_position=cycle_position(z),
            )
            if r_squared < float(c["min_r_squared"]):
                row["fit_status"] = f"poor fit (r_squared {r_squared:.3f} < {c['min_r_squared']})"
        fits.append(row)
    for row in fits:
        row["finding_status"] = finding_status(row, config)
        row["is_finding"] = row["finding_status"] == "finding"
    fit_frame = pd.DataFrame(fits, columns=FIT_COLUMNS)
    for column in (
        "saturation",
        "growth_rate",
        "months_from_inflection",
        "r_squared",
        "share_of_saturation",
    ):
        fit_frame[column] = fit_frame[column].astype(float)
    fit_frame["inflection_month"] = pd.to_datetime(fit_frame["inflection_month"])
    return fit_frame, fitted_values(fit_frame, series, config)


def fitted_values(
    fits: pd.DataFrame, series: dict[Any, pd.Series], config: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Fitted (and forecast) cumulative repositories per group and month, from `fits` (rows of
    `growth_curves` fits: `group`, `saturation`, `growth_rate`, `months_from_inflection`,
    `first_month`, `latest_month`) and the observed `series` (`monthly_series`).

    Columns: FITTED_COLUMNS: `observed_cumulative`, `fitted_cumulative`, `fitted_new`, and
    `is_forecast` (months after the latest observed month, up to `forecast_months`). Groups
    without a fit (NULL saturation) get no rows. The inflection is recovered as the latest month
    minus `months_from_inflection`, so the curve is the fitted one without fitting again.
    """
    forecast_months = int(config_section("ecosystem_curve", config)["forecast_months"])
    fitted = []
    for fit in fits.itertuples(index=False):
        if pd.isna(fit.saturation):
            continue
        first = pd.Period(fit.first_month, "M")
        t_last = float((pd.Period(fit.latest_month, "M") - first).n)
        t0 = t_last - float(fit.months_from_inflection)
        rows = series[fit.group]
        observed = {float((m - first).n): float(v) for m, v in rows.items()}
        horizon = np.arange(0, t_last + forecast_months + 1, dtype=float)
        curve = logistic(horizon, float(fit.saturation), float(fit.growth_rate), t0)
        fitted.append(
            pd.DataFrame(
                {
                    "group": fit.group,
                    "month": [_month_at(first, h) for h in horizon],
                    "observed_cumulative": [observed.get(h, np.nan) for h in horizon],
                    "fitted_cumulative": curve,
                    "fitted_new": np.diff(curve, prepend=np.nan),
                    "is_forecast": horizon > t_last,
                }
            )
        )
    if not fitted:
        return pd.DataFrame(columns=FITTED_COLUMNS)
    return pd.concat(fitted, ignore_index=True)


def with_cap_correction(
    monthly: pd.DataFrame,
    low_star_created: pd.Series,
    missing: float,
    group_column: str = "topic",
    overall_group: str = "all",
) -> pd.DataFrame:
    """`monthly` plus a group CAP_CORRECTED: the `overall_group` series corrected by
    `cap_corrected`, in the same columns (repositories_created is its monthly difference)."""
    series = monthly_series(monthly, group_column).get(overall_group)
    if series is None:
        return monthly
    corrected = cap_corrected(series, low_star_created, missing)
    extra = pd.DataFrame(
        {
            group_column: CAP_CORRECTED,
            "month": corrected.index.to_timestamp(),
            "repositories_created": np.diff(corrected.to_numpy(), prepend=0.0),
            "cumulative_repositories": corrected.to_numpy(),
        }
    )
    return pd.concat([monthly, extra], ignore_index=True)


def curve_table(
    monthly: pd.DataFrame,
    group_column: str,
    as_of: pd.Timestamp,
    config: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """A curve table (`ml_ecosystem_curve`, `ml_category_curve`): `growth_curves` fits of
    `monthly` (cumulative_repositories per `group_column` and month) up to `as_of`, with the
    group under its own name and `as_of` on every row."""
    fits, _ = growth_curves(monthly, config, as_of=as_of, group_column=group_column)
    out = fits.rename(columns={"group": group_column})
    out["as_of"] = as_of
    return out


def fitted_table(
    curves: pd.DataFrame,
    monthly: pd.DataFrame,
    group_column: str,
    as_of: pd.Timestamp,
    config: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """A fitted-values table (`ml_*_curve_fitted`) from a stored curve table (`curve_table`) and
    the `monthly` frame it was fitted to, without fitting again; keyed `<group>_month_id`
    (`group:YYYY-MM-DD`)."""
    series = monthly_series(monthly, group_column, as_of)
    fits = curves.rename(columns={group_column: "group"})
    out = fitted_values(fits, series, config).rename(columns={"group": group_column})
    out["month"] = pd.to_datetime(out["month"])
    key = out[group_column].astype(str) + ":" + out["month"].dt.strftime("%Y-%m-%d")
    out.insert(0, f"{group_column}_month_id", key)
    out["is_forecast"] = out["is_forecast"].astype(bool)
    return out
