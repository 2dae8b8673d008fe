"""Lattice updates per second of the numba solver and the NumPy reference, and a finer cylinder check.

    python benchmarks/bench_lbm.py [--ny 128 --nx 256 --steps 2000] [--threads N] [--cylinder]

Both solvers run the same open channel (parabolic inflow, outflow, a disc
obstacle) in the same process; the script prints million lattice updates per
second (MLUPS) for each, their ratio, and the numba compile (or cache-load)
time measured separately; with a CUDA GPU, the GPU solver's MLUPS too (its
cooperative kernel, and one launch per step for comparison). Every cell of the grid counts as one update. The
numba solver runs on one thread and on all of them: each step ends at a
barrier, so on a machine shared with other work one thread can be faster.

``--cylinder`` adds the Schaefer & Turek (1996) 2D-1 benchmark at twice the
resolution of the unit test (cylinder diameter 20 cells, about half a minute):
drag and lift coefficients against the published ranges.
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np
from numba import cuda

from bootcamp.cfd.lbm import Simulation, warm_up
from bootcamp.cfd.lbm_cuda import CudaSimulation, gpu_available
from bootcamp.cfd.reference import ReferenceSimulation
from bootcamp.cfd.validation import SCHAEFER_TUREK_CD, SCHAEFER_TUREK_CL, schaefer_turek_2d1


def mlups(sim: Simulation, steps: int, per_run: int | None = None) -> float:
    """Million lattice updates per second over ``steps`` steps, ``per_run`` steps per ``run`` call (all by default)."""
    per_run = per_run or steps
    start = time.perf_counter()
    for _ in range(steps // per_run):
        sim.run(per_run)
    return sim.cells * (steps // per_run * per_run) / (time.perf_counter() - start) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ny", type=int, default=128)
    parser.add_argument("--nx", type=int, default=256)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--numpy-steps", type=int, default=100)
    parser.add_argument("--gpu-steps", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=None, help="numba threads (default: one, then all cores)")
    parser.add_argument("--cylinder", action="store_true", help="also run the finer Schaefer-Turek check")
    args = parser.parse_args()
    if args.threads:
        numba.set_num_threads(args.threads)

    yy, xx = np.mgrid[: args.ny, : args.nx]
    obstacle = (yy - args.ny / 2) ** 2 + (xx - args.nx / 4) ** 2 < (args.ny / 8) ** 2
    compile_s = warm_up()

    threads = [args.threads] if args.threads else sorted({1, numba.get_num_threads()})
    numba_mlups = {}
    for n in threads:
        numba.set_num_threads(n)
        fast = Simulation(obstacle, nu=0.05, u_max=0.1)
        fast.run(10)  # first touch of the buffers
        numba_mlups[n] = mlups(fast, args.steps)
    numpy_mlups = mlups(ReferenceSimulation(obstacle, nu=0.05, u_max=0.1), args.numpy_steps)
    best = max(numba_mlups.values())

    print(f"grid {args.ny} x {args.nx}, D2Q9 TRT, float32, open channel with a disc")
    for n, value in numba_mlups.items():
        print(f"numba : {value:8.1f} MLUPS on {n} thread(s) ({args.steps} steps; compile/cache load {compile_s:.2f} s)")
    print(f"numpy : {numpy_mlups:8.1f} MLUPS ({args.numpy_steps} steps)")
    print(f"ratio : {best / numpy_mlups:8.1f} x (fastest numba run / numpy)")

    if gpu_available():
        name = cuda.get_current_device().name
        name = name.decode(errors="replace") if isinstance(name, bytes) else name
        for cooperative, how in ((True, "one launch per 100 steps"), (False, "one launch per step")):
            gpu = CudaSimulation(obstacle, nu=0.05, u_max=0.1)
            gpu.cooperative = cooperative
            start = time.perf_counter()
            gpu.run(10)  # compiles the kernels
            gpu_compile_s = time.perf_counter() - start
            gpu_mlups = mlups(gpu, args.gpu_steps, per_run=100)  # as solve() runs it: 100 steps between checks
            print(f"gpu   : {gpu_mlups:8.1f} MLUPS on {name}, {how} ({args.gpu_steps} steps; compile "
                  f"{gpu_compile_s:.1f} s); {gpu_mlups / best:.1f} x the CPU")
    else:
        print("gpu   : none found by numba (the CPU solver is what solve() uses here)")

    if args.cylinder:
        start = time.perf_counter()
        result = schaefer_turek_2d1(diameter=20, u_max=0.05)
        print(f"Schaefer & Turek 2D-1, D = 20 cells: Cd {result.cd:.3f} (reference {SCHAEFER_TUREK_CD[0]}-"
              f"{SCHAEFER_TUREK_CD[1]}), Cl {result.cl:.4f} (reference {SCHAEFER_TUREK_CL[0]}-"
              f"{SCHAEFER_TUREK_CL[1]}); {result.steps} steps, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
