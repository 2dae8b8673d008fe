"""Self-checks for the six CFD notebooks (06_cfd_*)."""

from __future__ import annotations

import numpy as np

from bootcamp.checks import NotAttempted, call_answer, close, require, run_check

# ------------------------------------------------------------------ 1: flow data


def reynolds_number(reynolds, blocked: int, u_max: float = 0.1, nu: float = 0.05) -> bool:
    def body():
        value = float(require(reynolds, "reynolds"))
        expected = (2 / 3) * u_max * blocked / nu
        if np.isclose(value, u_max * blocked / nu):
            raise AssertionError("you used the peak speed u_max; the mean of a parabola is 2/3 of its peak.")
        close(value, expected, "reynolds", rtol=1e-3)
    return run_check("Exercise 1 (Reynolds number)", body)


def column_flux(flux, rho, vx) -> bool:
    def body():
        value = np.asarray(require(flux, "flux"), dtype=float)
        expected = (np.asarray(rho, dtype=float) * np.asarray(vx, dtype=float)).sum(axis=0)
        if value.shape == (rho.shape[0],):
            raise AssertionError("that is one number per row: sum over the rows (axis=0) to get one per column.")
        close(value, expected, "flux", rtol=1e-4, atol=1e-6)
    return run_check("Exercise 2 (mass flux per column)", body)


def peak_speed(peak, vx, vy, u_max: float) -> bool:
    def body():
        value = np.asarray(require(peak, "peak"), dtype=float)
        speed = np.sqrt(np.asarray(vx, dtype=float) ** 2 + np.asarray(vy, dtype=float) ** 2)
        expected = speed.max(axis=(1, 2)) / u_max
        if value.shape == expected.shape and np.allclose(value, expected * u_max, rtol=1e-3):
            raise AssertionError("divide by u_max, so that 1 means the inflow's peak speed.")
        if value.shape == expected.shape and np.allclose(value, np.abs(vx).max(axis=(1, 2)) / u_max, rtol=1e-3):
            raise AssertionError("that is the largest |vx|; the speed combines both components.")
        close(value, expected, "peak", rtol=1e-3)
        assert np.all(value > 1), "every peak should exceed 1: the fluid speeds up past the obstacle."
    return run_check("Exercise 3 (peak speed per flow)", body)


# ------------------------------------------------------------------ 2: fully connected


def per_sample_loss(loss_fn) -> bool:
    """The learner's loss: mean squared error per sample, averaged (independent of the batch size)."""
    def body():
        import keras

        rng = np.random.default_rng(0)
        y = rng.normal(size=(6, 4, 5, 2)).astype("float32")
        p = rng.normal(size=(6, 4, 5, 2)).astype("float32")
        value = float(keras.ops.convert_to_numpy(call_answer(loss_fn, y, p)))
        expected = float(np.mean((y - p) ** 2))
        if np.isclose(value, np.sum((y - p) ** 2)):
            raise AssertionError("that is a sum: it grows with the batch size and the grid. Take the mean.")
        half = float(keras.ops.convert_to_numpy(loss_fn(y[:3], p[:3])))
        assert np.isclose(half, np.mean((y[:3] - p[:3]) ** 2), rtol=1e-4), (
            "on half the batch the loss should be the mean over those samples.")
        close(value, expected, "the loss", rtol=1e-4)
    return run_check("Exercise 1 (a mean squared error per sample)", body)


def output_activation(name) -> bool:
    def body():
        value = require(name, "output_activation")
        if value == "relu":
            raise AssertionError("ReLU cannot output a negative number, but vy is negative below the centre "
                                 "line and vx behind the obstacle.")
        if value in ("tanh", "sigmoid", "softmax"):
            raise AssertionError(f"'{value}' squashes its output into a fixed range; here vx / u_max goes "
                                 "above 1 (and below 0). Use no squashing at all.")
        assert value == "linear", f"{value!r}: use Keras' name for the identity activation."
    return run_check("Exercise 2 (an output for signed velocities)", body)


def fc_parameters(n_params, model) -> bool:
    def body():
        value = int(require(n_params, "n_params"))
        expected = model.count_params()
        dense = [layer for layer in model.layers if hasattr(layer, "units")]
        weights_only = sum(int(np.prod(layer.kernel.shape)) for layer in dense)
        if value == weights_only:
            raise AssertionError("you counted the weights but not the biases (one per unit).")
        assert value == expected, f"got {value:,}; (inputs x units + units) summed over the three Dense layers."
    return run_check("Exercise 3 (parameters of the 3-layer network)", body)


# ------------------------------------------------------------------ 3: encoder-decoder


