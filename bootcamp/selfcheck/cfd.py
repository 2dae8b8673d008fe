"""Self-checks for the six CFD notebooks (06_cfd_*)."""

from __future__ import annotations

import numpy as np

from bootcamp.checks import NotAttempted, call_answer, close, require, run_check

# ------------------------------------------------------------------ 1: flow data


def reynolds_number(reynolds_fn, example=None, u_max: float = 0.1, nu: float = 0.05) -> bool:
    """The learner's ``reynolds(mask, u_max, nu)``: mean inflow speed x rows spanned / nu."""
    def body():
        tall = np.zeros((12, 20), dtype=bool)
        tall[3:9, 5:8] = True                      # 6 rows across the flow, 3 columns along it
        wide = np.zeros((12, 20), dtype=bool)
        wide[5:7, 4:13] = True                     # 2 rows, 9 columns
        for mask, speed, viscosity in [(tall, 0.1, 0.05), (wide, 0.08, 0.12)]:
            value = float(call_answer(reynolds_fn, mask, speed, viscosity))
            rows, columns = mask.any(axis=1).sum(), mask.any(axis=0).sum()
            expected = (2 / 3) * speed * rows / viscosity
            if np.isclose(value, speed * rows / viscosity, rtol=1e-3):
                raise AssertionError("you used the peak speed u_max; the mean of a parabola is 2/3 of its peak.")
            if np.isclose(value, (2 / 3) * speed * columns / viscosity, rtol=1e-3):
                raise AssertionError("that is the obstacle's length along the flow (columns); L is its size "
                                     "across the flow: the rows it reaches into.")
            if np.isclose(value, (2 / 3) * speed * mask.sum() / viscosity, rtol=1e-3):
                raise AssertionError("that counts every solid cell; L is a length: the number of rows "
                                     "that hold a solid cell.")
            if np.isclose(value, (2 / 3) * speed * mask.shape[0] / viscosity, rtol=1e-3):
                raise AssertionError("that is the channel's height; L is the obstacle's size across the flow.")
            close(value, expected, f"reynolds on a {rows}-row obstacle with u_max={speed}, nu={viscosity}",
                  rtol=1e-3)
        if example is not None:
            print(f"our ellipse, u_max = {u_max}, nu = {nu}: Re = {float(reynolds_fn(example, u_max, nu)):.1f}")
    return run_check("Exercise 1 (Reynolds number)", body)


def column_flux(flux, rho, vx) -> bool:
    def body():
        value = np.asarray(require(flux, "flux"), dtype=float)
        expected = (np.asarray(rho, dtype=float) * np.asarray(vx, dtype=float)).sum(axis=0)
        if value.shape == (rho.shape[0],):
            raise AssertionError("that is one number per row: sum over the rows (axis=0) to get one per column.")
        without_rho = np.asarray(vx, dtype=float).sum(axis=0)
        if value.shape == expected.shape and np.allclose(value, without_rho, rtol=1e-6) \
                and not np.allclose(value, expected, rtol=1e-4, atol=1e-6):
            raise AssertionError("that sums vx alone: the mass flux weights each cell's velocity by its density rho.")
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
        value = np.asarray(keras.ops.convert_to_numpy(call_answer(loss_fn, y, p)), dtype=float)
        if value.size != 1:
            raise AssertionError(f"the loss has shape {value.shape}; it must be one number: average the "
                                 "per-sample errors over the batch as well.")
        value = float(value.reshape(()))
        expected = float(np.mean((y - p) ** 2))
        if np.isclose(value, np.sum((y - p) ** 2)):
            raise AssertionError("that is a sum: it grows with the batch size and the grid. Take the mean.")
        if np.isclose(value, np.mean(np.sum((y - p) ** 2, axis=(1, 2, 3)))):
            raise AssertionError("you summed each sample's squared errors: that grows with the grid. "
                                 "Take the mean over each sample's values.")
        half = float(keras.ops.convert_to_numpy(loss_fn(y[:3], p[:3])))
        assert np.isclose(half, np.mean((y[:3] - p[:3]) ** 2), rtol=1e-4), (
            "on half the batch the loss should be the mean over those samples.")
        close(value, expected, "the loss", rtol=1e-4)
    return run_check("Exercise 1 (a mean squared error per sample)", body)


