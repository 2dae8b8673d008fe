"""Self-checks for 02_curve_fitting."""

import numpy as np

from bootcamp.checks import call_answer, close, require, run_check


def _hinges(seed=0, units=12):
    """Weights of a small one-hidden-layer ReLU network with kinks inside
    [-0.5, 0.5] and hidden weights of both signs, plus points between kinks."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.5, 3.0, units) * np.where(np.arange(units) % 2 == 0, 1.0, -1.0)
    kinks = rng.uniform(-0.45, 0.45, units)
    b = -w * kinks
    v = rng.normal(size=units)
    x = np.linspace(-0.5, 0.5, 97)
    x = x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-3]    # no point on a kink
    return x, w, b, v


def slope(slope_at) -> bool:
    """``slope_at(x, w, b, v)``: the slope of sum_i v_i max(0, w_i x + b_i) at each x."""
    def body():
        x, w, b, v = _hinges()
        value = np.asarray(call_answer(slope_at, x.copy(), w.copy(), b.copy(), v.copy()), dtype=float)
        if value.size != x.size:
            raise AssertionError(f"slope_at returned {value.size} numbers for {x.size} points of x: "
                                 "give one slope per point (a 1-D array like x).")
        value = value.ravel()
        on = np.outer(x, w) + b > 0
        expected = on @ (v * w)
        if np.allclose(value, expected, rtol=1e-6, atol=1e-9):
            return
        if np.allclose(value, np.sum(v * w)):
            raise AssertionError("your slope is the same everywhere: it counts every unit at every x. A unit "
                                 "adds its slope v_i * w_i only where it is switched on, w_i * x + b_i > 0.")
        right_of_kink = x[:, None] > -b / w
        if np.allclose(value, right_of_kink @ (v * w)):
            raise AssertionError("right for units with w_i > 0 only: a unit with a negative w_i is on to the "
                                 "LEFT of its kink. Test w_i * x + b_i > 0 instead of x > kink.")
        if np.allclose(value, on @ v) or np.allclose(value, on @ w):
            raise AssertionError("a switched-on unit adds v_i * (w_i * x + b_i), so its slope is v_i * w_i: "
                                 "use both weights.")
        close(value, expected, "the slopes", rtol=1e-6, atol=1e-9)
    return run_check("Exercise 1 (slope of a sum of hinges)", body)


def glorot(glorot_uniform) -> bool:
    """``glorot_uniform(fan_in, fan_out, rng)``: a uniform kernel with variance 2 / (fan_in + fan_out)."""
    def body():
        for fan_in, fan_out in ((200, 300), (600, 40)):
            kernel = np.asarray(call_answer(glorot_uniform, fan_in, fan_out, np.random.default_rng(0)), dtype=float)
            if kernel.shape != (fan_in, fan_out):
                raise AssertionError(f"glorot_uniform({fan_in}, {fan_out}, rng) has shape {kernel.shape}; a Dense "
                                     f"kernel has one row per input and one column per unit: ({fan_in}, {fan_out}).")
            if np.ptp(kernel) == 0:
                raise AssertionError("every weight has the same value: all units would start alike, get the same "
                                     "gradient and stay alike (the symmetry above). Draw random values.")
            limit = np.sqrt(6 / (fan_in + fan_out))
            want, got = np.sqrt(2 / (fan_in + fan_out)), kernel.std()
            if abs(kernel.mean()) > 0.05 * want:
                raise AssertionError(f"the weights average {kernel.mean():.3g}: draw them symmetrically around "
                                     "zero, between -L and +L.")
            if abs(got / want - 1) > 0.03:
                if abs(got * np.sqrt(3) / want - 1) < 0.03:
                    hint = ("your L makes the standard deviation L, but a uniform distribution on [-L, L] has "
                            "variance L**2 / 3: choose L so that L**2 / 3 = 2 / (fan_in + fan_out).")
                elif min(abs(got / np.sqrt(s / fan_in) - 1) for s in (1, 2, 2 / 3)) < 0.03:
                    hint = "Glorot's variance uses both fan_in and fan_out: 2 / (fan_in + fan_out)."
                else:
                    hint = (f"the standard deviation should be sqrt(2 / (fan_in + fan_out)) = {want:.4f}; "
                            "a uniform distribution on [-L, L] has variance L**2 / 3.")
                raise AssertionError(f"for fan_in={fan_in}, fan_out={fan_out} your weights have standard deviation "
                                     f"{got:.4f}, Glorot's is {want:.4f}: {hint}")
            if np.abs(kernel).max() > limit * (1 + 1e-6):
                raise AssertionError(f"the spread is right, but some weights lie beyond L = {limit:.4f}: draw "
                                     "uniformly between -L and +L (Glorot also has a normal version, but this "
                                     "exercise asks for the uniform one).")
    return run_check("Exercise 2 (Glorot initialisation)", body)


NETWORKS = ([1, 32, 1], [1, 32, 32, 1], [1, 128, 128, 128, 1], [784, 64, 64, 10], [3, 5, 2])


def parameter_count(dense_params) -> bool:
    """``dense_params(sizes)`` on several stacks of Dense layers (the counts Keras's count_params() gives)."""
    def body():
        for sizes in NETWORKS:
            value = call_answer(dense_params, list(sizes))
            expected = sum(n * u + u for n, u in zip(sizes[:-1], sizes[1:]))
            if value == expected:
                continue
            weights = sum(n * u for n, u in zip(sizes[:-1], sizes[1:]))
            if value == weights:
                hint = "that counts the kernels only: every unit also has one bias."
            elif value == weights + sum(sizes):
                hint = "the inputs have no biases: only the units of each layer do."
            else:
                hint = "each layer has inputs x units weights plus one bias per unit; add up the layers."
            raise AssertionError(f"dense_params({list(sizes)}) = {value}, it should be {expected:,}: {hint}")
    return run_check("Exercise 3 (parameter count)", body)


def best_order(choice, val_table: dict, train_table: dict) -> bool:
    """``choice`` maps n_points to an order; the tables map (order, n_points) to MSE."""
    def body():
        value = require(choice, "best_order")
        sizes = sorted({n for _, n in val_table})
        orders = sorted({o for o, _ in val_table})
        if not isinstance(value, dict):
            raise AssertionError(f"best_order is a {type(value).__name__}; make it a dict with one order per "
                                 f"training-set size, {{n_points: order}} for n_points in {sizes}.")
        if sorted(value) != sizes:
            raise AssertionError(f"best_order has keys {sorted(value)}; it needs one per training-set size: {sizes}.")
        by_val = {n: min(orders, key=lambda o: val_table[o, n]) for n in sizes}
        by_train = {n: min(orders, key=lambda o: train_table[o, n]) for n in sizes}
        if value == by_val:
            return
        if value == by_train:
            raise AssertionError("you chose by training error, which always favours the highest order: it "
                                 "measures how well a model fits the points it has seen. Choose by the error "
                                 "on points it has not seen, the validation table.")
        wrong = [n for n in sizes if value[n] != by_val[n]]
        raise AssertionError(f"for {wrong[0]} training points, order {value[wrong[0]]} does not have the lowest "
                             "validation error; read that row of the validation table.")
    return run_check("Exercise 4 (choosing the capacity)", body)
