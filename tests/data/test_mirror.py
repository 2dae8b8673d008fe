"""``python -m data_scripts mirror``: a workshop mirror built from local sources, then served on
127.0.0.1 and read by the data layer and the CFD loader with an empty cache and no other network.

The flow sets are shrunk for the test (``mirror.course_flow_specs`` replaced by a tiny spec of
each mode's shape); everything else is the real command: real MNIST, Fashion-MNIST and HURDAT2
from the offline copies, and a small HURSAT-B1 archive in the NCEI layout.
"""

from __future__ import annotations

import functools
import io
import json
import os
import socket
import tarfile
import threading
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from bootcamp.cfd import flows
from bootcamp.cfd.flows import FlowsSpec, load_flows, load_locked_set
from bootcamp.data import core, hursat, load_fashion_mnist, load_hurdat2, load_mnist, settings
from bootcamp.data.errors import DatasetUnavailable
from data_scripts import mirror

pytestmark = [pytest.mark.network, pytest.mark.timeout(180)]

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
DEBIAN = Path("/usr/share/datasets")
needs_sources = pytest.mark.skipif(
    not all(p.is_dir() for p in (SHARED / "mnist", SHARED / "hurdat2", DEBIAN / "fashion-mnist")),
    reason="needs the offline copies beside the checkout and Debian's dataset-fashion-mnist")

# Test-only sizes: quick mode's sets shrunk to a few 16 x 32 flows (the command line mirrors the course's).
TINY = FlowsSpec(ny=16, nx=32, n_train=3, n_val=1, n_test=2, n_unseen=1, max_steps=200, n_locked=2,
                 n_locked_unseen=1)
STORM = "HURSAT_b1_v06_2015270N27291_JOAQUIN_c20170721.tar.gz"      # a storm of the quick-mode seasons
FRAME = "2015270N27291.JOAQUIN.2015.10.02.1200.40.GOE-13.020.hursat-b1.v06.nc"


def hursat_archive(folder: Path) -> Path:
    """A one-frame HURSAT-B1 archive in the NCEI layout (IRWIN packed as int16 with scale and offset)."""
    import netCDF4

    folder.mkdir(parents=True, exist_ok=True)
    frame = folder / FRAME
    with netCDF4.Dataset(frame, "w") as nc:
        nc.createDimension("htime", 1)
        nc.createDimension("lat", 8)
        nc.createDimension("lon", 8)
        irwin = nc.createVariable("IRWIN", "i2", ("htime", "lat", "lon"), fill_value=-31999)
        irwin.scale_factor, irwin.add_offset = 0.01, 200.0
        irwin[:] = np.linspace(190.0, 300.0, 64, dtype=np.float32).reshape(1, 8, 8)
    path = folder / "hursat_b1" / "2015" / STORM
    path.parent.mkdir(parents=True)
    with tarfile.open(path, "w:gz") as tar:
        tar.add(frame, arcname=f"{STORM[:-7]}/{FRAME}")
    frame.unlink()
    return path


