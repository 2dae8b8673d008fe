"""Where data is cached and where else it may come from (environment variables)."""

from __future__ import annotations

import os
import re
from pathlib import Path

CACHE_ENV = "BOOTCAMP_DATA_DIR"
MIRRORS_ENV = "BOOTCAMP_MIRRORS"
OFFLINE_ENV = "BOOTCAMP_OFFLINE"
SYSTEM_MIRRORS = (Path("/usr/share/datasets"),)   # Debian's dataset-* packages install here


def cache_dir() -> Path:
    """``$BOOTCAMP_DATA_DIR``, else ``$XDG_CACHE_HOME/dl-bootcamp``, else ``~/.cache/dl-bootcamp``."""
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(base).expanduser() / "dl-bootcamp"


def mirrors() -> list[str]:
    """Mirrors from ``$BOOTCAMP_MIRRORS``: directories or http(s) base URLs,
    separated by whitespace or commas, tried in the order given."""
    return [m for m in re.split(r"[\s,]+", os.environ.get(MIRRORS_ENV, "")) if m]


def offline() -> bool:
    """``BOOTCAMP_OFFLINE=1`` forbids network access; directory mirrors still count."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))
