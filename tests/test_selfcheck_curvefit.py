"""The self-checks of 02_curve_fitting agree with Keras itself (the wrong
answers and the starters are covered by tests/exercises)."""

import numpy as np
import pytest

from bootcamp.selfcheck import curvefit


def test_keras_glorot_uniform_passes_the_glorot_check():
    keras = pytest.importorskip("keras")

    def keras_glorot(fan_in, fan_out, rng):
        seed = int(rng.integers(2**31))
        return keras.ops.convert_to_numpy(keras.initializers.GlorotUniform(seed=seed)((fan_in, fan_out)))

    assert curvefit.glorot(keras_glorot) is True


def test_keras_count_params_passes_the_parameter_check():
    keras = pytest.importorskip("keras")

    def keras_count(sizes):
        layers = [keras.Input(shape=(sizes[0],))] + [keras.layers.Dense(u) for u in sizes[1:]]
        return keras.Sequential(layers).count_params()

    assert curvefit.parameter_count(keras_count) is True


def test_slope_check_matches_a_keras_network_and_accepts_a_column():
    keras = pytest.importorskip("keras")
    x, w, b, v = curvefit._hinges()
    net = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(w.size, activation="relu"),
                            keras.layers.Dense(1)])
    net.set_weights([w.reshape(1, -1), b, v.reshape(-1, 1), np.zeros(1)])
    h = 1e-4
    numeric = (net(np.c_[x + h]) - net(np.c_[x - h])).numpy().ravel() / (2 * h)

    def slope_at(x_, w_, b_, v_):
        return ((np.outer(x_, w_) + b_ > 0) @ (v_ * w_)).reshape(-1, 1)    # a column: also accepted

    np.testing.assert_allclose(slope_at(x, w, b, v).ravel(), numeric, rtol=2e-2, atol=2e-2)
    assert curvefit.slope(slope_at) is True
