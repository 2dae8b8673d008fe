"""Self-checks of the CFD notebooks: right -> True, starter -> False, typical mistake -> hint."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from bootcamp.cfd.flows import mean_relative_l2
from bootcamp.cfd.models import gated_block, make_fc
from bootcamp.selfcheck import cfd


def test_reynolds_number(capsys):
    def starter(mask, u_max, nu):
        raise NotImplementedError

    def right(mask, u_max, nu):
        return 2 / 3 * u_max * mask.any(axis=1).sum() / nu

    def peak(mask, u_max, nu):
        return u_max * mask.any(axis=1).sum() / nu

    def along(mask, u_max, nu):
        return 2 / 3 * u_max * mask.any(axis=0).sum() / nu

    example = np.zeros((10, 30), dtype=bool)
    example[2:8, 4:6] = True
    assert cfd.reynolds_number(starter) is False
    assert cfd.reynolds_number(right, example) is True
    assert "Re = 8.0" in capsys.readouterr().out           # 2/3 x 0.1 x 6 rows / 0.05
    with pytest.raises(AssertionError, match="2/3"):
        cfd.reynolds_number(peak)
    with pytest.raises(AssertionError, match="across the flow"):
        cfd.reynolds_number(along)


def test_column_flux():
    rng = np.random.default_rng(0)
    rho, vx = 1 + 0.01 * rng.random((6, 9)), rng.random((6, 9))
    assert cfd.column_flux(None, rho, vx) is False
    assert cfd.column_flux((rho * vx).sum(axis=0), rho, vx) is True
    with pytest.raises(AssertionError, match="one number per row"):
        cfd.column_flux((rho * vx).sum(axis=1), rho, vx)
    with pytest.raises(AssertionError, match="density"):
        cfd.column_flux(vx.sum(axis=0), rho, vx)


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

    def per_sample_only(y_true, y_pred):
        return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=(1, 2, 3))

    assert cfd.per_sample_loss(starter) is False
    assert cfd.per_sample_loss(right) is True
    with pytest.raises(AssertionError, match="sum"):
        cfd.per_sample_loss(summed)
    with pytest.raises(AssertionError, match="one number"):
        cfd.per_sample_loss(per_sample_only)


def test_output_range(capsys):
    y = np.array([[-1.5, -0.2, 0.0, 0.0], [0.3, 0.9, 1.0, 1.2]])
    assert cfd.output_range(None, None, y) is False
    assert cfd.output_range(2 / 8, 3 / 8, y) is True
    assert "25.0%" in capsys.readouterr().out                 # 2 of 8 values below 0
    assert cfd.output_range(2 / 8, 2 / 8, y) is True         # |y| > 1 instead of >= 1: tanh never reaches 1
    with pytest.raises(AssertionError, match="outputs 0 itself"):
        cfd.output_range(4 / 8, 3 / 8, y)
    with pytest.raises(AssertionError, match="both sides"):
        cfd.output_range(2 / 8, 2 / 8 - 1 / 8, y)
    with pytest.raises(AssertionError, match="count"):
        cfd.output_range(2, 3, y)


def test_fc_parameters():
    model = make_fc((16, 32))
    assert cfd.fc_parameters(None, model) is False
    assert cfd.fc_parameters(model.count_params(), model) is True
    weights = 1024 * 256 + 256 * 256 + 256 * 1024
    with pytest.raises(AssertionError, match="biases"):
        cfd.fc_parameters(weights, model)
    one_channel = (512 * 256 + 256) + (256 * 256 + 256) + (256 * 1024 + 1024)
    with pytest.raises(AssertionError, match="two input channels"):
        cfd.fc_parameters(one_channel, model)


def test_receptive_field_and_sdf(capsys):
    def starter(kernels, strides):
        raise NotImplementedError

    def right(kernels, strides):
        width, step = 1, 1
        for k, s in zip(kernels, strides):
            width, step = width + (k - 1) * step, step * s
        return width

    inputs = keras.Input((32, 64, 2))
    x = inputs
    for _ in range(3):
        x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(x)
    for _ in range(3):
        x = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3, padding="same")(x))
    assert cfd.receptive_field(starter) is False
    assert cfd.receptive_field(right, model) is True
    assert "15 x 15" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="strides matter"):
        cfd.receptive_field(lambda kernels, strides: 1 + sum(k - 1 for k in kernels))
    with pytest.raises(AssertionError, match="overlap"):
        cfd.receptive_field(lambda kernels, strides: sum(kernels))
    rows, columns = np.indices((8, 12))
    exact = np.hypot(columns - 5, rows - 3) - 2
    assert cfd.sdf_of_a_disc(None, exact, (5, 3), 2) is False
    assert cfd.sdf_of_a_disc(exact, exact + 0.3, (5, 3), 2) is True
    with pytest.raises(AssertionError, match="sign"):
        cfd.sdf_of_a_disc(-exact, exact, (5, 3), 2)
    with pytest.raises(AssertionError, match="swapped"):
        cfd.sdf_of_a_disc(np.hypot(rows - 5, columns - 3) - 2, exact, (5, 3), 2)


def test_deep_enough():
    def model(levels, activation=None):
        inputs = keras.Input((32, 64, 2))
        x = inputs
        for _ in range(levels):
            x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(x)
        for _ in range(levels):
            x = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
        return keras.Model(inputs, keras.layers.Conv2D(2, 3, padding="same", activation=activation)(x))

    # 32 rows: 4 levels see 31 rows, 5 levels 63
    assert cfd.deep_enough(None, None, (32, 64)) is False
    assert cfd.deep_enough(5, None, (32, 64)) is False
    assert cfd.deep_enough(5, model(5), (32, 64)) is True
    with pytest.raises(AssertionError, match="only 31 rows"):
        cfd.deep_enough(4, model(4), (32, 64))
    with pytest.raises(AssertionError, match="fewer levels suffice"):
        cfd.deep_enough(6, model(6), (32, 64))
    with pytest.raises(AssertionError, match="build it with"):
        cfd.deep_enough(5, model(3), (32, 64))
    with pytest.raises(AssertionError, match="tanh"):
        cfd.deep_enough(5, model(5, "tanh"), (32, 64))


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
    import time

    def starter(model, x, batch_size):
        raise NotImplementedError

    def right(model, x, batch_size):
        model.predict(x[:batch_size], batch_size=batch_size, verbose=0)
        start = time.perf_counter()
        model.predict(x, batch_size=batch_size, verbose=0)
        return (time.perf_counter() - start) / len(x)

    def cold(model, x, batch_size):
        start = time.perf_counter()
        model.predict(x, batch_size=batch_size, verbose=0)
        return (time.perf_counter() - start) / len(x)

    assert cfd.time_per_field(starter) is False
    assert cfd.time_per_field(right) is True
    with pytest.raises(AssertionError, match="warm up"):
        cfd.time_per_field(cold)
    # 192 flows made at 0.1 s, 30 s of training, 0.001 s per predicted field
    assert cfd.break_even(None, 0.1, 30.0, 0.001, 192) is False
    assert cfd.break_even(497, 0.1, 30.0, 0.001, 192) is True
    with pytest.raises(AssertionError, match="had to be solved"):
        cfd.break_even(304, 0.1, 30.0, 0.001, 192)
    family = np.array(["ellipse"] * 4 + ["naca"] * 4)
    errors = np.array([0.10, 0.12, 0.11, 0.09, 0.15, 0.13, 0.16, 0.14])
    gap = (0.145 - 0.105) / np.sqrt(errors[:4].var(ddof=1) / 4 + errors[4:].var(ddof=1) / 4)
    assert cfd.family_gap(None, errors, family) is False
    assert cfd.family_gap(gap, errors, family) is True
    with pytest.raises(AssertionError, match="the sign"):
        cfd.family_gap(-gap, errors, family)


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
