"""HURSAT-B1: a real frame (ADELINE, 2005-04-01 12Z, GOES-9) read right, repacked
into an archive named as NCEI names them, imported, fetched from a local server
or a mirror folder, and taken down to the compact CNN's input; broken archives.

The real netCDF file is the offline mirror's copy (see SHARED below and its
README); the tests that need it are skipped, saying so, where it is absent.
Files derived from it (another satellite, bad pixels, fewer channels) are
written under pytest's tmp_path only.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from bootcamp.data import hursat, settings
from bootcamp.data.errors import DatasetUnavailable, UsageError, VerificationError

pytestmark = [pytest.mark.network, pytest.mark.timeout(120)]

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
REAL = SHARED / "hursat-b1" / "hursat-b1-v06-ADELINE-2005092S11102-GOES-9-20050401-12Z.nc"
REAL_SHA256 = "0c719d362cd33ee7540a7be84fdf18eb4deb57eee5f823f294f434e8e3b00f9d"
needs_real = pytest.mark.skipif(not REAL.is_file(), reason=f"the real HURSAT-B1 frame is not at {REAL}")

# The real frame as NCEI would name it: the archive HURSAT_b1_v06_<SID>_<NAME>_c<YYYYMMDD>.tar.gz (c20170721,
# the processing date most v06 archives carry), and inside it, in a folder of the archive's name,
# <SID>.<NAME>.<YYYY>.<MM>.<DD>.<HHMM>.<round(VZA)>.<SAT>.<NNN>.hursat-b1.v06.nc, with the ISCCP B1
# satellite code (the file's B1_file attribute says GOE-9) and a sequence number (the original is lost).
REAL_ARCHIVE = "HURSAT_b1_v06_2005092S11102_ADELINE_c20170721.tar.gz"
REAL_MEMBER = "2005092S11102.ADELINE.2005.04.01.1200.62.GOE-9.001.hursat-b1.v06.nc"
# A second satellite of the same slot, derived from the real file: Meteosat-5 (63 E) saw the Indian Ocean
# in 2005, at a lower angle than GOES-9 (155 E) for a storm at 102 E.
MET5_MEMBER = "2005092S11102.ADELINE.2005.04.01.1200.38.MET-5.001.hursat-b1.v06.nc"

# Hand-written frames, kept for tests/cyclone/test_cyclone_dataset.py (which loads write_frame,
# make_archive and ARCHIVE from here) and for the broken archives below.
ARCHIVE = "HURSAT_b1_v06_2005236N23285_KATRINA_c20170721.tar.gz"


def write_frame(path: Path, kelvin: np.ndarray, *, centre=(25.5, -80.1), hours_since_1970=None) -> Path:
    """A small netCDF file shaped like a HURSAT-B1 frame: IRWIN packed as int16
    with scale, offset and fill value, and the storm centre (no lat/lon grid)."""
    import netCDF4

    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("htime", 1)
        nc.createDimension("lat", kelvin.shape[0])
        nc.createDimension("lon", kelvin.shape[1])
        irwin = nc.createVariable("IRWIN", "i2", ("htime", "lat", "lon"), fill_value=-31999)
        irwin.scale_factor, irwin.add_offset, irwin.units = 0.01, 200.0, "K"
        irwin[:] = kelvin[None]
        nc.createVariable("CentLat", "f4", ("htime",))[:] = [centre[0]]
        nc.createVariable("CentLon", "f4", ("htime",))[:] = [centre[1]]
        if hours_since_1970 is not None:
            htime = nc.createVariable("htime", "f8", ("htime",))
            htime.units = "hours since 1970-01-01 00:00:00"
            htime[:] = [hours_since_1970]
    return path


def make_archive(path: Path, tmp: Path, members: dict[str, bytes]) -> Path:
    """A .tar.gz holding ``members`` (name: bytes)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def real_archive(folder: Path, members: dict[str, Path] | None = None, name: str = REAL_ARCHIVE) -> Path:
    """The real frame (or the files given, by member name) repacked as NCEI packs a storm."""
    members = {REAL_MEMBER: REAL} if members is None else members
    folder.mkdir(parents=True, exist_ok=True)
    return make_archive(folder / name, folder,
                        {f"{name.removesuffix('.tar.gz')}/{member}": Path(path).read_bytes()
                         for member, path in members.items()})


