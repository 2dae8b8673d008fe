"""Follow one Schaefer & Turek 2D-1 run check by check: is it settling, or not?

``bench_lbm.py --cylinder`` stops a run when the velocity field changes by
less than a relative 1e-6 between two checks, or at 2,000,000 steps. When a
run reaches that cap, this prints what the stopping test saw along the way
(the relative change of the velocity field over each check) next to the
drag and lift coefficients, so one can tell a drag still drifting from a
field that keeps moving a little round a settled drag.

    python benchmarks/cylinder_trace.py --diameter 40 --wall halfway --checks 125

The inflow peak and the check interval are ``bench_lbm.py``'s
(``validation.diffusive_scaling``: ``u_max = 0.05 x 10 / D``, a check every
``200 (D / 10)^2`` steps), so a row here is a convergence check there.
"""

from __future__ import annotations

import argparse
import time

from bootcamp.cfd.lbm import WALLS, relative_change, warm_up
from bootcamp.cfd.validation import diffusive_scaling, schaefer_turek_setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--diameter", type=int, default=40, help="cylinder diameter (cells)")
    parser.add_argument("--wall", choices=WALLS, default="halfway")
    parser.add_argument("--checks", type=int, default=125, help="convergence checks to run")
    parser.add_argument("--print-every", type=int, default=5, help="print one check in this many")
    parser.add_argument("--length", type=float, default=2.2, help="channel length in units of 0.1 (2.2: published)")
    args = parser.parse_args()
    if args.diameter < 4 or args.checks < 1 or args.print_every < 1:
        parser.error("--diameter must be at least 4, --checks and --print-every at least 1")

    u_max, check_every = diffusive_scaling(args.diameter)
    sim, scale = schaefer_turek_setup(args.diameter, u_max, args.length, args.wall)
    warm_up()
    print(f"Schaefer & Turek 2D-1, {args.wall} wall, D = {args.diameter} cells, grid {sim.ny} x {sim.nx}, "
          f"u_max {u_max:.4g}, a check every {check_every} steps (bench_lbm.py stops below 1e-6)")
    print(f"{'steps':>9} {'change':>9} {'Cd':>9} {'Cl':>9} {'seconds':>8}")
    _, vx_old, vy_old = sim.macroscopic()
    start = time.perf_counter()
    for check in range(1, args.checks + 1):
        sim.run(check_every)
        _, vx, vy = sim.macroscopic()
        change = relative_change(vx, vy, vx_old, vy_old)
        vx_old, vy_old = vx, vy
        if check % args.print_every == 0 or check == args.checks:
            fx, fy = sim.obstacle_force()
            print(f"{sim.steps:9d} {change:9.2e} {fx / scale:9.5f} {fy / scale:9.5f} "
                  f"{time.perf_counter() - start:8.0f}", flush=True)


if __name__ == "__main__":
    main()
