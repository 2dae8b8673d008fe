"""What the loaders say: one line naming the source, or a loud fallback notice."""

from __future__ import annotations

import warnings

from bootcamp.data.errors import FallbackDataWarning

BANNER = "!" * 78


def announce_source(line: str) -> None:
    """The single line a loader prints: which data, from where, how checked."""
    print(line, flush=True)


def announce_fallback(name: str, replacement: str, reason: Exception, *, stacklevel: int = 3) -> None:
    """Say loudly, as a warning and on the output, that fallback data is in use.

    ``stacklevel`` should point the warning at the learner's own call (3 when
    the public loader calls this function directly)."""
    message = (f"FALLBACK DATA: the real {name} dataset is not available, so this notebook uses "
               f"{replacement} Results will differ from those with the real data.")
    warnings.warn(f"{message}\nWhy the real data could not be had:\n{reason}", FallbackDataWarning,
                  stacklevel=stacklevel)
    print(f"{BANNER}\n{message}\n{BANNER}", flush=True)