def decoder_shapes(shapes, grid: tuple[int, int], levels: int) -> bool:
    def body():
        value = [tuple(s) for s in require(shapes, "shapes")]
        ny, nx = grid
        expected = [(ny // 2**k, nx // 2**k) for k in range(levels + 1)]
        assert value == expected, f"got {value}; each stride-2 convolution halves both sides: {expected[:2]}..."
    return run_check("Exercise 1 (feature-map sizes through the encoder)", body)


def sdf_of_a_disc(sdf_value, expected: float) -> bool:
    def body():
        value = float(require(sdf_value, "distance"))
        if np.isclose(value, -expected, atol=0.6):
            raise AssertionError("the sign: the SDF is positive in the fluid, outside the obstacle.")
        close(value, expected, "distance", rtol=0, atol=0.6)
    return run_check("Exercise 2 (a signed distance by hand)", body)


def encoder_decoder(model, grid: tuple[int, int]) -> bool:
    def body():
        import keras

        value = require(model, "model")
        ny, nx = grid
        out = keras.ops.convert_to_numpy(value(np.zeros((1, ny, nx, 2), "float32")))
        assert out.shape == (1, ny, nx, 2), f"the output should be (1, {ny}, {nx}, 2), got {out.shape}."
        convs = [layer for layer in value.layers if isinstance(layer, keras.layers.Conv2D)]
        assert convs, "use convolutional layers."
        strides = [layer.strides[0] for layer in convs if not isinstance(layer, keras.layers.Conv2DTranspose)]
        assert sum(s == 2 for s in strides) >= 4, "the encoder needs four stride-2 convolutions (down to 1/16)."
        last = convs[-1]
        name = getattr(last.activation, "__name__", "")
        assert name in ("linear", "tanh"), f"the last layer uses '{name}'; velocities are signed."
    return run_check("Exercise 3 (a deeper encoder-decoder)", body)


# ------------------------------------------------------------------ 4: U-Net


def gate(gate_fn) -> bool:
    def body():
        import keras

        rng = np.random.default_rng(1)
        a = rng.normal(size=(2, 4, 4, 3)).astype("float32")
        g = rng.normal(size=(2, 4, 4, 3)).astype("float32")
        out = keras.ops.convert_to_numpy(call_answer(gate_fn, a, g))
        expected = a / (1 + np.exp(-g))
        if np.allclose(out, a * g, atol=1e-4):
            raise AssertionError("squash the gate with a sigmoid first, so it lies between 0 and 1.")
        close(out, expected, "gate(a, g)", rtol=1e-4, atol=1e-5)
    return run_check("Exercise 1 (the gate)", body)


def unet_parameters(n_params, model) -> bool:
    def body():
        value = require(n_params, "n_params")
        expected = model.count_params()
        assert int(value) == expected, f"got {value:,}; count the weights and biases of all four convolutions of the block."
    return run_check("Exercise 2 (parameters of one gated block)", body)


def divergence(div_fn) -> bool:
    def body():
        import keras

        ny, nx = 8, 10
        y, x = np.mgrid[:ny, :nx].astype("float32")
        u = np.stack([x * y, -0.5 * y**2 + x], axis=-1)[None]     # d/dx(xy) + d/dy(-y²/2 + x) = y - y = 0
        v = np.stack([x**2, y**2], axis=-1)[None]                 # divergence 2x + 2y
        zero = keras.ops.convert_to_numpy(call_answer(div_fn, u))
        two = keras.ops.convert_to_numpy(div_fn(v))
        assert zero.shape[0] == 1 and zero.ndim == 3, f"expected one (ny', nx') map per sample, got {zero.shape}"
        assert np.abs(zero).max() < 1e-4, "a divergence-free field should give zero everywhere."
        inner = (2 * x + 2 * y)[1:-1, 1:-1]
        assert two.shape[1:] == inner.shape, (f"use central differences on the interior cells: shape "
                                              f"{inner.shape}, got {two.shape[1:]}")
        close(two[0], inner, "divergence of (x², y²)", rtol=1e-4, atol=1e-4)
    return run_check("Exercise 3 (the divergence of a field)", body)


# ------------------------------------------------------------------ 5: surrogate vs solver


def speedup(value, solver_seconds, model_seconds) -> bool:
    def body():
        got = float(require(value, "speedup"))
        expected = float(np.mean(solver_seconds)) / float(model_seconds)
        if np.isclose(got, 1 / expected, rtol=1e-3):
            raise AssertionError("upside down: solver time per field divided by network time per field.")
        close(got, expected, "speedup", rtol=1e-3)
    return run_check("Exercise 1 (the speed-up)", body)


def break_even(n_fields, solver_seconds: float, training_seconds: float, model_seconds: float) -> bool:
    def body():
        got = require(n_fields, "n_break_even")
        expected = int(np.ceil(training_seconds / (solver_seconds - model_seconds)))
        assert abs(int(got) - expected) <= 1, (f"got {got}; the network pays off once n * (solver time - network "
                                               f"time) exceeds the training time: about {expected}.")
    return run_check("Exercise 2 (when does training pay off?)", body)


def worst_family(name, errors: dict) -> bool:
    def body():
        got = require(name, "worst")
        expected = max(errors, key=errors.get)
        assert got == expected, f"got {got!r}; the family with the largest mean error is another one."
    return run_check("Exercise 3 (the hardest shape family)", body)


# ------------------------------------------------------------------ 6: competition


def competition_entry(model_fn, baseline_score: float, score_fn) -> bool:
    """The learner's model must be built, trained and beat the baseline on the validation flows."""
    def body():
        if model_fn is None:
            raise NotAttempted("my_model is still None")
        score = float(score_fn())
        assert np.isfinite(score), "the score is not a number: did the training diverge?"
        assert score < baseline_score, (f"validation score {score:.1%} does not beat the baseline's "
                                        f"{baseline_score:.1%} yet: train longer, or change the model.")
        print(f"validation score {score:.2%} (baseline {baseline_score:.2%})")
    return run_check("Competition entry (beat the baseline on validation)", body)


def score_function(fn) -> bool:
    def body():
        from bootcamp.cfd.flows import mean_relative_l2

        rng = np.random.default_rng(2)
        y = rng.normal(size=(5, 4, 6, 2))
        p = y + rng.normal(scale=0.1, size=y.shape)
        got = float(call_answer(fn, p, y))
        if np.isclose(got, np.linalg.norm(p - y) / np.linalg.norm(y)):
            raise AssertionError("that is one ratio for the whole set; compute it per sample, then average.")
        close(got, mean_relative_l2(p, y), "your score", rtol=1e-6)
    return run_check("Exercise 1 (the score, by hand)", body)
