"""The solver tests run single-threaded.

Each step of the parallel kernel ends at a barrier, so on a busy machine (or
with pytest-xdist running two test files at once on two cores) a thread that
loses its core stalls the other: one thread per process is faster there, and
the results are identical (the kernel has no reductions).
"""

from __future__ import annotations

from collections.abc import Iterator

import numba
import pytest


@pytest.fixture(autouse=True, scope="session")
def one_numba_thread() -> Iterator[None]:
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)
