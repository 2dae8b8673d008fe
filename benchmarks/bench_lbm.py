"""Lattice updates per second of the numba solver and the NumPy reference.

    python benchmarks/bench_lbm.py [--ny 128 --nx 256 --steps 2000]

Both run the same periodic channel with an obstacle in the same process;
prints million lattice updates per second (MLUPS) for each, their ratio, and
the numba compile (or cache-load) time measured separately.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bootcamp.cfd.lbm import initial_state, step_numba
from bootcamp.cfd.reference import step_numpy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ny", type=int, default=128)
    parser.add_argument("--nx", type=int, default=256)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--numpy-steps", type=int, default=100)
    args = parser.parse_args()

    solid = np.zeros((args.ny, args.nx), bool)
    solid[0] = solid[-1] = True
    yy, xx = np.mgrid[: args.ny, : args.nx]
    solid |= (yy - args.ny / 2) ** 2 + (xx - args.nx / 4) ** 2 < (args.ny / 8) ** 2
    f = initial_state(solid, 0.05)
    cells = args.ny * args.nx

    start = time.perf_counter()
    step_numba(f, solid, 1, nu=0.05)                      # compile, or load the cached machine code
    compile_s = time.perf_counter() - start

    start = time.perf_counter()
    step_numba(f, solid, args.steps, nu=0.05)
    numba_mlups = cells * args.steps / (time.perf_counter() - start) / 1e6

    start = time.perf_counter()
    step_numpy(f, solid, args.numpy_steps, nu=0.05)
    numpy_mlups = cells * args.numpy_steps / (time.perf_counter() - start) / 1e6

    print(f"grid {args.ny} x {args.nx}, D2Q9 BGK, float32")
    print(f"numba : {numba_mlups:8.1f} MLUPS ({args.steps} steps; compile/cache load {compile_s:.2f} s)")
    print(f"numpy : {numpy_mlups:8.1f} MLUPS ({args.numpy_steps} steps)")
    print(f"ratio : {numba_mlups / numpy_mlups:8.1f} x")


if __name__ == "__main__":
    main()
