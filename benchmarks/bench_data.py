"""How long does loading MNIST from the cache take? (A benchmark, not a test.)

    python benchmarks/bench_data.py [--repeat 5]

Prints the cold fetch (from whatever source is configured) and then the
median time of cached loads, split into verification and reading.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bootcamp.data import core, load_mnist
from bootcamp.data.mnist import _from_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    core.fetch("mnist")
    print(f"first fetch (may copy from a mirror or download): {time.perf_counter() - start:.2f} s")

    verify, read, total = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        paths = core.fetch("mnist")                    # cache hit: re-verifies checksums
        t1 = time.perf_counter()
        _from_files(paths)
        t2 = time.perf_counter()
        verify.append(t1 - t0)
        read.append(t2 - t1)
        t3 = time.perf_counter()
        load_mnist()
        total.append(time.perf_counter() - t3)
    print(f"cached load_mnist(): median {statistics.median(total):.3f} s "
          f"(checksum verification {statistics.median(verify):.3f} s, reading {statistics.median(read):.3f} s) "
          f"over {args.repeat} runs; cache {core.dataset_dir('mnist')}")


if __name__ == "__main__":
    main()
