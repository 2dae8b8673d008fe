"""Exercise cases of 08_generative (see test_exercises.py)."""

import keras
import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import generative as check


def context():
    return {"np": np, "keras": keras, "check": check}


ACCURACY = "def conditional_accuracy(probabilities, labels):\n"
WITH_LABEL = "def with_label(x, labels):\n"
BCE = "bce = keras.losses.BinaryCrossentropy(from_logits=True)\n"
RIGHT_D = ("def discriminator_loss(real_logits, fake_logits):\n"
           "    return bce(keras.ops.ones_like(real_logits), real_logits) + bce(keras.ops.zeros_like(fake_logits), fake_logits)\n")
RIGHT_G = "def generator_loss(fake_logits):\n    return bce(keras.ops.ones_like(fake_logits), fake_logits)\n"

CASES = {
    1: Case(context=context, wrongs=[
        (ACCURACY + "    return (np.argmax(probabilities, axis=1) == labels).sum()", r"that is a count"),
        (ACCURACY + "    return float(np.mean(np.max(probabilities, axis=1)))", r"mean confidence"),
        (ACCURACY + "    return float(np.mean(probabilities[np.arange(len(labels)), labels]))",
         r"averages the probability of the requested class"),
        (ACCURACY + "    return float(np.mean(np.argmax(probabilities, axis=0) == labels))", r"axis=1"),
        (ACCURACY + "    return 1 - float(np.mean(np.argmax(probabilities, axis=1) == labels))", r"error rate"),
    ]),
    2: Case(context=context, wrongs=[
        (WITH_LABEL + "    column = keras.ops.expand_dims(keras.ops.cast(labels, x.dtype), -1)\n"
                      "    return keras.ops.concatenate([x, column], axis=-1)", r"one-hot vector of length 10"),
        (WITH_LABEL + "    return keras.ops.concatenate([keras.ops.one_hot(labels, 10), x], axis=-1)",
         r"one-hot label comes first"),
        (WITH_LABEL + "    depth = int(keras.ops.max(labels)) + 1\n"
                      "    return keras.ops.concatenate([x, keras.ops.one_hot(labels, depth)], axis=-1)",
         r"always 10 classes"),
        (WITH_LABEL + "    return keras.ops.concatenate([x, keras.ops.one_hot(labels, 10)], axis=0)",
         r"last axis \(axis=-1\)"),
        (WITH_LABEL + "    return np.concatenate([x, np.eye(10)[np.asarray(labels)]], axis=1)", r"use keras.ops"),
    ]),
    3: Case(context=context, wrongs=[
        (BCE + "def discriminator_loss(real_logits, fake_logits):\n"
               "    return bce(keras.ops.zeros_like(real_logits), real_logits) + bce(keras.ops.ones_like(fake_logits), fake_logits)\n"
         + RIGHT_G, r"labels are swapped"),
        (BCE + "def discriminator_loss(real_logits, fake_logits):\n"
               "    return bce(keras.ops.ones_like(real_logits), real_logits)\n" + RIGHT_G, r"two terms"),
        (BCE + RIGHT_D + "def generator_loss(fake_logits):\n"
                         "    return bce(keras.ops.zeros_like(fake_logits), fake_logits)\n", r"say \*fake\*"),
        (BCE + RIGHT_D + "def generator_loss(fake_logits):\n"
                         "    return -bce(keras.ops.zeros_like(fake_logits), fake_logits)\n", r"minimax"),
        ("bce = keras.losses.BinaryCrossentropy()\n" + RIGHT_D + RIGHT_G, r"from_logits=True"),
        (BCE + RIGHT_D + "def generator_loss(fake_logits):\n"
                         "    return np.mean(np.logaddexp(0.0, -np.asarray(fake_logits)))\n", r"no gradient|NumPy"),
    ]),
}
