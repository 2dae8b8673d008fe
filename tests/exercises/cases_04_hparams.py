"""Exercise cases of 04_hparams (see test_exercises.py)."""

import itertools

import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import hparams as check

DEFAULTS = {"units": 64, "dropout": 0.0, "learning_rate": 1e-3, "activation": "relu", "layers": 1}


def context():
    return {"np": np, "itertools": itertools, "check": check, "DEFAULTS": DEFAULTS}


GRID = "def grid(space):\n"
EFFECT = "def main_effect(results, name):\n"

CASES = {
    1: Case(context=context, wrongs=[
        (GRID + "    return [dict(zip(space, values)) for values in zip(*space.values())]", r"position by position"),
        (GRID + "    return [{name: v} for name, values in space.items() for v in values]", r"every hyperparameter"),
        (GRID + "    return list(itertools.product(*space.values()))", r"should be a dictionary"),
    ]),
    2: Case(context=context, wrongs=[
        ("extra = ('units', [16, 256])", r"searched already"),
        ("extra = ('momentum', [0.9, 0.99])", r"does not know 'momentum'"),
        ("extra = ('learning_rate', [0.001])", r"two or three different values"),
        ("extra = ('activation', ['relu', 'swishy'])", r"no activation 'swishy'"),
        ("extra = ('learning_rate', [1, 10])", r"between about 1e-5 and 1e-1"),
    ]),
    3: Case(context=context, wrongs=[
        (EFFECT + "    values = [r['val_accuracy'] for r in results]\n    return max(values) - min(values)",
         r"best trial minus the worst"),
        (EFFECT + "    groups = {}\n    for r in results:\n        groups.setdefault(r[name], []).append(r['val_accuracy'])\n"
                  "    means = [np.mean(v) for v in groups.values()]\n    return means[0] - means[-1]",
         r"negative|highest and the lowest"),
        (EFFECT + "    groups = {}\n    for r in results:\n        groups.setdefault(r[name], []).append(r['val_accuracy'])\n"
                  "    return max(np.mean(v) for v in groups.values())", r"one group's mean"),
    ]),
}
