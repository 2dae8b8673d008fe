"""HURSAT-B1: archives made here in the NCEI layout (small netCDF frames,
tarred), imported, fetched from a local server or a mirror folder, read."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from bootcamp.data import hursat, settings
from bootcamp.data.errors import DatasetUnavailable, UsageError, VerificationError

pytestmark = [pytest.mark.network, pytest.mark.timeout(60)]

ARCHIVE = "HURSAT_b1_v06_2005236N23285_KATRINA_c20170721.tar.gz"
FRAMES = ("2005236N23285.KATRINA.2005.08.28.1800.45.GOE-12.010.hursat-b1.v06.nc",
          "2005236N23285.KATRINA.2005.08.28.2100.38.GOE-10.011.hursat-b1.v06.nc")
KELVIN = np.linspace(190.0, 300.0, 25, dtype=np.float32).reshape(5, 5)


def write_frame(path: Path, kelvin: np.ndarray, *, centre=(25.5, -80.1), hours_since_1970=None) -> Path:
    """A netCDF file shaped like a HURSAT-B1 frame: IRWIN packed as int16
    with scale, offset and fill value, and the storm centre."""
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


def make_archive(path: Path, tmp: Path, members: dict[str, bytes] | None = None) -> Path:
    if members is None:
        masked = np.ma.masked_array(KELVIN.copy())
        masked[0, 0] = np.ma.masked
        first = write_frame(tmp / FRAMES[0], masked)
        hours = (np.datetime64("2005-08-28T21:05") - np.datetime64("1970-01-01T00:00")) / np.timedelta64(1, "h")
        second = write_frame(tmp / FRAMES[1], KELVIN, centre=(25.6, -80.3), hours_since_1970=float(hours))
        members = {f"{ARCHIVE[:-7]}/{p.name}": p.read_bytes() for p in (first, second)}
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


@pytest.fixture
def storm_archive(tmp_path) -> Path:
    (tmp_path / "frames").mkdir()
    (tmp_path / "download").mkdir()
    return make_archive(tmp_path / "download" / ARCHIVE, tmp_path / "frames")


def test_import_then_read_frames(storm_archive, cache):
    stored = hursat.import_archive(storm_archive)
    assert stored == cache.path / "hursat_b1" / "2005" / ARCHIVE
    frames = hursat.read_frames(stored)
    assert [f.satellite for f in frames] == ["GOE-12", "GOE-10"]
    assert frames[0].time == np.datetime64("2005-08-28T18:00")          # from the file name
    assert frames[1].time == np.datetime64("2005-08-28T21:05")          # from htime, when present
    assert (round(frames[0].lat, 3), round(frames[0].lon, 3)) == (25.5, -80.1)
    first = frames[0].irwin
    assert first.dtype == np.float32 and first.shape == (5, 5)
    assert np.isnan(first[0, 0]) and np.isfinite(first).sum() == 24   # the fill value became NaN
    np.testing.assert_allclose(first.ravel()[1:], KELVIN.ravel()[1:], atol=0.006)   # scale + offset applied
    assert cache.temporaries() == []


def test_frames_are_read_lazily_and_unpacked_once(storm_archive):
    stored = hursat.import_archive(storm_archive)
    frames = hursat.iter_frames(stored)
    assert not isinstance(frames, list)
    first = next(frames)
    unpacked = stored.with_name(ARCHIVE[:-7])
    stamp = first.path.stat().st_mtime_ns
    assert first.path.is_relative_to(unpacked)
    assert hursat.read_frames(stored)[0].path.stat().st_mtime_ns == stamp


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


def test_fetch_from_the_archive_listing_then_from_the_cache(server, storm_archive, monkeypatch, cache):
    other = "HURSAT_b1_v06_2005289N18282_WILMA_c20170721.tar.gz"
    server.good("/v06/2005/", f'<a href="{ARCHIVE}">{ARCHIVE}</a> <a href="{other}">{other}</a>'.encode())
    server.good(f"/v06/2005/{ARCHIVE}", storm_archive.read_bytes())
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    path = hursat.fetch_storm(2005, "katrina")
    assert path == cache.path / "hursat_b1" / "2005" / ARCHIVE and len(hursat.read_frames(path)) == 2
    assert hursat.fetch_storm(2005, "2005236N23285") == path          # by SID: a cache hit
    assert hursat.fetch_storm(2005, "*katrina*") == path              # by pattern: a cache hit
    assert server.count(f"/v06/2005/{ARCHIVE}") == 1 and server.count("/v06/2005/") == 1
    assert hursat.cached_archives() == [path] and cache.temporaries() == []


def test_fetch_from_a_mirror_folder_offline(storm_archive, monkeypatch, tmp_path, cache):
    mirror = tmp_path / "mirror"
    (mirror / "hursat_b1" / "2005").mkdir(parents=True)
    (mirror / "hursat_b1" / "2005" / ARCHIVE).write_bytes(storm_archive.read_bytes())
    monkeypatch.setenv(settings.MIRRORS_ENV, str(mirror))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    assert hursat.fetch_storm(2005, "KATRINA").name == ARCHIVE
    assert cache.data_files() == [f"hursat_b1/2005/{ARCHIVE}"]


def test_fetch_from_a_url_mirror_before_ncei(server, storm_archive, monkeypatch, cache):
    server.good("/mirror/2005/", f'<a href="{ARCHIVE}">{ARCHIVE}</a>'.encode())
    server.good(f"/mirror/2005/{ARCHIVE}", storm_archive.read_bytes())
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    monkeypatch.setenv(settings.MIRRORS_ENV, server.url("/mirror"))
    assert hursat.fetch_storm(2005, "KATRINA").name == ARCHIVE
    assert server.count("/mirror/hursat_b1/2005/") == 1                # the per-dataset layout, tried first
    assert server.count("/v06/2005/") == 0
    assert cache.temporaries() == []


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
