"""Self-checks for lesson 07's data-parallel notebooks (07_scaling_1 and 07_scaling_2)."""

from __future__ import annotations

import numpy as np

from bootcamp.checks import call_answer, require, run_check


def _matches(answer, expected, rtol=1e-5, atol=1e-7) -> bool:
    return len(answer) == len(expected) and all(
        np.shape(a) == np.shape(e) and np.allclose(a, e, rtol=rtol, atol=atol) for a, e in zip(answer, expected))


# ------------------------------------------------------------------------------ 07_scaling_1_data_parallel

def all_reduce(combined, replica_grads, whole) -> bool:
    """Check the combination of two replicas' gradients (each divided by the global batch) into
    the one-device gradient of the whole batch."""
    def body():
        answer = require(combined, "combined")
        if not isinstance(answer, (list, tuple)):
            raise AssertionError(f"give one array per weight, a list of {len(whole)}, not a {type(answer).__name__}.")
        answer = [np.asarray(a, dtype=float) for a in answer]
        if len(answer) != len(whole):
            raise AssertionError(f"the model has {len(whole)} weight arrays (kernels and biases), so "
                                 f"combined needs {len(whole)} arrays, not {len(answer)}.")
        for a, w in zip(answer, whole):
            if a.shape != np.shape(w):
                raise AssertionError(f"an array of shape {a.shape} where the weight has shape {np.shape(w)}: "
                                     "combine the replicas weight by weight, zip(*replica_grads).")
        if _matches(answer, whole):
            return
        if _matches(answer, [w / 2 for w in whole]):
            raise AssertionError("half the right size: that is the mean of the replicas. Each replica already "
                                 "divided its sum by the *global* batch, so the all-reduce adds them.")
        if any(_matches(answer, grads) for grads in replica_grads):
            raise AssertionError("that is one replica's gradient: its slice holds half the batch, and the "
                                 "update needs both slices.")
        raise AssertionError("combined does not equal the one-device gradient of the whole batch (whole).")
    return run_check("Exercise 1 (the all-reduce)", body)


SCHEDULE_CASES = (  # step, base_lr, base_batch, global_batch, warmup_steps -> rate
    (0, 0.1, 64, 256, 100, 0.1),
    (50, 0.1, 64, 256, 100, 0.25),
    (100, 0.1, 64, 256, 100, 0.4),
    (5000, 0.1, 64, 256, 100, 0.4),
    (30, 0.02, 32, 512, 120, 0.02 + 0.3 * 30 / 120),
    (7, 0.01, 32, 32, 0, 0.01),
)


def learning_rate_schedule(learning_rate_at) -> bool:
    """Check linear scaling (base_lr * global / base batch) with a linear warm-up from base_lr."""
    def body():
        def rate(step, lr, base, glob, warm):
            return float(call_answer(learning_rate_at, step, lr, base, glob, warm))

        after = rate(5000, 0.1, 64, 256, 100)
        if np.isclose(after, 0.1):
            raise AssertionError("after the warm-up the rate is still base_lr: the linear scaling rule multiplies "
                                 "it by global_batch / base_batch (here 256 / 64 = 4).")
        if np.isclose(after, 0.2):
            raise AssertionError("that is square-root scaling (0.1 * sqrt(4)); this exercise uses the linear rule, "
                                 "base_lr * global_batch / base_batch.")
        if np.isclose(after, 0.025):
            raise AssertionError("upside down: a larger batch gets a larger rate, base_lr * global_batch / "
                                 "base_batch.")
        if not np.isclose(after, 0.4):
            raise AssertionError(f"after warm-up, learning_rate_at(5000, 0.1, 64, 256, 100) should be 0.4, got {after}.")
        start = rate(0, 0.1, 64, 256, 100)
        if np.isclose(start, 0.0):
            raise AssertionError("at step 0 the rate is 0: the warm-up here starts from base_lr, the rate the "
                                 "small batch was safe with, not from zero.")
        if np.isclose(start, 0.4):
            raise AssertionError("step 0 already has the full scaled rate: during the first warmup_steps steps it "
                                 "should rise from base_lr towards it.")
        for step, lr, base, glob, warm, expected in SCHEDULE_CASES:
            got = rate(step, lr, base, glob, warm)
            if not np.isclose(got, expected, rtol=1e-6):
                raise AssertionError(f"learning_rate_at({step}, {lr}, {base}, {glob}, {warm}) should be "
                                     f"{expected:.4g}, got {got:.4g}: the warm-up rises in equal steps from base_lr "
                                     "and reaches the scaled rate at step warmup_steps (and warmup_steps=0 means "
                                     "no warm-up).")
    return run_check("Exercise 2 (the learning rate at each step)", body)


