"""Real HURSAT-B1 frames in the lessons' dataset: labels from HURDAT2 or from the
frames' own best track, one satellite per slot by viewing angle, bad pixels kept
from the network; and the real frame shipped with the package.

Built on the real frame (ADELINE, 2005-04-01 12Z, GOES-9) of the offline mirror
and the helpers of tests/data/test_hursat.py; derived files go under tmp_path.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bootcamp.cyclone import dataset, preprocess, realframe
from bootcamp.data import hursat
from bootcamp.data.hurdat2 import load_builtin, saffir_simpson_class

HURSAT_TESTS = Path(__file__).resolve().parents[1] / "data" / "test_hursat.py"


def _helpers():
    spec = importlib.util.spec_from_file_location("hursat_test_helpers", HURSAT_TESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


h = _helpers()
needs_real = h.needs_real


def adeline_track(storm_id="AL012005", name="ADELINE", winds=(30.0, 40.0, 50.0)) -> pd.DataFrame:
    """Best-track fixes in HURDAT2's table layout for a storm of 2005 around the real frame's time."""
    times = pd.date_range("2005-04-01 06:00", periods=len(winds), freq="6h")
    n = len(winds)
    return pd.DataFrame({"storm_id": storm_id, "name": name, "time": times, "status": "TS",
                         "lat": -11.0 + 0.2 * np.arange(n), "lon": 103.0 - 0.5 * np.arange(n),
                         "wind_kt": np.asarray(winds, float), "pressure_mb": 1000.0 - np.arange(n)})


@pytest.fixture
def real_archive(tmp_path) -> Path:
    return h.real_archive(tmp_path / "archives")


# ------------------------------------------------------------ labels
@needs_real
def test_a_storm_hurdat2_does_not_hold_is_labelled_from_its_own_best_track(real_archive):
    data = dataset.hursat_frames([real_archive], track_table=load_builtin())     # Atlantic 2014-2018 only
    assert len(data) == 1 and data.source == "hursat"
    assert data.label_source.tolist() == ["hursat-best-track"]
    assert (data.storm_id[0], data.name[0]) == ("2005092S11102", "ADELINE")         # IBTrACS SID, archive's name
    assert data.wind_kt[0] == pytest.approx(13.2, abs=1e-4)                         # WindSpd
    assert (data.lat[0], data.lon[0]) == pytest.approx((-10.9, 102.4), abs=1e-3)     # CentLat, CentLon
    assert data.labels.tolist() == [saffir_simpson_class(13.2)] and data.time[0] == np.datetime64("2005-04-01T12:00")
    assert data.seasons.tolist() == [2005] and not dataset.in_locked_season(data.storm_id).any()


@needs_real
def test_a_storm_in_hurdat2_is_labelled_from_hurdat2(real_archive):
    data = dataset.hursat_frames([real_archive], track_table=adeline_track())
    assert data.label_source.tolist() == ["hurdat2"] and data.storm_id.tolist() == ["AL012005"]
    assert data.wind_kt[0] == pytest.approx(40.0)                                   # the 12Z fix, not WindSpd
    assert dataset.CLASSES[data.labels[0]] == "TS" and data.lat[0] == pytest.approx(-10.8)
    # a namesake of another season, or whose track does not cover the frame, is not this storm
    for other in (adeline_track(storm_id="AL012006").assign(time=lambda t: t["time"] + pd.DateOffset(years=1)),
                  adeline_track().assign(time=lambda t: t["time"] + pd.Timedelta(days=3))):
        assert dataset.hursat_frames([real_archive], track_table=other).label_source.tolist() == ["hursat-best-track"]


@needs_real
def test_both_label_sources_in_one_set_survive_subset_and_join(tmp_path, real_archive):
    twin = h.real_archive(tmp_path / "twin", name="HURSAT_b1_v06_2005092S11103_BETA_c20170721.tar.gz",
                          members={h.REAL_MEMBER.replace("ADELINE", "BETA"): h.REAL})
    data = dataset.frames("hursat", archives=[real_archive, twin],
                          track_table=adeline_track(storm_id="AL022005", name="BETA"))
    assert data.label_source.tolist() == ["hursat-best-track", "hurdat2"]
    assert data.storm_id.tolist() == ["2005092S11102", "AL022005"]
    assert data.subset([1]).label_source.tolist() == ["hurdat2"]
    joined = dataset.join(data.subset([1]), data.subset([0]))
    assert joined.label_source.tolist() == ["hurdat2", "hursat-best-track"]
    np.testing.assert_array_equal(dataset.season_of(data.storm_id), [2005, 2005])


def test_frames_made_without_a_label_source_say_hurdat2():
    data = dataset.Frames(images=np.zeros((2, 4, 4), np.float32), labels=np.array([1, 2]),
                          wind_kt=np.array([25.0, 40.0]), storm_id=np.array(["AL012015"] * 2),
                          name=np.array(["ANA"] * 2), time=np.array(["2015-01-01", "2015-01-02"], "datetime64[s]"),
                          lat=np.zeros(2), lon=np.zeros(2))
    assert data.label_source.tolist() == ["hurdat2", "hurdat2"]
    assert set(dataset.LABEL_SOURCES) == {"hurdat2", "hursat-best-track"}


def test_seasons_of_hurdat2_ids_and_ibtracs_sids():
    assert dataset.season_of(["AL112017", "2005092S11102", "1980214N11330", "AL112017"]).tolist() == \
        [2017, 2005, 1980, 2017]
    with pytest.raises(ValueError, match="HURDAT2 storm id .* IBTrACS SID"):
        dataset.season_of(["ADELINE"])


# ------------------------------------------------------------ which satellite, which pixels
@needs_real
def test_the_satellite_with_the_lowest_viewing_angle_is_used_unless_its_window_is_gappy(tmp_path):
    kelvin = h.raw_real()["irwin"].astype(np.float64)
    (tmp_path / "d").mkdir()
    met5 = h.derive(tmp_path / "d" / h.MET5_MEMBER, attrs={"Satellite_Name": "MET-5"},
                    raw={"VZA": [38.2], "IRWIN": h.pack(kelvin - 3.0)})
    archive = h.real_archive(tmp_path / "a", {h.REAL_MEMBER: h.REAL, h.MET5_MEMBER: met5})
    goes = dataset.prepare_hursat_image(hursat.read_file(h.REAL)[0].irwin)
    data = dataset.hursat_frames([archive], track_table=load_builtin())
    assert len(data) == 1                                                # one frame per slot
    np.testing.assert_allclose(data.images[0], goes - 3.0, atol=0.01)    # MET-5's, 3 K colder than GOES-9's
    # MET-5's window with 2 % bad pixels (0.58 K): GOES-9, the next lowest angle, is used instead
    gappy = kelvin - 3.0
    gappy[140:160, 140:150] = 0.58                                       # file rows, inside the central window
    h.derive(met5, attrs={"Satellite_Name": "MET-5"}, raw={"VZA": [38.2], "IRWIN": h.pack(gappy)})
    archive = h.real_archive(tmp_path / "b", {h.REAL_MEMBER: h.REAL, h.MET5_MEMBER: met5})
    np.testing.assert_allclose(dataset.hursat_frames([archive], track_table=load_builtin()).images[0], goes, atol=1e-4)


@needs_real
def test_bad_pixels_never_reach_the_networks_input(tmp_path):
    kelvin = h.raw_real()["irwin"].astype(np.float64)
    kelvin[150, 150], kelvin[151, 152], kelvin[120, 170] = 0.58, 12.0, 149.0      # the centre's coldest "cloud"
    (tmp_path / "d").mkdir()
    bad = h.derive(tmp_path / "d" / h.REAL_MEMBER, raw={"IRWIN": h.pack(kelvin)})
    archive = h.real_archive(tmp_path / "a", {h.REAL_MEMBER: bad})
    data = dataset.hursat_frames([archive], track_table=load_builtin())
    x = preprocess.centre_crop(preprocess.scale_temperature(data.images), dataset.CROP)
    assert np.isfinite(x).all() and data.images.min() >= 190.0                      # the real frame's coldest: 190.3 K
    assert x.max() <= (preprocess.T_SCALE_CENTRE - hursat.MIN_KELVIN) / preprocess.T_SCALE_HALF_RANGE
    # prepare_hursat_image applies the floor itself too, to arrays that never went through the reader
    raw = hursat.read_file(h.REAL)[0].irwin.copy()
    raw[150, 150] = 0.58
    assert dataset.prepare_hursat_image(raw).min() >= 190.0


# ------------------------------------------------------------ the frame shipped with the package
def test_the_shipped_real_frame_loads_without_pickle_and_is_north_up():
    from bootcamp.cyclone import real_frame

    frame = real_frame()
    assert isinstance(frame, hursat.IRFrame) and frame.path == realframe.NPZ
    assert realframe.NPZ.stat().st_size < 200_000
    assert (frame.storm, frame.sid, frame.satellite) == ("ADELINE", "2005092S11102", "GOES-9")
    assert frame.time == np.datetime64("2005-04-01T12:00:00")
    assert frame.wind_kt == pytest.approx(13.2, abs=1e-4) and frame.vza == pytest.approx(61.62, abs=0.01)
    assert (frame.lat, frame.lon) == pytest.approx((-10.9, 102.4), abs=1e-3)
    assert frame.irwin.shape == (301, 301) and frame.irwin.dtype == np.float32 and np.isfinite(frame.irwin).all()
    assert (float(frame.irwin.min()), float(frame.irwin.max())) == pytest.approx((190.28, 292.88), abs=1e-3)
    assert frame.lats[0] == pytest.approx(-0.4, abs=1e-4) and frame.lats[-1] == pytest.approx(-21.4, abs=1e-4)
    assert np.all(np.diff(frame.lats) < 0) and np.all(np.diff(frame.lons) > 0)
    assert frame.irwin[:100].mean() < frame.irwin[-100:].mean() - 20                 # cold north, clear south
    assert "HURSAT-B1 v06" in frame.provenance and realframe.SOURCE_SHA256 in frame.provenance
    with np.load(realframe.NPZ, allow_pickle=False) as npz:
        assert npz["irwin_cK"].dtype == np.uint16 and all(npz[k].dtype != object for k in npz.files)
    image = dataset.prepare_hursat_image(frame.irwin)
    assert image.shape == (dataset.PIXELS, dataset.PIXELS) and np.isfinite(image).all()


@needs_real
def test_the_shipped_real_frame_is_what_the_reader_makes_of_the_netcdf_file(tmp_path):
    assert realframe.differences(h.REAL) == []
    made = realframe.real_frame(realframe.build(h.REAL, tmp_path / "frame.npz"))
    [read] = hursat.read_file(h.REAL)
    shipped = realframe.real_frame()
    for frame in (made, shipped):
        np.testing.assert_allclose(frame.irwin, read.irwin, atol=1e-4)              # 0.01 K steps, exact here
        np.testing.assert_array_equal(frame.lats, read.lats)
        np.testing.assert_array_equal(frame.lons, read.lons)
        assert (frame.time, frame.storm, frame.sid, frame.satellite) == (read.time, read.storm, read.sid,
                                                                         read.satellite)
        assert (frame.wind_kt, frame.lat, frame.lon) == pytest.approx((read.wind_kt, read.lat, read.lon))
    assert realframe.main(["--check", str(h.REAL)]) == 0
    other = tmp_path / "other.npz"
    np.savez_compressed(other, **{**dict(np.load(realframe.NPZ, allow_pickle=False)), "wind_kt": np.float32(99)})
    assert realframe.differences(h.REAL, other) == ["wind_kt: differs (float32[] stored, float32[] made)"]