def pack(kelvin: np.ndarray) -> np.ndarray:
    """Kelvin as IRWIN stores it: int16 of (K - 200) / 0.01, NaN as the fill value -20100."""
    kelvin = np.asarray(kelvin, dtype=np.float64)
    return np.where(np.isfinite(kelvin), np.round((kelvin - 200.0) / 0.01), -20100).astype(np.int16)


def raw_real() -> dict[str, np.ndarray]:
    """The real file read plainly with netCDF4, as stored (rows south first), no reader involved."""
    import netCDF4

    with netCDF4.Dataset(REAL) as nc:
        return {"lat": nc["lat"][:].data, "lon": nc["lon"][:].data, "irwin": nc["IRWIN"][0].data,
                "htime": nc["htime"][:].data}


def derive(dst: Path, *, drop: tuple[str, ...] = (), attrs: dict | None = None, raw: dict | None = None) -> Path:
    """A copy of the real file, written with netCDF4 (the reader's library), with global attributes
    changed (``attrs``), variables left out (``drop``) and variables' stored values replaced (``raw``:
    name -> values as stored, e.g. :func:`pack` of kelvin for IRWIN). Only ever under tmp_path."""
    import netCDF4

    with netCDF4.Dataset(REAL) as src, netCDF4.Dataset(dst, "w", format="NETCDF4") as out:
        out.setncatts({key: src.getncattr(key) for key in src.ncattrs()})
        out.setncatts(attrs or {})
        for name, dim in src.dimensions.items():
            out.createDimension(name, None if dim.isunlimited() else len(dim))
        for name, var in src.variables.items():
            if name in drop:
                continue
            keys = var.ncattrs()
            fill = var.getncattr("_FillValue") if "_FillValue" in keys else None
            new = out.createVariable(name, var.dtype, var.dimensions, fill_value=fill,
                                     zlib=bool(var.filters()["zlib"]))
            new.setncatts({key: var.getncattr(key) for key in keys if key != "_FillValue"})
            var.set_auto_maskandscale(False)
            new.set_auto_maskandscale(False)
            new[:] = var[:]
            if name in (raw or {}):
                new[:] = np.asarray(raw[name]).reshape(var.shape)
    return dst


# ------------------------------------------------------------ the real frame, read
@needs_real
def test_the_mirror_copy_is_the_published_file():
    assert hashlib.sha256(REAL.read_bytes()).hexdigest() == REAL_SHA256


