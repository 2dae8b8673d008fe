"""Why lesson 05_cyclone_3's compact CNN flattens its last maps instead of
pooling them globally: both heads, trained the lesson's way.

    python benchmarks/cyclone_head.py               # the run mode of BOOTCAMP_QUICK (full by default)
    BOOTCAMP_QUICK=1 python benchmarks/cyclone_head.py --seeds 42 1 2

Trains ``models.compact_cnn`` with each head (``flatten``, the lesson's, and
``gap``, global average pooling) with ``models.train_classifier`` and the
run mode's settings on the lessons' training storms, and prints the
validation top-1 after every epoch next to the majority class's. Not a test:
nothing is asserted.
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1])
    parser.add_argument("--epochs", type=int, default=None, help="default: the run mode's (models.settings())")
    args = parser.parse_args()

    import bootcamp

    bootcamp.setup(seed=42)
    import keras
    import numpy as np

    from bootcamp.cyclone import dataset, models

    train, validation, _ = dataset.standard()
    config = models.settings()
    epochs = args.epochs or config["epochs"]
    majority = float(np.mean(validation.labels == np.bincount(train.labels).argmax()))
    print(f"{train.source} frames: {len(train)} training, {len(validation)} validation; width {config['width']}, "
          f"{epochs} epochs; majority class validation top-1 {majority:.3f}")
    for head in ("flatten", "gap"):
        for seed in args.seeds:
            keras.utils.set_random_seed(seed)
            model = models.compact_cnn(width=config["width"], head=head)
            start = time.perf_counter()
            history = models.train_classifier(model, train, validation, epochs=epochs)
            top1 = history.history["val_accuracy"]
            print(f"{head:>8} seed {seed:3d}: validation top-1 by epoch {' '.join(f'{v:.3f}' for v in top1)} "
                  f"({time.perf_counter() - start:.0f} s, {model.count_params():,} parameters)", flush=True)


if __name__ == "__main__":
    main()
