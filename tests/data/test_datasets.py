"""The real datasets through the data layer, from the offline mirrors when
this machine has them, and from fixtures otherwise."""

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from bootcamp import data
from bootcamp.data import core, hurdat2
from bootcamp.data.errors import DatasetUnavailable, VerificationError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


def keras_layout(arrays, n_train=60_000, n_test=10_000):
    (x, y), (xt, yt) = arrays
    assert x.shape == (n_train, 28, 28) and xt.shape == (n_test, 28, 28)
    assert y.shape == (n_train,) and yt.shape == (n_test,)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8


@pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason="the offline MNIST mirror is not beside this checkout")
def test_mnist_from_an_idx_mirror_matches_keras(monkeypatch, isolated, capsys):
    monkeypatch.setenv("BOOTCAMP_MIRRORS", str(SHARED))
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    arrays = data.load_mnist()
    keras_layout(arrays)
    assert arrays[0][1][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]     # MNIST's famous first labels
    assert "checksums verified" in capsys.readouterr().out
    # the cache keeps the uncompressed content, verified by its published sha256
    cached = isolated / "mnist" / "t10k-labels-idx1-ubyte"
    assert hashlib.sha256(cached.read_bytes()).hexdigest().startswith("ff7bcfd4")


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_fashion_mnist_from_the_debian_system_mirror(monkeypatch):
    monkeypatch.setattr(core.settings, "SYSTEM_MIRRORS", (DEBIAN_FASHION.parent,))
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    arrays = data.load_fashion_mnist()
    keras_layout(arrays)
    assert sorted(np.unique(arrays[1][1])) == list(range(10))


def test_mnist_npz_form_is_read_without_pickle(monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    arrays = dict(x_train=rng.integers(0, 255, (60_000, 28, 28), dtype=np.uint8),
                  y_train=rng.integers(0, 10, 60_000, dtype=np.uint8),
                  x_test=rng.integers(0, 255, (10_000, 28, 28), dtype=np.uint8),
                  y_test=rng.integers(0, 10, 10_000, dtype=np.uint8))
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    np.savez(mirror / "mnist.npz", **arrays)
    blob = (mirror / "mnist.npz").read_bytes()
    real = core.dataset("mnist")
    npz_form = (core.RemoteFile("mnist.npz", urls=(), size=len(blob), sha256=hashlib.sha256(blob).hexdigest()),)
    monkeypatch.setitem(core.REGISTRY, "mnist", core.Dataset(**{**real.__dict__, "forms": (npz_form,)}))
    monkeypatch.setenv("BOOTCAMP_MIRRORS", str(mirror))
    (x, y), (xt, yt) = data.load_mnist()
    np.testing.assert_array_equal(x, arrays["x_train"])
    np.testing.assert_array_equal(yt, arrays["y_test"])


def test_object_arrays_in_an_npz_are_refused(tmp_path):
    from bootcamp.data.mnist import _from_files

    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.array([object()], dtype=object), y_train=[], x_test=[], y_test=[])
    with pytest.raises(ValueError, match="allow_pickle"):
        _from_files({"mnist.npz": path})


def test_gzipped_mirror_copy_with_wrong_content_is_rejected(monkeypatch, tmp_path, isolated):
    mirror = tmp_path / "mirror" / "mnist"
    mirror.mkdir(parents=True)
    with gzip.open(mirror / "train-images-idx3-ubyte.gz", "wb") as fh:      # right name, wrong content
        fh.write(b"\x00\x00\x08\x03" + (1).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2 + bytes(784))
    monkeypatch.setenv("BOOTCAMP_MIRRORS", str(mirror.parent))
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    with pytest.raises(DatasetUnavailable, match="content sha256 .* does not match"):
        data.load_mnist()
    assert not (isolated / "mnist").exists() or not any((isolated / "mnist").iterdir())


def test_offline_fallback_is_announced_and_keeps_the_layout(monkeypatch, capsys):
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    with pytest.raises(DatasetUnavailable):
        data.load_fashion_mnist()
    with pytest.warns(UserWarning, match="OFFLINE FALLBACK"):
        arrays = data.load_fashion_mnist(allow_fallback=True)
    keras_layout(arrays, n_train=1500, n_test=297)
    assert "NOT the real fashion_mnist" in capsys.readouterr().out


# ------------------------------------------------------------------ HURDAT2
FULL_HURDAT2 = SHARED / "hurdat2" / "hurdat2-atlantic-1851-2018.txt"

