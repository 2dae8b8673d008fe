"""MNIST and Fashion-MNIST, as the arrays ``keras.datasets`` returns."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from bootcamp.data import core
from bootcamp.data.errors import DatasetUnavailable, VerificationError
from bootcamp.data.idx import read_idx

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")


def _from_files(paths: dict[str, Path]) -> Arrays:
    if "mnist.npz" in paths:
        with np.load(paths["mnist.npz"], allow_pickle=False) as npz:
            arrays = [npz[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    else:
        arrays = [read_idx(paths[n], 60_000 if n.startswith("train") else 10_000) for n in IDX_NAMES]
    x_train, y_train, x_test, y_test = arrays
    for x, y in ((x_train, y_train), (x_test, y_test)):
        if x.shape[1:] != (28, 28) or len(x) != len(y) or x.dtype != np.uint8:
            raise VerificationError(f"unexpected MNIST-style arrays {x.shape} {x.dtype} / {y.shape}")
    return (x_train, y_train), (x_test, y_test)


def _describe(name: str, paths: dict[str, Path]) -> str:
    used = core.sources_used(name)
    origins = sorted({str(Path(used[p.name]["source"]).parent) if p.name in used else "?" for p in paths.values()})
    return (f"{name}: loaded from the cache {core.dataset_dir(name)}, checksums verified "
            f"(first obtained from {', '.join(origins)})")


def digits_fallback() -> Arrays:
    """scikit-learn's built-in 8x8 digits, enlarged to MNIST's layout.

    1,797 real handwritten digits (UCI), upsampled to 20x20 and centred in
    28x28 like MNIST, scaled to 0..255 uint8; the first 1,500 train, the rest
    test. Much smaller and blurrier than MNIST: accuracies are not comparable.
    """
    import cv2
    from sklearn.datasets import load_digits

    digits = load_digits()
    small = (digits.images / 16.0 * 255.0).astype(np.float32)
    big = np.stack([cv2.resize(img, (20, 20), interpolation=cv2.INTER_CUBIC) for img in small])
    x = np.zeros((len(big), 28, 28), dtype=np.uint8)
    x[:, 4:24, 4:24] = np.clip(big, 0, 255).astype(np.uint8)
    y = digits.target.astype(np.uint8)
    return (x[:1500], y[:1500]), (x[1500:], y[1500:])


def _load(name: str, allow_fallback: bool) -> Arrays:
    try:
        paths = core.fetch(name)
    except DatasetUnavailable as err:
        if not allow_fallback:
            raise
        message = (f"{name} is unavailable, so this notebook uses the OFFLINE FALLBACK: scikit-learn's "
                   "built-in 8x8 handwritten digits enlarged to 28x28 (1,500 train / 297 test images). "
                   "Results will differ from the real dataset's.")
        if name != "mnist":
            message += " These are digits, NOT the real " + name + " images."
        warnings.warn(f"{message}\nWhy: {err}", stacklevel=3)
        print("!" * 78 + f"\n{message}\n" + "!" * 78)
        return digits_fallback()
    arrays = _from_files(paths)
    print(_describe(name, paths))
    return arrays


def load_mnist(*, allow_fallback: bool = False) -> Arrays:
    """``((x_train, y_train), (x_test, y_test))``: 60,000 + 10,000 uint8
    28x28 images and labels, verified. See docs/data.md for sources."""
    return _load("mnist", allow_fallback)


def load_fashion_mnist(*, allow_fallback: bool = False) -> Arrays:
    """Fashion-MNIST (Zalando), same layout as :func:`load_mnist`."""
    return _load("fashion_mnist", allow_fallback)
