"""Self-checks for 03_mnist_dense."""

import numpy as np

from bootcamp.checks import close, require, run_check


def dense_parameters(n_params) -> bool:
    def body():
        import keras

        value = require(n_params, "n_params")
        model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(128), keras.layers.Dense(10)])
        expected = model.count_params()
        if value == 784 * 128 + 128 * 10:
            raise AssertionError("you counted the weights but not the biases (one per unit).")
        assert value == expected, f"got {value:,}; count inputs x units + units for each layer."
    return run_check("Exercise 1 (parameters of 784-128-10)", body)


def cross_entropy(loss, probabilities, label) -> bool:
    def body():
        value = require(loss, "loss")
        expected = -np.log(np.asarray(probabilities, dtype=float)[label])
        if np.isclose(value, -np.log10(probabilities[label])):
            raise AssertionError("that is log base 10; Keras (and information theory in nats) uses the natural log, np.log.")
        close(value, expected, "loss", rtol=1e-4)
    return run_check("Exercise 2 (cross-entropy by hand)", body)


def predicted_classes(predicted, probabilities) -> bool:
    def body():
        value = np.asarray(require(predicted, "predicted"))
        expected = np.argmax(probabilities, axis=1)
        assert value.shape == expected.shape, f"expected one class per image, shape {expected.shape}, got {value.shape}"
        mismatches = int((value != expected).sum())
        assert mismatches == 0, f"{mismatches} of {len(expected)} differ: take the index of the largest probability per row."
    return run_check("Exercise 3 (from probabilities to classes)", body)
