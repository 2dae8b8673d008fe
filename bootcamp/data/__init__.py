"""The data layer: every lesson loads its data in one line from here.

Files are looked for in the cache (``BOOTCAMP_DATA_DIR``), then in the
mirrors (``BOOTCAMP_MIRRORS``, directories or base URLs, plus Debian's
/usr/share/datasets), then at the canonical URL; each is verified (checksum
or structure) before it is used. See docs/data.md.
"""

from bootcamp.data import hursat
from bootcamp.data.core import REGISTRY, dataset, fetch, import_files, is_cached, verify_cached
from bootcamp.data.errors import (DataError, DatasetUnavailable, DownloadError, UnknownDataset,
                                  VerificationError)
from bootcamp.data.hurdat2 import CLASS_NAMES, CLASSES, saffir_simpson_class
from bootcamp.data.mnist import load_fashion_mnist, load_mnist
from bootcamp.data.settings import cache_dir, mirrors, offline
from bootcamp.data.tables import load_hurdat2

__all__ = [
    "CLASSES", "CLASS_NAMES", "REGISTRY", "DataError", "DatasetUnavailable", "DownloadError", "UnknownDataset",
    "VerificationError", "cache_dir", "dataset", "fetch", "hursat", "import_files", "is_cached",
    "load_fashion_mnist", "load_hurdat2", "load_mnist", "mirrors", "offline", "saffir_simpson_class",
    "verify_cached",
]
