"""Self-checks for 04_hparams."""

from __future__ import annotations

import numpy as np

from bootcamp.checks import call_answer, passes, require, run_check  # noqa: F401 - passes: the notebook calls check.passes


def grid_function(grid) -> bool:
    """Check that grid(space) returns one dictionary per combination of the values."""
    def body():
        space = {"units": [32, 128, 512], "dropout": [0.0, 0.3, 0.5], "activation": ["relu", "tanh"]}
        result = call_answer(grid, space)
        result = list(result)
        if any(not isinstance(item, dict) for item in result):
            raise AssertionError("each combination should be a dictionary, e.g. {'units': 32, 'dropout': 0.0, "
                                 "'activation': 'relu'}.")
        if len(result) == 2 and all(len(item) == 3 for item in result):
            raise AssertionError("2 combinations: that pairs the values up position by position (as zip does); "
                                 "a grid takes every value of one with every value of the others: "
                                 "itertools.product.")
        if any(set(item) != set(space) for item in result):
            raise AssertionError("every dictionary should name every hyperparameter of the space.")
        expected = 3 * 3 * 2
        if len(result) != expected:
            raise AssertionError(f"{len(result)} combinations; 3 x 3 x 2 values make {expected}.")
        if len({tuple(sorted(item.items())) for item in result}) != expected:
            raise AssertionError("some combinations repeat and others are missing.")
        if grid({"a": [1]}) != [{"a": 1}]:
            raise AssertionError("grid({'a': [1]}) should be [{'a': 1}].")
    return run_check("Exercise 1 (every combination)", body)


def usable_extra(extra, defaults, space) -> bool:
    """Whether the learner's extra hyperparameter can join the grid."""
    return (isinstance(extra, tuple) and len(extra) == 2 and extra[0] in defaults and extra[0] not in space
            and isinstance(extra[1], (list, tuple)) and 2 <= len(set(map(repr, extra[1]))) <= 3)


def extra_hyperparameter(extra, defaults, searched=("units", "dropout")) -> bool:
    """Check the added hyperparameter: a name build_model knows, not already searched, 2-3 distinct values
    of the right kind."""
    def body():
        value = require(extra, "extra")
        if not (isinstance(value, tuple) and len(value) == 2):
            raise AssertionError("give a pair: extra = ('name', [value, value]).")
        name, values = value
        if name in searched:
            raise AssertionError(f"{name!r} is searched already; add a different one.")
        if name not in defaults:
            raise AssertionError(f"build_model does not know {name!r}; choose one of "
                                 f"{sorted(set(defaults) - set(searched))}.")
        if not isinstance(values, (list, tuple)) or len(set(map(repr, values))) < 2:
            raise AssertionError("give two or three different values in a list, or the search compares nothing.")
        if len(set(map(repr, values))) > 3:
            raise AssertionError("at most three values: each one multiplies the number of trainings.")
        default = defaults[name]
        for v in values:
            if isinstance(default, str) != isinstance(v, str) or isinstance(v, bool):
                raise AssertionError(f"{name} takes values like {default!r}, not {v!r}.")
        if name == "learning_rate" and not all(1e-5 <= float(v) <= 0.1 for v in values):
            raise AssertionError("learning rates for Adam here lie between about 1e-5 and 1e-1.")
        if name == "layers" and not all(isinstance(v, int) and 1 <= v <= 4 for v in values):
            raise AssertionError("layers is a whole number of hidden layers, 1 to 4 here.")
        if name == "activation":
            import keras

            for v in values:
                try:
                    keras.activations.get(v)
                except (ValueError, TypeError):
                    raise AssertionError(f"Keras has no activation {v!r}.") from None
    return run_check("Exercise 2 (one more hyperparameter)", body)


RESULTS = [
    {"units": 32, "dropout": 0.0, "val_accuracy": 0.80},
    {"units": 32, "dropout": 0.3, "val_accuracy": 0.78},
    {"units": 32, "dropout": 0.6, "val_accuracy": 0.70},
    {"units": 128, "dropout": 0.0, "val_accuracy": 0.84},
    {"units": 128, "dropout": 0.3, "val_accuracy": 0.86},
    {"units": 128, "dropout": 0.6, "val_accuracy": 0.83},
]


def main_effect_function(main_effect) -> bool:
    """Check the main effect: highest minus lowest mean validation accuracy over a hyperparameter's values."""
    def body():
        units = float(call_answer(main_effect, RESULTS, "units"))
        dropout = float(call_answer(main_effect, RESULTS, "dropout"))
        expected_units = np.mean([0.84, 0.86, 0.83]) - np.mean([0.80, 0.78, 0.70])
        expected_dropout = np.mean([0.80, 0.84]) - np.mean([0.70, 0.83])
        if np.isclose(units, 0.86 - 0.70):
            raise AssertionError("that is the best trial minus the worst trial; the main effect compares the "
                                 "*mean* accuracy of the groups of trials that share each value.")
        if np.isclose(units, -expected_units):
            raise AssertionError("negative: take the highest group mean minus the lowest.")
        if np.isclose(units, np.mean([0.84, 0.86, 0.83])) or np.isclose(units, np.mean([0.80, 0.78, 0.70])):
            raise AssertionError("that is one group's mean; the effect is the difference between the highest and "
                                 "the lowest group mean.")
        if not np.isclose(units, expected_units):
            raise AssertionError(f"main_effect(results, 'units') should be {expected_units:.4f}, got {units:.4f}.")
        if not np.isclose(dropout, expected_dropout):
            raise AssertionError(f"with three values (dropout) it should be {expected_dropout:.4f}, got "
                                 f"{dropout:.4f}: compare the highest and the lowest of all the group means.")
    return run_check("Exercise 3 (did it matter?)", body)
