"""MNIST and Fashion-MNIST: Keras' array layout from the offline mirrors,
from an npz (read without pickle), from IDX files, and the loud fallback."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from bootcamp.data import catalogue, core, idx, registry, settings
from bootcamp.data.errors import DatasetUnavailable, FallbackDataWarning, VerificationError
from bootcamp.data.mnist import load_fashion_mnist, load_mnist, read_arrays
from bootcamp.data.registry import RemoteFile

SHARED = Path(__file__).resolve().parents[3] / "shared" / "datasets"
DEBIAN = Path("/usr/share/datasets")
needs_debian_fashion = pytest.mark.skipif(not (DEBIAN / "fashion-mnist").is_dir(),
                                          reason="Debian's dataset-fashion-mnist is not installed")


def keras_layout(arrays, n_train=60_000, n_test=10_000) -> None:
    (x, y), (xt, yt) = arrays
    assert x.shape == (n_train, 28, 28) and xt.shape == (n_test, 28, 28)
    assert y.shape == (n_train,) and yt.shape == (n_test,)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8


# ------------------------------------------------------------ the real data
@pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason=f"the offline MNIST mirror is not at {SHARED}")
def test_mnist_from_the_idx_mirror_has_keras_layout(monkeypatch, cache, capsys):
    monkeypatch.setenv(settings.MIRRORS_ENV, str(SHARED))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    arrays = load_mnist()
    keras_layout(arrays)
    assert arrays[0][1][:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]          # MNIST's first labels
    assert 0 < arrays[0][0].mean() < 255 and arrays[0][0].max() == 255
    assert "mnist: 60,000 training + 10,000 test images, the four IDX files" in capsys.readouterr().out
    cached = cache.path / "mnist" / "t10k-labels-idx1-ubyte"                   # kept uncompressed
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == catalogue.MNIST_IDX_SHA256["t10k-labels"]
    assert cache.temporaries() == []


@needs_debian_fashion
def test_fashion_mnist_from_the_debian_system_mirror(monkeypatch, cache):
    monkeypatch.setattr(settings, "SYSTEM_MIRRORS", (DEBIAN,))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    arrays = load_fashion_mnist()
    keras_layout(arrays)
    assert arrays[0][1][:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert sorted(np.unique(arrays[1][1])) == list(range(10))
    assert core.sources_used("fashion_mnist")["t10k-images-idx3-ubyte"]["source"].startswith(str(DEBIAN))


@needs_debian_fashion
def test_files_of_the_same_name_from_another_dataset_are_refused(monkeypatch, tmp_path, cache):
    flat = tmp_path / "flat"                       # Fashion-MNIST's files, named exactly like MNIST's
    flat.mkdir()
    for source in (DEBIAN / "fashion-mnist").glob("*.gz"):
        (flat / source.name).symlink_to(source)
    monkeypatch.setenv(settings.MIRRORS_ENV, str(flat))
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    with pytest.raises(DatasetUnavailable, match=r"train-images-idx3-ubyte.gz failed its check: .*does not match"):
        load_mnist()
    assert cache.data_files() == [] and cache.temporaries() == []


# ------------------------------------------------------------ small stand-ins
def idx_bytes(array: np.ndarray) -> bytes:
    magic = idx.IMAGES_MAGIC if array.ndim == 3 else idx.LABELS_MAGIC
    head = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return head + array.astype(np.uint8).tobytes()


@pytest.fixture
def small_mnist(tmp_path):
    """Arrays in Keras' layout (100 + 20 images), their npz and IDX files."""
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (100, 28, 28), dtype=np.uint8),
              "y_train": rng.integers(0, 10, 100, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
              "y_test": rng.integers(0, 10, 20, dtype=np.uint8)}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    idx_files = {"train-images-idx3-ubyte": idx_bytes(arrays["x_train"]),
                 "train-labels-idx1-ubyte": idx_bytes(arrays["y_train"]),
                 "t10k-images-idx3-ubyte": idx_bytes(arrays["x_test"]),
                 "t10k-labels-idx1-ubyte": idx_bytes(arrays["y_test"])}
    return arrays, buffer.getvalue(), idx_files


def header(data: bytes) -> tuple[int, tuple[int, ...]]:
    magic = int.from_bytes(data[:4], "big")
    ndim = 3 if magic == idx.IMAGES_MAGIC else 1
    return magic, tuple(int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(ndim))


def override_mnist(monkeypatch, npz: bytes, npz_url: str, idx_files: dict[str, bytes]) -> None:
    """Point the registry's mnist at the stand-ins: same forms, other hashes."""
    npz_spec = RemoteFile("mnist.npz", urls=(npz_url,), size=len(npz), sha256=hashlib.sha256(npz).hexdigest())
    idx_specs = tuple(RemoteFile(name, size=len(data), content_sha256=hashlib.sha256(data).hexdigest(),
                                 validate=idx.expect(*header(data)))
                      for name, data in idx_files.items())
    real = registry.dataset("mnist")
    monkeypatch.setitem(registry.REGISTRY, "mnist", dataclasses.replace(real, forms=((npz_spec,), idx_specs)))


