"""Exercise cases of 08_autoencoders (see test_exercises.py).

Each exercise is a function checked on small made-up arrays, so a case needs
no flow data and no training: the namespace holds NumPy, Keras and the self-check module.
"""

import keras
import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import autoencoders as check


# a right pca_fit, for the wrong answers whose mistake is in pca_reconstruct
FIT = ("def pca_fit(x_train):\n"
       "    train = x_train.reshape(len(x_train), -1)\n"
       "    mean = train.mean(axis=0)\n"
       "    return mean, np.linalg.svd(train - mean, full_matrices=False)[2]\n")


def arrays_and_keras():
    return {"np": np, "keras": keras, "check": check}


CASES = {
    1: Case(context=arrays_and_keras, wrongs=[
        ("def pca_fit(x_train):\n"
         "    train = x_train.reshape(len(x_train), -1)\n"
         "    return train.mean(axis=0), np.linalg.svd(train, full_matrices=False)[2]\n"
         "def pca_reconstruct(x, mean, components, k):\n"
         "    return ((x.reshape(len(x), -1) @ components[:k].T) @ components[:k]).reshape(x.shape)",
         r"did not centre"),
        (FIT +
         "def pca_reconstruct(x, mean, components, k):\n"
         "    flat = x.reshape(len(x), -1)\n"
         "    own = flat.mean(axis=0)\n"
         "    return (((flat - own) @ components[:k].T) @ components[:k] + own).reshape(x.shape)",
         r"its own mean"),
        (FIT +
         "def pca_reconstruct(x, mean, components, k):\n"
         "    return (((x.reshape(len(x), -1) - mean) @ components[:k].T) @ components[:k]).reshape(x.shape)",
         r"add the training mean back"),
        (FIT +
         "def pca_reconstruct(x, mean, components, k):\n"
         "    return (((x.reshape(len(x), -1) - mean) @ components[-k:].T) @ components[-k:] + mean).reshape(x.shape)",
         r"least variance"),
        (FIT +
         "def pca_reconstruct(x, mean, components, k):\n"
         "    return ((x.reshape(len(x), -1) - mean) @ components[:k].T) @ components[:k] + mean",
         r"shape of x"),
        ("def pca_fit(x_train):\n"
         "    _, _, vt = np.linalg.svd(x_train - x_train.mean(axis=0), full_matrices=False)\n"
         "    return x_train.mean(axis=0), vt\n"
         "def pca_reconstruct(x, mean, components, k):\n"
         "    return x",
         r"pca_fit returned a mean of shape"),
    ]),
    2: Case(context=arrays_and_keras, wrongs=[
        ("def reparameterise(z_mean, z_log_var, epsilon):\n"
         "    return z_mean + z_log_var * epsilon", r"logarithm of the variance"),
        ("def reparameterise(z_mean, z_log_var, epsilon):\n"
         "    return z_mean + keras.ops.exp(z_log_var) * epsilon", r"exp\(z_log_var\) is the variance"),
        ("def reparameterise(z_mean, z_log_var, epsilon):\n"
         "    return z_mean + keras.ops.exp(0.5 * z_log_var)", r"noise epsilon is not used"),
        ("def reparameterise(z_mean, z_log_var, epsilon):\n"
         "    return z_mean + keras.ops.sqrt(z_log_var) * epsilon", r"NaN"),
        ("def reparameterise(z_mean, z_log_var, epsilon):\n"
         "    return np.asarray(z_mean) + np.exp(0.5 * np.asarray(z_log_var)) * np.asarray(epsilon)",
         r"keras\.ops"),
    ]),
    3: Case(context=arrays_and_keras, wrongs=[
        ("def kl_divergence(z_mean, z_log_var):\n"
         "    ops = keras.ops\n"
         "    return 0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)",
         r"sign"),
        ("def kl_divergence(z_mean, z_log_var):\n"
         "    ops = keras.ops\n"
         "    return ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - 1.0 - z_log_var, axis=-1)",
         r"factor 1/2"),
        ("def kl_divergence(z_mean, z_log_var):\n"
         "    ops = keras.ops\n"
         "    return 0.5 * ops.mean(ops.exp(z_log_var) + ops.square(z_mean) - 1.0 - z_log_var, axis=-1)",
         r"take the sum"),
        ("def kl_divergence(z_mean, z_log_var):\n"
         "    ops = keras.ops\n"
         "    return 0.5 * ops.mean(ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - 1.0 - z_log_var, axis=-1))",
         r"one KL per sample"),
        ("def kl_divergence(z_mean, z_log_var):\n"
         "    ops = keras.ops\n"
         "    return 0.5 * ops.sum(z_log_var + ops.square(z_mean) - 1.0 - ops.log(z_log_var), axis=-1)",
         r"log-variance"),
        ("def kl_divergence(z_mean, z_log_var):\n"
         "    m, v = np.asarray(z_mean), np.asarray(z_log_var)\n"
         "    return 0.5 * np.sum(np.exp(v) + m**2 - 1.0 - v, axis=-1)",
         r"keras\.ops"),
    ]),
}