def output_range(relu_misses, tanh_misses, targets) -> bool:
    """Fractions of the target values that a ReLU and a tanh output layer can never produce."""
    def body():
        relu = float(require(relu_misses, "relu_misses"))
        tanh = float(require(tanh_misses, "tanh_misses"))
        y = np.asarray(targets, dtype=float)
        expected_relu, expected_tanh = np.mean(y < 0), np.mean(np.abs(y) >= 1)
        for value, name in [(relu, "relu_misses"), (tanh, "tanh_misses")]:
            if value > 1:
                raise AssertionError(f"{name} = {value:g} is a count; divide by the number of values "
                                     "to get a fraction.")
        if np.isclose(relu, np.mean(y <= 0)) and not np.isclose(relu, expected_relu):
            raise AssertionError("a ReLU outputs 0 itself (the solid cells' velocity): only negative values "
                                 "are out of its reach.")
        if np.isclose(relu, np.mean(y[..., 0] < 0)) and not np.isclose(relu, expected_relu):
            raise AssertionError("count the values of both components, vx and vy, not vx alone.")
        # tanh never reaches -1 or 1, so > and >= count the same values unless a target is exactly +-1
        tanh_right = any(np.isclose(tanh, np.mean(out), rtol=1e-3) for out in (np.abs(y) >= 1, np.abs(y) > 1))
        if not tanh_right and any(np.isclose(tanh, np.mean(out), rtol=1e-3) for out in (y >= 1, y > 1)):
            raise AssertionError("tanh is bounded on both sides: values at or below -1 are out of reach too.")
        close(relu, expected_relu, "relu_misses", rtol=1e-3)
        assert tanh_right, f"tanh_misses is {tanh:.4g}; count the values whose size |value| a tanh cannot reach."
        print(f"a ReLU output could not produce {expected_relu:.1%} of the target values, a tanh output "
              f"{expected_tanh:.1%}")
    return run_check("Exercise 2 (what an output layer can produce)", body)


def fc_parameters(n_params, model) -> bool:
    def body():
        value = int(require(n_params, "n_params"))
        expected = model.count_params()
        dense = [layer for layer in model.layers if hasattr(layer, "units")]
        weights_only = sum(int(np.prod(layer.kernel.shape)) for layer in dense)
        if value == weights_only:
            raise AssertionError("you counted the weights but not the biases (one per unit).")
        n_in, n_out = dense[0].kernel.shape[0], dense[-1].units
        one_channel = sum(int(np.prod(layer.kernel.shape)) + layer.units for layer in dense) \
            - n_in // 2 * dense[0].units - dense[-1].kernel.shape[0] * n_out // 2 - n_out // 2
        if value in (one_channel, one_channel + n_in // 2 * dense[0].units,
                     one_channel + dense[-1].kernel.shape[0] * n_out // 2 + n_out // 2):
            raise AssertionError("each cell has two input channels (distance, inflow profile) and two outputs "
                                 "(vx, vy): ny * nx * 2 values in and out.")
        assert value == expected, f"got {value:,}; (inputs x units + units) summed over the three Dense layers."
    return run_check("Exercise 3 (parameters of the 3-layer network)", body)


# ------------------------------------------------------------------ 3: encoder-decoder


def sdf_of_a_disc(sdf_exact, sdf_mask, centre: tuple[float, float], radius: float) -> bool:
    """The exact SDF of a disc on every cell, against ``signed_distance`` of its rasterised mask."""
    def body():
        value = np.asarray(require(sdf_exact, "sdf_exact"), dtype=float)
        mask_sdf = np.asarray(sdf_mask, dtype=float)
        if value.shape != mask_sdf.shape:
            raise AssertionError(f"sdf_exact has shape {value.shape}; it needs one value per cell, "
                                 f"{mask_sdf.shape} (rows, columns).")
        cx, cy = centre
        rows, columns = np.indices(mask_sdf.shape)
        distance = np.hypot(columns - cx, rows - cy)
        if np.allclose(value, radius - distance, atol=1e-3):
            raise AssertionError("the sign: the SDF is positive in the fluid, outside the obstacle.")
        if np.allclose(value, np.hypot(rows - cx, columns - cy) - radius, atol=1e-3):
            raise AssertionError("rows and columns are swapped: the row index is y (centre 16), the column "
                                 "index x (centre 30).")
        if np.allclose(value, distance, atol=1e-3):
            raise AssertionError("that is the distance to the centre; subtract the radius, so that the SDF is "
                                 "zero on the circle.")
        close(value, distance - radius, "sdf_exact", rtol=0, atol=1e-3)
        print(f"largest difference from signed_distance of the rasterised disc: "
              f"{np.abs(value - mask_sdf).max():.2f} cells (its staircase edge)")
    return run_check("Exercise 1 (a signed distance by hand)", body)


def _receptive_field(kernels, strides) -> int:
    width, step = 1, 1
    for k, s in zip(kernels, strides):
        width += (k - 1) * step
        step *= s
    return width


def _encoder(model) -> list:
    """The model's convolutions before its first transposed one: the encoder."""
    import keras

    convs = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2DTranspose):
            break
        if isinstance(layer, keras.layers.Conv2D):
            convs.append(layer)
    return convs


