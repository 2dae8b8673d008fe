"""Reading IDX files (the MNIST family's format) without pickle."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bootcamp.data.errors import VerificationError

MAGIC = {2049: 1, 2051: 3}     # labels: 1 dimension, images: 3 dimensions


def read_idx(path: Path, expect_items: int | None = None) -> np.ndarray:
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise VerificationError(f"{path.name}: too short to be an IDX file")
    magic = int.from_bytes(data[:4], "big")
    if magic not in MAGIC:
        raise VerificationError(f"{path.name}: not an IDX file of unsigned bytes (magic {magic})")
    ndim = MAGIC[magic]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    offset = 4 + 4 * ndim
    if len(data) - offset != int(np.prod(dims)):
        raise VerificationError(f"{path.name}: header says {dims} but holds {len(data) - offset:,} bytes")
    if expect_items is not None and dims[0] != expect_items:
        raise VerificationError(f"{path.name}: {dims[0]} items, expected {expect_items}")
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims).copy()
