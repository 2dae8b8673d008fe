"""Self-checks of lessons 03 and 04: right -> True, starter -> False, wrong -> hint."""

import numpy as np
import pytest

from bootcamp.selfcheck import cnn, mnist_dense


def test_dense_parameter_count():
    assert mnist_dense.dense_parameters(None) is False
    assert mnist_dense.dense_parameters(784 * 128 + 128 + 128 * 10 + 10) is True
    with pytest.raises(AssertionError, match="biases"):
        mnist_dense.dense_parameters(784 * 128 + 128 * 10)


def test_cross_entropy_is_natural_log():
    probs = np.array([0.1, 0.2, 0.7])
    assert mnist_dense.cross_entropy(None, probs, 2) is False
    assert mnist_dense.cross_entropy(-np.log(0.7), probs, 2) is True
    with pytest.raises(AssertionError, match="log base 10"):
        mnist_dense.cross_entropy(-np.log10(0.7), probs, 2)


def test_predicted_classes():
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert mnist_dense.predicted_classes(None, probs) is False
    assert mnist_dense.predicted_classes(np.array([1, 0, 1]), probs) is True
    with pytest.raises(AssertionError, match="1 of 3 differ"):
        mnist_dense.predicted_classes(np.array([1, 1, 1]), probs)
    with pytest.raises(AssertionError, match="shape"):
        mnist_dense.predicted_classes(probs, probs)


def test_edge_kernel():
    sobel_y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float)
    assert cnn.horizontal_edge_kernel(None) is False
    assert cnn.horizontal_edge_kernel(sobel_y) is True
    with pytest.raises(AssertionError, match="no response on a horizontal edge"):
        cnn.horizontal_edge_kernel(sobel_y.T)
    with pytest.raises(AssertionError, match="vertical edges too"):
        cnn.horizontal_edge_kernel(sobel_y + sobel_y.T)
    with pytest.raises(AssertionError, match="sum to zero"):
        cnn.horizontal_edge_kernel(np.ones((3, 3)) / 9)


def test_output_size_and_conv_parameters():
    assert cnn.output_size(None) is False
    assert cnn.output_size(12, n=28, k=5, s=2) is True
    with pytest.raises(AssertionError):
        cnn.output_size(13, n=28, k=5, s=2)
    assert cnn.conv_parameters(None) is False
    assert cnn.conv_parameters(3 * 3 * 32 * 64 + 64) is True
    with pytest.raises(AssertionError, match="c_in"):
        cnn.conv_parameters(3 * 3 * 64 + 64)


def test_challenge_without_an_entry_reports_the_target(capsys):
    assert np.isnan(cnn.challenge(None, None, None, target=0.9))
    assert "Score to beat: 0.9000" in capsys.readouterr().out


def _mlp(hidden, *, activation="relu", output="softmax", input_shape=(28, 28)):
    import keras

    layers = [keras.Input(shape=input_shape), keras.layers.Flatten()]
    layers += [keras.layers.Dense(units, activation=activation) for units in hidden]
    layers += [keras.layers.Dense(10, activation=output)]
    return keras.Sequential(layers)


def test_mlp_variant():
    assert mnist_dense.mlp_variant(None) is False
    assert mnist_dense.mlp_variant(_mlp((256, 128))) is True
    assert mnist_dense.mlp_variant(_mlp((32,)), hidden=(32,)) is True      # expected shape follows `hidden`
    with pytest.raises(AssertionError, match=r"\(128, 256, 10\)"):
        mnist_dense.mlp_variant(_mlp((128, 256)))
    with pytest.raises(AssertionError, match="softmax"):
        mnist_dense.mlp_variant(_mlp((256, 128), output=None))
    with pytest.raises(AssertionError, match="'relu'"):
        mnist_dense.mlp_variant(_mlp((256, 128), activation="tanh"))
    with pytest.raises(AssertionError, match="28 x 28"):
        mnist_dense.mlp_variant(_mlp((256, 128), input_shape=(784,)))
    with pytest.raises(AssertionError, match="Keras model"):
        mnist_dense.mlp_variant("a model")


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
