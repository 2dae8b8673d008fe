"""Full-mode time per epoch of the lessons' networks on this machine.

    python benchmarks/bench_epoch.py            # lessons 03 and 04, full mode

Runs the solution notebook's own cells (so the benchmark times exactly the
code the lesson teaches, with no copy of it here) up to the first training
cell, in full mode, then trains each network for one warm-up step and one
timed epoch on the full training set. Prints seconds per epoch and images
per second. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
# notebook -> (marker of the first cell NOT to run, builders to time)
LESSONS = {
    "03_mnist_dense": ("class EpochTimer", {"dense 64-64": "make_mlp((64, 64))",
                                            "dense 512-512": "make_mlp((512, 512), name='wide')",
                                            "dense 64 x 6": "make_mlp((64,) * 6, name='deep')"}),
    "04_cnn": ("log_root = bootcamp.logs_dir", {"small CNN": "make_cnn('small')",
                                                "deeper CNN": "make_cnn('deeper')",
                                                "regularised CNN": "make_cnn('regularised')"}),
}


def notebook_cells(stem: str, stop: str | None = None, skip: tuple[str, ...] = ()) -> list[str]:
    """The code cells of the solution notebook, in order: those before the
    first one containing ``stop`` (all of them when ``stop`` is None), less
    the Colab cell and any cell containing one of ``skip``."""
    nb = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "colab" in cell.metadata.get("tags", []):
            continue
        if stop is not None and stop in cell.source:
            break
        if not any(marker in cell.source for marker in skip):
            cells.append(cell.source)
    return cells


@contextlib.contextmanager
def in_solutions():
    """Run from solutions/, as the notebook does (its logs land there)."""
    cwd = os.getcwd()
    os.chdir(ROOT / "solutions")
    try:
        yield
    finally:
        os.chdir(cwd)


def namespace_of(stem: str, stop: str, skip: tuple[str, ...] = ()) -> dict:
    """Execute the solution notebook's code cells before the one containing
    ``stop``, leaving out cells containing any of ``skip``."""
    namespace: dict = {"__name__": "__bench__"}
    with in_solutions():
        for source in notebook_cells(stem, stop, skip):
            exec(compile(source, f"{stem}.ipynb", "exec"), namespace)
    return namespace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lessons", nargs="*", default=list(LESSONS))
    args = parser.parse_args()
    os.environ["BOOTCAMP_QUICK"] = "0"
    import matplotlib

    matplotlib.use("Agg")
    rows = []
    for stem in args.lessons:
        stop, builders = LESSONS[stem]
        ns = namespace_of(stem, stop)
        data, n_images = ns["train_data"], len(ns["x_train"])
        for label, expression in builders.items():
            model = eval(expression, ns)
            model.fit(data.take(2), epochs=1, verbose=0)            # build and compile the step first
            start = time.perf_counter()
            model.fit(data, epochs=1, verbose=0)
            seconds = time.perf_counter() - start
            rows.append((stem, label, model.count_params(), seconds, n_images / seconds))
            print(f"{stem:>15} {label:>16}: {seconds:7.1f} s/epoch, {n_images / seconds:8.0f} images/s "
                  f"({n_images:,} images, {model.count_params():,} parameters)", flush=True)
    import tensorflow as tf

    device = "GPU" if tf.config.list_physical_devices("GPU") else f"CPU ({os.cpu_count()} cores)"
    print(f"\nfull mode, one epoch each, on {device}; TensorFlow {tf.__version__}")


if __name__ == "__main__":
    main()
