"""Exercise cases of 08_autoencoders (see test_exercises.py).

Each exercise is a function checked on small made-up arrays, so a case needs
no flow data and no training: the namespace holds NumPy, Keras and the self-check module.
"""

import keras
import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import autoencoders as check


def arrays_and_keras():
    return {"np": np, "keras": keras, "check": check}


CASES = {
    1: Case(context=arrays_and_keras, wrongs=[
        ("def pca_reconstruct(x_train, x, k):\n"
         "    train = x_train.reshape(len(x_train), -1)\n"
         "    _, _, vt = np.linalg.svd(train, full_matrices=False)\n"
         "    return ((x.reshape(len(x), -1) @ vt[:k].T) @ vt[:k]).reshape(x.shape)",
         r"did not centre"),
        ("def pca_reconstruct(x_train, x, k):\n"
         "    train = x_train.reshape(len(x_train), -1)\n"
         "    mean = train.mean(axis=0)\n"
         "    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)\n"
         "    flat = x.reshape(len(x), -1)\n"
         "    own = flat.mean(axis=0)\n"
         "    return (((flat - own) @ vt[:k].T) @ vt[:k] + own).reshape(x.shape)",
         r"its own mean"),
        ("def pca_reconstruct(x_train, x, k):\n"
         "    train = x_train.reshape(len(x_train), -1)\n"
         "    mean = train.mean(axis=0)\n"
         "    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)\n"
         "    return (((x.reshape(len(x), -1) - mean) @ vt[:k].T) @ vt[:k]).reshape(x.shape)",
         r"add the training mean back"),
        ("def pca_reconstruct(x_train, x, k):\n"
         "    train = x_train.reshape(len(x_train), -1)\n"
         "    mean = train.mean(axis=0)\n"
         "    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)\n"
         "    return (((x.reshape(len(x), -1) - mean) @ vt[-k:].T) @ vt[-k:] + mean).reshape(x.shape)",
         r"least variance"),
        ("def pca_reconstruct(x_train, x, k):\n"
         "    train = x_train.reshape(len(x_train), -1)\n"
         "    mean = train.mean(axis=0)\n"
         "    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)\n"
         "    return ((x.reshape(len(x), -1) - mean) @ vt[:k].T) @ vt[:k] + mean",
         r"shape of x"),
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
