"""Windows of best-track fixes (bootcamp.cyclone.sequences): synoptic times
only, no window across storms or gaps, the target exactly 24 h on, the
storm-wise split, and the lesson's plotting helpers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from bootcamp.cyclone import dataset  # noqa: E402
from bootcamp.cyclone import sequences as seq  # noqa: E402
from bootcamp.data.hurdat2 import load_builtin  # noqa: E402


def storm(storm_id, start, winds, status=None, freq="6h"):
    n = len(winds)
    times = pd.date_range(start, periods=n, freq=freq)
    return pd.DataFrame({"storm_id": storm_id, "name": storm_id[:4], "time": times, "record_id": "",
                         "status": status or ["TS"] * n, "lat": 15.0 + 0.5 * np.arange(n),
                         "lon": -60.0 - np.arange(n, dtype=float), "wind_kt": np.asarray(winds, float),
                         "pressure_mb": 1000.0 - np.arange(n, dtype=float)})


def prepared(table):
    return seq.add_motion(seq.synoptic_fixes(table))


def test_synoptic_fixes_drops_special_records_and_duplicates():
    table = storm("AL012015", "2015-06-01 00:00", [30, 35, 40, 45])
    landfall = table.iloc[[1]].assign(time=pd.Timestamp("2015-06-01 08:30"), record_id="L")
    duplicate = table.iloc[[2]].assign(wind_kt=99.0)
    fixes = seq.synoptic_fixes(pd.concat([table.iloc[::-1], landfall, duplicate]))
    assert len(fixes) == 4
    assert fixes["time"].dt.hour.isin([0, 6, 12, 18]).all()
    assert fixes["time"].is_monotonic_increasing
    assert fixes["wind_kt"].tolist() == [30, 35, 40, 45]


def test_motion_is_the_change_over_6_hours_and_unknown_after_a_gap():
    table = storm("AL012015", "2015-06-01 00:00", [30, 35, 40, 45, 50])
    table = table.drop(index=2)                                   # a 12-h gap between fixes 1 and 3
    fixes = prepared(table)
    assert np.isnan(fixes["dlat"].iloc[0]) and np.isnan(fixes["dlon"].iloc[0])
    assert fixes["dlat"].iloc[1] == pytest.approx(0.5) and fixes["dlon"].iloc[1] == pytest.approx(-1.0)
    assert np.isnan(fixes["dlat"].iloc[2])                       # first fix after the gap
    assert fixes["dlat"].iloc[3] == pytest.approx(0.5)
    angle = 2 * np.pi * 151 / 365.25                              # 1 June 2015 is day 152
    assert fixes["season_sin"].iloc[0] == pytest.approx(np.sin(angle))
    assert fixes["season_cos"].iloc[0] == pytest.approx(np.cos(angle))


def test_the_time_of_year_does_not_jump_at_new_year():
    fixes = prepared(storm("AL302005", "2005-12-30 00:00", [45] * 12))
    step = np.hypot(np.diff(fixes["season_sin"]), np.diff(fixes["season_cos"]))
    assert step.max() < 0.03                                        # 1.25 days of the cycle at most


def test_windows_count_inputs_and_target_24_hours_later():
    winds = 30 + 5 * np.arange(14)
    fixes = prepared(storm("AL012015", "2015-06-01 00:00", winds))
    w = seq.make_windows(fixes, steps=3, lead_hours=24)
    # the first fix has no motion, so windows start at fix 1; the last target is fix 13
    assert len(w) == 14 - 1 - 3 - 4 + 1
    assert w.x.shape == (len(w), 3, len(seq.FEATURES)) and w.x.dtype == np.float32
    wind_column = seq.FEATURES.index("wind_kt")
    np.testing.assert_allclose(w.x[:, -1, wind_column], w.last_kt)
    np.testing.assert_allclose(w.target_kt - w.last_kt, 4 * 5.0)          # exactly 4 fixes = 24 h on
    np.testing.assert_allclose(np.diff(w.x[:, :, wind_column], axis=1), 5.0)
    assert (w.time == fixes["time"].to_numpy("datetime64[s]")[3:3 + len(w)]).all()


def test_no_window_crosses_two_storms_or_a_gap():
    first = storm("AL012015", "2015-06-01 00:00", 30 + np.arange(10))
    second = storm("AL022015", "2015-06-03 12:00", 80 + np.arange(10))   # starts 6 h after the first ends
    gappy = storm("AL032015", "2015-07-01 00:00", 50 + np.arange(16)).drop(index=7)
    fixes = prepared(pd.concat([first, second, gappy]))
    w = seq.make_windows(fixes, steps=4, lead_hours=12)
    lookup = fixes.set_index(["storm_id", "time"])["wind_kt"]
    for k in range(len(w)):
        times = w.time[k] - np.arange(3, -1, -1) * np.timedelta64(6, "h")
        track = lookup.loc[w.storm_id[k]]
        assert all(pd.Timestamp(t) in track.index for t in times), "a window spans a gap"
        np.testing.assert_allclose(track.loc[pd.to_datetime(times)].to_numpy(), w.x[k, :, 0])
        assert track.loc[pd.Timestamp(w.time[k] + np.timedelta64(12, "h"))] == w.target_kt[k]
    # every window stays in its storm: winds below 40 are AL01, from 80 AL02, 50-65 AL03
    by_storm = {sid: w.x[w.storm_id == sid, :, 0] for sid in w.storms}
    assert by_storm["AL012015"].max() < 40 and by_storm["AL022015"].min() >= 80
    assert ((by_storm["AL032015"] >= 50) & (by_storm["AL032015"] < 66)).all()
    # AL03: fixes 0-6 and 8-15 are two runs; motion is unknown at fixes 0 and 8
    assert (w.storm_id == "AL032015").sum() == (6 - 4 - 2 + 1) + (7 - 4 - 2 + 1)


def test_status_rule_and_missing_values():
    status = ["TD", "TS", "TS", "TS", "TS", "EX", "EX", "TS", "TS", "TS", "TS", "TS"]
    table = storm("AL012015", "2015-06-01 00:00", 30 + np.arange(12), status=status)
    table.loc[9, "pressure_mb"] = np.nan
    fixes = prepared(table)
    every = seq.make_windows(fixes, steps=2, lead_hours=6, verified_status=None)
    kept = seq.make_windows(fixes, steps=2, lead_hours=6)
    assert len(every) > len(kept) > 0
    status_at = fixes.set_index("time")["status"]
    for t in kept.time:
        assert status_at[pd.Timestamp(t)] in seq.VERIFIED_STATUS
        assert status_at[pd.Timestamp(t + np.timedelta64(6, "h"))] in seq.VERIFIED_STATUS
    assert np.isfinite(every.x).all()
    assert not any(pd.Timestamp(t) in (pd.Timestamp("2015-06-03 06:00"), pd.Timestamp("2015-06-03 12:00"))
                   for t in every.time)                              # windows holding fix 9 (no pressure)


def test_short_storms_give_no_windows_and_bad_arguments_raise():
    fixes = prepared(storm("AL012015", "2015-06-01 00:00", [30, 35, 40]))
    w = seq.make_windows(fixes, steps=8, lead_hours=24)
    assert len(w) == 0 and w.x.shape == (0, 8, len(seq.FEATURES))
    with pytest.raises(ValueError):
        seq.make_windows(fixes, lead_hours=10)
    with pytest.raises(ValueError, match="add_motion"):
        seq.make_windows(seq.synoptic_fixes(storm("AL012015", "2015-06-01", [30] * 20)))


@pytest.fixture(scope="module")
def real_windows():
    table = load_builtin()
    table = table[~dataset.in_locked_season(table["storm_id"])]
    fixes = prepared(table)
    return fixes, seq.make_windows(fixes, steps=8, lead_hours=24)


def test_real_windows_are_consecutive_fixes_with_the_target_24_hours_on(real_windows):
    fixes, w = real_windows
    assert len(w) > 500 and np.isfinite(w.x).all()
    assert not np.isin(dataset.season_of(w.storm_id), dataset.LOCKED_SEASONS).any()
    lookup = fixes.set_index(["storm_id", "time"])
    columns = list(seq.FEATURES)
    rng = np.random.default_rng(0)
    for k in rng.choice(len(w), 50, replace=False):
        times = pd.to_datetime(w.time[k] - np.arange(7, -1, -1) * np.timedelta64(6, "h"))
        rows = lookup.loc[[(w.storm_id[k], t) for t in times]]
        np.testing.assert_allclose(rows[columns].to_numpy(), w.x[k], rtol=1e-6)
        target = lookup.loc[(w.storm_id[k], pd.Timestamp(w.time[k]) + pd.Timedelta(hours=24))]
        assert target["wind_kt"] == w.target_kt[k]
        assert target["status"] in seq.VERIFIED_STATUS


def test_the_storm_split_puts_every_storm_in_one_part(real_windows):
    fixes, w = real_windows
    masks = dataset.split_storms(w.storm_id, seq.storm_peaks(fixes, w.storm_id))
    assert sum(m.astype(int) for m in masks).tolist() == [1] * len(w)      # every window in exactly one part
    parts = [set(w.storm_id[m]) for m in masks]
    assert all(parts) and not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    sub = w.subset(masks[1])
    assert len(sub) == masks[1].sum() and set(sub.storms) == parts[1]


def test_helpers():
    assert seq.mae([10, 20], [12, 17]) == pytest.approx(2.5)
    with pytest.raises(ValueError):
        seq.mae([1, 2], [1, 2, 3])
    assert seq.hours_before(3) == ["-12 h", "-6 h", "0 h"]
    table = storm("AL012015", "2015-06-01", [30, 90, 60])
    np.testing.assert_allclose(seq.storm_peaks(table, ["AL012015", "AL012015"]), [90, 90])
    fig, ax = plt.subplots()
    weights = np.full((4, 4), 0.25)
    seq.plot_attention(ax, weights, "head 1")
    assert ax.get_title() == "head 1" and "key" in ax.get_xlabel() and "query" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == seq.hours_before(4)
    with pytest.raises(ValueError):
        seq.plot_attention(ax, np.ones((2, 3)), "bad")
    plt.close(fig)