def receptive_field(fn, model=None) -> bool:
    """The learner's ``receptive_field(kernels, strides)``, on stacks it cannot guess."""
    def body():
        cases = [([3], [1]), ([3, 3], [1, 1]), ([3, 3], [2, 2]), ([3, 3, 3], [2, 2, 2]), ([5, 3, 3], [2, 1, 2])]
        for kernels, strides in cases:
            got = int(call_answer(fn, list(kernels), list(strides)))
            expected = _receptive_field(kernels, strides)
            if got == expected:
                continue
            where = f"for kernels {kernels} and strides {strides} the window is {expected} cells wide, you got {got}."
            if got == 1 + sum(k - 1 for k in kernels):
                raise AssertionError(f"{where} The strides matter: after a stride-2 layer one step of the map "
                                     "is twice as many input cells.")
            if got == sum(kernels):
                raise AssertionError(f"{where} The windows overlap: a second 3 x 3 layer adds 2 steps, not 3.")
            if got == 1 + sum((k - 1) * int(np.prod(strides[: i + 1])) for i, k in enumerate(kernels)):
                raise AssertionError(f"{where} A layer's own stride does not widen its own window; it spaces "
                                     "out the cells that the next layer reads.")
            raise AssertionError(where)
        if model is not None:
            encoder = _encoder(model)
            width = _receptive_field([layer.kernel_size[0] for layer in encoder],
                                     [layer.strides[0] for layer in encoder])
            ny, nx = model.input_shape[1:3]
            print(f"one code cell of '{model.name}' ({len(encoder)} encoder convolutions) sees a window "
                  f"{width} x {width} input cells wide; the grid is {ny} x {nx}")
    return run_check("Exercise 2 (the receptive field)", body)


def deep_enough(levels, model, grid: tuple[int, int]) -> bool:
    """Levels so that one code cell sees the channel's height, and an encoder-decoder with that many."""
    def body():
        import keras

        levels_value = int(require(levels, "levels_needed"))
        ny, nx = grid
        expected = 1
        while _receptive_field([3] * expected, [2] * expected) < ny:
            expected += 1
        if levels_value < expected:
            raise AssertionError(f"with {levels_value} levels one code cell sees only "
                                 f"{_receptive_field([3] * levels_value, [2] * levels_value)} rows, fewer than "
                                 f"ny = {ny}.")
        if levels_value > expected:
            raise AssertionError(f"{expected} levels already see {_receptive_field([3] * expected, [2] * expected)} "
                                 f"rows, at least ny = {ny}: fewer levels suffice (each doubles the step).")
        value = require(model, "deeper")
        strided = [layer for layer in _encoder(value) if layer.strides[0] == 2]
        assert len(strided) == expected, (f"deeper has {len(strided)} stride-2 convolutions in its encoder; "
                                          f"build it with levels_needed = {expected} levels.")
        out = keras.ops.convert_to_numpy(value(np.zeros((1, ny, nx, 2), "float32")))
        assert out.shape == (1, ny, nx, 2), f"the output should be (1, {ny}, {nx}, 2), got {out.shape}."
        last = [layer for layer in value.layers if isinstance(layer, keras.layers.Conv2D)][-1]
        name = getattr(last.activation, "__name__", "")
        assert name != "tanh", ("the last layer uses tanh, which squashes every output into (-1, 1), but "
                                "vx / u_max goes above 1 (notebook 2): leave it linear.")
        assert name == "linear", (f"the last layer uses '{name}'; velocities are signed and unbounded: "
                                  "leave it linear.")
    return run_check("Exercise 3 (an encoder that sees the whole channel)", body)


