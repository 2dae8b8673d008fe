"""Run lesson 04's solution notebook in full mode and report its floors.

    python benchmarks/full_mode_cnn.py            # full mode: the whole lesson, hours on a 2-core CPU
    python benchmarks/full_mode_cnn.py --quick    # quick mode: a smoke test of this script

Executes every code cell of solutions/04_cnn.ipynb in order, exactly as a
workshop runs them (only the Colab cell and TensorBoard's server are left
out): the notebook trains its networks, chooses one per dataset on the
validation images, scores the chosen models once on the test sets and
checks its learning floors. Nothing here computes a result of its own; the
notebook's output streams by (one line per epoch in full mode), and the end
says which floors passed and how long the run took. Exit status 1 when a
floor was missed.

Time: by the epoch times `python benchmarks/bench_epoch.py` measured on a
2-core CPU (2026-11-22), the four MNIST trainings of 15 epochs take about
20 minutes there, and the three Fashion-MNIST ones about as long again
(the ResNet's epochs are not timed by that benchmark); use a GPU if you can.
"""

from __future__ import annotations

import argparse
import os
import time

from bench_epoch import in_solutions, notebook_cells

STEM = "04_cnn"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="run in quick mode (a smoke test of this script)")
    args = parser.parse_args()
    os.environ["BOOTCAMP_QUICK"] = "1" if args.quick else "0"
    os.environ.setdefault("BOOTCAMP_NO_SERVERS", "1")
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict = {"__name__": "__bench__"}
    missed, start = [], time.perf_counter()
    with in_solutions():
        for number, source in enumerate(notebook_cells(STEM, skip=("tensorboard.show(",)), 1):
            try:
                exec(compile(source, f"{STEM}.ipynb, code cell {number}", "exec"), namespace)
            except AssertionError as err:
                if "Learning floor missed" not in str(err):
                    raise
                print(err, flush=True)           # a missed floor ends its cell, the last line of each final cell
                missed.append(str(err))
    minutes = (time.perf_counter() - start) / 60
    mode = "QUICK MODE" if args.quick else "FULL MODE"
    print(f"\n{mode} {STEM}: chose the {namespace['mnist_choice']} CNN (MNIST) and the {namespace['fashion_choice']} "
          f"model (Fashion-MNIST) on validation; test accuracy {namespace['mnist_test_accuracy']:.4f} and "
          f"{namespace['fashion_test_accuracy']:.4f}; {len(missed)} floor(s) missed; {minutes:.1f} min in all")
    raise SystemExit(1 if missed else 0)


if __name__ == "__main__":
    main()
