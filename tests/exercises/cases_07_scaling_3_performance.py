"""Exercise cases of 07_scaling_3_performance (see test_exercises.py)."""

import platform
from pathlib import Path

import numpy as np
from exercise_case import Case

from bootcamp.dev.exercises import cell_defining
from bootcamp.selfcheck import scaling

STEM = "07_scaling_3_performance"


def notebook_namespace(*names):
    """A namespace holding what the notebook's cells defining ``names`` define."""
    import tensorflow as tf

    namespace = {"np": np, "tf": tf, "Path": Path, "platform": platform, "scaling": scaling}
    for name in names:
        exec(cell_defining(STEM, name), namespace)
    return namespace


def policy_context():
    return notebook_namespace("BF16_FLAGS")          # BF16_FLAGS and this machine's description


def pipeline_context():
    return notebook_namespace()


def log_context():
    return notebook_namespace("colleague_log")


def policy(body: str) -> str:
    return "def choose_policy(device):\n" + "\n".join("    " + line for line in body.strip().splitlines())


RIGHT_CPU = 'return "mixed_bfloat16" if set(device["flags"]) & BF16_FLAGS else "float32"'
RIGHT_GPU = ('if device["type"] == "GPU":\n'
             '    return "mixed_float16" if tuple(device["compute_capability"]) >= (7, 0) else "float32"')


def pipeline(body: str) -> str:
    return ("def augmented_pipeline(images, labels, load, augment, batch_size):\n"
            "    data = tf.data.Dataset.from_tensor_slices((images, labels))\n"
            + "\n".join("    " + line for line in body.strip().splitlines()))


PARALLEL = "num_parallel_calls=tf.data.AUTOTUNE"
END = "return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)"

CASES = {
    1: Case(context=policy_context, wrongs=[
        (policy('return "mixed_float16" if device["type"] == "GPU" else "mixed_bfloat16"'), r"no Tensor Cores"),
        (policy('if device["type"] == "GPU":\n'
                '    return "mixed_float16" if tuple(device["compute_capability"]) > (7, 0) else "float32"\n'
                + RIGHT_CPU), r"\*inclusive\*"),
        (policy('if device["type"] == "GPU":\n'
                '    return "mixed_float16" if device["compute_capability"][0] > 7 else "float32"\n'
                + RIGHT_CPU), r"\*inclusive\*"),
        (policy('if device["type"] == "GPU":\n'
                '    return "mixed_bfloat16" if tuple(device["compute_capability"]) >= (7, 0) else "float32"\n'
                + RIGHT_CPU), r"float16 only"),
        (policy(RIGHT_GPU + '\nreturn "float32"'), r"has bfloat16 instructions"),
        (policy(RIGHT_GPU + '\nreturn "mixed_bfloat16" if "avx512_bf16" in device["flags"] else "float32"'),
         r"the Arm names"),
        (policy(RIGHT_GPU + '\nreturn "mixed_float16" if set(device["flags"]) & BF16_FLAGS else "float32"'),
         r"no fast float16"),
        (policy(RIGHT_GPU + '\nreturn "bfloat16" if set(device["flags"]) & BF16_FLAGS else "float32"'),
         r"use 'mixed_bfloat16'"),
        (policy('if set(device["flags"]) & BF16_FLAGS:\n    return "mixed_bfloat16"\n' + RIGHT_GPU
                + '\nreturn "float32"'), r"raised KeyError"),
    ]),
    2: Case(context=pipeline_context, wrongs=[
        (pipeline(f"data = data.map(load, {PARALLEL}).shuffle(len(images)).map(augment)\n{END}"),
         r"Put \.cache\(\) right after the map of load"),
        (pipeline(f"data = data.cache().map(load, {PARALLEL}).shuffle(len(images)).map(augment)\n{END}"),
         r"Put \.cache\(\) right after the map of load"),
        (pipeline(f"data = data.map(load, {PARALLEL}).map(augment).cache().shuffle(len(images))\n{END}"),
         r"augmentation is frozen"),
        (pipeline(f"data = data.map(load, {PARALLEL}).shuffle(len(images)).cache().map(augment)\n{END}"),
         r"same order"),
        (pipeline(f"data = data.map(load, {PARALLEL}).cache().shuffle(len(images))\n{END}"),
         r"never passed through augment"),
        (pipeline(f"data = data.map(load).cache().shuffle(len(images)).map(augment, {PARALLEL})\n{END}"),
         r"num_parallel_calls"),
        (pipeline(f"data = data.map(load, {PARALLEL}).cache().shuffle(len(images)).map(augment)\n"
                  "return data.batch(batch_size)"), r"prefetch"),
        (pipeline(f"data = data.map(load, {PARALLEL}).cache().shuffle(len(images)).map(augment).repeat()\n{END}"),
         r"no repeat\(\)"),
    ]),
    3: Case(context=log_context, wrongs=[
        ("efficiency = {n: colleague_log[1] / (n * s) for n, s in colleague_log.items()}",
         r"images per second first"),
        ("efficiency = {n: (n * per_gpu_batch / s) / (per_gpu_batch / colleague_log[1]) "
         "for n, s in colleague_log.items()}", r"speed-up"),
        ("efficiency = {n: s / colleague_log[1] for n, s in colleague_log.items()}", r"upside down"),
        ("efficiency = {n: 100 * colleague_log[1] / s for n, s in colleague_log.items()}", r"percentage"),
    ]),
}
