"""Windows of best-track fixes for sequence models (lesson 08_sequences).

A forecast here is made at the time of a storm's fix: it sees the last
``steps`` 6-hourly fixes (wind, pressure, position, motion, time of year)
and predicts the maximum wind ``lead_hours`` later. This module turns the
HURDAT2 table into such windows, with numpy and pandas only:

* :func:`synoptic_fixes` keeps the fixes at 00, 06, 12 and 18 UTC, one per
  storm and time. HURDAT2 adds special records between them (landfall,
  peak intensity, ...); they would make the time step uneven.
* :func:`add_motion` adds the motion over the previous 6 hours (degrees of
  latitude and longitude) and the time of year (as a sine and a cosine).
* :func:`make_windows` cuts each storm into windows. A window never spans two
  storms nor a gap in the 6-hourly record, its target is exactly
  ``lead_hours`` after its last fix, and every feature in it is known. Like
  NHC's own verification, it keeps a forecast only when the system is a
  tropical or subtropical cyclone (TD, TS, HU, SD, SS) both at the forecast
  time and at the verifying time.

Plotting helpers for the lesson's figures (:func:`plot_attention`) live here
too, so the notebook keeps only the learning code.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

STEP_HOURS = 6
SYNOPTIC_HOURS = (0, 6, 12, 18)
VERIFIED_STATUS = ("TD", "TS", "HU", "SD", "SS")      # NHC verifies forecasts of these systems only
FEATURES = ("wind_kt", "pressure_mb", "lat", "lon", "dlat", "dlon", "season_sin", "season_cos")
YEAR_DAYS = 365.25


def synoptic_fixes(table: pd.DataFrame) -> pd.DataFrame:
    """The fixes at the synoptic hours (00, 06, 12, 18 UTC, minute 0), one per
    storm and time, sorted by storm and time; special records in between
    (e.g. a landfall at 14:30) are dropped."""
    times = pd.to_datetime(table["time"])
    synoptic = times.dt.hour.isin(SYNOPTIC_HOURS) & (times.dt.minute == 0) & (times.dt.second == 0)
    kept = table[synoptic.to_numpy()]
    kept = kept.sort_values(["storm_id", "time"], kind="stable")
    kept = kept.drop_duplicates(["storm_id", "time"], keep="first")
    return kept.reset_index(drop=True)


def add_motion(fixes: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``fixes`` (sorted by storm and time) with ``dlat`` and
    ``dlon``, the change of position since the fix 6 hours earlier (NaN for a
    storm's first fix, or after a gap), and the time of year as a point on a
    circle, ``season_sin`` and ``season_cos`` (sine and cosine of 2 pi x day
    of year / 365.25): unlike the day of the year itself, they do not jump
    when a storm lives through New Year."""
    out = fixes.sort_values(["storm_id", "time"], kind="stable").reset_index(drop=True).copy()
    same_storm = out["storm_id"].eq(out["storm_id"].shift())
    hours = (out["time"] - out["time"].shift()).dt.total_seconds() / 3600.0
    follows = same_storm & np.isclose(hours, STEP_HOURS)
    out["dlat"] = out["lat"].diff().where(follows)
    out["dlon"] = out["lon"].diff().where(follows)
    angle = 2 * np.pi * (out["time"].dt.day_of_year.to_numpy(float) - 1) / YEAR_DAYS
    out["season_sin"], out["season_cos"] = np.sin(angle), np.cos(angle)
    return out


@dataclass(frozen=True)
class Windows:
    """Inputs and targets of the forecasts, one row per forecast."""

    x: np.ndarray             # (N, steps, features) float32, the fixes, oldest first
    target_kt: np.ndarray     # (N,) float, the best-track wind lead_hours after the last fix
    last_kt: np.ndarray       # (N,) float, the wind at the last fix (the persistence forecast)
    storm_id: np.ndarray      # (N,) str
    time: np.ndarray          # (N,) datetime64, the time of the last fix (the forecast time)
    features: tuple[str, ...] = FEATURES
    lead_hours: int = 24

    def __len__(self) -> int:
        return len(self.target_kt)

    @property
    def steps(self) -> int:
        return self.x.shape[1]

    @property
    def storms(self) -> np.ndarray:
        return np.unique(self.storm_id)

    def subset(self, which) -> Windows:
        """The windows selected by a boolean mask or an index array."""
        which = np.asarray(which)
        values = {f.name: getattr(self, f.name)[which] for f in fields(self)
                  if f.name not in ("features", "lead_hours")}
        return Windows(**values, features=self.features, lead_hours=self.lead_hours)


