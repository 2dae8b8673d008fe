"""Full-mode targets of the CFD module: held-out error <= 3% and batched inference >= 1000x the solver.

    python benchmarks/full_mode_cfd.py                      # the course's full data set (128 x 256)
    python benchmarks/full_mode_cfd.py --grid 48x96 --samples 1600 --epochs 80   # smaller, on a CPU
    python benchmarks/full_mode_cfd.py --speed-only                              # speed-up at 128 x 256 alone

It runs the notebooks' own package functions: ``load_flows`` (the cached data
set, or a mirror's copy, solved here only if neither has it), the gated U-Net
of notebook 4 (``bootcamp.cfd.models.make_unet``; ``--plain`` for its plain
twin) trained by ``fit`` as in notebooks 5 and 6, the score
``mean_relative_l2`` on the held-out test flows and the unseen aerofoils,
and the time per field of the solver (re-solving some held-out shapes) and
of batched inference, as in notebook 5 (the fastest of ``--repeats`` passes
over the held-out fields, as ``timeit`` takes the minimum: the slower passes
measure other work on the machine).
``--speed-grid 128x256`` also times both on the full grid when the data set
is smaller (the network untrained: its speed does not depend on its weights);
``--speed-only`` does only that timing (default grid 128 x 256).

Without ``--grid``/``--samples`` it uses :func:`bootcamp.cfd.flows.course_spec`
in full mode: 3,400 flows of 128 x 256 cells, many CPU hours to make; make
them first with the sharded command line (``docs/cfd.md``), or point
``BOOTCAMP_MIRRORS`` at a folder holding ``cfd-flows/``. With ``--grid`` and
``--samples`` it makes a smaller data set of the same kind (``--samples``
training flows plus a ninth as many for validation, test and unseen each).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

ERROR_TARGET = 0.03
SPEEDUP_TARGET = 1000.0


def parse_grid(text: str) -> tuple[int, int]:
    try:
        ny, nx = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--grid takes NYxNX such as 64x128, not {text!r}") from None
    if ny % 16 or nx % 16:
        raise argparse.ArgumentTypeError("both grid sizes must be multiples of 16 (four poolings of the U-Net)")
    return ny, nx


def surrogate(grid: tuple[int, int], args):
    """Notebook 4's U-Net as the options choose it (``--filters``, ``--levels``, ``--plain``)."""
    from bootcamp.cfd.models import make_unet

    return make_unet(grid, filters=args.filters, levels=args.levels, gated=not args.plain)


def network_seconds(model, x, args) -> float:
    """Batched inference time per field, timed as the options say (``--predict-batch``, ``--repeats``)."""
    from bootcamp.cfd.models import predict_seconds

    return predict_seconds(model, x, batch_size=args.predict_batch, repeats=args.repeats)


