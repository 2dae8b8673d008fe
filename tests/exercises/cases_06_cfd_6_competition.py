"""Exercise cases of 06_cfd_6_competition (see test_exercises.py).

The entry (Exercise 2) works on eight made-up 16 x 32 flows instead of the
data set: the velocity is the inflow profile slowed near a square obstacle,
a map a U-Net learns in a few epochs. The baseline to beat is given as a
validation score of 0.95, about what predicting nothing scores. To keep the
case fast, ``make_unet`` and ``fit`` are the package's with a smaller
network (one level, four filters) and a few large steps instead of the full
recipe, and ``unet4`` (notebook 4's U-Net, which the notebook loads from the
model store) is such a network trained so: the case proves the self-check,
not the entry's score.
"""

from types import SimpleNamespace

import keras
import numpy as np
from exercise_case import Case

import bootcamp
from bootcamp.cfd.flows import mean_relative_l2
from bootcamp.cfd.models import gated_block, make_fc
from bootcamp.cfd.models import make_unet as bootcamp_unet
from bootcamp.selfcheck import cfd


def score_context():
    return {"np": np, "cfd": cfd}


def tiny_flows(n, seed):
    rng = np.random.default_rng(seed)
    ny, nx = 16, 32
    rows = (np.arange(ny) + 0.5) / ny
    profile = np.broadcast_to((4 * rows * (1 - rows))[:, None], (ny, nx))[:, :, None]
    x, y = np.zeros((n, ny, nx, 2), "float32"), np.zeros((n, ny, nx, 2), "float32")
    for i in range(n):
        cy, cx, r = rng.integers(5, 11), rng.integers(6, 14), rng.integers(2, 4)
        yy, xx = np.mgrid[:ny, :nx]
        distance = np.maximum(np.abs(yy - cy), np.abs(xx - cx)) - r
        x[i, ..., 0], x[i, ..., 1] = distance / ny, profile[..., 0]
        y[i, ..., 0] = profile[..., 0] * np.clip(distance / 4, 0, 1)
        y[i, ..., 1] = 0.1 * np.sign(yy - cy) * np.exp(-np.abs(distance) / 3)
    return x, y


def small_unet(grid, filters=8, levels=3, gated=True):
    return bootcamp_unet(grid, filters=4, levels=1, gated=gated)


def short_fit(model, x_train, y_train, x_val, y_val, *, epochs, **settings):
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", run_eagerly=True)   # no tracing
    model.fit(x_train, y_train, epochs=min(epochs, 6), batch_size=len(x_train), verbose=0)


def entry_context():
    x_train, y_train = tiny_flows(8, 0)
    x_val, y_val = tiny_flows(4, 1)
    keras.utils.set_random_seed(0)
    unet4 = small_unet((16, 32))
    short_fit(unet4, x_train, y_train, x_val, y_val, epochs=6)
    return {"unet4": unet4, "unet4_val": mean_relative_l2(unet4.predict(x_val, verbose=0), y_val),
            "np": np, "keras": keras, "bootcamp": bootcamp, "cfd": cfd, "fit": short_fit, "gated_block": gated_block,
            "make_fc": make_fc, "make_unet": small_unet, "mean_relative_l2": mean_relative_l2,
            "x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val, "grid": (16, 32),
            "data": SimpleNamespace(val=SimpleNamespace(inputs=lambda kind="sdf": x_val)), "baseline_val": 0.95}


CASES = {
    1: Case(context=score_context, wrongs=[
        ("def my_score(predicted, true):\n"
         "    return float(np.linalg.norm(predicted - true) / np.linalg.norm(true))", r"per sample"),
        ("def my_score(predicted, true):\n"
         "    n = len(true)\n"
         "    error = np.linalg.norm((predicted - true).reshape(n, -1), axis=1)\n"
         "    return float(np.mean(error / np.linalg.norm(predicted.reshape(n, -1), axis=1)))",
         r"expected about"),
    ]),
    2: Case(context=entry_context, wrongs=[
        ("my_inputs = 'sdf'\n"
         "my_model = make_unet(grid, filters=8, levels=3, gated=True)      # built, but never trained\n"
         "def entry_validation_score():\n"
         "    return mean_relative_l2(my_model.predict(data.val.inputs(my_inputs), verbose=0), y_val)",
         r"does not beat the baseline"),
    ]),
}
