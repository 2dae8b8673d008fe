"""Full mode of the CFD lessons: run the notebooks' own cells in full mode and report their floors.

    python benchmarks/full_mode_cfd.py                       # notebooks 4 and 5 (notebook 5: held-out error <= 3%,
                                                             # speed-up >= 1000x)
    python benchmarks/full_mode_cfd.py --lessons 06_cfd_4_unet 06_cfd_5_surrogate_vs_solver 06_cfd_6_competition
    python benchmarks/full_mode_cfd.py --speed-only          # solver vs batched U-Net at 128 x 256 alone (minutes)
    python benchmarks/full_mode_cfd.py --grid 64x128         # the same on a coarser grid (a CPU's afternoon)
    python benchmarks/full_mode_cfd.py --grid 64x128 --levels 4   # a trial: notebook 4's U-Nets one level deeper

By default it executes every code cell of ``solutions/<lesson>.ipynb`` in
order, in full mode (``BOOTCAMP_QUICK=0``), as a workshop runs the
notebook: the data set, the network, its training and the measurements are
the notebook's own code, with no copy of it here. Notebook 4 saves its two
U-Nets in the course's model store (``bootcamp.saved``, in the data cache)
and notebooks 5 and 6 load them, so run notebook 4 first (the default
does); without it they train notebook 4's U-Nets themselves. Every learning floor the
notebook checks is reported; a missed floor stops that notebook, as it would
in Jupyter, and the command exits with status 1. At the end it prints each
notebook's floors and recorded metrics.

The notebooks need the course's full data set (``course_spec()`` in full
mode: 128 x 256 cells, 1,600 training flows and 177 each for validation,
test and the unseen aerofoils; notebook 6 also a locked set of 300 flows).
A notebook that finds them neither in the cache nor in a mirror solves them
first: hours on a CPU (make them in shards beforehand, see ``docs/cfd.md``).
Training prints one line per epoch. The networks trained with
``bootcamp.cfd.models.fit`` are backed up after every epoch
(``bootcamp.resume``), so if the command is stopped, running it again goes
on from the last finished epoch of the training it was in and loads the
trainings that had ended (its report then times only the second run; the
training seconds the notebooks print cover the whole of each training).

``--grid NYxNX`` runs the same notebooks on the full-mode data set's sizes,
networks and epochs but another grid (the viscosity chosen for it as for
the full grid, ``viscosity(ny)``): a reduced run, for a machine on which
the full grid's flows and trainings take too long. Its floors are reported
but are not the full-mode floors' conditions (the speed-up in particular
grows with the grid); its data, trained networks and backups go to the
cache like the full grid's, under names of their own.

``--speed-only`` does no training: it times the solver on a few new shapes
and batched inference of an untrained network of notebook 5's architecture,
notebook 4's U-Net (its full-mode filters and levels, gated; ``--plain`` for the plain
one, which notebook 5 chooses when only it is fast enough; the speed of a network does not
depend on its weights) at ``--speed-grid``, with
notebook 5's timing (the fastest of ``--repeats`` passes, as ``timeit`` takes
the minimum: the slower passes measure other work on the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ("06_cfd_4_unet", "06_cfd_5_surrogate_vs_solver", "06_cfd_6_competition")


def parse_grid(text: str) -> tuple[int, int]:
    try:
        ny, nx = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--speed-grid takes NYxNX such as 128x256, not {text!r}") from None
    if ny % 16 or nx % 16:
        raise argparse.ArgumentTypeError("both grid sizes must be multiples of 16 (four poolings of the U-Net)")
    return ny, nx


def run_notebook(path: Path) -> tuple[list[dict], list[dict], BaseException | None]:
    """Execute the code cells of the notebook at ``path`` (all but the Colab cell) in one namespace.

    Returns the floors it checked (name, value, bound, passed), the metrics
    it recorded, and the exception that stopped it (None if it ran to the end).
    """
    import nbformat

    import bootcamp.checks
    from bootcamp.config import METRICS_ENV

    floors: list[dict] = []
    real_floor = bootcamp.checks.floor

    def floor(name, value, *, at_least=None, at_most=None, unit="", seen_in_full_mode=True):
        bound = f">= {at_least:g}" if at_least is not None else f"<= {at_most:g}"
        entry = {"name": name, "value": float(value), "bound": bound, "passed": False}
        floors.append(entry)
        result = real_floor(name, value, at_least=at_least, at_most=at_most, unit=unit,
                            seen_in_full_mode=seen_in_full_mode)
        entry["passed"] = True
        return result

    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__notebook__"}
    cwd, before = os.getcwd(), os.environ.get(METRICS_ENV)
    with tempfile.TemporaryDirectory() as folder:
        metrics = Path(folder) / "metrics.jsonl"
        os.environ[METRICS_ENV] = str(metrics)
        bootcamp.checks.floor = floor      # the notebook's `from bootcamp.checks import floor` gets this one
        os.chdir(path.parent)
        error = None
        try:
            for number, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or "colab" in cell.metadata.get("tags", []):
                    continue
                exec(compile(cell.source, f"{path.name}, cell {number}", "exec"), namespace)
        except Exception as err:  # noqa: BLE001 - reported, as Jupyter would show it
            error = err
        finally:
            os.chdir(cwd)
            bootcamp.checks.floor = real_floor
            if before is None:
                os.environ.pop(METRICS_ENV, None)
            else:
                os.environ[METRICS_ENV] = before
        records = [json.loads(line) for line in metrics.read_text().splitlines()] if metrics.exists() else []
    return floors, records, error


def reduce_grid(ny: int, nx: int) -> None:
    """Make ``course_spec()`` (read by the notebooks' cells and by ``load_locked_set``) give the full-mode
    data set on ``ny x nx`` cells, with the viscosity the full grid's rule gives that many rows."""
    import dataclasses

    from bootcamp.cfd import flows

    full = flows.course_spec()
    reduced = dataclasses.replace(full, ny=ny, nx=nx, nu=flows.viscosity(ny))
    flows.course_spec = lambda: reduced
    print(f"reduced run: the full-mode data set ({full.n_train} training flows) on {ny} x {nx} cells "
          f"instead of {full.ny} x {full.nx} (viscosity {reduced.nu:.4g} instead of {full.nu:.4g})")


def change_levels(levels: int) -> None:
    """Make ``unet_settings()`` (read by notebook 4's cells and by the package's U-Net code that notebooks
    5 and 6 use) give ``levels`` levels: a trial of another depth with the notebooks' own code. The model
    store and the training backups file these U-Nets apart from the usual ones (the settings are in
    their keys)."""
    from bootcamp.cfd import models

    usual = models.unet_settings
    models.unet_settings = lambda: {**usual(), "levels": levels}
    print(f"trial: notebook 4's U-Nets with {levels} levels instead of {usual()['levels']}")


def surrogate(grid: tuple[int, int], args):
    """Notebook 5's surrogate as the options choose it (``--filters``, ``--levels``, ``--plain``)."""
    from bootcamp.cfd.models import make_unet

    return make_unet(grid, filters=args.filters, levels=args.levels, gated=not args.plain)


def speed_at(grid: tuple[int, int], args) -> str:
    """Solver and batched-network time per field on ``grid``, for the speed-up alone."""
    from bootcamp.cfd.dataset import FAMILIES, DatasetSpec, make_sample
    from bootcamp.cfd.flows import FlowSplit, course_spec, viscosity
    from bootcamp.cfd.models import predict_seconds

    spec = course_spec()
    big = DatasetSpec(ny=grid[0], nx=grid[1], n_samples=args.solver_samples, seed=spec.seed + 1, families=FAMILIES,
                      nu=viscosity(grid[0]), u_max=spec.u_max, tol=spec.tol, max_steps=spec.max_steps)
    samples = [make_sample(big, i) for i in range(args.solver_samples)]
    solver = float(np.mean([s["solve_seconds"] for s in samples]))
    steps = int(np.mean([s["steps"] for s in samples]))
    fields = {k: np.stack([s[k] for s in samples]) for k in ("mask", "sdf", "vx", "vy")}
    per_sample = {k: np.array([s[k] for s in samples]) for k in ("family", "steps", "solve_seconds", "converged")}
    split = FlowSplit(name="speed", u_max=spec.u_max, **fields, **per_sample)
    x = np.concatenate([split.inputs("sdf")] * max(1, 256 // len(samples)))
    network = predict_seconds(surrogate(grid, args), x, batch_size=args.predict_batch, repeats=args.repeats)
    return (f"grid {grid[0]} x {grid[1]}: solver {solver:.2f} s per field ({len(samples)} solved, {steps} steps "
            f"on average), batched U-Net {1000 * network:.3f} ms per field ({len(x)} fields): speed-up "
            f"{solver / network:,.0f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lessons", nargs="+", default=["06_cfd_4_unet", "06_cfd_5_surrogate_vs_solver"],
                        choices=LESSONS,
                        help="solution notebooks to run in full mode, in this order")
    parser.add_argument("--grid", type=parse_grid, default=None,
                        help="NYxNX: run the notebooks on this grid instead of the full mode's 128x256 (a reduced run)")
    parser.add_argument("--speed-only", action="store_true",
                        help="only time the solver and batched inference at --speed-grid: no data set, no training")
    parser.add_argument("--speed-grid", type=parse_grid, default=(128, 256), help="NYxNX for --speed-only")
    parser.add_argument("--filters", type=int, default=None,
                        help="--speed-only: filters of the U-Net's first level (default: notebook 4's in full mode)")
    parser.add_argument("--levels", type=int, default=None,
                        help="levels of the U-Net (default: notebook 4's); in a run of the notebooks, a trial of "
                             "notebook 4's U-Nets with this many levels instead")
    parser.add_argument("--plain", action="store_true", help="--speed-only: notebook 4's plain block instead")
    parser.add_argument("--predict-batch", type=int, default=128, help="--speed-only: batch size of the inference")
    parser.add_argument("--repeats", type=int, default=5, help="--speed-only: timed passes; the fastest counts")
    parser.add_argument("--solver-samples", type=int, default=4, help="--speed-only: new shapes to solve")
    args = parser.parse_args()

    os.environ["BOOTCAMP_QUICK"] = "0"
    import matplotlib

    matplotlib.use("Agg")
    import bootcamp

    if args.speed_only:
        bootcamp.setup(seed=42, verbose=False)
        print(speed_at(args.speed_grid, args))
        return 0

    if args.grid is not None:
        reduce_grid(*args.grid)
    if args.levels is not None:
        change_levels(args.levels)
    results = {}
    for stem in args.lessons:
        print(f"\n=== {stem}, full mode ===", flush=True)
        start = time.perf_counter()
        results[stem] = (*run_notebook(ROOT / "solutions" / f"{stem}.ipynb"), time.perf_counter() - start)
    print()
    ok = True
    for stem, (floors, records, error, seconds) in results.items():
        print(f"{stem}: {seconds / 60:.0f} min" + (f", stopped by {type(error).__name__}: {error}" if error else ""))
        for f in floors:
            print(f"  floor  {f['name']} = {f['value']:.4g} ({f['bound']}): {'passed' if f['passed'] else 'MISSED'}")
        floor_names = {f["name"] for f in floors}
        for r in records:
            if r["name"] not in floor_names:
                print(f"  record {r['name']} = {r['value']:.4g}{(' ' + r['unit']) if r['unit'] else ''}")
        ok = ok and error is None and all(f["passed"] for f in floors)
    if args.grid is not None:
        print(f"(a reduced run on {args.grid[0]} x {args.grid[1]} cells, not the full mode's 128 x 256)")
    if args.levels is not None:
        print(f"(a trial: notebook 4's U-Nets with {args.levels} levels, not the notebook's own setting)")
    print("every floor passed" if ok else "NOT every floor passed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