@dataclass
class Built:
    out: Path
    env: dict[str, str]
    log: str

    def files(self) -> dict[str, tuple[int, int]]:
        """Every file of the mirror (the lock aside): size and modification time."""
        return {p.relative_to(self.out).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in self.out.rglob("*") if p.is_file() and p.name != mirror.LOCK}

    def run(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> tuple[int, str]:
        """``python -m data_scripts mirror`` again, with the build's sources."""
        for key, value in self.env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(mirror, "course_flow_specs", lambda modes: {"quick": TINY})
        capsys.readouterr()
        code = mirror.main(["--out", str(self.out), "--quick-only", "-j", "1", "--quiet"])
        return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The mirror, built once for this module from local sources with downloads off."""
    if not all(p.is_dir() for p in (SHARED / "mnist", SHARED / "hurdat2", DEBIAN / "fashion-mnist")):
        pytest.skip("needs the offline copies beside the checkout and Debian's dataset-fashion-mnist")
    root = tmp_path_factory.mktemp("mirror")
    storms = root / "storms"
    hursat_archive(storms)
    env = {settings.MIRRORS_ENV: f"{SHARED} {DEBIAN} {storms}", settings.OFFLINE_ENV: "1",
           settings.CACHE_ENV: str(root / "builder-cache")}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(settings.HURDAT2_FILE_ENV, raising=False)
        patch.setattr(settings, "SYSTEM_MIRRORS", ())
        out = io.StringIO()
        patch.setattr("sys.stdout", out)
        result = Built(root / "mirror", env, "")
        for key, value in env.items():
            patch.setenv(key, value)
        patch.setattr(mirror, "course_flow_specs", lambda modes: {"quick": TINY})
        code = mirror.main(["--out", str(result.out), "--quick-only", "-j", "1", "--quiet"])
        result.log = out.getvalue()
    assert code == 0, result.log
    return result


def tiny_files() -> list[str]:
    return sorted(f"cfd-flows/{flows.file_name(g)}" for _, g in mirror.flow_sets(TINY))


# ------------------------------------------------------------ what is in it
@needs_sources
def test_the_mirror_holds_every_dataset_checked_with_a_manifest(built):
    files = set(built.files())
    idx = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
           "t10k-labels-idx1-ubyte.gz")
    expected = {f"{name}/{f}" for name in ("mnist", "fashion_mnist") for f in idx}
    expected |= {"hurdat2/hurdat2-atlantic-1851-2018.txt", f"hursat_b1/2015/{STORM}", *tiny_files()}
    assert files == expected | {"MANIFEST.json"}                # no temporary file, no solver checkpoint left
    manifest = json.loads((built.out / "MANIFEST.json").read_text())
    listed = {f["file"]: f for f in manifest["files"]}
    assert set(listed) == expected
    for name, entry in listed.items():
        assert entry["size"] == (built.out / name).stat().st_size
        assert entry["sha256"] == core.integrity.sha256_of(built.out / name)
        assert entry["what"] and entry["how"] and entry["check"] and entry["made"]
    assert "copied from /usr/share/datasets/fashion-mnist/" in listed["fashion_mnist/t10k-labels-idx1-ubyte.gz"]["how"]
    assert "solved here" in listed[tiny_files()[0]]["how"]
    # the other storms of 2014-2015 could not be had: each is named with the reason
    skipped = {s["storm"]: s["reason"] for s in manifest["skipped"] if s["dataset"] == "hursat_b1"}
    assert "2015 KATE (AL122015)" in skipped and "2015 JOAQUIN (AL112015)" not in skipped
    assert all("BOOTCAMP_OFFLINE=1" in reason for reason in skipped.values())
    # the optional pretrained weights could not be had offline either: skipped with the reason, not a failure
    weights = [s["reason"] for s in manifest["skipped"] if s["dataset"] == "mobilenet_v3_small_imagenet"]
    assert len(weights) == 1 and weights[0].startswith("not found: cache ") and "skipped (BOOTCAMP_OFFLINE=1)" in weights[0]
    assert "mobilenet_v3_small_imagenet skipped" in built.log
    assert "skipped 2014 GONZALO (AL082014): not in the cache or a mirror; downloads are off" in built.log
    assert "self-check" in built.log and "cfd-flows, quick mode: ok" in built.log


# ------------------------------------------------------------ served on 127.0.0.1
@pytest.fixture
def http_mirror(built):
    """The mirror served by the handler of ``python -m http.server``, on a free port of 127.0.0.1."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(built.out))
    handler.log_message = lambda *args: None                  # type: ignore[attr-defined]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loopback_only(monkeypatch) -> list[str]:
    """Every connection this process opens, refused unless it goes to 127.0.0.1."""
    opened: list[str] = []
    real = socket.create_connection

    def connect(address, *args, **kwargs):
        opened.append(str(address[0]))
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"test: no network beyond 127.0.0.1 ({address[0]})")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    return opened


