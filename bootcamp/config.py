"""Run mode and locations shared by every notebook and tool.

Quick mode is chosen by one environment variable, ``BOOTCAMP_QUICK``. It runs
the very same code on less data, with fewer epochs, so that CI can execute
every notebook in minutes; full mode (the default) is what a workshop runs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

QUICK_ENV = "BOOTCAMP_QUICK"
METRICS_ENV = "BOOTCAMP_METRICS_FILE"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_quick() -> bool:
    """Return True when ``BOOTCAMP_QUICK`` asks for quick mode.

    Read on every call (not cached at import) so that tests and tools can
    switch the mode for one run. Any unrecognised value is an error rather
    than a silent guess.
    """
    raw = os.environ.get(QUICK_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{QUICK_ENV}={os.environ[QUICK_ENV]!r} is not understood: "
        "set it to 1 for quick mode or 0 (or leave it unset) for full mode."
    )


def mode_name() -> str:
    return "quick" if is_quick() else "full"


def choose(*, full: T, quick: T) -> T:
    """Pick a setting by run mode: ``epochs = choose(full=300, quick=30)``.

    Keeping both values side by side in the notebook shows the learner what
    quick mode changes, and keeps the code path the same in both modes.
    """
    return quick if is_quick() else full


def logs_dir(*parts: str, fresh: bool = False) -> Path:
    """A directory for TensorBoard logs, relative to the working directory.

    Notebooks run from ``notebooks/`` or ``solutions/``, so logs land in
    ``notebooks/logs/...`` (git-ignored). Created on demand; ``fresh=True``
    first deletes what earlier runs left there, so TensorBoard shows only
    this run.
    """
    path = Path("logs", *parts)
    if fresh and parts and path.is_dir():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path
