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
