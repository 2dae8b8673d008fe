"""Exercise cases of 01_linear_regression (see test_exercises.py).

Every context runs the notebook's own data cell, so the exercises meet the
same 50 training points as in the lesson (no model is trained: fast).
"""

import numpy as np

from bootcamp.dev.exercises import cell_defining
from exercise_case import Case

STEM = "01_linear_regression"


def data():
    namespace = {"np": np}
    exec(cell_defining(STEM, "x_train"), namespace)
    return namespace


def with_gradient_descent():
    import tensorflow as tf

    namespace = {**data(), "tf": tf}
    exec(cell_defining(STEM, "line_gradient"), namespace)        # also checks the hand gradient on a tape
    exec(cell_defining(STEM, "gradient_descent"), namespace)
    return namespace


CLOSED_FORM_WITHOUT_N = """
xs, ys = x_train.ravel(), y_train.ravel()
A = np.array([[np.sum(xs * xs), np.sum(xs)], [np.sum(xs), 1.0]])   # the sum of b over N points is not b
c = np.array([np.sum(xs * ys), np.sum(ys)])
slope_cf, intercept_cf = np.linalg.solve(A, c)
"""

CLOSED_FORM_SWAPPED = """
xs, ys = x_train.ravel(), y_train.ravel()
A = np.array([[np.sum(xs * xs), np.sum(xs)], [np.sum(xs), len(xs)]])
c = np.array([np.sum(xs * ys), np.sum(ys)])
intercept_cf, slope_cf = np.linalg.solve(A, c)                     # unpacked in the wrong order
"""

NEURON = """
def neuron_gradient(w, b, v, x, y):
    z = w * x + b
    h = np.tanh(z)
    residual = {residual}
    dL_dyhat = {factor} * residual / residual.size
    dL_dv = np.sum(dL_dyhat * h)
    dL_dz = dL_dyhat * v{tanh}
    return np.sum(dL_dz * x), np.sum(dL_dz), dL_dv
"""
RIGHT = {"residual": "v * h - y", "factor": "2", "tanh": " * (1 - h**2)"}

HESSIAN = """
xs = x_train.ravel()
H = np.array([[{f} * np.mean(xs * xs), {f} * np.mean(xs)], [{f} * np.mean(xs), {f}]])
lr_max = {top} / np.linalg.eigvalsh(H).{which}()
"""

MOMENTUM = """
def momentum_step(params, grad, state, lr, beta=0.9):
    {body}
"""

CASES = {
    1: Case(context=data, wrongs=[
        (CLOSED_FORM_WITHOUT_N, r"gradient is .*not zero.*N\*b"),
        (CLOSED_FORM_SWAPPED, r"not zero"),
    ]),
    2: Case(context=data, wrongs=[
        (NEURON.format(**{**RIGHT, "factor": "1"}), r"derivative of r\*\*2 is 2\*r"),
        (NEURON.format(**{**RIGHT, "residual": "y - v * h"}), r"sign is flipped"),
        (NEURON.format(**{**RIGHT, "tanh": ""}), r"skip tanh's own derivative"),
        (NEURON.format(**{**RIGHT, "tanh": " * (1 - z**2)"}), r"dL/dv is right"),
    ]),
    3: Case(context=with_gradient_descent, wrongs=[
        (HESSIAN.format(f="1.0", top="2", which="max"), r"loss grows.*factor 2"),      # second derivatives without the 2
        (HESSIAN.format(f="2.0", top="1", which="max"), r"2\.0 times higher.*overshoot"),   # 1/lambda: no overshoot allowed
        (HESSIAN.format(f="2.0", top="2", which="min"), r"largest curvature"),         # the flat direction's limit
        ("lr_max = 0.02", r"times higher"),                                             # the rate that merely worked
    ]),
    4: Case(context=data, wrongs=[
        (MOMENTUM.format(body="velocity = -lr * grad\n    return params + velocity, {'velocity': velocity}"),
         r"plain gradient descent"),
        (MOMENTUM.format(body="velocity = beta * state.get('velocity', 0.0) + lr * grad\n"
                              "    return params + velocity, {'velocity': velocity}"), r"loss goes up"),
        (MOMENTUM.format(body="velocity = beta * state.get('velocity', 0.0) + (1 - beta) * grad\n"
                              "    return params - lr * velocity, {'velocity': velocity}"), r"average of the gradients"),
        (MOMENTUM.format(body="old = state.get('velocity', 0.0)\n"          # moves by the old velocity
                              "    return params + old, {'velocity': beta * old - lr * grad}"), r"after step 1"),
    ]),
}