@needs_real
def test_the_real_frame_is_north_up_and_its_pixels_keep_their_lat_lon():
    raw = raw_real()
    assert raw["lat"][0] < raw["lat"][-1]                           # the file: row 0 is the southernmost
    [frame] = hursat.read_file(REAL)
    assert frame.irwin.shape == (301, 301) and frame.irwin.dtype == np.float32
    # row 0 is now the northernmost row, the last row the southernmost; columns stay west to east
    assert frame.lats.shape == (301,) and frame.lons.shape == (301,)
    assert frame.lats[0] == raw["lat"][-1] and frame.lats[0] == pytest.approx(-0.4, abs=1e-4)
    assert frame.lats[-1] == raw["lat"][0] and frame.lats[-1] == pytest.approx(-21.4, abs=1e-4)
    assert np.all(np.diff(frame.lats) < 0) and np.all(np.diff(frame.lons) > 0)
    assert (frame.lons[0], frame.lons[-1]) == (raw["lon"][0], raw["lon"][-1])
    assert (frame.lons[0], frame.lons[-1]) == pytest.approx((91.9, 112.9), abs=1e-4)
    # every pixel keeps the temperature the file gives its (lat, lon): the image and lat were flipped together
    rows = np.searchsorted(raw["lat"], frame.lats)
    np.testing.assert_array_equal(raw["lat"][rows], frame.lats)
    np.testing.assert_array_equal(frame.irwin, raw["irwin"][rows])
    # the cold cloud is where the file's lat says: the south of the frame (south of 14.5 S, rows 0-99 in the
    # file) is mostly clear and warm, the north colder; north-up puts the warm part at the bottom
    south = frame.lats < -14.45
    assert south.sum() == 100 and np.all(np.flatnonzero(south) >= 201)       # the bottom 100 rows
    assert frame.irwin[south].mean() == pytest.approx(264.5, abs=0.1)
    assert frame.irwin[:100].mean() == pytest.approx(242.5, abs=0.1)
    assert frame.irwin[:100].mean() < frame.irwin[-100:].mean() - 20
    # ... and around the storm centre: the grid is centred on the best-track centre (index 150), and the
    # cold cloud (below 230 K) lies within about a degree of it, colder near it than over the frame
    assert (frame.lat, frame.lon) == pytest.approx((-10.9, 102.4), abs=1e-3)
    assert (frame.lats[150], frame.lons[150]) == pytest.approx((frame.lat, frame.lon), abs=1e-3)
    cold_rows, cold_cols = np.nonzero(frame.irwin < 230)
    assert frame.lats[cold_rows].mean() == pytest.approx(frame.lat, abs=1.5)
    assert frame.lons[cold_cols].mean() == pytest.approx(frame.lon, abs=1.5)
    assert (frame.irwin[100:201, 100:201] < 230).mean() > (frame.irwin < 230).mean() + 0.1
    # imshow(irwin, extent=extent) puts row 0 at the north edge
    west, east, south_edge, north_edge = frame.extent
    assert (west, east, south_edge, north_edge) == pytest.approx((91.865, 112.935, -21.435, -0.365), abs=1e-3)


@needs_real
def test_the_real_frame_carries_its_best_track_satellite_and_channels():
    [frame] = hursat.read_file(REAL)
    assert (frame.storm, frame.sid, frame.satellite) == ("ADELINE", "2005092S11102", "GOES-9")
    assert frame.wind_kt == pytest.approx(13.2, abs=1e-4)              # WindSpd, kt
    assert frame.vza == pytest.approx(61.62, abs=0.01)                 # VZA at the storm centre, degrees
    assert frame.channels == ("IRWIN", "IRSPL", "IRWVP")
    assert np.isfinite(frame.irwin).all()
    assert (float(frame.irwin.min()), float(frame.irwin.max())) == pytest.approx((190.28, 292.88), abs=1e-3)


@needs_real
def test_htime_is_rounded_to_the_nearest_second(tmp_path):
    import netCDF4

    raw = raw_real()
    assert raw["htime"][0] == 12874.499999999534                      # 12Z, with float error
    decoded = netCDF4.num2date(raw["htime"][0], "days since 1970-01-01 00:00", only_use_cftime_datetimes=False,
                               only_use_python_datetimes=True)
    assert np.datetime64(decoded, "s") == np.datetime64("2005-04-01T11:59:59")     # what truncation gave
    assert hursat.read_file(REAL)[0].time == np.datetime64("2005-04-01T12:00:00")
    for seconds, expected in ((0.4, "12:00:00"), (0.6, "12:00:01"), (-0.6, "11:59:59")):
        path = derive(tmp_path / f"{seconds}.nc", raw={"htime": [12874.5 + seconds / 86400]})
        assert hursat.read_file(path)[0].time == np.datetime64(f"2005-04-01T{expected}")


@needs_real
def test_a_file_holding_only_irwin_reads_the_same(tmp_path):
    only = derive(tmp_path / REAL_MEMBER, drop=("IRSPL", "IRWVP"))
    [frame] = hursat.read_file(only)
    assert frame.channels == ("IRWIN",)
    np.testing.assert_array_equal(frame.irwin, hursat.read_file(REAL)[0].irwin)
    with pytest.raises(VerificationError, match="no IRWIN"):
        hursat.read_file(derive(tmp_path / "no-irwin.nc", drop=("IRWIN",)))


