"""Exercise cases of 04_cnn (see test_exercises.py)."""

import numpy as np
from exercise_case import Case

from bootcamp.dev.exercises import cell_defining
from bootcamp.selfcheck import cnn

STEM = "04_cnn"


def plain():
    return {"np": np, "cnn": cnn}


def hand_convolution():
    from scipy.signal import correlate2d

    namespace = {**plain(), "correlate2d": correlate2d}
    exec(cell_defining(STEM, "convolve"), namespace)        # convolve, the 6 x 6 image, vertical_edge
    return namespace


def shape_formula():
    import keras

    namespace = {**plain(), "keras": keras}
    exec(cell_defining(STEM, "out_width"), namespace)       # out_width, checked against Keras there
    return namespace


def confusion():
    namespace = plain()
    exec(cell_defining(STEM, "CLASS_NAMES"), namespace)
    rng = np.random.default_rng(1)
    matrix = np.diag(rng.integers(80, 100, 10)) + rng.integers(0, 5, (10, 10)) * (1 - np.eye(10, dtype=int))
    matrix[6, 0], matrix[0, 6] = 17, 9                       # shirts called T-shirts: the top pair
    namespace["matrix"] = matrix
    return namespace


ZERO_DIAGONAL = "off = matrix.copy()\nnp.fill_diagonal(off, 0)\n"

CASES = {
    1: Case(context=hand_convolution, wrongs=[
        ("kernel = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=float)", r"sign.*not flipped"),
        ("kernel = vertical_edge", r"no response on a horizontal edge"),
        ("kernel = np.array([[1, 2, 1], [0, 0, 0], [1, 2, 1]], dtype=float)", r"sum to zero"),
    ]),
    2: Case(context=shape_formula, wrongs=[
        ("n_flat = out_width(out_width(28, 5, 2), 2, 2) ** 2", r"multiply by the number of filters"),
        ("n_flat = out_width(out_width(28, 5, 2), 2, 2) ** 2 * 8", r"16 filters"),
        ("n_flat = out_width(28, 5, 2) ** 2 * 16", r"one halving too few"),
        ("n_flat = out_width(out_width(out_width(28, 5, 2), 2, 2), 3) ** 2 * 16", r"padding='same'"),
    ]),
    3: Case(context=plain, wrongs=[
        ("def conv_parameters(k, c_in, c_out):\n    return k * k * c_out + c_out", r"every input channel"),
        ("def conv_parameters(k, c_in, c_out):\n    return k * k * c_in * c_out", r"one bias"),
    ]),
    4: Case(context=confusion, wrongs=[
        (ZERO_DIAGONAL + "i, j = np.unravel_index(off.argmax(), off.shape)\n"
         "most_confused = (CLASS_NAMES[j], CLASS_NAMES[i])", r"wrong order"),
        ("i, j = np.unravel_index(matrix.argmax(), matrix.shape)\n"
         "most_confused = (CLASS_NAMES[i], CLASS_NAMES[j])", r"diagonal"),
        (ZERO_DIAGONAL + "most_confused = np.unravel_index(off.argmax(), off.shape)", r"names"),
    ]),
}
