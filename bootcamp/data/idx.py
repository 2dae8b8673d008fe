"""IDX, the file format of MNIST and Fashion-MNIST, read without pickle.

An IDX file of unsigned bytes starts with the magic number 2049 (labels, one
dimension) or 2051 (images, three dimensions), then one big-endian 32-bit
count per dimension, then the data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from bootcamp.data.errors import VerificationError

LABELS_MAGIC = 2049
IMAGES_MAGIC = 2051
_NDIM = {LABELS_MAGIC: 1, IMAGES_MAGIC: 3}


def read_header(path: Path) -> tuple[int, tuple[int, ...], int]:
    """``(magic, dims, data_offset)`` of an IDX file; checks the file size."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(16)
    if len(head) < 8:
        raise VerificationError(f"{path.name}: too short to be an IDX file")
    magic = int.from_bytes(head[:4], "big")
    if magic not in _NDIM:
        raise VerificationError(f"{path.name}: not an IDX file of unsigned bytes (magic number {magic}, "
                                f"expected {LABELS_MAGIC} or {IMAGES_MAGIC})")
    ndim = _NDIM[magic]
    offset = 4 + 4 * ndim
    if len(head) < offset:
        raise VerificationError(f"{path.name}: IDX header cut short")
    dims = tuple(int.from_bytes(head[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    payload = path.stat().st_size - offset
    if payload != int(np.prod(dims)):
        raise VerificationError(f"{path.name}: the header announces {dims} but the file holds {payload:,} "
                                "bytes of data (truncated?)")
    return magic, dims, offset


def expect(magic: int, dims: tuple[int, ...]) -> Callable[[Path], None]:
    """A structural check for the registry: this magic number and these dimensions."""
    def check(path: Path) -> None:
        found_magic, found_dims, _ = read_header(path)
        if (found_magic, found_dims) != (magic, dims):
            raise VerificationError(f"{Path(path).name}: IDX magic {found_magic} with dimensions {found_dims}, "
                                    f"expected magic {magic} with {dims}")
    return check


def read_idx(path: Path) -> np.ndarray:
    """The array in an IDX file (uint8)."""
    _, dims, offset = read_header(path)
    return np.fromfile(path, dtype=np.uint8, offset=offset).reshape(dims)
