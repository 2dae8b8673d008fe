"""Self-checks of lessons 03 and 04: right -> True, starter -> False, wrong -> hint."""

import numpy as np
import pytest

from bootcamp.selfcheck import cnn, mnist_dense


def _log_softmax_mean(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    return -np.mean((z - np.log(np.exp(z).sum(axis=1, keepdims=True)))[np.arange(len(labels)), labels])


def test_cross_entropy_from_logits():
    def not_written(logits, labels):
        raise NotImplementedError

    def scipy_version(logits, labels):                      # another correct answer
        from scipy.special import log_softmax
        return -log_softmax(logits, axis=1)[np.arange(len(labels)), labels].mean()

    assert mnist_dense.cross_entropy_from_logits(not_written) is False
    assert mnist_dense.cross_entropy_from_logits(_log_softmax_mean) is True
    assert mnist_dense.cross_entropy_from_logits(scipy_version) is True
    with pytest.raises(AssertionError, match="sum over the images"):
        mnist_dense.cross_entropy_from_logits(lambda z, y: _log_softmax_mean(z, y) * len(y))
    with pytest.raises(AssertionError, match="Keras"):
        mnist_dense.cross_entropy_from_logits(lambda z, y: 1.0)


def test_parameter_counter():
    def right(n_inputs, hidden, n_classes=10):
        sizes = [n_inputs, *hidden, n_classes]
        return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))

    def no_biases(n_inputs, hidden, n_classes=10):
        sizes = [n_inputs, *hidden, n_classes]
        return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))

    assert mnist_dense.parameter_counter(lambda *args: None) is False
    assert mnist_dense.parameter_counter(right) is True
    with pytest.raises(AssertionError, match="biases"):
        mnist_dense.parameter_counter(no_biases)
    with pytest.raises(AssertionError, match="Keras counts 55,050"):
        mnist_dense.parameter_counter(lambda *args: 7)


def test_confident_mistakes():
    probs = np.array([[0.95, 0.05], [0.05, 0.95], [0.6, 0.4], [0.02, 0.98], [0.97, 0.03]])
    labels = np.array([1, 1, 1, 0, 0])          # rows 0 and 3: confident mistakes; row 2: a shy one
    assert mnist_dense.confident_mistakes(None, probs, labels) is False
    assert mnist_dense.confident_mistakes(0.4, probs, labels) is True
    assert mnist_dense.confident_mistakes(np.float32(0.4), probs, labels) is True
    with pytest.raises(AssertionError, match="that is every mistake"):
        mnist_dense.confident_mistakes(0.6, probs, labels)
    with pytest.raises(AssertionError, match="right or wrong"):
        mnist_dense.confident_mistakes(0.8, probs, labels)
    with pytest.raises(AssertionError, match="percentage"):
        mnist_dense.confident_mistakes(40.0, probs, labels)
    with pytest.raises(AssertionError, match="count of images"):
        mnist_dense.confident_mistakes(2, probs, labels)
    with pytest.raises(AssertionError, match="one number"):
        mnist_dense.confident_mistakes(np.array([1, 0, 0, 1, 0]), probs, labels)


def test_edge_kernel():
    sobel_y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float)
    prewitt_y = np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], dtype=float)
    assert cnn.horizontal_edge_kernel(None) is False
    assert cnn.horizontal_edge_kernel(sobel_y) is True
    assert cnn.horizontal_edge_kernel(prewitt_y) is True
    with pytest.raises(AssertionError, match="no response on a horizontal edge"):
        cnn.horizontal_edge_kernel(sobel_y.T)
    with pytest.raises(AssertionError, match="vertical edges too"):
        cnn.horizontal_edge_kernel(sobel_y + sobel_y.T)
    with pytest.raises(AssertionError, match="sign is the wrong way round"):
        cnn.horizontal_edge_kernel(-sobel_y)
    with pytest.raises(AssertionError, match="sum to zero"):
        cnn.horizontal_edge_kernel(np.ones((3, 3)) / 9)
    with pytest.raises(AssertionError, match="3 x 3"):
        cnn.horizontal_edge_kernel(np.ones((2, 2)))


def test_flattened_size_and_conv_parameters():
    assert cnn.flattened_size(None) is False
    assert cnn.flattened_size(6 * 6 * 16) is True
    with pytest.raises(AssertionError, match="Trace the width"):
        cnn.flattened_size(1000)

    def not_written(k, c_in, c_out):
        raise NotImplementedError

    assert cnn.conv_parameter_count(not_written) is False
    assert cnn.conv_parameter_count(lambda k, c_in, c_out: (k * k * c_in + 1) * c_out) is True
    with pytest.raises(AssertionError, match="every input channel"):
        cnn.conv_parameter_count(lambda k, c_in, c_out: k * k * c_out + c_out)
    with pytest.raises(AssertionError, match="Keras counts"):
        cnn.conv_parameter_count(lambda k, c_in, c_out: 3)


