"""Exercise cases of 02_curve_fitting (see test_exercises.py)."""

import numpy as np
from exercise_case import Case

from bootcamp.dev.exercises import cell_defining

STEM = "02_curve_fitting"


def numpy_only():
    return {"np": np}


def polynomial_tables():
    """The notebook's own polynomial tables, on noisy samples of the notebook's target
    made here (NumPy only, so the case stays fast)."""
    rng = np.random.default_rng(0)
    namespace = {"np": np}
    for part, n in (("train", 240), ("val", 80)):
        x = rng.uniform(-0.5, 0.5, size=(n, 1))
        namespace[f"x_{part}"], namespace[f"y_{part}"] = x, np.sin(10 * x) + 0.1 * rng.normal(size=x.shape)
    exec(cell_defining(STEM, "poly_train_mse"), namespace)
    return namespace


SLOPE = "def slope_at(x, w, b, v):\n    return {}\n"
GLOROT = "def glorot_uniform(fan_in, fan_out, rng):\n    {}\n"
COUNT = "def dense_params(sizes):\n    return {}\n"

CASES = {
    1: Case(context=numpy_only, wrongs=[
        # every unit counted everywhere: forgets that a hinge is off on one side
        (SLOPE.format("np.full(len(x), np.sum(v * w))"), r"switched on"),
        # "on to the right of the kink", wrong for units with negative w
        (SLOPE.format("(x[:, None] > -b / w) @ (v * w)"), r"LEFT of its kink"),
        # the output weight alone as the slope
        (SLOPE.format("(np.outer(x, w) + b > 0) @ v"), r"v_i \* w_i"),
    ]),
    2: Case(context=numpy_only, wrongs=[
        (GLOROT.format("return np.zeros((fan_in, fan_out))"), r"symmetry"),
        (GLOROT.format("return np.full((fan_in, fan_out), 0.01)"), r"symmetry"),
        # L taken as the standard deviation (forgets the uniform's L**2 / 3)
        (GLOROT.format("limit = np.sqrt(2 / (fan_in + fan_out))\n"
                       "    return rng.uniform(-limit, limit, size=(fan_in, fan_out))"), r"L\*\*2 / 3"),
        # He's limit: fan_in only
        (GLOROT.format("limit = np.sqrt(6 / fan_in)\n"
                       "    return rng.uniform(-limit, limit, size=(fan_in, fan_out))"), r"fan_in and fan_out"),
        # a plain uniform on [-1, 1]
        (GLOROT.format("return rng.uniform(-1, 1, size=(fan_in, fan_out))"), r"standard deviation"),
        # Glorot normal instead of uniform
        (GLOROT.format("return rng.normal(0, np.sqrt(2 / (fan_in + fan_out)), size=(fan_in, fan_out))"),
         r"beyond L"),
        # the transposed shape
        (GLOROT.format("limit = np.sqrt(6 / (fan_in + fan_out))\n"
                       "    return rng.uniform(-limit, limit, size=(fan_out, fan_in))"), r"one row per input"),
    ]),
    3: Case(context=dict, wrongs=[
        (COUNT.format("sum(n * u for n, u in zip(sizes[:-1], sizes[1:]))"), r"bias"),
        (COUNT.format("sum(n * u + n for n, u in zip(sizes[:-1], sizes[1:]))"), r"one bias per unit"),
        (COUNT.format("sum(n * u for n, u in zip(sizes[:-1], sizes[1:])) + sum(sizes)"), r"inputs have no biases"),
    ]),
    4: Case(context=polynomial_tables, wrongs=[
        # chosen on the error of the points the model was fitted to
        ("best_order = {n: min(orders, key=lambda o: poly_train_mse[o, n]) for n in sizes}", r"training error"),
        # the largest set only, as one number
        ("best_order = min(orders, key=lambda o: poly_val_mse[o, sizes[-1]])", r"dict"),
        # the highest validation error
        ("best_order = {n: max(orders, key=lambda o: poly_val_mse[o, n]) for n in sizes}", r"lowest validation"),
    ]),
}
