"""How long does loading MNIST from the cache take? (A benchmark, not a test.)

    BOOTCAMP_MIRRORS=../shared/datasets python benchmarks/bench_data.py [--repeat 5]

Fetches MNIST once from whatever source is configured (cache, mirror or the
canonical URL), then times cached loads: the checksum verification that
every load repeats, the reading, and ``load_mnist()`` as a notebook calls it.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from bootcamp.data import core, load_mnist
from bootcamp.data.mnist import read_arrays

T = TypeVar("T")


def _timed(function: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="cached loads to time (default 5)")
    args = parser.parse_args()

    _, first = _timed(lambda: core.fetch("mnist"))
    print(f"first fetch (from the cache, a mirror or the network): {first:.2f} s")
    verify, read, total = [], [], []
    for _ in range(args.repeat):
        paths, seconds = _timed(lambda: core.fetch("mnist"))          # a cache hit: checksums again
        verify.append(seconds)
        read.append(_timed(lambda: read_arrays(paths))[1])
        with contextlib.redirect_stdout(io.StringIO()):               # the loader's one-line notice
            total.append(_timed(load_mnist)[1])
    files = ", ".join(sorted(paths))
    print(f"cached load_mnist(): median {statistics.median(total):.3f} s over {args.repeat} runs "
          f"(verification {statistics.median(verify):.3f} s, reading {statistics.median(read):.3f} s); "
          f"files: {files} in {core.dataset_dir('mnist')}")


if __name__ == "__main__":
    main()
