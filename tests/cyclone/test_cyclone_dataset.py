"""The frames interface: labels from interpolated best track, determinism,
shapes, the storm-wise split, and the HURSAT-B1 path."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bootcamp.cyclone import dataset
from bootcamp.data import files
from bootcamp.data.hurdat2 import load_builtin, saffir_simpson_class

HURSAT_TESTS = Path(__file__).resolve().parents[1] / "data" / "test_hursat.py"


def fixes(storm_id, name, start, winds, status=None, lat0=15.0):
    times = pd.date_range(start, periods=len(winds), freq="6h")
    n = len(winds)
    return pd.DataFrame({"storm_id": storm_id, "name": name, "time": times,
                         "status": status or ["TS"] * n, "lat": lat0 + 0.5 * np.arange(n),
                         "lon": -60.0 - np.arange(n, dtype=float), "wind_kt": np.asarray(winds, float),
                         "pressure_mb": 1000.0 - np.arange(n)})


@pytest.fixture
def table():
    return pd.concat([
        fixes("AL012015", "ANA", "2015-06-01 00:00", [25, 35, 65, 90, 120, 140, 100]),
        fixes("AL022015", "BILL", "2015-07-01 06:00", [20, 30, 45, 40, 30],
              status=["TD", "TS", "TS", "EX", "EX"], lat0=-12.0),
        fixes("AL032014", "CESAR", "2014-08-01 00:00", [30, 50, 70]),
    ], ignore_index=True)


def test_frames_are_3_hourly_with_labels_interpolated_from_the_fixes(table):
    data = dataset.frames(track_table=table, season_range=(2015, 2015), pixels=32)
    assert set(data.storm_id) == {"AL012015", "AL022015"}          # CESAR is of 2014
    assert data.images.shape == (len(data), 32, 32) and data.images.dtype == np.float32
    ana = data.subset(data.storm_id == "AL012015")
    assert len(ana) == 13                                           # 36 h, every 3 h, both ends
    np.testing.assert_allclose(ana.wind_kt, [25, 30, 35, 50, 65, 77.5, 90, 105, 120, 130, 140, 120, 100])
    np.testing.assert_array_equal(ana.labels, saffir_simpson_class(ana.wind_kt))
    assert np.all(np.diff(ana.time).astype(int) == 3 * 3600)
    # frames after the storm turned extratropical are dropped
    bill = data.subset(data.storm_id == "AL022015")
    assert bill.time.max() == np.datetime64("2015-07-01T21:00")
    assert np.all(bill.lat < 0) and set(bill.name) == {"BILL"}


def test_synthetic_frames_are_deterministic_and_depend_on_the_seed(table):
    a = dataset.frames(track_table=table, season_range=(2014, 2015), pixels=32, seed=3)
    b = dataset.frames(track_table=table, season_range=(2014, 2015), pixels=32, seed=3)
    c = dataset.frames(track_table=table, season_range=(2014, 2015), pixels=32, seed=4)
    np.testing.assert_array_equal(a.images, b.images)
    assert not np.array_equal(a.images, c.images)
    # one storm's images do not depend on which other storms are in the set
    alone = dataset.frames(track_table=table[table.storm_id == "AL032014"], season_range=(2014, 2015), pixels=32,
                           seed=3)
    np.testing.assert_array_equal(alone.images, a.subset(a.storm_id == "AL032014").images)


def test_consecutive_frames_share_a_look_and_storms_keep_their_size():
    winds = np.full(12, 90.0)
    images = dataset.render_storm(winds, np.full(12, 20.0), seed=5, pixels=48, frames_per_look=4)

    def corr(i, j):
        return np.corrcoef(images[i].ravel(), images[j].ravel())[0, 1]

    assert corr(0, 1) > 0.9 and corr(0, 1) > corr(0, 4) + 0.05
    assert dataset.storm_seed(1, "AL092011") == dataset.storm_seed(1, "AL092011")
    assert dataset.storm_seed(1, "AL092011") != dataset.storm_seed(1, "AL102011")


def test_unknown_source_is_refused(table):
    with pytest.raises(ValueError, match="synthetic"):
        dataset.frames("radar", track_table=table)


def test_split_keeps_storms_whole_is_seeded_and_stratified():
    table = dataset.frame_table(dataset.best_track(load_builtin(), (2014, 2018)))
    table = table[~dataset.in_locked_season(table["storm_id"])].reset_index(drop=True)
    peak = table.groupby("storm_id")["wind_kt"].transform("max").to_numpy()
    ids = table["storm_id"].to_numpy()
    masks = dataset.split_storms(ids, peak)
    assert np.all(sum(m.astype(int) for m in masks) == 1)                       # every frame in exactly one set
    groups = [set(ids[m]) for m in masks]
    assert not (groups[0] & groups[1] or groups[0] & groups[2] or groups[1] & groups[2])
    n_storms = [len(g) for g in groups]
    assert abs(n_storms[0] / sum(n_storms) - 0.7) < 0.06
    again = dataset.split_storms(ids, peak)
    assert all(np.array_equal(x, y) for x, y in zip(masks, again))
    other = dataset.split_storms(ids, peak, seed=dataset.SPLIT_SEED + 1)
    assert not np.array_equal(masks[2], other[2])
    # stratified: each set gets storms from the strongest fifth
    storm_peak = table.groupby("storm_id")["wind_kt"].max()
    strongest = set(storm_peak[storm_peak >= storm_peak.quantile(0.8)].index)
    assert all(g & strongest for g in groups)
    # the shared seed: every class in every set
    labels = table["label"].to_numpy()
    assert all((np.bincount(labels[m], minlength=8) > 0).all() for m in masks)


def test_split_of_frames_and_bad_fractions(table):
    data = dataset.frames(track_table=table, season_range=(2014, 2015), pixels=16)
    parts = dataset.split(data)
    assert sum(len(p) for p in parts) == len(data)
    with pytest.raises(ValueError, match="multiples"):
        dataset.split_storms(data.storm_id, data.wind_kt, fractions=(0.33, 0.33, 0.34))


def test_prepare_hursat_image_cuts_the_window_and_shrinks_it():
    irwin = np.full((301, 301), 290.0, np.float32)
    irwin[140:161, 140:161] = 200.0                                  # a cold core in the middle
    image = dataset.prepare_hursat_image(irwin, pixels=20)
    assert image.shape == (20, 20) and image[10, 10] < 230 and image[0, 0] == pytest.approx(290.0)
    holes = irwin.copy()
    holes[100:110, 100:110] = np.nan                                 # 1% of the window: filled
    assert np.isfinite(dataset.prepare_hursat_image(holes, pixels=20)).all()
    holes[100:140, 100:140] = np.nan                                 # far more: refused
    assert dataset.prepare_hursat_image(holes, pixels=20) is None


def _hursat_helpers():
    spec = importlib.util.spec_from_file_location("hursat_test_helpers", HURSAT_TESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hursat_frames_are_matched_to_the_best_track(tmp_path):
    helpers = _hursat_helpers()
    kelvin = np.full((301, 301), 285.0, np.float32)
    kelvin[120:181, 120:181] = 205.0
    names = {"2005236N23285.KATRINA.2005.08.28.1800.45.GOE-12.010.hursat-b1.v06.nc": kelvin,
             "2005236N23285.KATRINA.2005.08.28.2100.38.GOE-10.011.hursat-b1.v06.nc": kelvin - 5,
             "2005236N23285.KATRINA.2005.08.28.2100.38.GOE-12.012.hursat-b1.v06.nc": kelvin - 9,   # same time
             "2005236N23285.KATRINA.2005.08.30.0600.38.GOE-12.013.hursat-b1.v06.nc": kelvin}       # after the track
    (tmp_path / "frames").mkdir()
    members = {}
    for name, values in names.items():
        path = helpers.write_frame(tmp_path / "frames" / name, values)
        members[f"{helpers.ARCHIVE[:-7]}/{name}"] = path.read_bytes()
    archive = helpers.make_archive(tmp_path / helpers.ARCHIVE, tmp_path, members)
    track = pd.concat([fixes("AL122005", "KATRINA", "2005-08-28 12:00", [100, 130, 140]),
                       fixes("AL132005", "KATRINA", "2005-09-20 00:00", [30, 30])], ignore_index=True)

    data = dataset.frames("hursat", archives=[archive], track_table=track, pixels=32)
    assert data.source == "hursat" and len(data) == 2
    assert set(data.storm_id) == {"AL122005"}
    np.testing.assert_allclose(data.wind_kt, [130.0, 135.0])
    np.testing.assert_array_equal(data.labels, saffir_simpson_class(data.wind_kt))
    assert data.images.shape == (2, 32, 32)
    assert data.images[1, 16, 16] == pytest.approx(200.0, abs=0.5)    # the first satellite at 21:00 is kept
    with pytest.raises(FileNotFoundError, match="docs/cyclone.md"):
        dataset.hursat_frames([], track_table=track)


def test_the_source_follows_the_environment(monkeypatch, table):
    monkeypatch.delenv(dataset.SOURCE_ENV, raising=False)
    assert dataset.default_source() == "synthetic"
    monkeypatch.setenv(dataset.SOURCE_ENV, "HURSAT")
    assert dataset.default_source() == "hursat"
    with pytest.raises(FileNotFoundError, match="HURSAT-B1"):
        dataset.frames(track_table=table, archives=[])


def test_locked_seasons_are_whole_seasons_kept_out_of_the_split(table):
    assert dataset.season_of(["AL112017", "EP011999"]).tolist() == [2017, 1999]
    with pytest.raises(ValueError, match="HURDAT2 storm id"):
        dataset.season_of(["KATRINA"])
    locked_table = pd.concat([table, fixes("AL052015", "DANNY", "2015-08-18 00:00", [30, 60, 100, 110])])
    assert 2015 in dataset.LOCKED_SEASONS and 2014 not in dataset.LOCKED_SEASONS
    data = dataset.frames(track_table=locked_table, season_range=(2014, 2015), pixels=16)
    locked = dataset.in_locked_season(data.storm_id)
    assert set(data.storm_id[locked]) == {"AL012015", "AL022015", "AL052015"}
    assert set(data.seasons[~locked]) == {2014}


def test_the_lessons_never_see_the_locked_seasons(monkeypatch):
    """standard() splits the unlocked storms only; load_locked_set() returns
    exactly the locked ones; together they are every frame."""
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    builtin = load_builtin()
    # quick mode's storms, drawn once at 8 x 8 pixels to keep the test fast
    made = dataset.frames("synthetic", track_table=builtin, season_range=dataset.seasons(), pixels=8)
    monkeypatch.setattr(dataset, "frames", lambda source=None: made.subset(np.arange(len(made))))
    every = set(made.storm_id)
    seen = set()
    parts = dataset.standard()
    for part in parts:
        assert not dataset.in_locked_season(part.storm_id).any()
        seen |= set(part.storm_id)
    locked = dataset.load_locked_set()
    assert set(locked.seasons) == set(dataset.locked_seasons()) == {2015}
    assert not seen & set(locked.storm_id) and seen | set(locked.storm_id) == every
    # quick mode's split keeps every class in every part, as the split seed was chosen to
    assert all((part.class_counts() > 0).all() for part in parts)


def test_join_concatenates_frames(table):
    data = dataset.frames(track_table=table, season_range=(2014, 2015), pixels=16)
    first, second = data.subset(np.arange(3)), data.subset(np.arange(3, len(data)))
    joined = dataset.join(first, second)
    np.testing.assert_array_equal(joined.images, data.images)
    np.testing.assert_array_equal(joined.storm_id, data.storm_id)


def test_generated_images_are_kept_in_the_cache_and_drawn_again_when_anything_changes(monkeypatch, tmp_path, table):
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path))
    frames = dataset.frame_table(dataset.best_track(table, (2014, 2015)))
    drawn = dataset._synthetic_images(frames, 3, 16)
    first = dataset._cached_synthetic_images(frames, 3, 16)
    stored = list((tmp_path / "cyclone-frames").glob("*.npy"))
    assert [p.name for p in (tmp_path / "cyclone-frames").iterdir()] == [stored[0].name]   # no temporary left
    assert stored[0].stat().st_mode & 0o777 == 0o666 & ~files.umask()                    # not private
    np.testing.assert_array_equal(first, drawn)
    np.save(stored[0], np.zeros_like(drawn))          # proves the second call reads the file
    assert not dataset._cached_synthetic_images(frames, 3, 16).any()
    np.testing.assert_array_equal(dataset._cached_synthetic_images(frames, 4, 16), dataset._synthetic_images(frames, 4, 16))
    stronger = frames.assign(wind_kt=frames["wind_kt"] + 1.0)
    assert dataset._images_key(stronger, 3, 16) != dataset._images_key(frames, 3, 16)
    stored[0].write_bytes(b"not an array")            # a damaged file is drawn again
    np.testing.assert_array_equal(dataset._cached_synthetic_images(frames, 3, 16), drawn)
