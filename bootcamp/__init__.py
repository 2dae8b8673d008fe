"""Helper package for the deep-learning bootcamp notebooks.

Notebooks keep the learning code visible and import the plumbing from here:
run-mode switching, environment checks, self-checks and learning floors,
data loading (:mod:`bootcamp.data`) and plot helpers (:mod:`bootcamp.plots`).
"""

from bootcamp.config import choose, is_quick, logs_dir, mode_name
from bootcamp.setup import setup

__all__ = ["choose", "is_quick", "logs_dir", "mode_name", "setup"]
__version__ = "0.1.0"