@needs_real
def test_bad_pixels_below_the_physical_floor_are_missing(tmp_path):
    raw = raw_real()
    kelvin = raw["irwin"].astype(np.float64)
    kelvin[10, 20], kelvin[11, 20], kelvin[12, 20], kelvin[13, 20] = 0.58, 149.99, 150.0, np.nan
    [frame] = hursat.read_file(derive(tmp_path / REAL_MEMBER, raw={"IRWIN": pack(kelvin)}))
    north_up = frame.irwin[::-1]                                       # back to the file's rows, to compare
    assert np.isnan(north_up[10, 20]) and np.isnan(north_up[11, 20]) and np.isnan(north_up[13, 20])
    assert north_up[12, 20] == pytest.approx(150.0)                    # the floor itself is kept
    assert np.isnan(frame.irwin).sum() == 3 and np.nanmin(frame.irwin) >= hursat.MIN_KELVIN


@needs_real
def test_a_name_without_htime_gives_the_slot_and_the_name_vza_stands_in(tmp_path):
    path = derive(tmp_path / REAL_MEMBER, drop=("VZA",))
    assert hursat.read_file(path)[0].vza == 62.0                       # the file name's rounded angle
    odd = derive(tmp_path / "frame.nc", drop=("htime",))
    with pytest.raises(VerificationError, match="time is unknown"):
        hursat.read_file(odd)


@needs_real
def test_one_frame_per_slot_the_lowest_viewing_angle(tmp_path):
    raw = raw_real()
    (tmp_path / "d").mkdir()
    met5 = derive(tmp_path / "d" / MET5_MEMBER, attrs={"Satellite_Name": "MET-5"},
                  raw={"VZA": [38.2], "IRWIN": pack(raw["irwin"] - 3.0)})
    archive = real_archive(tmp_path / "download", {REAL_MEMBER: REAL, MET5_MEMBER: met5})
    every = hursat.read_frames(archive)
    assert sorted((f.satellite, round(f.vza, 1)) for f in every) == [("GOES-9", 61.6), ("MET-5", 38.2)]
    [best] = hursat.read_frames(archive, per_slot=True)
    assert best.satellite == "MET-5" and best.time == np.datetime64("2005-04-01T12:00")
    np.testing.assert_allclose(best.irwin, hursat.read_file(REAL)[0].irwin - 3.0, atol=0.006)
    assert [[f.satellite for f in slot] for slot in hursat.iter_slots(archive)] == [["MET-5", "GOES-9"]]
    # by the angle, not by the order the frames come in
    assert [f.satellite for f in hursat.one_per_slot(every)] == [f.satellite for f in hursat.one_per_slot(every[::-1])]
    later = derive(tmp_path / "d" / "later.nc", raw={"htime": [12874.625]})        # the 15Z slot
    slots = hursat.rank_by_view([*every, hursat.read_file(later)[0]])
    assert [[f.satellite for f in slot] for slot in slots] == [["MET-5", "GOES-9"], ["GOES-9"]]


# ------------------------------------------------------------ archives: import, fetch, read
@pytest.fixture
def storm_archive(tmp_path) -> Path:
    if not REAL.is_file():
        pytest.skip(f"the real HURSAT-B1 frame is not at {REAL}")
    return real_archive(tmp_path / "download")


def test_import_then_read_the_real_frame(storm_archive, cache):
    stored = hursat.import_archive(storm_archive)
    assert stored == cache.path / "hursat_b1" / "2005" / REAL_ARCHIVE
    [frame] = hursat.read_frames(stored)
    assert frame.path.name == REAL_MEMBER and frame.satellite == "GOES-9"
    assert frame.time == np.datetime64("2005-04-01T12:00")
    np.testing.assert_array_equal(frame.irwin, hursat.read_file(REAL)[0].irwin)
    assert cache.temporaries() == []