def make_windows(fixes: pd.DataFrame, steps: int = 8, lead_hours: int = 24,
                 features: tuple[str, ...] = FEATURES,
                 verified_status: tuple[str, ...] | None = VERIFIED_STATUS) -> Windows:
    """Every window of ``steps`` consecutive 6-hourly fixes of one storm whose
    wind ``lead_hours`` after its last fix is known.

    ``fixes`` is a table like :func:`add_motion`'s (synoptic times only). A
    window is kept when its fixes and its target are all 6 hours apart with
    no gap, all within one storm, every feature of every fix is known, and
    (unless ``verified_status`` is None) the status is one of
    ``verified_status`` at the last fix and at the target.
    """
    if steps < 1 or lead_hours <= 0 or lead_hours % STEP_HOURS:
        raise ValueError(f"steps must be >= 1 and lead_hours a positive multiple of {STEP_HOURS}")
    missing = [c for c in (*features, "storm_id", "time", "wind_kt", "status") if c not in fixes.columns]
    if missing:
        raise ValueError(f"the table lacks the columns {missing}; run add_motion on synoptic_fixes first")
    lead = lead_hours // STEP_HOURS
    span_hours = (steps - 1 + lead) * STEP_HOURS
    xs, targets, lasts, ids, times = [], [], [], [], []
    for storm_id, track in fixes.groupby("storm_id", sort=True):
        track = track.sort_values("time")
        n = len(track)
        if n < steps + lead:
            continue
        t = track["time"].to_numpy("datetime64[s]").astype(np.int64) / 3600.0
        values = track[list(features)].to_numpy(float)
        wind = track["wind_kt"].to_numpy(float)
        status = track["status"].to_numpy(str)
        first = np.arange(n - steps - lead + 1)              # index of each window's first fix
        last, target = first + steps - 1, first + steps - 1 + lead
        ok = np.isclose(t[target] - t[first], span_hours)    # unique sorted 6-h times: no gap in between
        known = np.isfinite(values).all(axis=1)
        run = np.convolve(known.astype(int), np.ones(steps, int), mode="valid")[:len(first)]
        ok &= run == steps
        ok &= np.isfinite(wind[target])
        if verified_status is not None:
            ok &= np.isin(status[last], verified_status) & np.isin(status[target], verified_status)
        first = first[ok]
        if not len(first):
            continue
        xs.append(values[first[:, None] + np.arange(steps)])
        targets.append(wind[first + steps - 1 + lead])
        lasts.append(wind[first + steps - 1])
        ids.append(np.full(len(first), storm_id))
        times.append(track["time"].to_numpy("datetime64[s]")[first + steps - 1])
    if not xs:
        empty = np.zeros((0, steps, len(features)), np.float32)
        return Windows(empty, np.zeros(0), np.zeros(0), np.zeros(0, str), np.zeros(0, "datetime64[s]"),
                       tuple(features), lead_hours)
    return Windows(np.concatenate(xs).astype(np.float32), np.concatenate(targets), np.concatenate(lasts),
                   np.concatenate(ids), np.concatenate(times), tuple(features), lead_hours)


def storm_peaks(fixes: pd.DataFrame, storm_ids) -> np.ndarray:
    """The peak wind (kt) of the storm of each entry of ``storm_ids``."""
    peaks = fixes.groupby("storm_id")["wind_kt"].max()
    return peaks.reindex(np.asarray(storm_ids)).to_numpy(float)


def mae(forecast, truth) -> float:
    """Mean absolute error, in the units of the inputs."""
    forecast, truth = np.asarray(forecast, float).ravel(), np.asarray(truth, float).ravel()
    if forecast.shape != truth.shape:
        raise ValueError(f"{forecast.shape} forecasts for {truth.shape} truths")
    return float(np.mean(np.abs(forecast - truth)))


def hours_before(steps: int, lead_hours: int = 0) -> list[str]:
    """Axis labels for the fixes of a window, oldest first: '-42 h', ..., '0 h'."""
    return [f"{-(steps - 1 - k) * STEP_HOURS} h" for k in range(steps)]


def plot_attention(ax, weights, title: str):
    """A labelled heatmap of one head's attention weights, (query fix, key fix)."""
    weights = np.asarray(weights, float)
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise ValueError(f"expected a square (query, key) matrix, got shape {weights.shape}")
    labels = hours_before(weights.shape[0])
    image = ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=max(float(weights.max()), 1e-9))
    ax.set_xticks(range(len(labels)), labels, rotation=90)
    ax.set_yticks(range(len(labels)), labels)
    ax.set(title=title, xlabel="key: fix attended to (hours before the forecast)",
           ylabel="query: fix attending")
    return image
