"""Exercise cases of 00_start_here (see test_exercises.py)."""

from exercise_case import Case

CASES = {
    1: Case(context=dict, wrongs=[
        ("n_bytes = 60_000 * 28 * 28", r"4 bytes"),                   # counted numbers, not bytes
        ("n_bytes = 60_000 * 28 * 28 * 32", r"bits.*8 bits"),         # counted bits
        ("n_bytes = 60_000 * 28 * 28 * 8", r"float64"),               # NumPy's default type
        ("n_bytes = 60_000 * 28 * 4", r"bytes per number"),           # one side of the image only
    ]),
}