def test_the_canonical_npz_is_downloaded_checked_and_read_without_pickle(server, monkeypatch, small_mnist, cache,
                                                                          capsys):
    arrays, npz, idx_files = small_mnist
    server.good("/tf-keras-datasets/mnist.npz", npz)
    override_mnist(monkeypatch, npz, server.url("/tf-keras-datasets/mnist.npz"), idx_files)
    (x, y), (xt, yt) = load_mnist()
    np.testing.assert_array_equal(x, arrays["x_train"])
    np.testing.assert_array_equal(yt, arrays["y_test"])
    assert "mnist.npz from cache" in capsys.readouterr().out
    assert cache.data_files() == ["mnist/mnist.npz"]
    load_mnist()
    assert server.count("/tf-keras-datasets/mnist.npz") == 1


def test_a_mirror_of_gzipped_idx_files_wins_over_the_canonical_npz(server, monkeypatch, small_mnist, cache, tmp_path):
    arrays, npz, idx_files = small_mnist
    mirror = tmp_path / "mirror" / "mnist"
    mirror.mkdir(parents=True)
    for name, data in idx_files.items():
        (mirror / f"{name}.gz").write_bytes(gzip.compress(data))
    server.good("/mnist.npz", npz)
    override_mnist(monkeypatch, npz, server.url("/mnist.npz"), idx_files)
    monkeypatch.setenv(settings.MIRRORS_ENV, str(mirror.parent))
    (x, _), (_, yt) = load_mnist()
    np.testing.assert_array_equal(x, arrays["x_train"])
    np.testing.assert_array_equal(yt, arrays["y_test"])
    assert server.total_requests() == 0
    assert sorted(cache.data_files()) == sorted(f"mnist/{name}" for name in idx_files)


def test_pickled_content_is_never_loaded(tmp_path):
    with_objects = tmp_path / "objects.npz"
    np.savez(with_objects, x_train=np.array([{"a": 1}], dtype=object), y_train=np.zeros(1, np.uint8),
             x_test=np.zeros((1, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    with pytest.raises(VerificationError, match="allow_pickle"):
        read_arrays({"mnist.npz": with_objects})
    pickled = tmp_path / "mnist.npz"
    pickled.write_bytes(b"\x80\x04K\x01.")                 # the bytes of a pickle stream, not an npz
    with pytest.raises(VerificationError, match="pickled"):
        read_arrays({"mnist.npz": pickled})


def test_idx_structure_is_checked(tmp_path):
    good = tmp_path / "good"
    good.write_bytes(idx_bytes(np.zeros((3, 28, 28), np.uint8)))
    assert idx.read_idx(good).shape == (3, 28, 28)
    idx.expect(idx.IMAGES_MAGIC, (3, 28, 28))(good)
    with pytest.raises(VerificationError, match=r"expected magic 2051 with \(60000, 28, 28\)"):
        idx.expect(idx.IMAGES_MAGIC, (60_000, 28, 28))(good)
    short = tmp_path / "short"
    short.write_bytes(good.read_bytes()[:-1])
    with pytest.raises(VerificationError, match="truncated"):
        idx.read_idx(short)
    wrong = tmp_path / "wrong"
    wrong.write_bytes(b"\x00\x00\x08\x0d" + bytes(12))
    with pytest.raises(VerificationError, match="magic number 2061"):
        idx.read_idx(wrong)


# ------------------------------------------------------------ without data
def test_without_data_the_default_is_a_clear_error(monkeypatch, cache):
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    with pytest.raises(DatasetUnavailable) as info:
        load_mnist()
    text = str(info.value)
    assert "'mnist'" in text and settings.MIRRORS_ENV in text and "allow_fallback=True" in text
    assert "mnist.npz: skipped (BOOTCAMP_OFFLINE=1)" in text
    assert cache.data_files() == []


@pytest.mark.parametrize("loader, warning", [(load_mnist, "MNIST"), (load_fashion_mnist, "NOT Fashion-MNIST")])
def test_the_fallback_is_used_only_when_allowed_and_announced_loudly(monkeypatch, capsys, loader, warning):
    monkeypatch.setenv(settings.OFFLINE_ENV, "1")
    with pytest.warns(FallbackDataWarning, match=warning) as record:
        arrays = loader(allow_fallback=True)
    assert record[0].filename == __file__                     # the warning points at the learner's call
    keras_layout(arrays, n_train=1_500, n_test=297)
    assert "FALLBACK DATA" in capsys.readouterr().out
    (x, y), _ = arrays
    assert x.max() > 200 and x[:, :4].max() == 0                # bright digits centred in a black border
    assert sorted(np.unique(y)) == list(range(10))
