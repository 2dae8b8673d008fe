"""Self-checks for the exercises, one module per lesson.

Each function takes the learner's answer, prints a verdict and returns True
when it is right, False while it is still the starter; a wrong answer raises
with a hint. The expected answers are computed, never stored as literals the
learner could copy.
"""
