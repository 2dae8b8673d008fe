"""Self-checks for 03_mnist_dense."""

import numpy as np

from bootcamp.checks import call_answer, require, run_check


def _log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy_from_logits(mean_cross_entropy) -> bool:
    """Check the learner's mean_cross_entropy(logits, labels) on ordinary and on very large logits."""
    def body():
        rng = np.random.default_rng(3)
        logits = rng.normal(0.0, 2.0, size=(6, 4))
        labels = np.array([0, 3, 1, 1, 2, 3])
        rows = np.arange(len(labels))
        with np.errstate(all="ignore"):
            value = call_answer(mean_cross_entropy, logits.copy(), labels.copy())
            shape = np.shape(value)
            assert shape == (), (f"your function returns an array of shape {shape}: return one number, the mean "
                                 "over the images.")
            value = float(value)
            per_image = -_log_softmax(logits)[rows, labels]
            expected = per_image.mean()
            probabilities = np.exp(_log_softmax(logits))
            if np.isclose(value, expected, rtol=1e-6):
                pass
            elif np.isclose(value, per_image.sum(), rtol=1e-6):
                raise AssertionError("that is the sum over the images; Keras reports the mean.")
            elif np.isclose(value, expected / np.log(10), rtol=1e-6):
                raise AssertionError("that is log base 10; Keras (and information theory in nats) uses the "
                                     "natural log, np.log.")
            elif np.isclose(value, -np.mean(np.log(probabilities[:, labels])), rtol=1e-6):
                raise AssertionError("each image needs the probability of its own label: index the rows with "
                                     "np.arange(len(labels)) and the columns with labels.")
            elif np.isclose(value, -np.mean(np.log((np.exp(logits) / np.exp(logits).sum())[rows, labels])),
                            rtol=1e-6):
                raise AssertionError("softmax normalises each row (each image) on its own: sum over axis=1, "
                                     "with keepdims=True.")
            else:
                raise AssertionError(f"on a small batch your function gives {value:.4f}, Keras {expected:.4f}: "
                                     "softmax of each row, then the mean over the images of -ln p_true.")
            large = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 10.0], [-500.0, -400.0, -450.0]])
            big_labels = np.array([0, 0, 2])
            value = float(call_answer(mean_cross_entropy, large.copy(), big_labels.copy()))
            expected = float(-_log_softmax(large)[np.arange(3), big_labels].mean())
        assert not np.isnan(value), (f"with logits near 1000 your function returns {value}: np.exp overflows to "
                                     "inf, and inf / inf is nan. Subtract each row's largest logit before "
                                     "exponentiating (softmax does not change).")
        assert np.isfinite(value), (f"with logits near 1000 your function returns {value}: a probability rounded "
                                    "to 0, and ln 0 is -inf. Compute ln p from the shifted logits directly, "
                                    "not np.log of a probability.")
        assert np.isclose(value, expected, rtol=1e-6), (
            f"with logits near 1000 your function gives {value:.4f}, Keras {expected:.4f}: a probability that "
            "rounds to 0 has no logarithm, so compute ln p from the shifted logits, not np.log of a probability.")
    return run_check("Exercise 1 (cross-entropy from logits)", body)


def parameter_counter(count_parameters) -> bool:
    """Check the learner's count_parameters(n_inputs, hidden, n_classes) against Keras."""
    def body():
        import keras

        for n_inputs, hidden, n_classes in [(784, (64, 64), 10), (784, (128,), 10), (56 * 56, (64, 64), 10),
                                            (784, (), 10), (20, (5, 7, 3), 4)]:
            value = call_answer(count_parameters, n_inputs, hidden, n_classes)
            model = keras.Sequential([keras.Input(shape=(n_inputs,))]
                                     + [keras.layers.Dense(units) for units in (*hidden, n_classes)])
            expected = model.count_params()
            if value == expected:
                continue
            sizes = [n_inputs, *hidden, n_classes]
            what = f"{' -> '.join(str(n) for n in sizes)}"
            pairs = list(zip(sizes[:-1], sizes[1:]))
            if value == sum(a * b for a, b in pairs):
                raise AssertionError(f"for {what} you count {value:,}: the weights, but not the biases "
                                     "(one per unit).")
            if hidden and value == sum(a * b + b for a, b in pairs[:-1]):
                raise AssertionError(f"for {what} you count {value:,}: the output layer of n_classes units "
                                     "has weights and biases too.")
            if value == sum(n_inputs * b + b for b in sizes[1:]):
                raise AssertionError(f"for {what} you count {value:,}: only the first layer sees the n_inputs "
                                     "inputs; each later layer's inputs are the units of the layer before.")
            raise AssertionError(f"for {what} your function gives {value!r}, Keras counts {expected:,}. Add up "
                                 "n_in x units + units over the layers, from the inputs to the outputs.")
    return run_check("Exercise 2 (count any dense network)", body)