@needs_sources
def test_every_dataset_loads_over_http_into_an_empty_cache_with_no_other_network(
        built, http_mirror, loopback_only, cache, monkeypatch, capsys):
    monkeypatch.setenv(settings.MIRRORS_ENV, http_mirror)
    assert cache.files() == []
    (x_train, y_train), (x_test, _) = load_mnist()
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28) and y_train.max() == 9
    (f_train, _), _ = load_fashion_mnist()
    assert f_train.shape == (60_000, 28, 28) and not np.array_equal(f_train[:100], x_train[:100])
    track = load_hurdat2()
    assert track["time"].dt.year.max() == 2018 and "JOAQUIN" in set(track["name"])   # found through the listing
    archive = hursat.fetch_storm(2015, "JOAQUIN")
    (frame,) = hursat.read_frames(archive)
    assert frame.irwin.shape == (8, 8) and 189 < np.nanmin(frame.irwin) < 191
    for name in ("mnist", "fashion_mnist", "hurdat2"):
        assert all(r["source"].startswith(http_mirror + "/") for r in core.sources_used(name).values()), name

    data = load_flows(TINY, workers=1, progress=False)
    locked = load_locked_set(TINY, workers=1, progress=False)
    assert data.generated_seconds == 0                        # downloaded, not solved
    out = capsys.readouterr().out
    assert out.count("downloaded from " + http_mirror) == 5 and "solving" not in out
    mirrored = {g: built.out / "cfd-flows" / flows.file_name(g) for _, g in mirror.flow_sets(TINY)}
    seen, _ = flows.split_specs(TINY)["train"]
    with np.load(mirrored[seen]) as original:
        np.testing.assert_array_equal(data.train.vx, original["vx"][:3])
        np.testing.assert_array_equal(data.val.solve_seconds, original["solve_seconds"][3:])
    assert len(locked) == 3
    assert set(loopback_only) == {"127.0.0.1"}               # nothing tried beyond the mirror
    assert [t for t in cache.temporaries() if not t.endswith(".lock")] == []