def test_frames_are_read_lazily_and_unpacked_once(storm_archive):
    stored = hursat.import_archive(storm_archive)
    frames = hursat.iter_frames(stored)
    assert not isinstance(frames, list)
    first = next(frames)
    unpacked = stored.with_name(REAL_ARCHIVE[:-7])
    stamp = first.path.stat().st_mtime_ns
    assert first.path.is_relative_to(unpacked)
    assert hursat.read_frames(stored)[0].path.stat().st_mtime_ns == stamp


def test_the_real_frame_from_the_server_to_the_networks_input(server, storm_archive, monkeypatch, cache):
    """The whole path on the real file: listing and archive over HTTP on 127.0.0.1, fetch, unpack,
    read, prepare (labels from the frame's own best track: ADELINE is not an Atlantic storm), scale,
    centre crop, and the compact CNN's prediction."""
    import keras

    from bootcamp.cyclone import dataset, models, preprocess
    from bootcamp.data.hurdat2 import load_builtin

    other = "HURSAT_b1_v06_2005236N23285_KATRINA_c20170721.tar.gz"
    server.good("/v06/2005/", f'<a href="{other}">{other}</a> <a href="{REAL_ARCHIVE}">{REAL_ARCHIVE}</a>'.encode())
    server.good(f"/v06/2005/{REAL_ARCHIVE}", storm_archive.read_bytes())
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    path = hursat.fetch_storm(2005, "adeline")
    assert path == cache.path / "hursat_b1" / "2005" / REAL_ARCHIVE
    assert hursat.fetch_storm(2005, "2005092S11102") == path          # by SID: a cache hit
    assert server.count(f"/v06/2005/{REAL_ARCHIVE}") == 1 and cache.temporaries() == []

    data = dataset.frames("hursat", archives=[path], track_table=load_builtin())
    assert len(data) == 1 and data.source == "hursat"
    assert data.label_source.tolist() == ["hursat-best-track"] and data.storm_id.tolist() == ["2005092S11102"]
    assert data.wind_kt[0] == pytest.approx(13.2, abs=1e-4) and dataset.CLASSES[data.labels[0]] == "NC"
    assert data.time[0] == np.datetime64("2005-04-01T12:00") and data.seasons.tolist() == [2005]
    assert data.images.shape == (1, dataset.PIXELS, dataset.PIXELS) and data.images.dtype == np.float32
    # the image is the frame's central 800 km (100 x 100 pixels) shrunk, north-up as the frame; upside
    # down it would differ by about 21 K per pixel
    [frame] = hursat.read_frames(path)
    window = frame.irwin[100:200, 100:200]
    np.testing.assert_allclose(data.images[0], preprocess.resize_stack(window[None], dataset.PIXELS)[0], atol=1e-4)
    assert np.abs(data.images[0] - preprocess.resize_stack(window[None, ::-1], dataset.PIXELS)[0]).mean() > 15

    x = preprocess.centre_crop(models.scaled(data), dataset.CROP)[..., None]
    assert x.shape == (1, dataset.CROP, dataset.CROP, 1) and x.dtype == np.float32
    assert np.isfinite(x).all() and -1.5 < x.min() < x.max() < 1.5
    keras.utils.set_random_seed(0)
    model = models.compact_cnn(width=4)
    assert model.input_shape[1:] == x.shape[1:]
    probabilities = models.predict(model, data)
    assert probabilities.shape == (1, len(dataset.CLASSES))
    np.testing.assert_allclose(probabilities.sum(), 1.0, rtol=1e-5)


