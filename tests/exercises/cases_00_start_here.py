"""Exercise cases of 00_start_here (see test_exercises.py)."""

from exercise_case import Case

CASES = {
    1: Case(context=dict, wrongs=[
        ("n_bytes = 60_000 * 28 * 28", r"4 bytes"),
        ("n_bytes = 60_000 * 28 * 28 * 8", r"bytes per number"),
    ]),
}
