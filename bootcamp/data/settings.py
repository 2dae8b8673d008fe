"""Where data is cached and where else it may come from: the environment variables.

Every setting is read when it is used, not at import, so that a notebook (or
a test) can change it with ``os.environ[...] = ...`` and the next call sees it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

CACHE_ENV = "BOOTCAMP_DATA_DIR"
MIRRORS_ENV = "BOOTCAMP_MIRRORS"
OFFLINE_ENV = "BOOTCAMP_OFFLINE"
HURDAT2_FILE_ENV = "BOOTCAMP_HURDAT2_FILE"

# Debian's dataset-* packages install here (e.g. dataset-fashion-mnist puts
# the four re-gzipped IDX files in /usr/share/datasets/fashion-mnist/). Such a
# folder counts as a mirror directory for the dataset whose name it carries.
SYSTEM_MIRRORS: tuple[Path, ...] = (Path("/usr/share/datasets"),)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def cache_dir() -> Path:
    """The cache: ``$BOOTCAMP_DATA_DIR``, else ``$XDG_CACHE_HOME/dl-bootcamp``,
    else ``~/.cache/dl-bootcamp``. Each dataset gets a folder inside it."""
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "dl-bootcamp"


def mirrors() -> list[str]:
    """The mirrors in ``$BOOTCAMP_MIRRORS``, in the order given.

    Each is a directory or an ``http(s)://`` base URL; entries are separated
    by whitespace or commas. ``file://`` URLs are read as directories.
    """
    raw = os.environ.get(MIRRORS_ENV, "")
    return [_as_location(m) for m in re.split(r"[\s,]+", raw) if m]


def _as_location(entry: str) -> str:
    if entry.startswith("file://"):
        return entry[len("file://"):] or "/"
    return entry


def offline() -> bool:
    """True when ``BOOTCAMP_OFFLINE`` forbids network access (directory
    mirrors and the cache still count)."""
    raw = os.environ.get(OFFLINE_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{OFFLINE_ENV}={os.environ[OFFLINE_ENV]!r} is not understood: "
                     "set it to 1 to forbid downloads, or to 0 (or leave it unset) to allow them.")


def is_url(location: str) -> bool:
    """True for an ``http://`` or ``https://`` location, False for a directory."""
    return location.startswith(("http://", "https://"))