def speed_at(grid: tuple[int, int], spec, args) -> str:
    """Solver and batched-network time per field on another grid, for the speed-up alone."""
    from bootcamp.cfd.dataset import FAMILIES, DatasetSpec, make_sample
    from bootcamp.cfd.flows import FlowSplit, viscosity

    big = DatasetSpec(ny=grid[0], nx=grid[1], n_samples=args.solver_samples, seed=spec.seed + 1, families=FAMILIES,
                      nu=viscosity(grid[0]), u_max=spec.u_max, tol=spec.tol, max_steps=spec.max_steps)
    samples = [make_sample(big, i) for i in range(args.solver_samples)]
    solver = float(np.mean([s["solve_seconds"] for s in samples]))
    steps = int(np.mean([s["steps"] for s in samples]))
    fields = {k: np.stack([s[k] for s in samples]) for k in ("mask", "sdf", "vx", "vy")}
    per_sample = {k: np.array([s[k] for s in samples]) for k in ("family", "steps", "solve_seconds", "converged")}
    split = FlowSplit(name="speed", u_max=spec.u_max, **fields, **per_sample)
    x = np.concatenate([split.inputs("sdf")] * max(1, 256 // len(samples)))
    network = network_seconds(surrogate(grid, args), x, args)
    return (f"grid {grid[0]} x {grid[1]}: solver {solver:.2f} s per field ({len(samples)} solved, {steps} steps "
            f"on average), batched U-Net {1000 * network:.3f} ms per field ({len(x)} fields): speed-up "
            f"{solver / network:,.0f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grid", type=parse_grid, default=None, help="NYxNX, e.g. 64x128 (default: 128x256)")
    parser.add_argument("--samples", type=int, default=None, help="training flows (default: the course's 2,700)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--filters", type=int, default=8, help="filters of the U-Net's first level")
    parser.add_argument("--levels", type=int, default=4)
    parser.add_argument("--plain", action="store_true",
                        help="notebook 4's plain U-Net (one convolution where the gated block has a gate): "
                             "about a third fewer operations per field")
    parser.add_argument("--predict-batch", type=int, default=128, help="batch size of the timed inference")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed inference passes; the fastest counts, as timeit does")
    parser.add_argument("--solver-samples", type=int, default=4, help="held-out shapes to re-solve for timing")
    parser.add_argument("--workers", type=int, default=None, help="processes for making flows")
    parser.add_argument("--speed-grid", type=parse_grid, default=None,
                        help="also time the solver and the batched U-Net at this grid, e.g. 128x256 (an untrained "
                             "network of the same architecture: its speed does not depend on its weights)")
    parser.add_argument("--speed-only", action="store_true",
                        help="only the timing of --speed-grid (default 128x256): no data set, no training")
    args = parser.parse_args()

    os.environ["BOOTCAMP_QUICK"] = "0"  # full mode: course_spec() gives the full data set
    import bootcamp
    from bootcamp.cfd import solve, warm_up
    from bootcamp.cfd.flows import FlowsSpec, course_spec, load_flows, relative_l2, viscosity
    from bootcamp.cfd.models import fit

    bootcamp.setup(seed=42)
    spec = course_spec()
    if args.speed_only:
        print(speed_at(args.speed_grid or (spec.ny, spec.nx), spec, args))
        return 0
    if args.grid or args.samples:
        ny, nx = args.grid or (spec.ny, spec.nx)
        n = args.samples or spec.n_train
        extra = max(8, n // 9)
        spec = FlowsSpec(ny=ny, nx=nx, n_train=n, n_val=extra, n_test=extra, n_unseen=extra, nu=viscosity(ny))
    print(f"data set: {spec}")
    start = time.perf_counter()
    data = load_flows(spec, workers=args.workers)
    print(data.summary())
    print(f"data ready in {time.perf_counter() - start:.0f} s")

    grid = (spec.ny, spec.nx)
    x_train, y_train = data.train.inputs("sdf"), data.train.targets()
    x_val, y_val = data.val.inputs("sdf"), data.val.targets()
    model = surrogate(grid, args)
    print(f"{'plain' if args.plain else 'gated'} U-Net: {model.count_params():,} parameters, {args.epochs} epochs")
    history, seconds = fit(model, x_train, y_train, x_val, y_val, epochs=args.epochs, batch_size=args.batch_size,
                           verbose=2)
    print(f"trained in {seconds:.0f} s; best validation loss {min(history['val_loss']):.3e}")

    results = {}
    for name in ("test", "unseen"):
        split = getattr(data, name)
        results[name] = float(relative_l2(model.predict(split.inputs("sdf"), verbose=0), split.targets()).mean())
    warm_up()
    masks = data.test.mask[: args.solver_samples]
    solver = np.mean([solve(m, nu=spec.nu, u_max=spec.u_max, tol=spec.tol, max_steps=spec.max_steps).seconds
                      for m in masks])
    network = network_seconds(model, np.concatenate([data.test.inputs("sdf"), data.unseen.inputs("sdf")]), args)
    speedup = solver / network

    print()
    print(f"grid {spec.ny} x {spec.nx}, {len(data.train)} training flows")
    print(f"mean relative L2 error, held-out test flows : {results['test']:.2%} (target <= {ERROR_TARGET:.0%})")
    print(f"mean relative L2 error, unseen aerofoils    : {results['unseen']:.2%}")
    print(f"solver {1000 * solver:.1f} ms per field ({len(masks)} re-solved), batched U-Net "
          f"{1000 * network:.3f} ms per field: speed-up {speedup:,.0f}x (target >= {SPEEDUP_TARGET:,.0f}x)")
    met = results["test"] <= ERROR_TARGET and speedup >= SPEEDUP_TARGET
    if args.speed_grid:
        print(speed_at(args.speed_grid, spec, args))
    print("targets met" if met else "targets NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
