"""Pretrained weights through the data layer (Keras' ImageNet MobileNetV3Small for 08_transfer).

The real file cannot be downloaded here, so a stand-in is made: the same
network with its initial weights, written in the same HDF5 layout, served by
the loopback test server under the real name, with the registry's MD5 set
to the stand-in's. Everything else (the check, the cache, the backbone and
the notebook's own cells) is the code a room with the real file runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pytest

from bootcamp.data import DatasetUnavailable, registry, weights
from bootcamp.data.errors import VerificationError

keras = pytest.importorskip("keras")
h5py = pytest.importorskip("h5py")

ROOT = Path(__file__).resolve().parents[2]
URL_PATH = "/keras-applications/mobilenet_v3/" + weights.MOBILENET_V3_SMALL_FILE


@pytest.fixture(scope="module")
def standin(tmp_path_factory) -> tuple[bytes, list[np.ndarray]]:
    """The bytes of a weights file in Keras' legacy HDF5 layout, and the weights it holds."""
    from keras.src.legacy.saving import legacy_h5_format

    keras.utils.set_random_seed(3)
    network = keras.applications.MobileNetV3Small(input_shape=(64, 64, 3), include_top=False, weights=None,
                                                  pooling="avg")
    path = tmp_path_factory.mktemp("standin") / weights.MOBILENET_V3_SMALL_FILE
    with h5py.File(path, "w") as fh:
        legacy_h5_format.save_weights_to_hdf5_group(fh, network)
    return path.read_bytes(), network.get_weights()


@pytest.fixture
def served(server, standin, monkeypatch):
    """The stand-in served at Keras' path on the test server; the registry points there, with its MD5."""
    body, _ = standin
    server.good(URL_PATH, body)
    real = registry.dataset(weights.MOBILENET_V3_SMALL)
    (spec,), = real.forms
    assert spec.md5 == weights.MOBILENET_V3_SMALL_MD5 and spec.sha256 is None
    patched = dataclasses.replace(spec, urls=(server.url(URL_PATH),), md5=hashlib.md5(body).hexdigest())
    monkeypatch.setitem(registry.REGISTRY, weights.MOBILENET_V3_SMALL, dataclasses.replace(real, forms=((patched,),)))
    return server


def test_the_registry_names_keras_file_and_hash():
    """The entry checks what Keras checks: its URL and the MD5 in Keras' own source."""
    from keras.src.applications import mobilenet_v3

    (spec,), = registry.dataset(weights.MOBILENET_V3_SMALL).forms
    assert spec.urls == (mobilenet_v3.BASE_WEIGHT_PATH + weights.MOBILENET_V3_SMALL_FILE,)
    assert spec.md5 == mobilenet_v3.WEIGHTS_HASHES["small_224_1.0_float"][1]
    assert "md5" in spec.describe_check() and "structure check" in spec.describe_check()


def test_fetched_checked_cached_then_used_without_a_request(served, cache):
    path = weights.mobilenet_v3_small_imagenet()
    assert path.name == weights.MOBILENET_V3_SMALL_FILE and path.is_relative_to(cache.path)
    assert served.count(URL_PATH) == 1
    assert weights.mobilenet_v3_small_imagenet() == path
    assert served.count(URL_PATH) == 1, "a checked file in the cache needs no request"
    assert cache.temporaries() == []


def test_a_truncated_download_is_refused_and_nothing_is_left(served, standin, cache):
    served.truncated(URL_PATH, standin[0])
    with pytest.raises(DatasetUnavailable, match="08_transfer pretrains its own small backbone"):
        weights.mobilenet_v3_small_imagenet()
    assert cache.data_files() == [] and cache.temporaries() == []


def test_another_file_under_the_name_is_refused(served, standin, cache):
    """An error page served with 200, or a different HDF5 file of the same size: neither is used."""
    body = standin[0]
    served.good(URL_PATH, b"<html>quota exceeded</html>".ljust(len(body), b" "))
    with pytest.raises(DatasetUnavailable, match="md5"):
        weights.mobilenet_v3_small_imagenet()
    altered = bytearray(body)
    altered[-100] ^= 0xFF
    served.good(URL_PATH, bytes(altered))
    with pytest.raises(DatasetUnavailable, match="md5"):
        weights.mobilenet_v3_small_imagenet()
    assert cache.data_files() == []


