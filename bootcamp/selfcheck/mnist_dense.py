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


def mlp_variant(model, hidden=(256, 128)) -> bool:
    """Check a learner's dense network: 28 x 28 in, the given hidden ReLU layers, 10 softmax out."""
    def body():
        import keras

        value = require(model, "my_mlp")
        assert isinstance(value, keras.Model), f"my_mlp should be a Keras model, got {type(value).__name__}."
        try:
            out = keras.ops.convert_to_numpy(value(np.zeros((2, 28, 28), dtype="float32")))
        except Exception as err:                     # noqa: BLE001 - any failure means a wrong input shape
            raise AssertionError("the model does not accept a batch of 28 x 28 images; start with "
                                 f"keras.Input(shape=(28, 28)) and a Flatten layer ({type(err).__name__}).") from None
        assert out.shape == (2, 10), f"the output should hold 10 numbers per image, got shape {out.shape[1:]}."
        assert np.allclose(out.sum(axis=1), 1.0, atol=1e-4), "the outputs do not sum to 1: use a softmax output layer."
        dense = [layer for layer in value.layers if isinstance(layer, keras.layers.Dense)]
        units = tuple(layer.units for layer in dense)
        wanted = tuple(hidden) + (10,)
        assert units == wanted, f"its Dense layers have {units} units; expected {wanted}."
        for layer in dense[:-1]:
            name = getattr(layer.activation, "__name__", str(layer.activation))
            assert name == "relu", f"hidden layer {layer.name} uses activation '{name}'; use 'relu'."
        sizes = (28 * 28,) + wanted
        expected = sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
        assert value.count_params() == expected, (
            f"it has {value.count_params():,} parameters, expected {expected:,}: only Flatten and Dense layers, "
            "please.")
    return run_check("Exercise 4 (build a variant)", body)
