"""Best-track helpers: intensity at any time, and splits that respect storms.

Satellite frames come every 30 min to 3 h; best-track fixes every 6 h. The
intensity at a frame's time is interpolated **linearly in time between the
two neighbouring fixes of the same storm**. That is the usual choice and its
limits should be said out loud: a best-track fix is itself a smoothed
analysis (uncertain by roughly 10 kt for hurricanes without aircraft data),
rapid intensification between fixes is under-resolved, and no value is made
up outside a storm's first and last fix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def interpolate_track(track: pd.DataFrame, times) -> pd.DataFrame:
    """Wind, pressure, lat and lon of ONE storm at ``times`` (linear in time).

    Times outside the storm's first..last fix are dropped, not extrapolated.
    """
    if track["storm_id"].nunique() != 1:
        raise ValueError("interpolate_track takes the fixes of a single storm; group by storm_id first")
    track = track.sort_values("time").drop_duplicates("time")
    t_fix = track["time"].to_numpy("datetime64[s]").astype(np.int64)
    t_new = pd.to_datetime(pd.Series(times)).to_numpy("datetime64[s]").astype(np.int64)
    inside = (t_new >= t_fix[0]) & (t_new <= t_fix[-1])
    t_new = t_new[inside]
    out = {"storm_id": track["storm_id"].iloc[0], "time": pd.to_datetime(t_new, unit="s")}
    for column in ("wind_kt", "pressure_mb", "lat", "lon"):
        if column in track:
            values = track[column].to_numpy(dtype=float)
            ok = np.isfinite(values)
            out[column] = (np.interp(t_new, t_fix[ok], values[ok]) if ok.sum() >= 2
                           else np.full(len(t_new), np.nan))
    return pd.DataFrame(out)


def frame_times(track: pd.DataFrame, hours: float = 3.0) -> pd.DatetimeIndex:
    """Regular frame times spanning one storm's life (HURSAT-B1 is 3-hourly)."""
    return pd.date_range(track["time"].min(), track["time"].max(), freq=pd.Timedelta(hours=hours))


def split_by_storm(storm_ids, fractions=(0.7, 0.15, 0.15), seed: int = 0) -> list[np.ndarray]:
    """Boolean masks (train, validation, test) that keep every storm whole.

    Frames of one storm are hours apart and nearly identical; putting some in
    training and others in test lets a model "recognise the storm" instead of
    estimating intensity, and inflates the score. Splitting whole storms
    prevents that leak.
    """
    if not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must add up to 1, got {fractions}")
    storm_ids = np.asarray(storm_ids)
    storms = np.unique(storm_ids)
    np.random.default_rng(seed).shuffle(storms)
    edges = np.round(np.cumsum(fractions)[:-1] * len(storms)).astype(int)
    groups = np.split(storms, edges)
    return [np.isin(storm_ids, group) for group in groups]


def split_by_year(years, test_years, validation_years) -> list[np.ndarray]:
    """Masks (train, validation, test) by season: the most honest split, as a
    forecaster meets next year's storms, never this year's."""
    years = np.asarray(years)
    test = np.isin(years, list(test_years))
    validation = np.isin(years, list(validation_years)) & ~test
    return [~test & ~validation, validation, test]
