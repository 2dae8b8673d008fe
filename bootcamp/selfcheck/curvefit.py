"""Self-checks for 02_curve_fitting."""

import numpy as np

from bootcamp.checks import close, require, run_check


def parameter_count(n_params) -> bool:
    def body():
        import keras

        value = require(n_params, "n_params")
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(32), keras.layers.Dense(32),
                                  keras.layers.Dense(1)])
        expected = model.count_params()
        assert value == expected, (f"got {value}; each Dense layer has inputs x units weights "
                                   "plus one bias per unit. Add the three layers.")
    return run_check("Exercise 1 (parameter count)", body)


def kink_positions(kinks, weights, biases) -> bool:
    def body():
        value = np.sort(np.ravel(require(kinks, "kinks")))
        w, b = np.ravel(weights), np.ravel(biases)
        expected = np.sort(-b[w != 0] / w[w != 0])
        close(value, expected, "kinks", rtol=1e-4, atol=1e-6)
    return run_check("Exercise 2 (where the kinks are)", body)


def best_order(order, table: dict) -> bool:
    """``table`` maps (order, n_points) to validation MSE."""
    def body():
        value = require(order, "best_order")
        n_most = max(n for _, n in table)
        expected = min((mse, o) for (o, n), mse in table.items() if n == n_most)[1]
        assert value == expected, (f"order {value} is not the lowest validation error with "
                                   f"{n_most} points; read the row for that many points.")
    return run_check("Exercise 3 (capacity that generalises best)", body)
