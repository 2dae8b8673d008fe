"""Self-checks for 04_cnn."""

import numpy as np

from bootcamp.checks import call_answer, require, run_check


def horizontal_edge_kernel(kernel) -> bool:
    """Check a 3 x 3 kernel that answers dark-above-bright edges positively and ignores vertical ones."""
    def body():
        from scipy.signal import correlate2d

        k = np.asarray(require(kernel, "kernel"), dtype=float)
        assert k.shape == (3, 3), f"the kernel must be 3 x 3, got shape {k.shape}."
        assert abs(k.sum()) < 1e-9, ("an edge detector must give 0 on a flat region: make the weights sum to "
                                     f"zero (yours sum to {k.sum():g}).")
        dark_above = np.zeros((9, 9))
        dark_above[5:, :] = 1.0                      # dark top, bright bottom: a horizontal edge
        vertical = dark_above.T                      # dark left, bright right: a vertical edge
        on_edge = correlate2d(dark_above, k, mode="valid")
        across = np.abs(correlate2d(vertical, k, mode="valid")).max()
        strength = np.abs(on_edge).max()
        assert strength > 1e-6, ("the kernel gives no response on a horizontal edge: its weights must change "
                                 "from the top row to the bottom row.")
        assert across < 0.2 * strength, ("it responds to vertical edges too: the weights should change from the "
                                         "top row to the bottom row, and stay the same along each row.")
        assert on_edge.max() > 0.5 * strength, (
            "the sign is the wrong way round: where the image is dark above and bright below your kernel answers "
            "negative. The kernel is not flipped, so its bottom row meets the pixels below the centre.")
    return run_check("Exercise 1 (a kernel of your own)", body)


def flattened_size(n_flat) -> bool:
    """Check the number of values Flatten receives after Conv2D(8, 5, strides=2), MaxPooling2D(2),
    Conv2D(16, 3, padding='same') on a 28 x 28 x 1 image."""
    def body():
        import keras

        value = require(n_flat, "n_flat")
        layers = [keras.layers.Conv2D(8, 5, strides=2), keras.layers.MaxPooling2D(2),
                  keras.layers.Conv2D(16, 3, padding="same")]
        shape, sides = (None, 28, 28, 1), []
        for layer in layers:
            shape = layer.compute_output_shape(shape)
            sides.append(shape[1])
        channels = shape[-1]
        expected = sides[-1] * sides[-1] * channels
        if value == sides[-1] * sides[-1]:
            raise AssertionError(f"{value} is the pixels of one channel. Flatten lines up every channel: "
                                 "multiply by the number of filters of the last convolution.")
        if value == sides[-1] * sides[-1] * 8:
            raise AssertionError("the channels that reach Flatten are those of the last convolution, which has "
                                 "16 filters, not the first one's 8.")
        if value == (2 * sides[-1]) ** 2 * channels:
            raise AssertionError("one halving too few: the first convolution has stride 2 and the pooling "
                                 "halves width and height too.")
        if value == (sides[-1] - 2) ** 2 * channels:
            raise AssertionError("padding='same' keeps the width at stride 1: the last convolution does not "
                                 "shrink the image.")
        assert value == expected, (f"got {value:,}. Trace the width through each layer with out_width "
                                   "(valid padding: p=0; 'same' with a 3 x 3 kernel: p=1), then multiply "
                                   "width x height x channels.")
    return run_check("Exercise 2 (follow the shapes)", body)


def conv_parameter_count(conv_parameters) -> bool:
    """Check the learner's conv_parameters(k, c_in, c_out) against Keras on several layers."""
    def body():
        import keras

        for k, c_in, c_out in [(3, 1, 16), (3, 32, 64), (5, 3, 8), (1, 64, 32)]:
            value = call_answer(conv_parameters, k, c_in, c_out)
            layer = keras.layers.Conv2D(c_out, k)
            layer.build((None, 12, 12, c_in))
            expected = layer.count_params()
            what = f"Conv2D({c_out}, {k}) on {c_in} input channel{'s' if c_in > 1 else ''}"
            if value == expected:
                continue
            if c_in > 1 and value == k * k * c_out + c_out:
                raise AssertionError(f"for {what} you count {value:,}: each filter looks at a k x k window of "
                                     "every input channel, so its weights grow with c_in.")
            if value == k * k * c_in * c_out:
                raise AssertionError(f"for {what} you count {value:,}: the weights are right, but each filter "
                                     "also adds one bias.")
            raise AssertionError(f"for {what} your function gives {value!r}, Keras counts {expected:,}. Count the "
                                 "weights of one filter first, then multiply by the filters and add the biases.")
    return run_check("Exercise 3 (parameters of a convolution)", body)


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


def challenge(model, x, y, bar: float, *, data: str = "validation") -> None:
    """Score a challenge entry on ``data`` (validation while choosing, test once at the end) against the bar,
    the lesson's chosen model on the same images. Prints the verdict; never trains."""
    if model is None:
        print(f"No entry yet: build and train `my_model` above. The chosen model's {data} accuracy, the score to "
              f"beat: {bar:.4f}.")
        return
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"my_model should be a trained keras.Model, got {type(model).__name__}.")
    probabilities = keras.ops.convert_to_numpy(model.predict(x, batch_size=1000, verbose=0))
    accuracy = float(np.mean(probabilities.argmax(axis=1) == np.asarray(y)))
    verdict = "beats" if accuracy > bar else "does not beat"
    print(f"Your model: {data} accuracy {accuracy:.4f} on {len(y):,} images, which {verdict} the chosen model's "
          f"{bar:.4f}.")
