"""Self-checks for 08_sequences (storm intensity from the best track, GRU and transformer)."""

from __future__ import annotations

import numpy as np

from bootcamp.checks import call_answer, passes, run_check  # noqa: F401 - passes: the notebook calls check.passes


# ------------------------------------------------------------------ 1: windows of one storm


def _reference_windows(winds, steps, lead_steps):
    winds = np.asarray(winds, float)
    count = len(winds) - steps - lead_steps + 1
    if count <= 0:
        return np.zeros((0, steps)), np.zeros(0)
    first = np.arange(count)
    return winds[first[:, None] + np.arange(steps)], winds[first + steps - 1 + lead_steps]


def one_storm_windows(windows_of_storm) -> bool:
    """The learner's ``windows_of_storm(winds, steps, lead_steps)`` on gap-free 6-hourly winds."""
    def body():
        winds = 30.0 + 5.0 * np.arange(20)               # the value tells the index: 30 kt at 0, 35 at 1, ...
        for steps, lead_steps in [(8, 4), (3, 2), (5, 1)]:
            result = call_answer(windows_of_storm, winds, steps, lead_steps)
            if not (isinstance(result, tuple) and len(result) == 2):
                raise AssertionError("return a pair: (inputs, targets).")
            inputs, targets = (np.asarray(r, float) for r in result)
            want_x, want_y = _reference_windows(winds, steps, lead_steps)
            if inputs.ndim != 2 or inputs.shape[1:] != (steps,):
                if inputs.ndim == 2 and inputs.shape[1] == steps + lead_steps:
                    raise AssertionError("each input row also holds the fixes up to the target: the network "
                                         "would see the answer. Keep only the `steps` fixes before it.")
                raise AssertionError(f"inputs should have shape (windows, steps) = (n, {steps}); got {inputs.shape}.")
            if targets.shape != (len(inputs),):
                raise AssertionError(f"one target per input row: {len(inputs)} rows but targets of shape "
                                     f"{targets.shape}.")
            if len(inputs) and not np.allclose(np.diff(inputs, axis=1), 5.0):
                raise AssertionError("each input row should be `steps` consecutive fixes, oldest first.")
            if len(inputs) and len(targets):
                gap = (targets - inputs[:, -1]) / 5.0          # fixes between the last input and the target
                if np.allclose(gap, lead_steps - 1):
                    raise AssertionError(f"the target is {(lead_steps - 1) * 6} h after the last fix, one step "
                                         f"short: it is `lead_steps` fixes after the last input, "
                                         f"winds[last + lead_steps].")
                if np.allclose(gap, lead_steps + 1):
                    raise AssertionError(f"the target is {(lead_steps + 1) * 6} h after the last fix, one step "
                                         "too far: with `end = start + steps` the last input is winds[end - 1], "
                                         "so the target is winds[end - 1 + lead_steps].")
                if not np.allclose(gap, lead_steps):
                    raise AssertionError(f"the target should be {lead_steps * 6} h ({lead_steps} fixes) after the "
                                         "last input; lead_steps counts 6-hourly fixes, not hours.")
            if len(inputs) < len(want_x):
                raise AssertionError(f"{len(inputs)} windows from {len(winds)} fixes; every start whose target "
                                     f"exists counts: {len(want_x)} (len(winds) - steps - lead_steps + 1).")
            if len(inputs) > len(want_x):
                raise AssertionError(f"{len(inputs)} windows from {len(winds)} fixes: some run past the storm's "
                                     f"end (their target does not exist). There are {len(want_x)}.")
            if not (np.allclose(inputs, want_x) and np.allclose(targets, want_y)):
                raise AssertionError("the windows should start at every fix in turn, first fix first.")
        short = call_answer(windows_of_storm, winds[:6], 4, 4)
        if len(np.asarray(short[0])) or len(np.asarray(short[1])):
            raise AssertionError("a storm of 6 fixes has no window of 4 fixes plus a target 4 fixes later: return "
                                 "empty arrays.")
    return run_check("Exercise 1 (the windows of one storm)", body)


