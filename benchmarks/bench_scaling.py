"""Images per second of lesson 07's ways to go faster, on this machine, from one run.

    python benchmarks/bench_scaling.py                   # full-mode sizes
    python benchmarks/bench_scaling.py --quick           # quick-mode sizes: a first look
    python benchmarks/bench_scaling.py --skip-workers    # no worker processes

Three comparisons, each printed as images per second and the ratio to its
first row:

* **replicas**: ``MirroredStrategy`` over one and over two devices (two GPUs
  when there are two, else the CPU split into two logical devices), the same
  global batch;
* **precision**: float32 against the device's mixed policy
  (``mixed_float16`` on a GPU, ``mixed_bfloat16`` on a CPU);
* **workers**: one and two worker processes of ``python -m
  bootcamp.scaling.worker`` on 127.0.0.1 (``MultiWorkerMirroredStrategy``,
  lesson 07-2's custom loop and its own small model, on the same MNIST
  images), started by ``bootcamp.scaling.launch.run_local_workers``.

The first two run the solution notebook 07_scaling_3_performance's own
cells (its data, model, ``StepTimer``, ``train_and_time`` and
``throughput_with``: a warm-up epoch, then the median step), so the numbers
are those of the code the lesson teaches, at its full or quick sizes. Not a
test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from bench_epoch import in_solutions

from bootcamp.dev.report import cpu_name

ROOT = Path(__file__).resolve().parents[1]
STEM = "07_scaling_3_performance"
# The notebook's code cells to run: all of them before the first that
# contains STOP (the first measurement), plus those that contain one of EXTRA.
STOP = "precision_results = {"
EXTRA = ("def throughput_with",)


def notebook_definitions() -> list[str]:
    """The code cells of the solution notebook that define the measurements."""
    nb = nbformat.read(ROOT / "solutions" / f"{STEM}.ipynb", as_version=4)
    cells, stopped = [], False
    for cell in nb.cells:
        if cell.cell_type != "code" or "colab" in cell.metadata.get("tags", []):
            continue
        stopped = stopped or STOP in cell.source
        if not stopped or any(marker in cell.source for marker in EXTRA):
            cells.append(cell.source)
    return cells


def notebook_namespace() -> dict:
    """Execute the notebook's defining cells; their printed output is kept out of the table."""
    namespace: dict = {"__name__": "__bench__"}
    printed = io.StringIO()
    with in_solutions(), contextlib.redirect_stdout(printed):
        for source in notebook_definitions():
            exec(compile(source, f"{STEM}.ipynb", "exec"), namespace)
    return namespace


def worker_rows(n_train: int, epochs: int, global_batch: int) -> list[tuple[str, str, float, float]]:
    """Images per second of 1 and 2 local worker processes (the same global batch)."""
    from bootcamp.scaling.launch import run_local_workers

    rows, base = [], None
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as scratch:
        for n in (1, 2):
            start = time.perf_counter()
            results = run_local_workers(n, out_dir=Path(scratch) / f"{n}-workers", echo=None,
                                        args=["--epochs", epochs, "--global-batch", global_batch,
                                              "--data", "mnist", "--n-train", n_train])
            wall = time.perf_counter() - start
            # every worker times the same global steps; the job goes at the pace of its slowest worker
            speed = min(result["images_per_second"] for result in results)
            base = base or speed
            rows.append(("workers", f"{n} worker{'s' if n > 1 else ''} ({wall:.0f} s with start-up)", speed,
                         speed / base))
    return rows


def machine() -> str:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name) for gpu in gpus]
        device = f"{len(gpus)} GPU(s): {', '.join(names)}"
    else:
        device = "no GPU"
    return f"{cpu_name()}, {os.cpu_count()} cores, {device}; TensorFlow {tf.__version__}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the notebook's quick-mode sizes")
    parser.add_argument("--skip-workers", action="store_true", help="leave out the worker processes")
    args = parser.parse_args()
    os.environ["BOOTCAMP_QUICK"] = "1" if args.quick else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import matplotlib

    matplotlib.use("Agg")
    started = time.perf_counter()
    ns = notebook_namespace()                   # splits the CPU into two devices first, as the notebook does
    devices, mixed = ns["replica_devices"], ns["mixed_policy"]

    rows = []
    one = ns["throughput_with"](devices[:1])[0]
    two = ns["throughput_with"](devices[:2])[0]
    rows += [("replicas", f"1 replica ({devices[0]})", one, 1.0),
             ("replicas", f"2 replicas ({', '.join(devices[:2])})", two, two / one)]
    print(f"replicas done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    float32 = ns["train_and_time"]("float32")[0]
    low = ns["train_and_time"](mixed)[0]
    rows += [("precision", "float32", float32, 1.0), ("precision", mixed, low, low / float32)]
    print(f"precision done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    if not args.skip_workers:
        rows += worker_rows(n_train=len(ns["x_train"]), epochs=1 + ns["timed_epochs"], global_batch=ns["global_batch"])

    print(f"\n{'comparison':>10}  {'setting':<44} {'images/s':>9} {'ratio':>6} {'efficiency':>10}")
    for group, setting, speed, ratio in rows:
        count = 2 if setting.startswith("2 ") else 1
        efficiency = f"{ratio / count:>10.2f}" if group != "precision" else ""
        print(f"{group:>10}  {setting:<44} {speed:>9,.0f} {ratio:>6.2f} {efficiency}")
    mode = "quick" if args.quick else "full"
    print(f"\n{mode}-mode sizes: {len(ns['x_train']):,} MNIST images; global batch {ns['global_batch']} "
          f"(replicas), batch {ns['batch_size']} (precision); a warm-up epoch, then the median step. Workers: "
          "lesson 07-2's small model (784-64-10) on the same MNIST images and global batch; "
          + ("left out (--skip-workers)." if args.skip_workers else "their own timing (epochs after the first)."))
    print(f"machine: {machine()}; {time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
