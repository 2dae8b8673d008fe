"""Exercise cases of 07_scaling_2_multi_worker (see test_exercises.py)."""

import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import parallel


def tensorflow():
    import tensorflow as tf

    return {"tf": tf, "np": np, "parallel": parallel}


def killed_run():
    # what the launcher printed for a job whose worker 1 died after the chief saved epoch 1
    progress = ["attempt 1, worker 0: epoch 1 done, loss 2.3, checkpoint saved",
                "attempt 1, worker 1: epoch 1 done, loss 2.3, checkpoint saved",
                "attempt 1: worker 1 killed after epoch 1; the job fails, and the other workers are stopped",
                "attempt 2, worker 1: epoch 2 done, loss 1.8, checkpoint saved",
                "attempt 2, worker 0: epoch 2 done, loss 1.8, checkpoint saved"]
    return {"parallel": parallel, "progress": progress}


LOSS = "def replica_loss(per_example_loss, global_batch):\n"

CASES = {
    1: Case(context=tensorflow, wrongs=[
        (LOSS + "    return tf.reduce_mean(per_example_loss)", r"mean over this replica's slice"),
        (LOSS + "    return tf.reduce_sum(per_example_loss)", r"divide it by the global batch"),
        (LOSS + "    return np.sum(per_example_loss.numpy()) / global_batch", r"return a TensorFlow tensor"),
        (LOSS + "    return per_example_loss / global_batch", r"one number"),
    ]),
    2: Case(context=killed_run, wrongs=[
        ("def resume_epoch(killed_during, every):\n    return killed_during", r"as if no epoch were lost"),
        ("def resume_epoch(killed_during, every):\n    return (killed_during - 1) // every * every",
         r"in the checkpoint already"),
        ("def resume_epoch(killed_during, every):\n    return killed_during // every * every + 1",
         r"did not finish, so its checkpoint"),
        ("def resume_epoch(killed_during, every):\n    return 1", r"not from nothing"),
    ]),
}
