"""Lattice updates per second of the numba solver and the NumPy reference, and the cylinder's convergence.

    python benchmarks/bench_lbm.py [--ny 128 --nx 256 --steps 2000] [--threads N]
    python benchmarks/bench_lbm.py --cylinder [--diameters 10 20 40] [--plot docs/cfd_cylinder_convergence.png]

Both solvers run the same open channel (parabolic inflow, outflow, a disc
obstacle) in the same process; the script prints million lattice updates per
second (MLUPS) for each, their ratio, and the numba compile (or cache-load)
time measured separately; with a CUDA GPU, the GPU solver's MLUPS too (its
cooperative kernel, and one launch per step for comparison). Every cell of the grid counts as one update. The
numba solver runs on one thread and on all of them: each step ends at a
barrier, so on a machine shared with other work one thread can be faster.
The disc has half-way bounce-back, as the course's flows; the interpolated
wall is timed on it too (its extra pass over the cells at the disc).

``--cylinder`` adds the Schaefer & Turek (1996) 2D-1 benchmark (channel length
2.2 as published) for both walls, half-way and interpolated bounce-back, at each
of ``--diameters`` cells: a table of the drag coefficient, its error from 5.58
(the middle of the published 5.57-5.59) and the observed order of convergence
between successive diameters, ``log(e_coarse / e_fine) / log(D_fine /
D_coarse)``; with three diameters in a geometric series also the order from
the three drags alone, ``log((c1 - c2) / (c2 - c3)) / log(2)``, which does
not depend on the reference value; the lift; and the mass the wall adds to the
flow, as the change of the mass flux from inlet to outlet ("mass %": zero for
half-way bounce-back, not quite zero for the interpolated wall). ``--plot
FILE`` saves the log-log plot of the error against the diameter.

The inflow peak follows diffusive scaling, ``u_max = 0.05 * 10 / D``
(``--u-max`` sets it at 10 cells): the lattice Mach number shrinks with the
cell, so its own error, O(Ma^2), falls at second order too instead of
putting a floor under the error (at a fixed ``u_max = 0.05`` it is about 1%
of the drag: measured at 10 cells, the drag falls by 0.04 from ``u_max``
0.05 to 0.025). So the steps grow as ``D^2``, and a 40-cell run takes about
16 times a 20-cell one. The convergence check spans the same physical time
at every diameter (``check_every`` grows as ``D / u_max``).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numba
import numpy as np
from numba import cuda

from bootcamp.cfd.lbm import WALLS, Simulation, warm_up
from bootcamp.cfd.lbm_cuda import CudaSimulation, gpu_available
from bootcamp.cfd.reference import ReferenceSimulation
from bootcamp.cfd.validation import (
    SCHAEFER_TUREK_CD,
    SCHAEFER_TUREK_CL,
    CylinderResult,
    circle_link_fractions,
    diffusive_scaling,
    schaefer_turek_2d1,
)

CD_REF = sum(SCHAEFER_TUREK_CD) / 2


def mlups(sim: Simulation, steps: int, per_run: int | None = None) -> float:
    """Million lattice updates per second over ``steps`` steps, ``per_run`` steps per ``run`` call (all by default)."""
    per_run = per_run or steps
    start = time.perf_counter()
    for _ in range(steps // per_run):
        sim.run(per_run)
    return sim.cells * (steps // per_run * per_run) / (time.perf_counter() - start) / 1e6


def cylinder_study(diameters: list[int], u_max_10: float, length: float) -> dict[str, list[CylinderResult]]:
    """Schaefer & Turek 2D-1 for each wall and diameter (diffusive scaling), each printed as it ends."""
    results: dict[str, list[CylinderResult]] = {wall: [] for wall in WALLS}
    for diameter in diameters:
        u_max, check_every = diffusive_scaling(diameter, u_max_10)
        for wall in WALLS:
            result = schaefer_turek_2d1(diameter=diameter, u_max=u_max, length=length, wall=wall,
                                        check_every=check_every)
            results[wall].append(result)
            print(f"  D = {diameter} cells, {wall}: Cd {result.cd:.4f}, Cl {result.cl:.5f}, grid {result.shape[0]} x "
                  f"{result.shape[1]}, u_max {u_max:.4g}, {result.steps} steps, {result.seconds:.0f} s"
                  f"{'' if result.converged else ' (NOT converged)'}", flush=True)
    return results


def observed_orders(rows: list[CylinderResult], diameters: list[int]) -> tuple[list[float | None], float | None]:
    """Order between successive diameters (errors from CD_REF), and the order from the last three drags alone."""
    errors = [abs(row.cd - CD_REF) for row in rows]
    between: list[float | None] = [None]
    for k in range(1, len(rows)):
        ratio = errors[k - 1] / errors[k] if errors[k] > 0 else math.inf
        between.append(math.log(ratio) / math.log(diameters[k] / diameters[k - 1]))
    alone = None
    if len(rows) >= 3 and diameters[-1] * diameters[-3] == diameters[-2] ** 2:
        c1, c2, c3 = (row.cd for row in rows[-3:])
        if (c1 - c2) * (c2 - c3) > 0:
            alone = math.log((c1 - c2) / (c2 - c3)) / math.log(diameters[-2] / diameters[-3])
    return between, alone


def print_table(results: dict[str, list[CylinderResult]], diameters: list[int]) -> None:
    print(f"\nSchaefer & Turek 2D-1, channel length 2.2: drag against {CD_REF:.2f} (published "
          f"{SCHAEFER_TUREK_CD[0]}-{SCHAEFER_TUREK_CD[1]}; lift {SCHAEFER_TUREK_CL[0]}-{SCHAEFER_TUREK_CL[1]})")
    print(f"{'wall':12s} {'D':>4s} {'u_max':>7s} {'steps':>8s} {'Cd':>7s} {'error %':>8s} {'order':>6s} "
          f"{'Cl':>8s} {'mass %':>7s} {'seconds':>8s}")
    for wall, rows in results.items():
        between, alone = observed_orders(rows, diameters)
        for diameter, row, order in zip(diameters, rows, between):
            error = 100 * (row.cd - CD_REF) / CD_REF
            shown = "" if order is None else f"{order:.2f}"
            print(f"{wall:12s} {diameter:4d} {row.u_max:7.4f} {row.steps:8d} {row.cd:7.4f} {error:+8.2f} "
                  f"{shown:>6s} {row.cl:8.5f} {100 * row.mass_gain:+7.3f} {row.seconds:8.0f}")
        if alone is not None:
            print(f"{wall:12s} order from the last three drags alone (no reference value): {alone:.2f}")


def plot_convergence(results: dict[str, list[CylinderResult]], diameters: list[int], path: Path) -> None:
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.0), dpi=120)
    d = np.array(diameters, dtype=float)
    for (wall, rows), marker in zip(results.items(), ("s", "o")):
        errors = np.array([abs(row.cd - CD_REF) / CD_REF * 100 for row in rows])
        label = "half-way bounce-back" if wall == "halfway" else "interpolated bounce-back"
        (line,) = ax.loglog(d, errors, marker=marker, label=label)
        open_ = [k for k, row in enumerate(rows) if not row.converged]
        if open_:  # drawn hollow: the drag at the step cap, not a steady state
            ax.loglog(d[open_], errors[open_], marker, color=line.get_color(), markerfacecolor="white",
                      label=f"{label.split()[0]}: step cap reached, not converged")
        for slope, style in ((1, ":"), (2, "--")):
            if wall == ("halfway" if slope == 1 else "interpolated"):
                ax.loglog(d, errors[0] * (d[0] / d) ** slope, style, color="grey", lw=1,
                          label=f"slope {slope}")
    ax.axhline(0.01 / CD_REF * 100, color="grey", lw=0.8, alpha=0.6)
    ax.text(d[0], 0.01 / CD_REF * 100 * 1.1, "half the published range (+-0.01)", fontsize=7, color="grey")
    ax.set_xlabel("cylinder diameter (cells)")
    ax.set_ylabel("|Cd - 5.58| / 5.58 (%)")
    ax.set_xticks(d, [str(int(v)) for v in d])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    low, high = ax.get_ylim()
    ticks = [t for t in (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50) if low <= t <= high]
    ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_title("Schaefer & Turek 2D-1, drag error (u_max = 0.5 / D)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    print(f"plot saved to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ny", type=int, default=128)
    parser.add_argument("--nx", type=int, default=256)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--numpy-steps", type=int, default=100)
    parser.add_argument("--gpu-steps", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=None, help="numba threads (default: one, then all cores)")
    parser.add_argument("--cylinder", action="store_true", help="also run the Schaefer-Turek convergence study")
    parser.add_argument("--diameters", type=int, nargs="+", default=[10, 20, 40], help="cylinder diameters (cells)")
    parser.add_argument("--u-max", type=float, default=0.05, help="inflow peak at 10 cells (scaled as 10 / D)")
    parser.add_argument("--plot", type=Path, default=None, help="save the convergence plot (PNG) here")
    parser.add_argument("--no-mlups", action="store_true", help="skip the speed measurements")
    args = parser.parse_args()
    if args.threads:
        numba.set_num_threads(args.threads)

    if not args.no_mlups:
        speed(args)
    if args.cylinder:
        diameters = sorted(args.diameters)
        print(f"\nSchaefer & Turek 2D-1 at {diameters} cells, both walls (numba threads: {numba.get_num_threads()})")
        start = time.perf_counter()
        results = cylinder_study(diameters, args.u_max, length=2.2)
        print_table(results, diameters)
        print(f"({time.perf_counter() - start:.0f} s in all)")
        if args.plot:
            plot_convergence(results, diameters, args.plot)


def speed(args: argparse.Namespace) -> None:
    yy, xx = np.mgrid[: args.ny, : args.nx]
    cy, cx, radius = args.ny / 2, args.nx / 4, args.ny / 8
    obstacle = (yy - cy) ** 2 + (xx - cx) ** 2 < radius**2
    compile_s = warm_up()

    threads = [args.threads] if args.threads else sorted({1, numba.get_num_threads()})
    numba_mlups = {}
    interpolated_mlups = {}
    link_q = circle_link_fractions(obstacle, cx, cy, radius)
    for n in threads:
        numba.set_num_threads(n)
        fast = Simulation(obstacle, nu=0.05, u_max=0.1)
        fast.run(10)  # first touch of the buffers
        numba_mlups[n] = mlups(fast, args.steps)
        curved = Simulation(obstacle, nu=0.05, u_max=0.1, wall="interpolated", link_q=link_q)
        curved.run(10)
        interpolated_mlups[n] = mlups(curved, args.steps)
    numpy_mlups = mlups(ReferenceSimulation(obstacle, nu=0.05, u_max=0.1), args.numpy_steps)
    best = max(numba_mlups.values())

    print(f"grid {args.ny} x {args.nx}, D2Q9 TRT, float32, open channel with a disc")
    for n, value in numba_mlups.items():
        print(f"numba : {value:8.1f} MLUPS on {n} thread(s) ({args.steps} steps; compile/cache load {compile_s:.2f} s)")
        print(f"        {interpolated_mlups[n]:8.1f} MLUPS with the interpolated wall on the disc")
    print(f"numpy : {numpy_mlups:8.1f} MLUPS ({args.numpy_steps} steps)")
    print(f"ratio : {best / numpy_mlups:8.1f} x (fastest numba run / numpy)")

    if gpu_available():
        name = cuda.get_current_device().name
        name = name.decode(errors="replace") if isinstance(name, bytes) else name
        for cooperative, how in ((True, "one launch per 100 steps"), (False, "one launch per step")):
            for wall, extra in (("halfway", {}), ("interpolated", dict(wall="interpolated", link_q=link_q))):
                gpu = CudaSimulation(obstacle, nu=0.05, u_max=0.1, **extra)
                gpu.cooperative = cooperative
                start = time.perf_counter()
                gpu.run(10)  # compiles the kernels
                gpu_compile_s = time.perf_counter() - start
                gpu_mlups = mlups(gpu, args.gpu_steps, per_run=100)  # as solve() runs it: 100 steps between checks
                print(f"gpu   : {gpu_mlups:8.1f} MLUPS on {name}, {how}, {wall} wall ({args.gpu_steps} steps; "
                      f"compile {gpu_compile_s:.1f} s); {gpu_mlups / best:.1f} x the CPU")
    else:
        print("gpu   : none found by numba (the CPU solver is what solve() uses here)")


if __name__ == "__main__":
    main()
