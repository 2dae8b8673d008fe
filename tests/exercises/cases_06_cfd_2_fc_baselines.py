"""Exercise cases of 06_cfd_2_fc_baselines (see test_exercises.py).

Small stand-ins replace the data set: a handful of fake target fields for
Exercise 2, and a 4 x 6 grid for the notebook's own ``make_fc`` in
Exercise 3, so each case runs in about a second.
"""

import ast

import keras
import numpy as np
from exercise_case import Case

from bootcamp.dev.exercises import cell_defining
from bootcamp.selfcheck import cfd

STEM = "06_cfd_2_fc_baselines"


def loss_context():
    return {"np": np, "keras": keras, "cfd": cfd}


def targets():
    rng = np.random.default_rng(5)
    y = rng.normal(0.4, 0.5, size=(4, 6, 8, 2)).astype("float32")   # some values above 1
    y[:, 0, :3, 1] = -1.2                                            # and some below -1
    y[:, 2:4, 3:5] = 0.0                                             # solid cells: exactly zero
    return {"np": np, "cfd": cfd, "y_train": y}


def function_from_notebook(name):
    """The notebook's own ``def name``, without the rest of its cell (which builds and prints models)."""
    source = cell_defining(STEM, name)
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(source, node)


MAKE_FC = function_from_notebook("make_fc")


def small_grid():
    namespace = {"np": np, "keras": keras, "cfd": cfd, "ny": 4, "nx": 6}
    exec(MAKE_FC, namespace)
    return namespace


CASES = {
    1: Case(context=loss_context, wrongs=[
        ("def per_sample_mse(y_true, y_pred):\n    return keras.ops.sum(keras.ops.square(y_true - y_pred))",
         r"that is a sum"),
        ("def per_sample_mse(y_true, y_pred):\n"
         "    return keras.ops.mean(keras.ops.sum(keras.ops.square(y_true - y_pred), axis=(1, 2, 3)))",
         r"summed each sample"),
        ("def per_sample_mse(y_true, y_pred):\n"
         "    return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=(1, 2, 3))",
         r"one number"),
    ]),
    2: Case(context=targets, wrongs=[
        ("relu_misses = np.mean(y_train <= 0)\ntanh_misses = np.mean(np.abs(y_train) >= 1)", r"outputs 0 itself"),
        ("relu_misses = np.sum(y_train < 0)\ntanh_misses = np.sum(np.abs(y_train) >= 1)", r"is a count"),
        ("relu_misses = np.mean(y_train < 0)\ntanh_misses = np.mean(y_train > 1)", r"both sides"),
        ("relu_misses = np.mean(y_train[..., 0] < 0)\ntanh_misses = np.mean(np.abs(y_train) >= 1)",
         r"vx alone"),
    ]),
    3: Case(context=small_grid, wrongs=[
        ("n_in, hidden, n_out = ny * nx * 2, 256, ny * nx * 2\n"
         "n_params = n_in * hidden + hidden * hidden + hidden * n_out", r"biases"),
        ("n_in, hidden, n_out = ny * nx, 256, ny * nx * 2\n"
         "n_params = (n_in * hidden + hidden) + (hidden * hidden + hidden) + (hidden * n_out + n_out)",
         r"two input channels"),
        ("n_in, hidden, n_out = ny * nx * 2, 256, ny * nx * 2\n"
         "n_params = (n_in * hidden + hidden) + (hidden * n_out + n_out)", r"three Dense layers"),
    ]),
}
