"""``python -m data_scripts``: commands and their exit codes, in-process and
as the real entry point in a fresh process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bootcamp.data import cli, settings

pytestmark = [pytest.mark.network, pytest.mark.timeout(120)]

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def run_module(*args: str, cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, settings.CACHE_ENV: str(cache), settings.MIRRORS_ENV: "",
                   settings.OFFLINE_ENV: "1", **env}
    return subprocess.run([sys.executable, "-m", "data_scripts", *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def test_commands_and_exit_codes(server, testdata, cache, capsys, monkeypatch):
    server.good("/payload.bin")
    testdata(server.url("/payload.bin"))
    assert cli.main(["list"]) == cli.OK
    out = capsys.readouterr().out
    assert "testdata" in out and "mnist" in out and "11.5 MB" in out and "SOURCE USED" in out
    assert cli.main(["info", "fashion_mnist"]) == cli.OK
    assert "arXiv:1708.07747" in capsys.readouterr().out
    assert cli.main(["fetch", "testdata"]) == cli.OK
    assert "testdata: ok, 1 file(s)" in capsys.readouterr().out
    assert cli.main(["verify", "testdata"]) == cli.OK
    (cache.path / "testdata" / "payload.bin").write_bytes(b"damaged")
    assert cli.main(["verify", "testdata"]) == cli.VERIFICATION
    assert not (cache.path / "testdata" / "payload.bin").exists()
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    assert cli.main(["fetch", "testdata"]) == cli.UNAVAILABLE
    assert "Offline fallback: the test's own fallback" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["fetch", "no-such-set"], ["frobnicate"], [], ["fetch"], ["fetch", "hursat_b1"],
    ["fetch", "mnist", "--file", "hurdat2-1851-2023-051124.txt"],
    ["import", "mnist", "--from", "/no/such/file"],
    ["verify", "nope"], ["info", "nope"],
])
def test_usage_errors_exit_with_2(argv, capsys):
    assert cli.main(argv) == cli.USAGE


def test_unknown_names_are_listed(capsys):
    assert cli.main(["fetch", "mnist", "mnits"]) == cli.USAGE
    assert "Valid names: fashion_mnist, hurdat2, hursat_b1, mnist" in capsys.readouterr().err


def test_import_by_hand(testdata, cache, tmp_path, payload, capsys):
    testdata("http://127.0.0.1:9/unused")
    good = tmp_path / "payload.bin"
    good.write_bytes(payload)
    assert cli.main(["import", "testdata", "--from", str(good)]) == cli.OK
    assert "testdata: complete, ready to use" in capsys.readouterr().out
    good.write_bytes(b"not the payload")
    assert cli.main(["import", "testdata", "--from", str(good)]) == cli.VERIFICATION
    assert cache.temporaries() == []


def test_hursat_import_and_fetch_on_the_command_line(tmp_path, cache, capsys):
    archive = tmp_path / "HURSAT_b1_v06_2005236N23285_KATRINA_c20170721.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("2005236N23285.KATRINA.2005.08.28.1800.45.GOE-12.010.hursat-b1.v06.nc")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"CDF\x01"))
    assert cli.main(["import", "hursat_b1", "--from", str(archive)]) == cli.OK
    assert cli.main(["fetch", "hursat_b1", "--year", "2005", "--storm", "katrina"]) == cli.OK   # from the cache
    assert cli.main(["list"]) == cli.OK
    assert "1 archive(s)" in capsys.readouterr().out
    assert cli.main(["verify", "hursat_b1"]) == cli.OK


def test_the_entry_point_in_a_fresh_process(tmp_path):
    result = run_module("fetch", "mnist", cache=tmp_path / "cache")
    assert result.returncode == cli.UNAVAILABLE
    assert settings.MIRRORS_ENV in result.stderr and "allow_fallback=True" in result.stderr
    result = run_module("fetch", "nope", cache=tmp_path / "cache")
    assert result.returncode == cli.USAGE and "Valid names: fashion_mnist, hurdat2, hursat_b1, mnist" in result.stderr
    result = run_module("--help", cache=tmp_path / "cache")
    assert result.returncode == cli.OK and "Exit codes" in result.stdout
    from data_scripts.__main__ import main      # the console script's target: mirror, or else cli.main

    assert main(["fetch", "nope"]) == cli.USAGE


@pytest.mark.skipif(not all(p.is_dir() for p in (SHARED / "mnist", SHARED / "hurdat2", DEBIAN_FASHION)),
                    reason="needs the offline mirror beside the checkout and Debian's dataset-fashion-mnist")
def test_make_data_command_works_offline_from_the_mirrors(tmp_path):
    result = run_module("fetch", "mnist", "fashion_mnist", "hurdat2", cache=tmp_path / "cache",
                        **{settings.MIRRORS_ENV: str(SHARED)})
    assert result.returncode == cli.OK, result.stderr
    assert result.stdout.count(": ok,") == 3
    listing = run_module("list", cache=tmp_path / "cache")
    assert listing.returncode == cli.OK and listing.stdout.count(" yes ") == 3