# ------------------------------------------------------------------ 4: U-Net


def gate(gate_fn) -> bool:
    def body():
        import keras

        rng = np.random.default_rng(1)
        a = rng.normal(size=(2, 4, 4, 3)).astype("float32")
        g = rng.normal(size=(2, 4, 4, 3)).astype("float32")
        out = keras.ops.convert_to_numpy(call_answer(gate_fn, a, g))
        expected = a / (1 + np.exp(-g))
        assert np.shape(out) == a.shape, f"gate(a, g) should keep the shape {a.shape}, got {np.shape(out)}."
        if np.allclose(out, a * g, atol=1e-4):
            raise AssertionError("squash the gate with a sigmoid first, so it lies between 0 and 1.")
        if np.allclose(out, a / (1 + np.exp(g)), atol=1e-4):
            raise AssertionError("mind the sign: sigma(g) = 1 / (1 + exp(-g)) is near 1 for large g (gate open).")
        if np.allclose(out, 1 / (1 + np.exp(-g)), atol=1e-4):
            raise AssertionError("that is the gate alone; multiply it by a, the feature maps it lets through.")
        close(out, expected, "gate(a, g)", rtol=1e-4, atol=1e-5)
    return run_check("Exercise 1 (the gate)", body)


def unet_parameters(n_params, model) -> bool:
    def body():
        import keras

        value = int(require(n_params, "n_params"))
        expected = model.count_params()
        convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
        kernels = sum(int(np.prod(layer.kernel.shape)) for layer in convs)
        shortcut = [layer for layer in convs if layer.kernel_size == (1, 1)]
        if value == kernels:
            raise AssertionError("you counted the weights but not the biases (one per filter of each convolution).")
        if shortcut and value == expected - shortcut[0].count_params():
            raise AssertionError("the input's width differs from the block's, so the shortcut is a 1 x 1 "
                                 "convolution with its own weights and biases: count it too.")
        gate_convs = [layer for layer in convs if layer.kernel_size == (3, 3)][1:]
        if len(gate_convs) == 2 and value == expected - gate_convs[0].count_params():
            raise AssertionError("the gate has two 3 x 3 convolutions, a and g, each with its own weights.")
        assert value == expected, (f"got {value:,}; a k x k convolution from c_in to c_out channels has "
                                   "k * k * c_in * c_out weights and c_out biases: add all four.")
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
        inner = (2 * x + 2 * y)[1:-1, 1:-1]
        assert two.shape[1:] == inner.shape, (f"use central differences on the interior cells: shape "
                                              f"{inner.shape}, got {two.shape[1:]}")
        swapped = np.stack([x, y * 0], axis=-1)[None]              # vx = x: divergence 1 everywhere
        if np.allclose(keras.ops.convert_to_numpy(div_fn(swapped)), 0, atol=1e-4):
            raise AssertionError("d(vx)/dx is taken along x, the last grid axis (columns); d(vy)/dy along y, "
                                 "the rows.")
        if np.allclose(two[0], 2 * inner, rtol=1e-4, atol=1e-4):
            raise AssertionError("a central difference spans two cells (x + 1 and x - 1): divide by 2.")
        if np.allclose(two[0], inner + 2, atol=1e-3) or np.allclose(two[0], inner - 2, atol=1e-3):
            raise AssertionError("that is a one-sided difference; a central one takes the cells on both sides: "
                                 "(v[x + 1] - v[x - 1]) / 2.")
        assert np.abs(zero).max() < 1e-4, "a divergence-free field should give zero everywhere."
        close(two[0], inner, "divergence of (x², y²)", rtol=1e-4, atol=1e-4)
    return run_check("Exercise 3 (the divergence of a field)", body)


# ------------------------------------------------------------------ 5: surrogate vs solver