# ------------------------------------------------------------------ 2: positional encoding


def positional_encoding(encoding) -> bool:
    """The learner's ``positional_encoding(length, depth)``: a fixed, bounded, position-dependent table."""
    def body():
        for length, depth in [(8, 16), (50, 32)]:
            table = np.asarray(call_answer(encoding, length, depth), dtype=float)
            if table.shape == (depth, length) and length != depth:
                raise AssertionError(f"shape {table.shape}: transposed. One row per position: (length, depth) = "
                                     f"({length}, {depth}).")
            if table.shape != (length, depth):
                raise AssertionError(f"the table should have shape (length, depth) = ({length}, {depth}); got "
                                     f"{table.shape}.")
            if not np.isfinite(table).all():
                raise AssertionError("some values are not finite.")
            if np.abs(table).max() > 1.0 + 1e-6:
                raise AssertionError(f"values up to {np.abs(table).max():.3g}: a raw position grows with the "
                                     "sequence and swamps the features. Squash the angles with sin and cos, "
                                     "which stay within [-1, 1].")
            if np.ptp(table) < 1e-6:
                raise AssertionError("the table is constant: it must change with the position.")
            again = np.asarray(encoding(length, depth), dtype=float)
            if not np.allclose(table, again):
                raise AssertionError("two calls give different tables: the encoding should be a fixed function "
                                     "of the position (sin and cos of position x frequency), not random.")
            rows = np.round(table, 6)
            if len(np.unique(rows, axis=0)) < length:
                raise AssertionError("some positions get the same vector: the angle must depend on the position, "
                                     "not only on the column.")
            if len(np.unique(np.round(table.T, 6), axis=0)) < depth // 2:
                raise AssertionError("the columns repeat one another: give each pair of columns its own "
                                     "frequency, 1 / 10000**(2i/depth), so that slow columns tell far-apart "
                                     "positions apart and fast ones tell neighbours apart.")
            near = np.linalg.norm(table[1] - table[0])
            far = np.linalg.norm(table[length - 1] - table[0])
            if not near < far:
                raise AssertionError("neighbouring positions should be closer to each other than far-apart ones; "
                                     "use frequencies from 1 down to 1/10000.")
    return run_check("Exercise 3 (positional encoding)", body)


# ------------------------------------------------------------------ 3: what a GRU holds


def _keras_gru_parameters(units: int, features: int) -> int:
    import keras

    layer = keras.layers.GRU(units)
    layer.build((None, 5, features))
    return int(layer.count_params())


def gru_parameters(count_fn) -> bool:
    """The learner's ``gru_parameters(units, features)`` against Keras' own count."""
    def body():
        for units, features in [(16, 7), (32, 7), (5, 3)]:
            value = call_answer(count_fn, units, features)
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise AssertionError(f"return a whole number, got {value!r}.") from None
            expected = _keras_gru_parameters(units, features)
            if value == expected:
                continue
            if value == 4 * (units * features + units * units + units):
                raise AssertionError("that counts four gates, as in an LSTM; a GRU has three (update, reset, "
                                     "candidate).")
            if value == 3 * (units * features + units * units + units):
                raise AssertionError("one bias vector per gate; Keras' GRU (reset_after=True, the default) "
                                     "keeps two: one for the input part and one for the recurrent part.")
            if value in (3 * (units * features + 2 * units), 3 * (units * features + units)):
                raise AssertionError("no recurrent weights: each gate also multiplies the previous state, "
                                     "a units x units matrix.")
            if value == units * features + units * units + 2 * units:
                raise AssertionError("that is one gate; a GRU has three, each with its own weights.")
            raise AssertionError(f"gru_parameters({units}, {features}) = {value}; Keras counts {expected}.")
    return run_check("Exercise 2 (the weights of a GRU)", body)