def test_challenge_reports_the_bar_and_scores_an_entry(capsys):
    import keras

    assert cnn.challenge(None, None, None, 0.9) is None
    assert "score to beat: 0.9000" in capsys.readouterr().out
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    model.set_weights([np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2)])   # predicts the larger feature
    x, y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]]), np.array([0, 1, 0, 0])
    cnn.challenge(model, x, y, 0.5, data="test")
    assert "test accuracy 0.7500 on 4 images, which beats the chosen model's 0.5000" in capsys.readouterr().out
    with pytest.raises(TypeError, match="keras.Model"):
        cnn.challenge("my model", x, y, 0.5)


def _mlp(hidden, *, activation="relu", output="softmax", input_shape=(28, 28)):
    import keras

    layers = [keras.Input(shape=input_shape), keras.layers.Flatten()]
    layers += [keras.layers.Dense(units, activation=activation) for units in hidden]
    layers += [keras.layers.Dense(10, activation=output)]
    return keras.Sequential(layers)


def test_same_budget():
    assert mnist_dense.same_budget(None, budget=55_050) is False
    assert mnist_dense.same_budget(_mlp((60, 60, 60)), budget=55_050) is True
    assert mnist_dense.same_budget(_mlp((64, 64)), budget=55_050, n_hidden=2) is True
    with pytest.raises(AssertionError, match="fewer than the baseline's 55,050: make the layers wider"):
        mnist_dense.same_budget(_mlp((30, 30, 30)), budget=55_050)
    with pytest.raises(AssertionError, match="softmax"):
        mnist_dense.same_budget(_mlp((60, 60, 60), output=None), budget=55_050)
    with pytest.raises(AssertionError, match="'relu'"):
        mnist_dense.same_budget(_mlp((60, 60, 60), activation="tanh"), budget=55_050)
    with pytest.raises(AssertionError, match="28 x 28"):
        mnist_dense.same_budget(_mlp((60, 60, 60), input_shape=(784,)), budget=55_050)
    with pytest.raises(AssertionError, match="Keras model"):
        mnist_dense.same_budget("a model", budget=55_050)


def test_most_confused_pair():
    names = ["cat", "dog", "fox"]
    matrix = np.array([[50, 9, 1],
                       [3, 40, 2],
                       [4, 0, 60]])
    assert cnn.most_confused_pair(None, matrix, names) is False
    assert cnn.most_confused_pair(("cat", "dog"), matrix, names) is True
    assert cnn.most_confused_pair(["cat", "dog"], matrix, names) is True
    with pytest.raises(AssertionError, match="wrong order"):
        cnn.most_confused_pair(("dog", "cat"), matrix, names)
    with pytest.raises(AssertionError, match="diagonal"):
        cnn.most_confused_pair(("fox", "fox"), matrix, names)
    with pytest.raises(AssertionError, match="another pair has 9"):
        cnn.most_confused_pair(("fox", "cat"), matrix, names)
    with pytest.raises(AssertionError, match="names"):
        cnn.most_confused_pair((0, 1), matrix, names)
    with pytest.raises(AssertionError, match="not one of"):
        cnn.most_confused_pair(("cat", "wolf"), matrix, names)


def test_image_helpers_draw_without_error():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bootcamp.plots_images import compare_models, filter_panels, image_grid

    rng = np.random.default_rng(0)
    fig = image_grid(rng.random((5, 28, 28)), [f"image {i}\nline two" for i in range(5)], ncols=3, title="grid")
    assert len(fig.axes) == 6                                # 2 rows x 3 columns, the last one blank
    fig = filter_panels([("rgb", rng.random((8, 8, 3))), ("signed", rng.normal(size=(8, 8)))], signed=("signed",))
    assert fig.axes[1].images[0].get_clim()[0] == -fig.axes[1].images[0].get_clim()[1]   # centred on zero
    fig = compare_models({"a": {"acc accuracy": 0.9, "n": 1234}, "b": {"acc accuracy": 0.95, "n": 99}},
                         {"acc accuracy": "accuracy", "n": "parameters"})
    assert len(fig.axes) == 2
    plt.close("all")


def test_lesson_04_never_replaces_the_learners_challenge_entry():
    """The challenge cells only read `my_model`; no code cell of the lesson assigns it (issue 16)."""
    import re

    import jupytext

    from bootcamp.dev.nbgen import ROOT

    cells = jupytext.reads((ROOT / "masters" / "04_cnn.py").read_text(encoding="utf-8"), fmt="py:percent").cells
    code = [cell.source for cell in cells if cell.cell_type == "code"]
    assert any('globals().get("my_model")' in source for source in code)
    assigning = [source for source in code if re.search(r"^\s*my_model\s*=", source, re.M)]
    assert not assigning, f"a cell of 04_cnn.py assigns my_model:\n{assigning[0]}"
