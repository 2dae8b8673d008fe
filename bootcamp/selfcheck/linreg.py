"""Self-checks for 01_linear_regression."""

import numpy as np

from bootcamp.checks import call_answer, require, run_check


def _line_gradient(w, b, x, y):
    residual = w * x + b - y
    return np.array([2 * np.mean(residual * x), 2 * np.mean(residual)])


def closed_form(slope, intercept, x, y) -> bool:
    """The least-squares line, found where the loss's gradient is zero."""
    def body():
        require(slope, "slope_cf")
        require(intercept, "intercept_cf")
        xs, ys = np.ravel(x).astype(float), np.ravel(y).astype(float)
        expected = np.polyfit(xs, ys, deg=1)
        got = np.array([float(np.squeeze(slope)), float(np.squeeze(intercept))])
        if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
            return
        grad_w, grad_b = _line_gradient(got[0], got[1], xs, ys)
        raise AssertionError(
            f"at w = {got[0]:.4f}, b = {got[1]:.4f} the gradient is ({grad_w:.3g}, {grad_b:.3g}), not zero, "
            "so this is not the bottom of the loss. Each equation is a sum over the N points: "
            "the sum of b over them is N*b, the sum of w*x_i is w times the sum of x_i.")
    return run_check("Exercise 1 (least squares where the gradient is zero)", body)


def stability_limit(x) -> float:
    """Largest stable step for gradient descent on the MSE of a line fit:
    2 / (largest eigenvalue of the loss's Hessian)."""
    x = np.ravel(x).astype(float)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return 2.0 / np.linalg.eigvalsh(hessian).max()


def largest_learning_rate(lr, gradient_descent, x, y, steps: int = 300) -> bool:
    """``lr`` should be 2 / (largest curvature); ``gradient_descent(x, y, lr=..., steps=...)``
    is the notebook's own loop, run to show the learner what their value does."""
    def body():
        require(lr, "lr_max")
        rate = float(lr)
        limit = stability_limit(x)
        if rate > limit * (1 + 1e-9):
            with np.errstate(over="ignore", invalid="ignore"):
                losses = np.asarray(gradient_descent(x, y, lr=rate, steps=steps)["loss"])
            grew = not (np.all(np.isfinite(losses)) and losses[-1] < losses[0])
            why = ("with lr = {:.4g} the loss grows within {} steps".format(rate, steps) if grew else
                   f"lr = {rate:.4g} is past the limit: along the steep direction the error is multiplied "
                   f"by |1 - lr*lambda| > 1 at every step, so the loss grows once that direction dominates")
            factor = rate / limit
            extra = (" Your value is twice the limit: did the second derivatives lose the factor 2 "
                     "that the square brings down?" if abs(factor - 2) < 0.05 else
                     " Use the largest curvature (the steep direction), not a smaller one." if factor > 1.05 else "")
            raise AssertionError(f"{why}.{extra}")
        if rate < 0.95 * limit:
            hint = (" A step may overshoot the minimum and still be stable, as long as it lands closer "
                    "than it started: |1 - lr*lambda| < 1 allows lr*lambda up to 2."
                    if abs(rate / limit - 0.5) < 0.03 else "")
            raise AssertionError(f"lr = {rate:.4g} is stable, but you can go {limit / rate:.1f} times higher.{hint}")
    return run_check("Exercise 3 (largest stable learning rate)", body)


def _tape_neuron_gradient(w, b, v, x, y):
    import tensorflow as tf

    params = [tf.Variable(p, dtype="float64") for p in (w, b, v)]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((params[2] * tf.tanh(params[0] * x + params[1]) - y) ** 2)
    return np.array([float(g) for g in tape.gradient(loss, params)])


