"""Exercise cases of 06_cfd_4_unet (see test_exercises.py).

Exercise 2 runs on the notebook's own ``gated_block`` and ``one_block``
cells; the other two need NumPy only.
"""

import keras
import numpy as np
from exercise_case import Case

from bootcamp.dev.exercises import cell_defining
from bootcamp.selfcheck import cfd

STEM = "06_cfd_4_unet"


def numpy_only():
    return {"np": np, "cfd": cfd}


def one_block():
    namespace = {"np": np, "keras": keras, "L": keras.layers, "cfd": cfd}
    exec(cell_defining(STEM, "gated_block"), namespace)
    exec(cell_defining(STEM, "one_block"), namespace)
    return namespace


CASES = {
    1: Case(context=numpy_only, wrongs=[
        ("def gate(a, g):\n    return a * g", r"sigmoid"),
        ("def gate(a, g):\n    return a / (1.0 + np.exp(g))", r"mind the sign"),
        ("def gate(a, g):\n    return 1.0 / (1.0 + np.exp(-g))", r"multiply it by a"),
    ]),
    2: Case(context=one_block, wrongs=[
        ("n_params = 3 * 3 * 8 * 16 + 2 * 3 * 3 * 16 * 16 + 8 * 16", r"biases"),
        ("n_params = (3 * 3 * 8 * 16 + 16) + 2 * (3 * 3 * 16 * 16 + 16)", r"shortcut"),
        ("n_params = (3 * 3 * 8 * 16 + 16) + (3 * 3 * 16 * 16 + 16) + (8 * 16 + 16)", r"two 3 x 3 convolutions"),
        ("n_params = (3 * 3 * 16 + 16) + 2 * (3 * 3 * 16 + 16) + (16 + 16)", r"k \* k \* c_in \* c_out"),
    ]),
    3: Case(context=numpy_only, wrongs=[
        ("def divergence(u):\n"
         "    return (u[:, 2:, 1:-1, 0] - u[:, :-2, 1:-1, 0]) / 2 + (u[:, 1:-1, 2:, 1] - u[:, 1:-1, :-2, 1]) / 2",
         r"last grid axis"),
        ("def divergence(u):\n"
         "    return (u[:, 1:-1, 2:, 0] - u[:, 1:-1, :-2, 0]) + (u[:, 2:, 1:-1, 1] - u[:, :-2, 1:-1, 1])",
         r"divide by 2"),
        ("def divergence(u):\n"
         "    return (u[:, 1:-1, 2:, 0] - u[:, 1:-1, 1:-1, 0]) + (u[:, 2:, 1:-1, 1] - u[:, 1:-1, 1:-1, 1])",
         r"one-sided"),
        ("def divergence(u):\n"
         "    return (u[:, :, 2:, 0] - u[:, :, :-2, 0]) / 2",
         r"interior cells"),
    ]),
}
