"""Self-checks of lessons 00 and 01 beyond the exercise cases: the references
they compare against are what they claim to be (Keras's SGD with momentum,
tf.GradientTape), and right answers written another way still pass."""

import numpy as np
import pytest

from bootcamp.selfcheck import linreg, start_here


def line_data():
    rng = np.random.default_rng(0)
    x = 10 * rng.random((50, 1))
    return x, 0.3 * x + 0.5 * rng.random((50, 1))


def test_momentum_reference_is_keras_sgd_with_momentum():
    import keras
    import tensorflow as tf

    x, y = line_data()
    xs, ys = x.ravel(), y.ravel()
    ours = linreg._path(linreg._momentum_reference, xs, ys, 0.01, 10, (0.7, -1.2), beta=0.9)
    w, b = tf.Variable(0.7, dtype="float64"), tf.Variable(-1.2, dtype="float64")
    optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
    theirs = []
    for _ in range(10):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((w * xs + b - ys) ** 2)
        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
        theirs.append([w.numpy(), b.numpy()])
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_momentum_check_accepts_the_other_convention_and_rejects_nothing_else():
    x, y = line_data()

    def torch_style(params, grad, state, lr, beta=0.9):     # buffer = beta*buffer + grad; params -= lr*buffer
        buffer = beta * state.get("buffer", 0.0) + grad
        return params - lr * buffer, {"buffer": buffer}

    assert linreg.momentum(torch_style, x, y) is True

    def todo(params, grad, state, lr, beta=0.9):
        raise NotImplementedError("write me")

    assert linreg.momentum(todo, x, y) is False

    def returns_params_only(params, grad, state, lr, beta=0.9):
        return params - lr * grad

    with pytest.raises(AssertionError, match="Return \\(new_params, new_state\\)"):
        linreg.momentum(returns_params_only, x, y)


def test_neuron_gradient_check_against_the_tape():
    def right(w, b, v, x, y):
        h = np.tanh(w * x + b)
        d_yhat = 2 * (v * h - y) / x.size
        d_z = d_yhat * v * (1 - h**2)
        return np.sum(d_z * x), np.sum(d_z), np.sum(d_yhat * h)

    assert linreg.neuron_gradient(right) is True
    with pytest.raises(AssertionError, match="three numbers"):
        linreg.neuron_gradient(lambda w, b, v, x, y: right(w, b, v, x, y)[:2])
    with pytest.raises(AssertionError, match="Half the true gradient"):
        linreg.neuron_gradient(lambda w, b, v, x, y: tuple(g / 2 for g in right(w, b, v, x, y)))


def test_learning_rate_check_names_the_mistake():
    x, y = line_data()
    limit = linreg.stability_limit(x)

    def gd(x, y, *, lr, steps):
        w = b = 0.0
        losses = []
        for _ in range(steps):
            r = w * x.ravel() + b - y.ravel()
            losses.append(np.mean(r**2))
            w, b = w - lr * 2 * np.mean(r * x.ravel()), b - lr * 2 * np.mean(r)
        return {"loss": np.array(losses)}

    assert linreg.largest_learning_rate(limit, gd, x, y) is True
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(AssertionError, match="factor 2"):
        linreg.largest_learning_rate(2 * limit, gd, x, y)
    with pytest.raises(AssertionError, match="overshoot"):
        linreg.largest_learning_rate(limit / 2, gd, x, y)
    with pytest.raises(AssertionError, match="past the limit"):      # too close above to show in 300 steps
        linreg.largest_learning_rate(limit * (1 + 1e-7), gd, x, y)


def test_closed_form_hint_shows_the_gradient_not_the_answer():
    x, y = line_data()
    slope, intercept = np.polyfit(x.ravel(), y.ravel(), 1)
    assert linreg.closed_form(np.float64(slope), np.array([intercept]), x, y) is True
    with pytest.raises(AssertionError, match="gradient is") as err:
        linreg.closed_form(slope, intercept + 0.1, x, y)
    assert f"{intercept:.4f}" not in str(err.value)


def test_mnist_bytes_hints():
    numbers = 60_000 * 28 * 28
    assert start_here.mnist_bytes(numbers * 4) is True
    for wrong, hint in [(numbers, "4 bytes"), (numbers * 32, "bits"), (numbers * 8, "float64")]:
        with pytest.raises(AssertionError, match=hint):
            start_here.mnist_bytes(wrong)