def dataset_function(dataset_fn, strategy, global_batch, n_examples: int = 64) -> bool:
    """Check a dataset function for distribute_datasets_from_function: sharded by input pipeline,
    batched at the per-replica size. Tried with one pipeline (this machine) and with two
    (two machines of the same size)."""
    import tensorflow as tf

    def body():
        replicas = strategy.num_replicas_in_sync
        per_replica = global_batch // replicas
        seen = []
        for pipelines in (1, 2):
            for pipeline in range(pipelines):
                context = tf.distribute.InputContext(num_input_pipelines=pipelines, input_pipeline_id=pipeline,
                                                     num_replicas_in_sync=replicas * pipelines)
                dataset = call_answer(dataset_fn, context)
                if not isinstance(dataset, tf.data.Dataset):
                    raise AssertionError(f"dataset_fn must return a tf.data.Dataset, not a {type(dataset).__name__}.")
                batches = [np.asarray(b) for b in dataset]
                if not batches or batches[0].ndim != 1:
                    raise AssertionError("the dataset should give batches (1-D arrays of numbers): batch it.")
                size = len(batches[0])
                if size == global_batch and replicas * pipelines > 1:
                    raise AssertionError(f"batches of {size}, the global batch: every replica would take a whole "
                                         "global batch per step. Batch at context.get_per_replica_batch_size("
                                         "GLOBAL_BATCH).")
                if size != global_batch // (replicas * pipelines):
                    raise AssertionError(f"batches of {size}; with {replicas * pipelines} replicas in sync each takes "
                                         f"{global_batch // (replicas * pipelines)}: use "
                                         "context.get_per_replica_batch_size(GLOBAL_BATCH).")
                if pipelines == 2:
                    seen.append(np.concatenate(batches))
        if len(np.intersect1d(seen[0], seen[1])) == len(seen[0]):
            raise AssertionError("with two input pipelines both read the same numbers: shard the data with "
                                 "numbers.shard(context.num_input_pipelines, context.input_pipeline_id).")
        if sorted(np.concatenate(seen).tolist()) != list(range(n_examples)):
            raise AssertionError("with two input pipelines, together they should read every example exactly once.")
        del per_replica
    return run_check("Exercise 3 (a dataset function)", body)


# ------------------------------------------------------------------------------ 07_scaling_2_multi_worker

def replica_loss(replica_loss_fn) -> bool:
    """Check the loss one replica differentiates: the sum of its examples' losses over the global batch,
    as a TensorFlow tensor the tape can follow."""
    import tensorflow as tf

    def body():
        per_example = tf.Variable([1.0, 2.0, 3.0, 4.0])
        with tf.GradientTape() as tape:
            value = call_answer(replica_loss_fn, per_example, 16)
        if not tf.is_tensor(value):
            raise AssertionError(f"replica_loss returned a {type(value).__name__}; return a TensorFlow tensor "
                                 "(tf.reduce_sum, tf.nn.compute_average_loss), or the tape cannot follow it.")
        number = float(tf.reshape(value, [-1])[0]) if tf.size(value) == 1 else None
        if number is None:
            raise AssertionError(f"replica_loss returned a tensor of shape {tuple(value.shape)}; the loss is one "
                                 "number (a scalar).")
        if np.isclose(number, 2.5):
            raise AssertionError("that is the mean over this replica's slice (10 / 4): the all-reduce *adds* the "
                                 "replicas, so with 2 replicas the gradient would be twice the right one. Divide "
                                 "the slice's sum by the global batch.")
        if np.isclose(number, 10.0):
            raise AssertionError("that is the slice's sum of losses; divide it by the global batch size, so that "
                                 "the sum over replicas is the mean over the global batch.")
        if not np.isclose(number, 10.0 / 16):
            raise AssertionError(f"for per-example losses [1, 2, 3, 4] and a global batch of 16 the loss is "
                                 f"10 / 16 = 0.625, got {number:.4g}.")
        gradient = tape.gradient(value, per_example)
        if gradient is None:
            raise AssertionError("the value is right but the tape cannot differentiate it: use TensorFlow "
                                 "operations on per_example_loss, not NumPy.")
        if not np.allclose(gradient.numpy(), 1.0 / 16):
            raise AssertionError("each example's loss should count with weight 1 / global_batch.")
    return run_check("Exercise 1 (each replica's loss)", body)


RESUME_CASES = ((8, 3, 7), (2, 1, 2), (6, 3, 4), (7, 3, 7), (1, 5, 1), (10, 4, 9), (12, 4, 9))


def resume_epoch(resume_epoch_fn, progress) -> bool:
    """Check the first epoch a restarted job trains, given the epoch a worker died in and the
    checkpoint interval; the lesson's own run (every=1, died during epoch 2) must agree with it."""
    import re

    def body():
        def first(killed_during, every):
            value = call_answer(resume_epoch_fn, killed_during, every)
            if isinstance(value, (bool, np.bool_)) or not float(value).is_integer():
                raise AssertionError(f"resume_epoch should return an epoch number, a whole number, not {value!r}.")
            return int(value)

        for killed_during, every, expected in RESUME_CASES:
            got = first(killed_during, every)
            if got == expected:
                continue
            where = f"resume_epoch({killed_during}, {every})"
            if got == killed_during and expected != killed_during:
                raise AssertionError(f"{where} gave {got}, as if no epoch were lost; but the last checkpoint "
                                     f"before epoch {killed_during} was after epoch {expected - 1}.")
            if got == 1 and expected > 1:
                raise AssertionError(f"{where} gave 1: the job restarts from its last checkpoint, not from nothing.")
            if got == expected - 1:
                raise AssertionError(f"{where} gave {got}: epoch {got} is in the checkpoint already; the restart "
                                     "trains the epoch after the saved one.")
            if killed_during % every == 0 and got == killed_during + 1:
                raise AssertionError(f"{where} gave {got}: epoch {killed_during} did not finish, so its "
                                     "checkpoint was never written; the last one is an interval earlier.")
            raise AssertionError(f"{where} should be {expected}, got {got}: the epoch in progress did not "
                                 "finish; find the last multiple of every before it, and add one.")
        seen = [int(m.group(1)) for line in progress
                for m in [re.match(r"attempt 2, worker 0: epoch (\d+) done", line)] if m]
        if seen and seen[0] != first(2, 1):
            raise AssertionError(f"the run above restarted with epoch {seen[0]}, but resume_epoch(2, 1) gives "
                                 f"{first(2, 1)}.")
    return run_check("Exercise 2 (what a kill costs)", body)