def confident_mistakes(confident_wrong, probabilities, labels, threshold=0.9) -> bool:
    """Check the fraction of images predicted wrongly with a probability above ``threshold``."""
    def body():
        value = require(confident_wrong, "confident_wrong")
        shape = np.shape(value)
        assert shape == (), (f"confident_wrong has shape {shape}: give one number, the fraction of the images.")
        value = float(value)
        p, y = np.asarray(probabilities), np.asarray(labels)
        predicted, confidence = p.argmax(axis=1), p.max(axis=1)
        wrong = predicted != y
        expected = float(np.mean(wrong & (confidence > threshold)))
        if np.isclose(value, expected, rtol=1e-6, atol=1e-9):
            return
        if np.isclose(value, expected * len(y)) and value > 1:
            raise AssertionError(f"{value:g} is a count of images; give the fraction: divide by the number of "
                                 "images (or use np.mean).")
        if np.isclose(value, 100 * expected) and value > 1:
            raise AssertionError("that looks like a percentage; give the fraction, between 0 and 1.")
        if np.isclose(value, np.mean(confidence > threshold)):
            raise AssertionError("that counts every confident answer, right or wrong: keep only those whose "
                                 "predicted digit differs from the label (and take one digit per row: np.argmax "
                                 "without axis=1 gives one number for the whole array).")
        if np.isclose(value, np.mean(wrong & (p[np.arange(len(y)), y] > threshold))):
            raise AssertionError("the probability to compare with the threshold is the one the network gave its "
                                 "own (wrong) answer, the largest in the row, not the true label's.")
        if np.isclose(value, np.mean(wrong)):
            raise AssertionError("that is every mistake; keep only those given a probability above the "
                                 "threshold.")
        raise AssertionError(f"got {value:.4f}. Take the predicted digit of each row (argmax with axis=1) and "
                             "its probability (the row's maximum), then the fraction of images where the digit is "
                             "wrong and the probability is above the threshold.")
    return run_check("Exercise 3 (confident mistakes)", body)


def same_budget(model, budget: int, n_hidden: int = 3, tolerance: float = 0.02) -> bool:
    """Check a dense network on 28 x 28 inputs with ``n_hidden`` equal ReLU layers and about ``budget``
    parameters (within ``tolerance``), and a 10-way softmax output."""
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
        hidden = tuple(layer.units for layer in dense[:-1])
        assert len(hidden) == n_hidden, f"it has {len(hidden)} hidden Dense layers {hidden}; {n_hidden} asked."
        assert len(set(hidden)) == 1, (f"the hidden layers have {hidden} units: make them all the same width, "
                                       "so that the width is the one number to find.")
        for layer in dense[:-1]:
            name = getattr(layer.activation, "__name__", str(layer.activation))
            assert name == "relu", f"hidden layer {layer.name} uses activation '{name}'; use 'relu'."
        count = value.count_params()
        off = count / budget - 1
        assert abs(off) <= tolerance, (
            f"it has {count:,} parameters, {abs(off):.1%} {'more' if off > 0 else 'fewer'} than the baseline's "
            f"{budget:,}: make the layers {'narrower' if off > 0 else 'wider'}. The count is a quadratic in the "
            "width; solve it, or evaluate count_parameters for a few widths.")
    return run_check("Exercise 4 (deeper on the same budget)", body)
