"""The data layer: every lesson loads its data in one line from here.

    from bootcamp.data import load_mnist, load_fashion_mnist, load_hurdat2, hursat
    (x_train, y_train), (x_test, y_test) = load_mnist()      # keras.datasets' layout
    best_track = load_hurdat2()                               # tidy pandas table
    frames = hursat.read_frames(hursat.fetch_storm(2005, "KATRINA"))

Files are looked for in the cache (``BOOTCAMP_DATA_DIR``), then in the
mirrors (``BOOTCAMP_MIRRORS``: folders or base URLs; Debian's
/usr/share/datasets too), then at the canonical URL, and each is verified
(checksum or structure) before it is used. ``BOOTCAMP_OFFLINE=1`` forbids
downloads. See docs/data.md.
"""

from bootcamp.data import catalogue, hursat, weights
from bootcamp.data.core import dataset_dir, fetch, import_files, is_cached, sources_used, verify_cached
from bootcamp.data.errors import (DataError, DatasetUnavailable, DownloadError, FallbackDataWarning,
                                  UnknownDataset, UsageError, VerificationError)
from bootcamp.data.hurdat2 import (CLASS_NAMES, CLASSES, load_hurdat2, saffir_simpson_class,
                                   saffir_simpson_label)
from bootcamp.data.mnist import load_fashion_mnist, load_mnist
from bootcamp.data.registry import REGISTRY, Dataset, RemoteFile, dataset, load, names
from bootcamp.data.settings import cache_dir, mirrors, offline

__all__ = [
    "CLASSES", "CLASS_NAMES", "REGISTRY", "DataError", "Dataset", "DatasetUnavailable", "DownloadError",
    "FallbackDataWarning", "RemoteFile", "UnknownDataset", "UsageError", "VerificationError", "cache_dir",
    "catalogue", "dataset", "dataset_dir", "fetch", "hursat", "import_files", "is_cached", "load",
    "load_fashion_mnist", "load_hurdat2", "load_mnist", "mirrors", "names", "offline",
    "saffir_simpson_class", "saffir_simpson_label", "sources_used", "verify_cached", "weights",
]