def test_the_signature_check_names_what_it_found(tmp_path):
    page = tmp_path / "page.h5"
    page.write_bytes(b"<html>")
    with pytest.raises(VerificationError, match="not an HDF5 file"):
        weights.hdf5_file(page)


def test_the_backbone_holds_the_fetched_weights(served, standin):
    from bootcamp import transfer

    backbone = transfer.imagenet_backbone(weights.mobilenet_v3_small_imagenet())
    network = next(layer for layer in backbone.layers if isinstance(layer, keras.Model))
    for mine, theirs in zip(network.get_weights(), standin[1], strict=True):
        np.testing.assert_array_equal(mine, theirs)
    features = backbone(np.random.default_rng(0).random((3, 28, 28, 1), dtype="float32"), training=False)
    assert tuple(features.shape) == (3, 576)


def notebook_cells(marker: str) -> list[str]:
    """The code cells of the solution notebook from the one that fetches the weights on, up to the test."""
    cells = json.loads((ROOT / "solutions" / "08_transfer.ipynb").read_text())["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    first = next(i for i, source in enumerate(code) if marker in source)
    return code[first:first + 2]


def test_the_notebook_cells_compare_with_the_weights_present(served, capsys):
    """The lesson's own two cells, on small stand-ins for its variables: with weights, they train and report."""
    from bootcamp import transfer
    from bootcamp.data import DatasetUnavailable as Unavailable

    cells = notebook_cells("weights.mobilenet_v3_small_imagenet()")
    assert "imagenet_backbone" in cells[1]
    rng = np.random.default_rng(0)
    recorded = {}

    def fit_steps(model, x, y, steps):
        model.fit(x, y, epochs=steps, batch_size=len(x), verbose=0)

    namespace = {
        "weights": weights, "DatasetUnavailable": Unavailable, "transfer": transfer, "keras": keras, "np": np,
        "time": time,
        "x_val": rng.random((40, 28, 28, 1), dtype="float32"), "y_val": np.arange(40) % 10,
        "x_pool": rng.random((100, 28, 28, 1), dtype="float32"), "y_pool": np.arange(100) % 10,
        "smallest": 20, "REPEATS": 2, "HEAD_STEPS": 3, "fit_steps": fit_steps,
        "results": {"frozen": {20: 0.5}, "from scratch": {20: 0.4}},
        "record": lambda name, value: recorded.update({name: value}),
    }
    for source in cells:
        exec(compile(source, "08_transfer", "exec"), namespace)          # noqa: S102 (the lesson's own cells)
    out = capsys.readouterr().out
    assert "not available" not in out and "ImageNet MobileNetV3Small, frozen" in out
    assert len(namespace["imagenet_scores"]) == 2 and 0.0 <= recorded["ImageNet backbone, frozen, at 20 examples"] <= 1


def test_offline_the_notebook_says_so_and_names_the_mirror_setting(monkeypatch, capsys):
    monkeypatch.setenv("BOOTCAMP_OFFLINE", "1")
    namespace = {"weights": weights, "DatasetUnavailable": DatasetUnavailable}
    exec(compile(notebook_cells("weights.mobilenet_v3_small_imagenet()")[0], "08_transfer", "exec"), namespace)
    out = capsys.readouterr().out
    assert namespace["imagenet_file"] is None
    assert "left out" in out and "BOOTCAMP_MIRRORS" in out and "BOOTCAMP_OFFLINE=1" in out


def test_a_file_takes_one_hash_and_needs_a_check():
    with pytest.raises(ValueError, match="not several"):
        registry.RemoteFile("a.h5", sha256="0" * 64, md5="0" * 32)
    with pytest.raises(ValueError, match="needs a check"):
        registry.RemoteFile("a.h5")
    assert registry.RemoteFile("a.h5", md5="0" * 32).describe_check().startswith("md5 000000000000...")
