"""Exercise cases of 08_sequences (see test_exercises.py)."""

import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import sequences as check


def context():
    return {"np": np, "check": check}


WINDOWS = "def windows_of_storm(winds, steps, lead_steps):\n    winds = np.asarray(winds, dtype=float)\n"
COUNT = "    count = max(len(winds) - steps - lead_steps + 1, 0)\n"
INPUTS = "    inputs = np.array([winds[k:k + steps] for k in range(count)]).reshape(count, steps)\n"
GRU = "def gru_parameters(units, features):\n"
PE = "def positional_encoding(length, depth):\n"
SOLVED_PE = ("    positions = np.arange(length)[:, None]\n"
             "    angles = positions / 10000 ** (np.arange(0, depth, 2) / depth)\n"
             "    table = np.zeros((length, depth))\n"
             "    table[:, 0::2] = np.sin(angles)\n"
             "    table[:, 1::2] = np.cos(angles)\n")

CASES = {
    1: Case(context=context, wrongs=[
        (WINDOWS + COUNT + INPUTS
         + "    return inputs, np.array([winds[k + steps - 1 + lead_steps - 1] for k in range(count)])",
         r"one step\s+short"),
        (WINDOWS + "    count = max(len(winds) - steps - lead_steps, 0)\n"
         + "    inputs = np.array([winds[k:k + steps] for k in range(count)]).reshape(count, steps)\n"
         + "    return inputs, np.array([winds[k + steps + lead_steps] for k in range(count)])",
         r"one step too far"),
        (WINDOWS + COUNT
         + "    inputs = np.array([winds[k:k + steps + lead_steps] for k in range(count)])\n"
         + "    return inputs, np.array([winds[k + steps - 1 + lead_steps] for k in range(count)])",
         r"see the answer"),
        (WINDOWS + "    count = max(len(winds) - steps - lead_steps, 0)\n" + INPUTS
         + "    return inputs, np.array([winds[k + steps - 1 + lead_steps] for k in range(count)])",
         r"every start whose target exists"),
        (WINDOWS + "    return winds[:steps], winds[steps - 1 + lead_steps]", r"shape \(windows, steps\)"),
    ]),
    2: Case(context=context, wrongs=[
        (GRU + "    return 4 * (features * units + units * units + units)", r"four gates"),
        (GRU + "    return 3 * (features * units + units * units + units)", r"two"),
        (GRU + "    return 3 * (features * units + 2 * units)", r"no recurrent weights"),
        (GRU + "    return features * units + units * units + 2 * units", r"one gate"),
        (GRU + "    return 3 * (features * units + units * units)", r"Keras counts"),
    ]),
    3: Case(context=context, wrongs=[
        (PE + "    return np.repeat(np.arange(length, dtype=float)[:, None], depth, axis=1)", r"raw position"),
        (PE + SOLVED_PE + "    return table.T", r"transposed"),
        (PE + "    return np.zeros((length, depth))", r"constant"),
        (PE + "    return np.random.uniform(-1, 1, (length, depth))", r"not random"),
        (PE + "    return np.sin(np.arange(length)[:, None] + np.zeros((1, depth)))", r"columns repeat"),
    ]),
}
