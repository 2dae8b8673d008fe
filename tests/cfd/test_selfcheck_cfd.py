"""Self-checks of the CFD notebooks: right -> True, starter -> False, typical mistake -> hint."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from bootcamp.cfd.flows import mean_relative_l2
from bootcamp.cfd.models import gated_block, make_fc
from bootcamp.selfcheck import cfd


def test_reynolds_number():
    assert cfd.reynolds_number(None, 10) is False
    assert cfd.reynolds_number(2 / 3 * 0.1 * 10 / 0.05, 10) is True
    with pytest.raises(AssertionError, match="2/3"):
        cfd.reynolds_number(0.1 * 10 / 0.05, 10)


def test_column_flux():
    rng = np.random.default_rng(0)
    rho, vx = 1 + 0.01 * rng.random((6, 9)), rng.random((6, 9))
    assert cfd.column_flux(None, rho, vx) is False
    assert cfd.column_flux((rho * vx).sum(axis=0), rho, vx) is True
    with pytest.raises(AssertionError, match="one number per row"):
        cfd.column_flux((rho * vx).sum(axis=1), rho, vx)


def test_peak_speed():
    vx = np.full((3, 4, 5), 0.12)
    vy = np.full((3, 4, 5), 0.05)
    right = np.sqrt(0.12**2 + 0.05**2) / 0.1 * np.ones(3)
    assert cfd.peak_speed(None, vx, vy, 0.1) is False
    assert cfd.peak_speed(right, vx, vy, 0.1) is True
    with pytest.raises(AssertionError, match="divide by u_max"):
        cfd.peak_speed(right * 0.1, vx, vy, 0.1)
    with pytest.raises(AssertionError, match="largest \\|vx\\|"):
        cfd.peak_speed(np.full(3, 1.2), vx, vy, 0.1)


def test_per_sample_loss():
    def starter(y_true, y_pred):
        raise NotImplementedError

    def right(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred))

    def summed(y_true, y_pred):
        return keras.ops.sum(keras.ops.square(y_true - y_pred))

    assert cfd.per_sample_loss(starter) is False
    assert cfd.per_sample_loss(right) is True
    with pytest.raises(AssertionError, match="sum"):
        cfd.per_sample_loss(summed)


def test_output_activation():
    assert cfd.output_activation(None) is False
    assert cfd.output_activation("linear") is True
    with pytest.raises(AssertionError, match="negative"):
        cfd.output_activation("relu")
    with pytest.raises(AssertionError, match="above 1"):
        cfd.output_activation("tanh")


def test_fc_parameters():
    model = make_fc((16, 32))
    assert cfd.fc_parameters(None, model) is False
    assert cfd.fc_parameters(model.count_params(), model) is True
    weights = 1024 * 256 + 256 * 256 + 256 * 1024
    with pytest.raises(AssertionError, match="biases"):
        cfd.fc_parameters(weights, model)


def test_decoder_shapes_and_sdf():
    assert cfd.decoder_shapes(None, (32, 64), 3) is False
    assert cfd.decoder_shapes([(32, 64), (16, 32), (8, 16), (4, 8)], (32, 64), 3) is True
    with pytest.raises(AssertionError, match="halves"):
        cfd.decoder_shapes([(32, 64), (30, 62), (28, 60), (26, 58)], (32, 64), 3)
    assert cfd.sdf_of_a_disc(None, 9.5) is False
    assert cfd.sdf_of_a_disc(9.52, 9.5) is True
    with pytest.raises(AssertionError, match="sign"):
        cfd.sdf_of_a_disc(-9.52, 9.5)


def test_encoder_decoder():
    def model(levels):
        inputs = keras.Input((32, 64, 2))
        x = inputs
        for _ in range(levels):
            x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(x)
        for _ in range(levels):
            x = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
        return keras.Model(inputs, keras.layers.Conv2D(2, 3, padding="same")(x))

    assert cfd.encoder_decoder(None, (32, 64)) is False
    assert cfd.encoder_decoder(model(4), (32, 64)) is True
    with pytest.raises(AssertionError, match="four stride-2"):
        cfd.encoder_decoder(model(3), (32, 64))


def test_gate_and_block_parameters():
    def starter(a, g):
        raise NotImplementedError

    assert cfd.gate(starter) is False
    assert cfd.gate(lambda a, g: a / (1 + np.exp(-g))) is True
    with pytest.raises(AssertionError, match="sigmoid"):
        cfd.gate(lambda a, g: a * g)
    inputs = keras.Input((8, 8, 8))
    block = keras.Model(inputs, gated_block(inputs, 16))
    assert cfd.unet_parameters(None, block) is False
    assert cfd.unet_parameters((9 * 8 * 16 + 16) + 2 * (9 * 16 * 16 + 16) + (8 * 16 + 16), block) is True
    with pytest.raises(AssertionError):
        cfd.unet_parameters(9 * 8 * 16 + 2 * 9 * 16 * 16 + 8 * 16, block)


def test_divergence():
    def starter(u):
        raise NotImplementedError

    def right(u):
        return (u[:, 1:-1, 2:, 0] - u[:, 1:-1, :-2, 0]) / 2 + (u[:, 2:, 1:-1, 1] - u[:, :-2, 1:-1, 1]) / 2

    def swapped(u):  # differentiates each component along the wrong axis
        return (u[:, 2:, 1:-1, 0] - u[:, :-2, 1:-1, 0]) / 2 + (u[:, 1:-1, 2:, 1] - u[:, 1:-1, :-2, 1]) / 2

    assert cfd.divergence(starter) is False
    assert cfd.divergence(right) is True
    with pytest.raises(AssertionError):
        cfd.divergence(swapped)


def test_surrogate_exercises():
    assert cfd.speedup(None, [2.0, 4.0], 0.001) is False
    assert cfd.speedup(3000.0, [2.0, 4.0], 0.001) is True
    with pytest.raises(AssertionError, match="upside down"):
        cfd.speedup(1 / 3000, [2.0, 4.0], 0.001)
    assert cfd.break_even(None, 0.1, 30.0, 0.001) is False
    assert cfd.break_even(304, 0.1, 30.0, 0.001) is True
    with pytest.raises(AssertionError):
        cfd.break_even(30, 0.1, 30.0, 0.001)
    errors = {"ellipse": 0.05, "naca": 0.12, "polygon": 0.07}
    assert cfd.worst_family(None, errors) is False
    assert cfd.worst_family("naca", errors) is True
    with pytest.raises(AssertionError):
        cfd.worst_family("ellipse", errors)


def test_competition_exercises():
    def starter(p, y):
        raise NotImplementedError

    def whole_set(p, y):
        return float(np.linalg.norm(p - y) / np.linalg.norm(y))

    assert cfd.score_function(starter) is False
    assert cfd.score_function(mean_relative_l2) is True
    with pytest.raises(AssertionError, match="per sample"):
        cfd.score_function(whole_set)
    assert cfd.competition_entry(None, 0.2, lambda: 0.1) is False
    assert cfd.competition_entry(object(), 0.2, lambda: 0.1) is True
    with pytest.raises(AssertionError, match="does not beat"):
        cfd.competition_entry(object(), 0.2, lambda: 0.3)
