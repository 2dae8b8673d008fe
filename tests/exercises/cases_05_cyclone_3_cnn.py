"""Exercise cases of 05_cyclone_3_cnn (see test_exercises.py).

Stand-ins: random predictions and winds for the RMSE, and, for the parameter
count, a model holding just the two layers the exercise asks about, built
with the shapes of Pradhan et al.'s network (built once: its dense layer
alone has 33 million weights).
"""

import functools
from types import SimpleNamespace

import keras
import numpy as np
from exercise_case import Case

from bootcamp.cyclone import scoring
from bootcamp.selfcheck import cyclone


def plain():
    return {"np": np}


def predictions():
    rng = np.random.default_rng(3)
    return {"np": np, "scoring": scoring, "cyclone": cyclone, "predicted": rng.integers(0, 8, 50),
            "validation": SimpleNamespace(wind_kt=rng.uniform(15, 160, 50))}


@functools.cache
def two_layers():
    image, features = keras.Input((232, 232, 3)), keras.Input((6, 6, 256))
    conv1 = keras.layers.Conv2D(64, 10, strides=3, name="conv1")(image)
    dense1 = keras.layers.Dense(3584, name="dense1")(keras.layers.Flatten()(features))
    return keras.Model([image, features], [conv1, dense1])


def network():
    return {"cyclone": cyclone, "pradhan": two_layers()}


CASES = {
    1: Case(context=plain, wrongs=[
        ("def top_k(probabilities, labels, k):\n"
         "    best = np.argsort(probabilities, axis=1)[:, :k]\n"
         "    return float(np.mean((best == labels[:, None]).any(axis=1)))", r"top-1 accuracy"),
        ("def top_k(probabilities, labels, k):\n"
         "    return float(np.mean(probabilities.argmax(axis=1) == labels))", r"top-2 accuracy"),
    ]),
    2: Case(context=predictions, wrongs=[
        ("rmse = float(np.mean(np.abs(scoring.CLASS_CENTRE_KT[predicted] - validation.wind_kt)))", r"absolute"),
        ("rmse = float(np.mean((scoring.CLASS_CENTRE_KT[predicted] - validation.wind_kt) ** 2))", r"expected about"),
        ("rmse = float(np.sqrt(np.mean((predicted - validation.wind_kt) ** 2)))", r"expected about"),
    ]),
    3: Case(context=network, wrongs=[
        ("conv1_params = 10 * 10 * 3 * 64\ndense1_params = 6 * 6 * 256 * 3584 + 3584", r"biases, one per filter"),
        ("conv1_params = 10 * 10 * 64 + 64\ndense1_params = 6 * 6 * 256 * 3584 + 3584", r"all 3 input channels"),
        ("conv1_params = 75 * 75 * 64 * 10 * 10 * 3\ndense1_params = 6 * 6 * 256 * 3584 + 3584",
         r"same filter weights"),
        ("conv1_params = 10 * 10 * 3 * 64 + 64\ndense1_params = 6 * 6 * 256 * 3584", r"biases, one per unit"),
        ("conv1_params = 10 * 10 * 3 * 64 + 64\ndense1_params = 256 * 3584 + 3584", r"flattened"),
    ]),
}
