"""Exercise cases of 07_scaling_1_data_parallel (see test_exercises.py)."""

import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import parallel


def gradients():
    rng = np.random.default_rng(0)
    whole = [rng.normal(size=(20, 16)), rng.normal(size=16), rng.normal(size=(16, 10)), rng.normal(size=10)]
    split = rng.uniform(0.3, 0.7)
    replica_grads = [[w * split for w in whole], [w * (1 - split) for w in whole]]
    return {"np": np, "parallel": parallel, "whole": whole, "replica_grads": replica_grads}


def schedule():
    return {"np": np, "parallel": parallel}


def replicas():
    import types

    import tensorflow as tf

    # the self-check reads only the number of replicas; a real MirroredStrategy would need
    # the CPU split before TensorFlow starts, which this test process cannot promise
    return {"tf": tf, "parallel": parallel, "mirrored": types.SimpleNamespace(num_replicas_in_sync=2),
            "GLOBAL_BATCH": 16, "numbers": tf.data.Dataset.range(64)}


RATE = "def learning_rate_at(step, base_lr, base_batch, global_batch, warmup_steps):\n"

CASES = {
    1: Case(context=gradients, wrongs=[
        ("combined = [(g0 + g1) / 2 for g0, g1 in zip(*replica_grads)]", r"mean of the replicas"),
        ("combined = replica_grads[0]", r"one replica's gradient"),
        ("combined = [g0 * g1 for g0, g1 in zip(*replica_grads)]", r"does not equal"),
        ("combined = np.sum(replica_grads[0][0] + replica_grads[1][0])", r"one array per weight"),
    ]),
    2: Case(context=schedule, wrongs=[
        (RATE + "    return base_lr", r"linear scaling rule"),
        (RATE + "    return base_lr * (global_batch / base_batch) ** 0.5", r"square-root"),
        (RATE + "    return base_lr * global_batch / base_batch", r"step 0 already"),
        (RATE + "    target = base_lr * global_batch / base_batch\n"
                "    return target * min(1, step / warmup_steps) if warmup_steps else target", r"not from zero"),
        (RATE + "    return base_lr * base_batch / global_batch", r"upside down"),
    ]),
    3: Case(context=replicas, wrongs=[
        ("def dataset_fn(context):\n    return numbers.shard(context.num_input_pipelines, "
         "context.input_pipeline_id).batch(GLOBAL_BATCH)", r"the global batch"),
        ("def dataset_fn(context):\n    return numbers.batch(context.get_per_replica_batch_size(GLOBAL_BATCH))",
         r"shard the data"),
        ("def dataset_fn(context):\n    return numbers", r"batch it"),
    ]),
}