def neuron_gradient(fn) -> bool:
    """``fn(w, b, v, x, y)`` returns dL/dw, dL/db, dL/dv of L = mean((v*tanh(w*x + b) - y)**2);
    compared with tf.GradientTape's at a few random points."""
    def body():
        rng = np.random.default_rng(7)
        x, y = rng.normal(size=25), rng.normal(size=25)
        for w, b, v in rng.normal(size=(3, 3)):
            got = np.asarray(call_answer(fn, w, b, v, x.copy(), y.copy()), dtype=float).ravel()
            if got.shape != (3,):
                raise AssertionError(f"return three numbers (dL/dw, dL/db, dL/dv); got {got.size}.")
            want = _tape_neuron_gradient(w, b, v, x, y)
            if np.allclose(got, want, rtol=1e-6, atol=1e-9):
                continue
            shown = (f"at w, b, v = {w:.2f}, {b:.2f}, {v:.2f} you return {np.round(got, 4).tolist()}, "
                     f"tf.GradientTape gives {np.round(want, 4).tolist()}.")
            if np.allclose(got, -want, rtol=1e-6, atol=1e-9):
                raise AssertionError(f"{shown} Every sign is flipped: the residual is prediction minus target, "
                                     "and the gradient points uphill (the optimiser subtracts it).")
            if np.allclose(got, want / 2, rtol=1e-6, atol=1e-9):
                raise AssertionError(f"{shown} Half the true gradient: the derivative of r**2 is 2*r.")
            if np.allclose(got[2], want[2], rtol=1e-6, atol=1e-9):
                h = np.tanh(w * x + b)
                skip = 2 * (v * h - y) / x.size * v
                if np.allclose(got[:2], [np.sum(skip * x), np.sum(skip)], rtol=1e-6, atol=1e-9):
                    raise AssertionError(f"{shown} dL/dv is right; dL/dw and dL/db skip tanh's own derivative, "
                                         "1 - tanh(z)**2, on the way from h back to z.")
                raise AssertionError(f"{shown} dL/dv is right; follow the chain from the prediction through v, "
                                     "then tanh, then z = w*x + b.")
            raise AssertionError(f"{shown} Check the backward pass one link at a time.")
    return run_check("Exercise 2 (back-propagation through a tanh neuron)", body)


def _momentum_reference(params, grad, state, lr, beta=0.9):
    velocity = beta * state.get("velocity", 0.0) - lr * grad   # keras.optimizers.SGD(momentum=beta)
    return params + velocity, {"velocity": velocity}


RETURN = "Return (new_params, new_state): the parameters as an array [w, b], the state as a dict."


def _path(step, x, y, lr, steps, start, **kwargs):
    params, state, path = np.array(start, dtype=float), {}, []
    for _ in range(steps):
        grad = _line_gradient(params[0], params[1], x, y)
        result = step(params, grad, state, lr, **kwargs)
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict)):
            raise AssertionError(RETURN)
        params, state = np.asarray(result[0], dtype=float).ravel(), result[1]
        if params.shape != (2,):
            raise AssertionError(f"{RETURN} The parameters you return have shape {params.shape}.")
        path.append(params)
    return np.array(path)


def momentum(fn, x, y, *, lr: float = 0.01, beta: float = 0.9, steps: int = 30,
             start=(0.7, -1.2)) -> bool:
    """``fn(params, grad, state, lr, beta=...)`` returns (new params, new state); its path on the
    line's loss must follow keras.optimizers.SGD(learning_rate=lr, momentum=beta)."""
    def body():
        xs, ys = np.ravel(x).astype(float), np.ravel(y).astype(float)
        try:
            got = _path(lambda *args, **kwargs: call_answer(fn, *args, **kwargs),
                        xs, ys, lr, steps, start, beta=beta)
        except (TypeError, ValueError, AttributeError) as err:
            raise AssertionError(f"calling momentum_step(params, grad, state, lr, beta=...) failed: {err}. "
                                 f"{RETURN}") from None
        want = _path(_momentum_reference, xs, ys, lr, steps, start, beta=beta)
        if np.allclose(got, want, rtol=1e-6, atol=1e-9):
            return
        first = int(np.argmax(~np.isclose(got, want, rtol=1e-6, atol=1e-9).all(axis=1)))
        shown = (f"after step {first + 1} your (w, b) is {np.round(got[first], 4).tolist()}, "
                 f"momentum gives {np.round(want[first], 4).tolist()}.")
        sgd = _path(lambda p, g, s, lr, beta: (p - lr * g, s), xs, ys, lr, steps, start, beta=beta)
        start_loss = np.mean((start[0] * xs + start[1] - ys) ** 2)
        got_loss = np.mean((got[-1, 0] * xs + got[-1, 1] - ys) ** 2)
        if np.allclose(got, sgd, rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{shown} That is plain gradient descent: the velocity must remember "
                                 "beta times its previous value and add the new push -lr * grad.")
        if not np.isfinite(got_loss) or got_loss > start_loss:
            raise AssertionError(f"{shown} The loss goes up: the push must go against the gradient "
                                 "(-lr * grad), and the parameters move by the velocity.")
        ema = _path(lambda p, g, s, lr, beta: (lambda m: (p - lr * m, {"m": m}))(
            beta * s.get("m", 0.0) + (1 - beta) * g), xs, ys, lr, steps, start, beta=beta)
        if np.allclose(got, ema, rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{shown} That is an average of the gradients, like Adam's first moment, "
                                 "so every step is (1 - beta) times too short: momentum adds the full push "
                                 "-lr * grad to beta times the velocity.")
        raise AssertionError(f"{shown} New velocity = beta * old velocity - lr * grad; new parameters = "
                             "old parameters + new velocity.")
    return run_check("Exercise 4 (gradient descent with momentum)", body)
