"""Exercise cases of 06_cfd_5_surrogate_vs_solver (see test_exercises.py).

Exercise 1's self-check times the answer on a stand-in model with a known
cost (it sleeps), so no network is built; Exercises 2 and 3 get small
made-up timings and errors of the shape the notebook has.
"""

import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import cfd


def timing():
    return {"np": np, "cfd": cfd}


def costs():
    return {"np": np, "cfd": cfd, "solver_seconds": np.array([0.09, 0.13, 0.11]), "training_seconds": 30.0,
            "batched_seconds": 0.001, "x_train": np.zeros((160, 4)), "x_val": np.zeros((32, 4))}


def held_out_errors():
    rng = np.random.default_rng(3)
    family = np.array(["ellipse"] * 12 + ["polygon"] * 8 + ["rectangle"] * 12 + ["naca"] * 16)
    errors = np.where(family == "naca", 0.14, 0.10) + rng.normal(0, 0.03, len(family))
    return {"np": np, "cfd": cfd, "errors": errors, "held_out": {"family": family}}


CASES = {
    1: Case(context=timing, wrongs=[
        ("import time\n"
         "def time_per_field(model, x, batch_size):\n"
         "    start = time.perf_counter()\n"
         "    model.predict(x, batch_size=batch_size, verbose=0)\n"
         "    return (time.perf_counter() - start) / len(x)", r"warm up"),
        ("import time\n"
         "def time_per_field(model, x, batch_size):\n"
         "    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)\n"
         "    start = time.perf_counter()\n"
         "    model.predict(x, batch_size=batch_size, verbose=0)\n"
         "    return time.perf_counter() - start", r"divide by the number of fields"),
        ("import time\n"
         "def time_per_field(model, x, batch_size):\n"
         "    start = time.perf_counter()\n"
         "    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)\n"
         "    model.predict(x, batch_size=batch_size, verbose=0)\n"
         "    return (time.perf_counter() - start) / len(x)", r"start the clock after"),
    ]),
    2: Case(context=costs, wrongs=[
        ("n_break_even = int(np.ceil(training_seconds / (solver_seconds.mean() - batched_seconds)))",
         r"had to be solved"),
        ("n_made = len(x_train) + len(x_val)\n"
         "n_break_even = int(np.ceil((n_made * solver_seconds.mean() + training_seconds) / solver_seconds.mean()))",
         r"network is not free"),
        ("n_break_even = int(np.ceil((len(x_train) * solver_seconds.mean() + training_seconds)\n"
         "                           / (solver_seconds.mean() - batched_seconds)))",
         r"exceeds everything it cost"),
    ]),
    3: Case(context=held_out_errors, wrongs=[
        ("naca = errors[held_out['family'] == 'naca']\n"
         "others = errors[held_out['family'] != 'naca']\n"
         "gap_in_standard_errors = (naca.mean() - others.mean()) / np.sqrt(naca.var(ddof=1) + others.var(ddof=1))",
         r"sqrt\(n\)"),
        ("naca = errors[held_out['family'] == 'naca']\n"
         "others = errors[held_out['family'] != 'naca']\n"
         "gap_in_standard_errors = naca.mean() - others.mean()", r"divide it by its standard error"),
        ("naca = errors[held_out['family'] == 'naca']\n"
         "others = errors[held_out['family'] != 'naca']\n"
         "se = np.sqrt(naca.var(ddof=1) / len(naca) + others.var(ddof=1) / len(others))\n"
         "gap_in_standard_errors = (others.mean() - naca.mean()) / se", r"the sign"),
        ("naca = errors[held_out['family'] == 'naca']\n"
         "others = errors[held_out['family'] != 'naca']\n"
         "gap_in_standard_errors = (naca.mean() - others.mean()) / (errors.std(ddof=1) / np.sqrt(len(errors)))",
         r"for each group"),
    ]),
}