SAMPLE = """\
AL092011,              IRENE,      3,
20110821, 0000,  , TS, 15.0N,  59.0W,  45, 1006,  105,    0,    0,   45,    0,    0,    0,    0,    0,    0,    0,    0,
20110821, 0600,  , TS, 16.0N,  60.6W,  50, 1006,  130,    0,    0,   80,   30,    0,    0,    0,    0,    0,    0,    0,
20110828, 0935, L, HU, 39.4N,  74.4W,  65,  959, 230, 260, 150, 160, 130, 120, 70,  80,  70,  40,   0,   0,  40,
EP012020,              AMANDA,     1,
20200531, 0000,  , TS, 13.9S,  90.1E,  35, 1004, -999, -999, -999, -999, -999, -999, -999, -999, -999, -999, -999, -999, -999,
"""


def test_parse_a_small_file_into_a_tidy_table():
    table = hurdat2.parse(SAMPLE)
    assert len(table) == 4 and table["storm_id"].nunique() == 2
    irene = table[table["name"] == "IRENE"]
    assert irene["lon"].tolist() == [-59.0, -60.6, -74.4]
    assert irene["time"].iloc[2] == np.datetime64("2011-08-28T09:35")
    assert irene["record_id"].iloc[2] == "L" and irene["rmw_nm"].iloc[2] == 40
    assert irene["category"].tolist() == ["TS", "TS", "H1"]
    amanda = table[table["name"] == "AMANDA"].iloc[0]
    assert (amanda["lat"], amanda["lon"]) == (-13.9, 90.1) and np.isnan(amanda["r34_ne"])


@pytest.mark.parametrize("wind, cls", [(0, "NC"), (20, "NC"), (21, "TD"), (33, "TD"), (34, "TS"), (63, "TS"),
                                       (64, "H1"), (82, "H1"), (83, "H2"), (95, "H2"), (96, "H3"),
                                       (112, "H3"), (113, "H4"), (136, "H4"), (137, "H5"), (185, "H5")])
def test_saffir_simpson_boundaries(wind, cls):
    assert data.CLASSES[data.saffir_simpson_class(wind)] == cls


@pytest.mark.parametrize("broken, message", [
    (SAMPLE.replace("IRENE,      3,", "IRENE,      4,"), "announces 4 lines"),
    (SAMPLE.replace("15.0N", "95.0N"), "line 2: lat '95.0N' out of range"),
    (SAMPLE.replace("59.0W", "59.0Q"), "line 2: bad lon"),
    (SAMPLE.replace(" 50, 1006", "  X, 1006"), "line 3: wind 'X' is not a number"),
    (SAMPLE.replace("20110821, 0600", "20111321, 0600"), "line 3: bad date/time"),
    ("\n".join(SAMPLE.splitlines()[:3]), "announces 3 lines"),
    ("just some text\n", "expected a storm header"),
])
def test_broken_files_say_which_line(broken, message):
    with pytest.raises(VerificationError, match=message):
        hurdat2.parse(broken)


@pytest.mark.skipif(not FULL_HURDAT2.is_file(), reason="the offline HURDAT2 copy is not beside this checkout")
def test_full_atlantic_file_through_the_mirror(monkeypatch, capsys):
    monkeypatch.setenv("BOOTCAMP_MIRRORS", str(SHARED))
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    table = data.load_hurdat2()
    assert table["storm_id"].nunique() == 1872 and len(table) == 51310
    assert table["time"].min().year == 1851 and table["time"].max().year == 2018
    assert (table["category"] == "H5").sum() > 100
    assert "1,872 storms, 51,310 fixes" in capsys.readouterr().out


def test_hurdat2_fallback_is_real_recent_best_track(monkeypatch):
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    with pytest.warns(UserWarning, match="OFFLINE FALLBACK"):
        table = data.load_hurdat2(allow_fallback=True)
    assert table["time"].dt.year.min() == 2004 and table["storm_id"].nunique() > 200


def test_hurdat2_revision_is_configurable(monkeypatch):
    monkeypatch.setenv(hurdat2.FILE_ENV, "hurdat2-1851-2030-010131.txt")
    from bootcamp.data.catalogue import _hurdat2_file

    assert _hurdat2_file().urls == (hurdat2.BASE_URL + "hurdat2-1851-2030-010131.txt",)
