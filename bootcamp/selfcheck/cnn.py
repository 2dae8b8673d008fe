"""Self-checks for 04_cnn."""

import numpy as np

from bootcamp.checks import require, run_check


def output_size(size, n=28, k=5, s=2) -> bool:
    """Check the learner's output width for input n, kernel k, stride s, no padding."""
    def body():
        import keras

        value = require(size, "out_size")
        layer = keras.layers.Conv2D(1, k, strides=s, padding="valid")
        expected = layer.compute_output_shape((None, n, n, 1))[1]
        assert value == expected, f"got {value}; use floor((n + 2p - k) / s) + 1 with n={n}, k={k}, s={s}, p=0."
    return run_check("Exercise 2 (output size of a convolution)", body)


def horizontal_edge_kernel(kernel) -> bool:
    def body():
        from scipy.signal import correlate2d

        k = np.asarray(require(kernel, "kernel"), dtype=float)
        assert k.shape == (3, 3), f"the kernel must be 3 x 3, got shape {k.shape}"
        assert abs(k.sum()) < 1e-9, "an edge detector must give 0 on a flat region: make the weights sum to zero."
        horizontal = np.zeros((9, 9))
        horizontal[5:, :] = 1.0                      # bright lower half: a horizontal edge
        vertical = horizontal.T
        on_edge = np.abs(correlate2d(horizontal, k, mode="valid")).max()
        across = np.abs(correlate2d(vertical, k, mode="valid")).max()
        assert on_edge > 1e-6, "the kernel gives no response on a horizontal edge."
        assert across < 0.2 * on_edge, ("it responds to vertical edges too: weights should change from top row "
                                         "to bottom row, and stay the same along each row.")
    return run_check("Exercise 1 (a horizontal-edge kernel)", body)


def conv_parameters(n_params, k=3, c_in=32, c_out=64) -> bool:
    def body():
        value = require(n_params, "n_params")
        expected = k * k * c_in * c_out + c_out
        if value == k * k * c_out + c_out:
            raise AssertionError("each filter spans all input channels: multiply by c_in too.")
        assert value == expected, f"got {value:,}; a filter has k x k x c_in weights, and each filter one bias."
    return run_check("Exercise 3 (parameters of a Conv2D layer)", body)


def most_confused_pair(pair, matrix, class_names) -> bool:
    """Check the (true name, predicted name) pair with the largest off-diagonal count."""
    def body():
        value = require(pair, "most_confused")
        counts = np.array(matrix, dtype=np.int64)
        names = list(class_names)
        assert isinstance(value, (tuple, list)) and len(value) == 2, (
            "give a pair: (name of the true class, name of the predicted class).")
        true_name, predicted_name = value
        if not isinstance(true_name, str) or not isinstance(predicted_name, str):
            raise AssertionError("give the class *names* from CLASS_NAMES, e.g. CLASS_NAMES[i], not the numbers.")
        for name in (true_name, predicted_name):
            assert name in names, f"'{name}' is not one of CLASS_NAMES."
        i, j = names.index(true_name), names.index(predicted_name)
        assert i != j, "that pair is on the diagonal: those are the correct answers. Zero the diagonal first."
        off = counts.copy()
        np.fill_diagonal(off, -1)
        if off[i, j] != off.max() and off[j, i] == off.max():
            raise AssertionError("the right two classes, in the wrong order: rows are the true classes, "
                                 "columns the predictions.")
        assert off[i, j] == off.max(), (f"{off[i, j]} images of class {true_name} were called {predicted_name}, "
                                        f"but another pair has {off.max()}.")
    return run_check("Exercise 4 (the most confused pair)", body)


def challenge(model, x_test, y_test, target: float) -> float:
    """Score a challenge entry on the fixed test set (never train on it!)."""
    if model is None:
        print(f"No entry yet. Build and train `my_model`, then run this cell. Score to beat: {target:.4f}.")
        return float("nan")
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)[:2]
    verdict = "beats" if accuracy > target else "does not beat yet"
    print(f"Your model: test accuracy {accuracy:.4f}, which {verdict} the lesson's best ({target:.4f}).")
    return float(accuracy)
