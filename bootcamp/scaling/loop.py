"""Data, model and the custom training loop of lesson 07, for any ``tf.distribute`` strategy.

The loop is the one lesson 07-2 writes out cell by cell; the worker process
(:mod:`bootcamp.scaling.worker`) imports it from here, so that what a
cluster runs is what the lesson shows. What makes N replicas train exactly
like one:

- **the same global batches**: epoch ``e`` visits the training examples in
  the order ``default_rng([seed, e]).permutation(n)``, cut into global
  batches of ``global_batch`` examples (the last, incomplete one dropped);
- **each replica its slice of every global batch**: input pipeline ``k`` of
  ``K`` takes columns ``k * B/K`` to ``(k + 1) * B/K`` of each batch, and
  splits them among the replicas it feeds;
- **the mean over the global batch**: each replica sums its examples' losses
  and divides by the *global* batch size
  (``tf.nn.compute_average_loss``), and the optimiser all-reduces
  (sums) the replicas' gradients, which gives the gradient of the mean over
  the whole global batch, as one device computes it.

Checkpoints: after every epoch, ``tf.train.CheckpointManager`` saves the
model and the optimiser, numbered by the epochs done. Every worker saves
(the save may need all of them), the chief into the checkpoint folder, the
others into a scratch folder they delete at once. A restarted run restores
the chief's latest checkpoint and goes on from the next epoch, so a killed
job loses at most the epoch it was in.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from typing import Callable

import numpy as np

N_CLASSES = 10


def load_data(kind: str = "synthetic", n_train: int = 4096, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Training inputs (float32, flattened) and labels (int32).

    ``"mnist"``: the first ``n_train`` MNIST training images, scaled to [0, 1]
    (through the course's data layer: cache, mirrors, checksums).
    ``"synthetic"``: ``n_train`` points in 64 dimensions, labelled by a fixed
    random linear teacher; no download, for tests and benchmarks.
    """
    if kind == "mnist":
        from bootcamp.data import load_mnist

        (x, y), _ = load_mnist()
        x = x[:n_train].reshape(min(n_train, len(x)), -1).astype("float32") / 255.0
        return x, y[:n_train].astype("int32")
    if kind == "synthetic":
        rng = np.random.default_rng([seed, 7])
        x = rng.normal(size=(n_train, 64)).astype("float32")
        teacher = rng.normal(size=(64, N_CLASSES)).astype("float32")
        return x, np.argmax(x @ teacher, axis=1).astype("int32")
    raise ValueError(f"unknown data {kind!r}: choose 'mnist' or 'synthetic'")


def build_model(n_features: int, seed: int = 0, hidden: int = 64):
    """A small dense classifier that returns logits (the loss applies the softmax)."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input(shape=(n_features,)),
                             keras.layers.Dense(hidden, activation="relu", name="hidden"),
                             keras.layers.Dense(N_CLASSES, name="logits")], name="dense_classifier")


def epoch_batches(n: int, global_batch: int, seed: int, epoch: int) -> np.ndarray:
    """Example indices of epoch ``epoch``'s global batches, shape (steps, global_batch)."""
    steps = n // global_batch
    if steps == 0:
        raise ValueError(f"{n} examples make no global batch of {global_batch}")
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return order[: steps * global_batch].reshape(steps, global_batch)


def distributed_batches(strategy, x, y, *, global_batch: int, seed: int, epoch: int):
    """The epoch's global batches as a distributed dataset: each input pipeline
    takes its own slice of every global batch (no auto-sharding)."""
    import tensorflow as tf

    batches = epoch_batches(len(x), global_batch, seed, epoch)

    def dataset_fn(context: tf.distribute.InputContext):
        pipes, k = context.num_input_pipelines, context.input_pipeline_id
        width = global_batch // pipes
        mine = batches[:, k * width:(k + 1) * width].reshape(-1)
        per_replica = context.get_per_replica_batch_size(global_batch)
        return tf.data.Dataset.from_tensor_slices((x[mine], y[mine])).batch(per_replica).prefetch(2)

    options = tf.distribute.InputOptions(experimental_fetch_to_device=True)
    return strategy.distribute_datasets_from_function(dataset_fn, options)


def _epochs_done(path: str | None) -> int:
    match = re.search(r"-(\d+)$", path or "")
    return int(match.group(1)) if match else 0


def train(strategy, x, y, *, epochs: int, global_batch: int = 64, learning_rate: float = 0.1, seed: int = 0,
          checkpoint_dir: str | None = None, on_epoch: Callable[[dict], None] | None = None) -> dict:
    """Train :func:`build_model` with plain SGD under ``strategy``; return a dict
    with ``weights`` (list of arrays), ``losses`` (mean training loss of each
    epoch run here), ``resumed_from`` (epochs restored from a checkpoint),
    ``replicas``, ``seconds`` and ``images_per_second`` (epochs after the
    first one run here, which also traces the step; all of them if only one)."""
    import keras
    import tensorflow as tf

    replicas = strategy.num_replicas_in_sync
    if global_batch % replicas:
        raise ValueError(f"the global batch ({global_batch}) must split evenly over {replicas} replicas")
    with strategy.scope():
        model = build_model(x.shape[1], seed=seed)
        optimizer = keras.optimizers.SGD(learning_rate)
        optimizer.build(model.trainable_variables)
    loss_of = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def replica_step(inputs, labels):
        with tf.GradientTape() as tape:
            per_example = loss_of(labels, model(inputs, training=True))
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        return loss

    @tf.function
    def train_step(inputs, labels):
        per_replica = strategy.run(replica_step, args=(inputs, labels))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    manager, scratch, start_epoch = None, None, 0
    if checkpoint_dir:
        resolver = strategy.cluster_resolver
        task_type = getattr(resolver, "task_type", None)
        task_id = getattr(resolver, "task_id", None) or 0
        chief = task_type in (None, "chief") or (task_type == "worker" and task_id == 0)
        checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer)
        latest = tf.train.latest_checkpoint(checkpoint_dir)
        if latest:
            checkpoint.restore(latest).assert_existing_objects_matched()
            start_epoch = _epochs_done(latest)
        scratch = None if chief else os.path.join(checkpoint_dir, f".worker-{task_id}")
        manager = tf.train.CheckpointManager(checkpoint, scratch or checkpoint_dir, max_to_keep=2,
                                             checkpoint_name="epoch")

    losses, timed_seconds, timed_images, start = [], 0.0, 0, time.perf_counter()
    for epoch in range(start_epoch, epochs):
        began = time.perf_counter()
        total, steps = 0.0, 0
        for inputs, labels in distributed_batches(strategy, x, y, global_batch=global_batch, seed=seed, epoch=epoch):
            total += float(train_step(inputs, labels))
            steps += 1
        seconds = time.perf_counter() - began
        if epoch > start_epoch or epochs - start_epoch == 1:
            timed_seconds, timed_images = timed_seconds + seconds, timed_images + steps * global_batch
        losses.append(total / steps)
        saved = False
        if manager is not None:
            manager.save(checkpoint_number=epoch + 1)
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
            saved = True
        if on_epoch:
            on_epoch({"epoch": epoch + 1, "loss": losses[-1], "seconds": seconds, "checkpoint": saved})
    return {"weights": [np.asarray(w) for w in model.get_weights()], "losses": losses, "resumed_from": start_epoch,
            "replicas": replicas, "seconds": time.perf_counter() - start,
            "images_per_second": timed_images / timed_seconds if timed_seconds else float("nan")}
