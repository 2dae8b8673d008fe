"""One worker of a data-parallel training: ``python -m bootcamp.scaling.worker``.

Every worker of a job runs this same command. Which worker it is, and who
the others are, comes from its environment:

- ``TF_CONFIG`` (JSON: the cluster's worker addresses and this task's
  index), which :mod:`bootcamp.scaling.launch` sets for workers on one
  machine; without it, one worker alone;
- with ``--slurm``, the variables ``srun`` sets for each task
  (``SLURM_PROCID``, ``SLURM_STEP_NODELIST``, ``SLURM_STEP_TASKS_PER_NODE``,
  ...) through ``SlurmClusterResolver``, one task per node
  (``cluster/train.sbatch``); the workers talk on port ``BOOTCAMP_PORT_BASE``
  (default 15000) and up.

It trains :func:`bootcamp.scaling.loop.train` under a
``MultiWorkerMirroredStrategy``, prints one JSON line per epoch on standard
output (``{"worker": i, "epoch": e, "loss": ..., "checkpoint": true}``), and
writes ``worker-<i>.npz`` (the final weights, plain arrays, no pickle) and
``worker-<i>.json`` (losses, speed, the epoch it resumed from) into
``--out``. With ``--checkpoint-dir`` it saves after every epoch and, started
again, goes on from the last saved epoch.

``model.fit`` is not used: under ``MultiWorkerMirroredStrategy`` in Keras
3.15 it fails ("Attempt to convert a value (PerReplica...)",
keras-team/keras#20585), and the custom loop shows what fit hides.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def make_strategy(slurm: bool = False):
    """A MultiWorkerMirroredStrategy whose cluster comes from Slurm or TF_CONFIG."""
    import tensorflow as tf

    if slurm:
        resolver = tf.distribute.cluster_resolver.SlurmClusterResolver(
            port_base=int(os.environ.get("BOOTCAMP_PORT_BASE", "15000")))
        return tf.distribute.MultiWorkerMirroredStrategy(cluster_resolver=resolver)
    return tf.distribute.MultiWorkerMirroredStrategy()


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bootcamp.scaling.worker", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="folder for worker-<i>.npz and worker-<i>.json")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--global-batch", type=int, default=64, help="examples per step, all workers together")
    parser.add_argument("--lr", type=float, default=0.1, help="SGD learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", choices=("synthetic", "mnist"), default="synthetic")
    parser.add_argument("--n-train", type=int, default=4096)
    parser.add_argument("--checkpoint-dir", type=Path, default=None,
                        help="save after every epoch here; resume from here when started again")
    parser.add_argument("--slurm", action="store_true", help="take the cluster from Slurm's environment")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse(argv)
    strategy = make_strategy(args.slurm)           # first: before any other TensorFlow operation
    import numpy as np

    from bootcamp.scaling import loop

    resolver = strategy.cluster_resolver
    index = getattr(resolver, "task_id", None) or 0
    x, y = loop.load_data(args.data, args.n_train, args.seed)

    def report(progress: dict) -> None:
        print(json.dumps({"worker": index, **progress}), flush=True)

    result = loop.train(strategy, x, y, epochs=args.epochs, global_batch=args.global_batch,
                        learning_rate=args.lr, seed=args.seed,
                        checkpoint_dir=str(args.checkpoint_dir) if args.checkpoint_dir else None, on_epoch=report)
    args.out.mkdir(parents=True, exist_ok=True)
    weights = result.pop("weights")
    np.savez(args.out / f"worker-{index}.npz", *weights)
    summary = {"worker": index, "workers": strategy.num_replicas_in_sync, **result}
    (args.out / f"worker-{index}.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    status = main()
    # Everything is written; skip the interpreter's teardown, which takes TensorFlow seconds
    # (a launcher waits for every worker to exit). An error above still exits the usual way.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
