"""Safe extraction, HURSAT-B1 archives (fixtures made here), and the CLI."""

import io
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from fakeserver import PAYLOAD, good

from bootcamp.data import cli, core, hursat
from bootcamp.data.archive import safe_extract
from bootcamp.data.errors import DatasetUnavailable, VerificationError

FRAME = "2005236N23285.KATRINA.2005.08.28.1800.45.GOE-12.010.hursat-b1.v06.nc"
ARCHIVE = "HURSAT_b1_v06_2005236N23285_KATRINA_c20170721.tar.gz"


def make_tar(path: Path, members) -> Path:
    """members: (name, bytes) for files, or (name, ('symlink', target))."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type, info.linkname = tarfile.SYMTYPE, content[1]
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return path


@pytest.mark.parametrize("member, why", [
    (("../evil.txt", b"x"), "outside the target"),
    (("/tmp/evil.txt", b"x"), "outside the target"),
    (("a/../../evil.txt", b"x"), "outside the target"),
    (("link", ("symlink", "/etc/passwd")), "is a link"),
])
def test_escaping_archives_are_refused_and_nothing_is_written(tmp_path, member, why):
    archive = make_tar(tmp_path / "bad.tar.gz", [("ok.txt", b"fine"), member])
    target = tmp_path / "out" / "dest"
    with pytest.raises(VerificationError, match=why):
        safe_extract(archive, target)
    assert not (tmp_path / "evil.txt").exists() and not target.exists()
    assert list((tmp_path / "out").iterdir()) == []


def test_absurd_sizes_are_refused(tmp_path):
    archive = make_tar(tmp_path / "big.tar.gz", [("a.bin", bytes(2000)), ("b.bin", bytes(2000))])
    with pytest.raises(VerificationError, match="claims 2,000 bytes"):
        safe_extract(archive, tmp_path / "o1", max_member=1000)
    with pytest.raises(VerificationError, match="over 3,000 bytes"):
        safe_extract(archive, tmp_path / "o2", max_total=3000)
    assert [p.name for p in safe_extract(archive, tmp_path / "o3")] == ["a.bin", "b.bin"]


def write_frame(path: Path, kelvin: np.ndarray) -> None:
    import netCDF4

    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("htime", 1)
        nc.createDimension("lat", kelvin.shape[0])
        nc.createDimension("lon", kelvin.shape[1])
        var = nc.createVariable("IRWIN", "i2", ("htime", "lat", "lon"), fill_value=-31999)
        var.scale_factor, var.add_offset = 0.01, 200.0
        var[:] = kelvin[None]
        for name, value in (("CentLat", 25.5), ("CentLon", -80.1)):
            nc.createVariable(name, "f4", ("htime",))[:] = [value]


@pytest.fixture
def hursat_archive(tmp_path):
    kelvin = np.ma.masked_array(np.linspace(190, 300, 25, dtype=np.float32).reshape(5, 5))
    kelvin[0, 0] = np.ma.masked
    frame = tmp_path / FRAME
    write_frame(frame, kelvin)
    return make_tar(tmp_path / ARCHIVE, [(f"{FRAME}", frame.read_bytes())]), kelvin


def test_hursat_import_and_read_frames(hursat_archive, isolated):
    archive, kelvin = hursat_archive
    stored = hursat.import_archive(archive)
    assert stored == isolated / "hursat_b1" / "2005" / ARCHIVE
    (frame,) = hursat.read_frames(stored)
    assert frame.satellite == "GOE-12" and frame.time == np.datetime64("2005-08-28T18:00")
    assert (frame.centre_lat, round(frame.centre_lon, 1)) == (25.5, -80.1)
    assert np.isnan(frame.irwin[0, 0]) and frame.irwin.dtype == np.float32
    np.testing.assert_allclose(frame.irwin[1:, 1:], kelvin[1:, 1:], atol=0.01)
    assert hursat.read_frames(stored)[0].path == frame.path          # unpacked once, reused


def test_hursat_rejects_bad_names_and_broken_archives(tmp_path):
    with pytest.raises(VerificationError, match="not a HURSAT-B1 v06 archive name"):
        hursat.import_archive(make_tar(tmp_path / "storm.tar.gz", [("a.nc", b"x")]))
    broken = tmp_path / ARCHIVE
    broken.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(VerificationError, match="not a complete tar.gz"):
        hursat.import_archive(broken)
    (tmp_path / "x").mkdir()
    evil = make_tar(tmp_path / "x" / ARCHIVE, [("../a.nc", b"x")])
    with pytest.raises(VerificationError, match="outside the target"):
        hursat.import_archive(evil)
    assert not core.dataset_dir("hursat_b1").exists() or not any(core.dataset_dir("hursat_b1").rglob("*.tar.gz"))


def test_hursat_fetch_from_the_archive_listing(server, hursat_archive, monkeypatch):
    archive, _ = hursat_archive
    server.routes["/v06/2005/"] = good(f'<a href="{ARCHIVE}">{ARCHIVE}</a>'.encode())
    server.routes[f"/v06/2005/{ARCHIVE}"] = good(archive.read_bytes())
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))
    path = hursat.fetch_storm(2005, "katrina")
    assert path.name == ARCHIVE and len(hursat.read_frames(path)) == 1
    hursat.fetch_storm(2005, "2005236N23285")                         # cache hit by SID
    assert len(server.requests[f"/v06/2005/{ARCHIVE}"]) == 1


def test_hursat_refused_by_host_says_how_to_download_by_hand(server, monkeypatch):
    monkeypatch.setattr(hursat, "BASE_URL", server.url("/v06/"))       # the listing answers 404
    with pytest.raises(DatasetUnavailable, match="download the storm's archive by hand .* data_scripts import hursat_b1"):
        hursat.fetch_storm(2005, "KATRINA")


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "data_scripts", *args], capture_output=True, text=True, env=env)


def test_cli_exit_codes(server, testdata, isolated, monkeypatch):
    import os

    server.routes["/f"] = good()
    testdata(server.url("/f"))
    assert cli.main(["list"]) == cli.OK
    assert cli.main(["fetch", "testdata"]) == cli.OK
    assert cli.main(["verify", "testdata"]) == cli.OK
    (isolated / "testdata" / "payload.bin").write_bytes(PAYLOAD[:-1])
    assert cli.main(["verify", "testdata"]) == cli.CORRUPT
    assert cli.main(["fetch", "no-such-set"]) == cli.USAGE
    assert cli.main(["frobnicate"]) == cli.USAGE
    assert cli.main(["fetch", "hursat_b1"]) == cli.USAGE
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    assert cli.main(["fetch", "testdata"]) == cli.UNAVAILABLE
    # the real entry point, in a fresh process
    env = dict(os.environ, BOOTCAMP_OFFLINE="1", BOOTCAMP_MIRRORS="")
    result = run_cli("fetch", "mnist", env=env)
    assert result.returncode == cli.UNAVAILABLE and "BOOTCAMP_MIRRORS" in result.stderr
    result = run_cli("fetch", "nope", env=env)
    assert result.returncode == cli.USAGE and "Valid names: fashion_mnist, hurdat2, hursat_b1, mnist" in result.stderr