@needs_sources
def test_a_damaged_file_in_the_mirror_is_detected_and_not_used(built, server, loopback_only, cache, monkeypatch,
                                                             capsys):
    # the mirror's files on the tests' scriptable server, two of them damaged but complete in length
    for path in built.out.rglob("*"):
        if path.is_file():
            server.good("/" + path.relative_to(built.out).as_posix(), path.read_bytes())
    labels = "/mnist/t10k-labels-idx1-ubyte.gz"
    body = bytearray((built.out / labels[1:]).read_bytes())
    body[len(body) // 2] ^= 0xFF
    server.good(labels, bytes(body))
    unseen = flows.split_specs(TINY)["unseen"][0]
    flow_file = f"/cfd-flows/{flows.file_name(unseen)}"
    body = bytearray((built.out / flow_file[1:]).read_bytes())
    body[len(body) // 2] ^= 0xFF
    server.good(flow_file, bytes(body))
    monkeypatch.setenv(settings.MIRRORS_ENV, server.base)

    with pytest.raises(DatasetUnavailable, match=r"t10k-labels-idx1-ubyte.gz was downloaded but failed its check"):
        load_mnist()
    assert not (cache.path / "mnist" / "t10k-labels-idx1-ubyte").exists() and cache.temporaries() == []

    data = load_flows(TINY, workers=1, progress=False)
    out = capsys.readouterr().out
    assert f"mirror file refused, not used: {server.url(flow_file)}: damaged" in out
    assert server.count(flow_file) == 1 and "solving 1 flows" in out          # made here instead
    with np.load(built.out / flow_file[1:]) as original:                        # the solver is deterministic
        np.testing.assert_array_equal(data.unseen.vx, original["vx"])
    assert set(loopback_only) - {"127.0.0.1"} <= {"storage.googleapis.com"}   # MNIST's canonical URL, refused here


@needs_sources
def test_a_flow_file_made_with_other_settings_is_refused_with_its_differences(built, cache, tmp_path, monkeypatch,
                                                                           capsys):
    other = FlowsSpec(**{**TINY.__dict__, "nu": 0.04})
    unseen, other_unseen = flows.split_specs(TINY)["unseen"][0], flows.split_specs(other)["unseen"][0]
    folder = tmp_path / "room" / "cfd-flows"
    folder.mkdir(parents=True)
    (folder / flows.file_name(other_unseen)).write_bytes((built.out / "cfd-flows" / flows.file_name(unseen))
                                                         .read_bytes())
    monkeypatch.setenv(settings.MIRRORS_ENV, str(tmp_path / "room"))
    def refuse_to_solve(specs, *args):
        raise RuntimeError("would solve")

    monkeypatch.setattr(flows, "_generate", refuse_to_solve)
    with pytest.raises(RuntimeError, match="would solve"):
        load_flows(other, workers=1, progress=False)
    out = capsys.readouterr().out
    assert f"mirror file refused, not used: {folder / flows.file_name(other_unseen)} was made with other settings " \
           "(nu 0.05 instead of 0.04)" in out


# ------------------------------------------------------------ running it again
@needs_sources
def test_a_second_run_adds_nothing_and_a_third_replaces_what_was_damaged(built, monkeypatch, capsys):
    before = built.files()
    code, out = built.run(monkeypatch, capsys)
    assert code == 0 and "nothing new: every file was there and passed its check" in out
    assert f"0 added, {len(before) - 1} kept (checked)" in out and "solving" not in out
    assert built.files() == before                                   # not one file rewritten

    labels = built.out / "mnist" / "t10k-labels-idx1-ubyte.gz"
    labels.write_bytes(labels.read_bytes()[:-100])                   # truncated
    flow_file = built.out / tiny_files()[0]
    flow_file.write_bytes(b"not a flow set")
    code, out = built.run(monkeypatch, capsys)
    assert code == 0
    assert "mnist/t10k-labels-idx1-ubyte.gz failed its check and was removed" in out
    assert f"{tiny_files()[0]} failed its check and was removed" in out
    after = built.files()
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"mnist/t10k-labels-idx1-ubyte.gz", tiny_files()[0], "MANIFEST.json"}
    assert labels.read_bytes() == (SHARED / "mnist" / "t10k-labels-idx1-ubyte.gz").read_bytes()
    manifest = {f["file"]: f for f in json.loads((built.out / "MANIFEST.json").read_text())["files"]}
    assert manifest[tiny_files()[0]]["sha256"] == core.integrity.sha256_of(flow_file)


def test_the_cluster_commands_make_full_mode_sets_under_the_names_the_loader_reads(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")                       # the commands are full mode's whatever the mode
    assert mirror.main(["--out", str(tmp_path), "--cluster-commands"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.endswith("cluster/submit-flows.sh")]
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    full = flows.course_spec()
    names = [flows.file_name(g) for _, g in mirror.flow_sets(full)]
    assert len(lines) == len(names) == 5
    for line, name in zip(lines, names):
        assert f"FLOWS_FILE={tmp_path.resolve()}/cfd-flows/{name} " in line
    assert lines[0].startswith("N=1777 SEED=2016 NY=128 NX=256 NU=0.13333333333333333 TOL=1e-05 MAX_STEPS=30000 "
                               "FAMILIES=ellipse,rectangle,polygon ")
    assert os.environ["BOOTCAMP_QUICK"] == "0"


def test_console_script_knows_the_mirror_command(capsys):
    import tomllib

    from data_scripts.__main__ import main

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["bootcamp-data"] == "data_scripts.__main__:main"
    try:
        code = main(["mirror", "--help"])
    except SystemExit as stop:
        code = stop.code
    assert code == 0 and "--out DIR" in capsys.readouterr().out
    assert main(["--help"]) == 0
    assert "mirror --out DIR" in capsys.readouterr().out
