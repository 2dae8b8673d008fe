"""MNIST and Fashion-MNIST, as the arrays ``keras.datasets`` returns.

``((x_train, y_train), (x_test, y_test))``: uint8 images of shape
(60000, 28, 28) and (10000, 28, 28), uint8 labels of shape (60000,) and
(10000,). Read from Keras' ``mnist.npz`` (with ``allow_pickle=False``) or
from the four IDX files, whichever verified form the cache holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bootcamp.data import core
from bootcamp.data.errors import DatasetUnavailable, VerificationError
from bootcamp.data.idx import read_idx
from bootcamp.data.notices import announce_fallback, announce_source

Split = tuple[np.ndarray, np.ndarray]
Arrays = tuple[Split, Split]

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
FALLBACK_TRAIN = 1_500           # of scikit-learn's 1,797 digits; the rest are the test set


def _from_npz(path: Path) -> list[np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in NPZ_KEYS if k not in npz.files]
            if missing:
                raise VerificationError(f"{path.name}: no {', '.join(missing)} in the archive")
            return [npz[k] for k in NPZ_KEYS]
    except ValueError as err:          # object arrays would need pickle: refused
        raise VerificationError(f"{path.name}: {err}") from None


def _check_layout(arrays: list[np.ndarray]) -> Arrays:
    x_train, y_train, x_test, y_test = arrays
    for x, y in ((x_train, y_train), (x_test, y_test)):
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),) or x.dtype != np.uint8 \
                or y.dtype != np.uint8:
            raise VerificationError(f"unexpected arrays: images {x.shape} {x.dtype}, labels {y.shape} {y.dtype}; "
                                    "expected uint8 (N, 28, 28) and (N,)")
    return (x_train, y_train), (x_test, y_test)


def read_arrays(paths: dict[str, Path]) -> Arrays:
    """Keras' layout from verified cache files (``mnist.npz`` or the IDX files)."""
    if "mnist.npz" in paths:
        return _check_layout(_from_npz(paths["mnist.npz"]))
    return _check_layout([read_idx(paths[name]) for name in IDX_FILES])


def digits_fallback() -> Arrays:
    """scikit-learn's built-in handwritten digits in MNIST's layout.

    The 1,797 8x8 images (UCI, 0..16 grey levels) are enlarged to 20x20 with
    bilinear interpolation, centred in 28x28 like MNIST's digits and scaled
    to 0..255 uint8; the first 1,500 are the training set, the other 297 the
    test set. Far fewer and blurrier than MNIST: accuracies do not compare.
    """
    import cv2
    from sklearn.datasets import load_digits

    digits = load_digits()
    small = (digits.images * (255.0 / 16.0)).astype(np.float32)
    large = np.stack([cv2.resize(image, (20, 20), interpolation=cv2.INTER_LINEAR) for image in small])
    x = np.zeros((len(small), 28, 28), dtype=np.uint8)
    x[:, 4:24, 4:24] = np.clip(np.rint(large), 0, 255).astype(np.uint8)
    y = digits.target.astype(np.uint8)
    return (x[:FALLBACK_TRAIN], y[:FALLBACK_TRAIN]), (x[FALLBACK_TRAIN:], y[FALLBACK_TRAIN:])


def _load(name: str, label: str, allow_fallback: bool) -> Arrays:
    try:
        paths = core.fetch(name)
    except DatasetUnavailable as err:
        if not allow_fallback:
            raise
        arrays = digits_fallback()
        what = "" if name == "mnist" else f" (digits, NOT {label} images)"
        announce_fallback(label, f"scikit-learn's built-in 8x8 handwritten digits enlarged to 28x28{what}: "
                          f"{len(arrays[0][0]):,} training and {len(arrays[1][0]):,} test images.", err,
                          stacklevel=4)
        return arrays
    arrays = read_arrays(paths)
    files = "mnist.npz" if "mnist.npz" in paths else "the four IDX files"
    announce_source(f"{name}: {len(arrays[0][0]):,} training + {len(arrays[1][0]):,} test images, {files} "
                    f"from {core.describe_origin(name, paths)}; checksums verified")
    return arrays


def load_mnist(*, allow_fallback: bool = False) -> Arrays:
    """MNIST as ``keras.datasets.mnist.load_data()`` returns it, verified.

    With ``allow_fallback=True``, when no source can provide MNIST, returns
    scikit-learn's digits in the same layout (see :func:`digits_fallback`)
    with a loud warning; otherwise raises :class:`DatasetUnavailable`.
    """
    return _load("mnist", "MNIST", allow_fallback)


def load_fashion_mnist(*, allow_fallback: bool = False) -> Arrays:
    """Fashion-MNIST as ``keras.datasets.fashion_mnist.load_data()`` returns it;
    same layout and fallback rule as :func:`load_mnist`."""
    return _load("fashion_mnist", "Fashion-MNIST", allow_fallback)