def _full_mode_cyclone():
    """benchmarks/full_mode_cyclone.py as a module (benchmarks/ is not a package)."""
    import importlib.util

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "full_mode_cyclone.py"
    spec = importlib.util.spec_from_file_location("full_mode_cyclone", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_real_data_run_fetches_its_storms_before_any_lesson(server, storm_archive, monkeypatch, cache, capsys):
    """`full_mode_cyclone.py --source hursat --storms ...`: the storms come through the data layer
    (here from a server on 127.0.0.1) into the cache the lessons read; one that cannot be had stops
    the run before any lesson, with the data layer's message."""
    from bootcamp.cyclone import dataset
    from bootcamp.data.hurdat2 import load_builtin

    server.good("/v06/2005/", f'<a href="{REAL_ARCHIVE}">{REAL_ARCHIVE}</a>'.encode())
    server.good(f"/v06/2005/{REAL_ARCHIVE}", storm_archive.read_bytes())
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    bench = _full_mode_cyclone()
    monkeypatch.setattr(bench, "run_notebook", lambda stem: pytest.fail(f"{stem} ran"))
    assert bench.storm_list(["2005:adeline", "2005:ADELINE", "2004:IVAN"]) == [(2005, "ADELINE"), (2004, "IVAN")]

    assert bench.main(["--source", "hursat", "--storms", "2005:adeline", "--fetch-only"]) == 0
    assert server.count(f"/v06/2005/{REAL_ARCHIVE}") == 1
    assert hursat.cached_archives(2005) == [cache.path / "hursat_b1" / "2005" / REAL_ARCHIVE]
    data = dataset.frames("hursat", track_table=load_builtin())         # what the lessons read: the cache
    assert data.storm_id.tolist() == ["2005092S11102"] and data.images.shape == (1, dataset.PIXELS, dataset.PIXELS)

    assert bench.main(["--source", "hursat", "--storms", "2005:ADELINE", "2005:KATRINA"]) == 1
    out = capsys.readouterr().out
    assert "1 of 2 storms could not be fetched; no lesson was run" in out
    assert "2005 KATRINA:" in out and "download by hand" in out
    assert server.count(f"/v06/2005/{REAL_ARCHIVE}") == 1                 # ADELINE: a cache hit
    with pytest.raises(SystemExit):
        bench.main(["--storms", "2005:ADELINE"])                         # --storms needs --source hursat
    with pytest.raises(SystemExit, match="YEAR:NAME"):
        bench.storm_list(["KATRINA"])


def test_fetch_from_a_mirror_folder_offline(storm_archive, monkeypatch, tmp_path, cache):
    mirror = tmp_path / "mirror"
    (mirror / "hursat_b1" / "2005").mkdir(parents=True)
    (mirror / "hursat_b1" / "2005" / REAL_ARCHIVE).write_bytes(storm_archive.read_bytes())
    monkeypatch.setenv(settings.MIRRORS_ENV, str(mirror))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    assert hursat.fetch_storm(2005, "ADELINE").name == REAL_ARCHIVE
    assert cache.data_files() == [f"hursat_b1/2005/{REAL_ARCHIVE}"]


def test_fetch_from_a_url_mirror_before_ncei(server, storm_archive, monkeypatch, cache):
    server.good("/mirror/2005/", f'<a href="{REAL_ARCHIVE}">{REAL_ARCHIVE}</a>'.encode())
    server.good(f"/mirror/2005/{REAL_ARCHIVE}", storm_archive.read_bytes())
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    monkeypatch.setenv(settings.MIRRORS_ENV, server.url("/mirror"))
    assert hursat.fetch_storm(2005, "ADELINE").name == REAL_ARCHIVE
    assert server.count("/mirror/hursat_b1/2005/") == 1                # the per-dataset layout, tried first
    assert server.count("/v06/2005/") == 0
    assert cache.temporaries() == []


def test_archive_names_with_an_underscore_in_the_storm_name():
    name = hursat.ArchiveName.parse("HURSAT_b1_v06_1980214N11330_NOT_NAMED_c20170721.tar.gz")
    assert (name.sid, name.storm, name.year, name.created) == ("1980214N11330", "NOT_NAMED", 1980, "20170721")
    assert name.matches("not_named") and name.matches("1980214N11330")


# ------------------------------------------------------------ broken inputs
def test_bad_names_broken_and_escaping_archives_are_refused(tmp_path, cache):
    odd = make_archive(tmp_path / "storm.tar.gz", tmp_path, {"a.nc": b"x"})
    with pytest.raises(UsageError, match="not a HURSAT-B1 v06 archive name"):
        hursat.import_archive(odd)
    (tmp_path / "broken").mkdir()
    broken = tmp_path / "broken" / ARCHIVE
    broken.write_bytes(b"\x1f\x8b not gzip at all")
    with pytest.raises(VerificationError, match="not a readable tar archive"):
        hursat.import_archive(broken)
    (tmp_path / "evil").mkdir()
    evil = make_archive(tmp_path / "evil" / ARCHIVE, tmp_path, {"../../escape.nc": b"x"})
    with pytest.raises(VerificationError, match="climbs out"):
        hursat.import_archive(evil)
    (tmp_path / "empty").mkdir()
    empty = make_archive(tmp_path / "empty" / ARCHIVE, tmp_path, {"readme.txt": b"x"})
    with pytest.raises(VerificationError, match="holds no netCDF"):
        hursat.import_archive(empty)
    assert cache.data_files() == [] and cache.temporaries() == []
    assert not (tmp_path.parent / "escape.nc").exists()


def test_a_member_that_is_not_netcdf_is_refused_when_read(tmp_path, cache):
    (tmp_path / "download").mkdir()
    name = "2005236N23285.KATRINA.2005.08.28.1800.45.GOE-12.010.hursat-b1.v06.nc"
    archive = make_archive(tmp_path / "download" / ARCHIVE, tmp_path,
                           {f"{ARCHIVE[:-7]}/{name}": b"CDF? no: plain text"})
    stored = hursat.import_archive(archive)
    with pytest.raises(VerificationError, match="not a readable netCDF file"):
        hursat.read_frames(stored)


def test_a_hand_written_frame_without_a_grid_is_still_read(tmp_path):
    """Frames of other tools may lack lat/lon: the HURSAT layout (rows south first) is assumed."""
    kelvin = np.linspace(190.0, 300.0, 25, dtype=np.float32).reshape(5, 5)
    name = "2005236N23285.KATRINA.2005.08.28.1800.45.GOE-12.010.hursat-b1.v06.nc"
    [frame] = hursat.read_file(write_frame(tmp_path / name, kelvin))
    assert frame.time == np.datetime64("2005-08-28T18:00") and frame.vza == 45.0    # from the file name
    assert frame.lats is None and (round(frame.lat, 3), round(frame.lon, 3)) == (25.5, -80.1)
    np.testing.assert_allclose(frame.irwin, kelvin[::-1], atol=0.006)


def test_a_name_matching_several_storms_asks_for_the_sid(server, monkeypatch):
    names = ["HURSAT_b1_v06_2005001N10100_ALPHA_c20170721.tar.gz", "HURSAT_b1_v06_2005290N15290_ALPHA_c20170721.tar.gz"]
    server.good("/v06/2005/", " ".join(f'<a href="{n}">{n}</a>' for n in names).encode())
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    with pytest.raises(DatasetUnavailable):
        hursat.fetch_storm(2005, "BETA")
    with pytest.raises(UsageError, match=r"several storms .*2005001N10100.*2005290N15290.*SID"):
        hursat.fetch_storm(2005, "alpha")


def test_a_refusing_host_gets_instructions_to_download_by_hand(server, monkeypatch, cache):
    server.status("/v06/2005/", 403)
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    with pytest.raises(DatasetUnavailable) as info:
        hursat.fetch_storm(2005, "KATRINA")
    text = str(info.value)
    assert "HTTP 403" in text and server.url("/v06/2005/") in text
    assert "in a web browser" in text and "python -m data_scripts import hursat_b1 --from" in text
    assert settings.MIRRORS_ENV in text and "Offline fallback:" in text
    assert cache.data_files() == [] and cache.temporaries() == []


def test_offline_makes_no_request(server, monkeypatch):
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    with pytest.raises(DatasetUnavailable, match=r"skipped \(BOOTCAMP_OFFLINE=1\)"):
        hursat.fetch_storm(2005, "KATRINA")
    assert server.total_requests() == 0


def test_years_outside_the_archive_are_refused():
    with pytest.raises(UsageError, match="covers 1978-2015"):
        hursat.fetch_storm(2020, "LAURA")
