"""Interpolation of best-track fixes and leak-free splits."""

import numpy as np
import pandas as pd
import pytest

from bootcamp.cyclone.tracks import frame_times, interpolate_track, split_by_storm, split_by_year


@pytest.fixture
def track():
    times = pd.date_range("2005-08-24 00:00", periods=4, freq="6h")
    return pd.DataFrame({"storm_id": "AL122005", "time": times, "wind_kt": [30.0, 40.0, 70.0, 100.0],
                         "pressure_mb": [1007, 1000, 985, 960], "lat": [23.0, 23.5, 24.0, 24.5],
                         "lon": [-75.0, -76.0, -77.0, -78.0]})


def test_linear_in_time_between_fixes_and_no_extrapolation(track):
    times = frame_times(track, hours=3)
    assert len(times) == 7
    out = interpolate_track(track, list(times) + [pd.Timestamp("2005-08-25 12:00")])
    assert len(out) == 7                                   # the time after the last fix is dropped
    np.testing.assert_allclose(out["wind_kt"], [30, 35, 40, 55, 70, 85, 100])
    np.testing.assert_allclose(out["lat"].iloc[1], 23.25)


def test_refuses_a_mix_of_storms(track):
    other = track.assign(storm_id="AL132005")
    with pytest.raises(ValueError, match="single storm"):
        interpolate_track(pd.concat([track, other]), frame_times(track))


def test_storm_split_keeps_every_storm_whole():
    ids = np.repeat([f"S{i}" for i in range(20)], 10)
    train, val, test = split_by_storm(ids, seed=1)
    assert (train.astype(int) + val + test == 1).all()
    for mask in (train, val, test):
        for storm in np.unique(ids[mask]):
            assert mask[ids == storm].all()
    assert (np.unique(ids[train]).size, np.unique(ids[val]).size, np.unique(ids[test]).size) == (14, 3, 3)
    with pytest.raises(ValueError):
        split_by_storm(ids, (0.5, 0.2, 0.2))


def test_year_split():
    years = np.array([2010, 2011, 2012, 2013, 2014])
    train, val, test = split_by_year(years, test_years=[2014], validation_years=[2013])
    assert years[train].tolist() == [2010, 2011, 2012] and years[val].tolist() == [2013]
    assert years[test].tolist() == [2014]
