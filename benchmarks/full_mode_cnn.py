"""Train lesson 04's regularised CNN in full mode and print test accuracy.

    python benchmarks/full_mode_cnn.py [--datasets mnist fashion]

Uses the solution notebook's own cells (data preparation, `make_cnn`,
`epochs`) exactly as a workshop runs them, so the printed accuracies are the
full-mode results of the lesson's code; the notebook's learning floors are
0.992 (MNIST) and 0.925 (Fashion-MNIST). On a 2-core CPU this takes tens of
minutes per dataset.
"""

from __future__ import annotations

import argparse
import os
import time

from bench_epoch import namespace_of


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=["mnist", "fashion"], choices=["mnist", "fashion"])
    args = parser.parse_args()
    os.environ["BOOTCAMP_QUICK"] = "0"
    import matplotlib

    matplotlib.use("Agg")
    # everything up to the first training cell, plus the Fashion-MNIST data cell
    ns = namespace_of("04_cnn", "fashion_results, fashion_models = {}, {}",
                      skip=("log_root = bootcamp.logs_dir", "mnist_histories.items()"))
    for name in args.datasets:
        keys = ("train_data", "val_data", "x_test", "y_test") if name == "mnist" else (
            "f_train_data", "f_val_data", "fx_test", "fy_test")
        train, val, x_test, y_test = (ns[k] for k in keys)
        ns["keras"].utils.set_random_seed(42)
        dropout = 0.4 if name == "mnist" else ns["fashion_dropout"]     # as the notebook sets them
        model = ns["make_cnn"]("regularised", dropout=dropout)
        start = time.perf_counter()
        model.fit(train, validation_data=val, epochs=ns["epochs"], verbose=2)
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(x_test, y_test, verbose=0)
        print(f"FULL MODE {name}: regularised CNN, {ns['epochs']} epochs, test accuracy {accuracy:.4f}, "
              f"{seconds / 60:.1f} min training ({seconds / ns['epochs']:.0f} s/epoch)", flush=True)


if __name__ == "__main__":
    main()
