"""Pretrained network weights, fetched and checked like any dataset.

Weights are code you run: they come through the data layer, so they are
found in the cache, a mirror (``BOOTCAMP_MIRRORS``) or Keras' own URL, are
checked before use, and a room without internet can have them from its
mirror (``make mirror`` copies them when it can get them).

The check is the one Keras makes when ``keras.applications`` downloads the
same file: the MD5 published in Keras' source (``WEIGHTS_HASHES`` in
``keras/src/applications/mobilenet_v3.py``), plus the HDF5 file signature.
An MD5 catches a truncated or corrupted download, not a forged file; Keras
publishes no SHA-256 for its weights.
"""

from __future__ import annotations

from pathlib import Path

from bootcamp.data.errors import VerificationError

MOBILENET_V3_SMALL = "mobilenet_v3_small_imagenet"
MOBILENET_V3_SMALL_FILE = "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"
MOBILENET_V3_SMALL_MD5 = "d3e8ec802a04aa4fc771ee12a9a9b836"     # Keras 3.15, WEIGHTS_HASHES["small_224_1.0_float"][1]
KERAS_APPLICATIONS = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def hdf5_file(path: Path) -> None:
    """Structure check: the file starts with the HDF5 signature (Keras' .h5 weights)."""
    with open(path, "rb") as fh:
        head = fh.read(len(HDF5_SIGNATURE))
    if head != HDF5_SIGNATURE:
        raise VerificationError("not an HDF5 file (an error page or a different file?)")


def mobilenet_v3_small_imagenet() -> Path:
    """The path of Keras' ImageNet weights for MobileNetV3Small (alpha 1.0, no top), fetched and checked.

    Raises :class:`~bootcamp.data.errors.DatasetUnavailable` (naming the mirror setting and the
    lesson's fallback) when no cache, mirror or network has them.
    """
    from bootcamp.data import core

    return core.fetch(MOBILENET_V3_SMALL)[MOBILENET_V3_SMALL_FILE]