class _SlowFirstCall:
    """Stands in for a Keras model: the first ``predict`` pays a tracing cost, every call a cost per batch."""

    trace_seconds, batch_seconds = 0.2, 0.003

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, x, batch_size=32, verbose="auto"):
        import time

        batches = -(-len(x) // batch_size)
        time.sleep((self.trace_seconds if self.calls == 0 else 0.0) + self.batch_seconds * batches)
        self.calls += 1
        return np.zeros((len(x), 1), "float32")


def time_per_field(time_fn) -> bool:
    """The learner's ``time_per_field(model, x, batch_size)``, timed on a stand-in model whose cost is known."""
    def body():
        model, x, batch_size = _SlowFirstCall(), np.zeros((64, 3), "float32"), 8
        got = float(call_answer(time_fn, model, x, batch_size))
        one_pass = model.batch_seconds * (len(x) // batch_size)
        expected = one_pass / len(x)
        if model.calls < 2:
            raise AssertionError("predict was called only once, so the time includes the first call's tracing: "
                                 "call it once to warm up, then start the clock.")
        if got > one_pass / 2:
            raise AssertionError("that is the time of a whole pass: divide by the number of fields, len(x).")
        if got > model.trace_seconds / len(x) / 2:
            raise AssertionError("the time still includes the first (warm-up) call: start the clock after it.")
        assert expected / 2 < got < 3 * expected, (f"got {got:.2e} s per field; this stand-in model takes "
                                                   f"{expected:.2e} s per field once it is warm.")
    return run_check("Exercise 1 (timing a network fairly)", body)


def break_even(n_fields, solver_seconds: float, training_seconds: float, model_seconds: float,
               n_made: int = 0) -> bool:
    """Fields after which the surrogate, its ``n_made`` solved data flows and its training included, is cheaper."""
    def body():
        got = int(require(n_fields, "n_break_even"))
        saving = solver_seconds - model_seconds
        expected = int(np.ceil((n_made * solver_seconds + training_seconds) / saving))
        if n_made and abs(got - int(np.ceil(training_seconds / saving))) <= 1:
            raise AssertionError("the training flows had to be solved before training: add their solver time "
                                 "(one solver time per flow made) to the cost.")
        if abs(got - int(np.ceil((n_made * solver_seconds + training_seconds) / solver_seconds))) <= 1 \
                and abs(got - expected) > 1:
            raise AssertionError("each predicted field saves the solver's time minus the network's time, not the "
                                 "solver's whole time: the network is not free.")
        assert abs(got - expected) <= 1, (f"got {got}; the surrogate pays off once n * (solver time - network "
                                          "time) exceeds everything it cost first.")
    return run_check("Exercise 2 (when does the surrogate pay off?)", body)


def family_gap(gap, errors, family) -> bool:
    """Difference of the aerofoils' and the other flows' mean errors, in standard errors of that difference."""
    def body():
        got = float(require(gap, "gap_in_standard_errors"))
        errors_ = np.asarray(errors, dtype=float)
        naca, others = errors_[np.asarray(family) == "naca"], errors_[np.asarray(family) != "naca"]
        difference = naca.mean() - others.mean()
        expected = difference / np.sqrt(naca.var(ddof=1) / len(naca) + others.var(ddof=1) / len(others))
        if np.isclose(got, -expected, rtol=0.05):
            raise AssertionError("the sign: aerofoils minus the other flows, so that a harder unseen family "
                                 "gives a positive gap.")
        if np.isclose(got, difference, rtol=1e-3):
            raise AssertionError("that is the gap itself; divide it by its standard error.")
        if np.isclose(got, difference / np.sqrt(naca.var(ddof=1) + others.var(ddof=1)), rtol=0.05):
            raise AssertionError("you divided by the spread of single errors (their standard deviation); the "
                                 "standard error of a mean is that divided by sqrt(n).")
        pooled = difference / (errors_.std(ddof=1) / np.sqrt(len(errors_)))
        if np.isclose(got, pooled, rtol=0.05):
            raise AssertionError("compute a standard error for each group (aerofoils, others) and combine them.")
        close(got, expected, "gap_in_standard_errors", rtol=0.05, atol=1e-6)
    return run_check("Exercise 3 (is the unseen family really harder?)", body)


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
