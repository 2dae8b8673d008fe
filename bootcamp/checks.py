"""Learning floors, metric records and the building blocks of self-checks.

Two kinds of check appear in the notebooks:

* **floors** (:func:`floor`) prove that learning happened: a loss below, or an
  accuracy above, a stated bound. They raise when missed, in both run modes,
  so CI fails when a lesson stops teaching what it claims.
* **self-checks** (:mod:`bootcamp.selfcheck`) test a learner's exercise
  answer. An answer still at its starter value is reported as "not attempted"
  without raising, so the learner notebook runs top to bottom; a wrong answer
  raises with a hint. Solution notebooks wrap every self-check in ``assert``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from collections.abc import Callable
from typing import Any

from bootcamp.config import METRICS_ENV, is_quick

# Plain text symbols, not emoji: JupyterLab's default fonts (DejaVu, the
# usual monospace fonts) draw these, where emoji showed as a missing glyph.
PASS, TODO, FAIL = "\N{CHECK MARK}", "\N{BALLOT BOX}", "\N{BALLOT X}"


def record(name: str, value: float, unit: str = "") -> float:
    """Note a headline metric; ``make report`` collects these per notebook."""
    value = float(value)
    path = os.environ.get(METRICS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "value": value, "unit": unit}) + "\n")
    return value


def floor(name: str, value: float, *, at_least: float | None = None,
          at_most: float | None = None, unit: str = "", seen_in_full_mode: bool = True) -> None:
    """Record ``value`` and fail loudly unless it clears the learning floor.

    ``seen_in_full_mode=False`` marks a full-mode bound that nobody has yet
    seen pass with the notebook's code (quick-mode bounds are checked by CI on
    every change): missed in full mode, it says that the target may be out of
    the settings' reach, instead of blaming the run. Returns nothing, so a floor as a cell's last
    line leaves no ``Out[..]`` value under the cell: the printed line says
    everything."""
    if (at_least is None) == (at_most is None):
        raise TypeError("give exactly one of at_least= or at_most=")
    value = record(name, value, unit)
    ok = math.isfinite(value) and (value >= at_least if at_least is not None else value <= at_most)
    bound = f">= {at_least:g}" if at_least is not None else f"<= {at_most:g}"
    shown = f"{name} = {value:.4g}{(' ' + unit) if unit else ''}"
    if not ok and not seen_in_full_mode and not is_quick() and math.isfinite(value):
        raise AssertionError(
            f"{FAIL} Learning floor missed: {shown}, expected {bound}. Nobody has yet seen this floor pass "
            "in full mode with this notebook's code, so the target may be beyond these settings rather "
            "than your run gone wrong: the notes above say what has been measured. Please report the value "
            "to the course's maintainers.")
    if not ok:
        raise AssertionError(
            f"{FAIL} Learning floor missed: {shown}, expected {bound}. Training did not "
            "converge as it should: re-run the notebook from the top (Kernel > Restart "
            "and Run All); if it still fails, the settings above were changed.")
    print(f"{PASS} {shown} (floor {bound})")


# ---------------------------------------------------------------- self-checks
class NotAttempted(Exception):
    """Raised inside a self-check when the answer is still the starter."""


def is_placeholder(value: Any) -> bool:
    return value is None or value is Ellipsis


def call_answer(fn: Callable, *args, **kwargs):
    """Call a learner's function; a starter that raises NotImplementedError
    (or returns a placeholder) counts as not attempted."""
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError as err:
        raise NotAttempted(str(err) or f"{getattr(fn, '__name__', 'the function')} is not written yet") from None
    if is_placeholder(result):
        raise NotAttempted(f"{getattr(fn, '__name__', 'the function')} still returns {result!r}")
    return result


def passes(check: Callable, *args) -> bool:
    """Whether ``check(*args)`` finishes, quietly, without saying "not yet".

    ``check`` is a self-check (True when passed, False while not attempted,
    raises when wrong), a check body (raises :class:`NotAttempted` or
    ``AssertionError``), or a learner's function that should simply run on
    ``args``. Any exception, or a returned False, means "not usable yet": the
    learner's own self-check cell says why. Nothing is printed.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return check(*args) is not False
    except Exception:  # noqa: BLE001 - any failure means "not usable yet"; its self-check says why
        return False


def yours_or_course(answers, course, check: Callable, *, what: str, course_name: str):
    """The learner's answer once ``check(*answers)`` passes, else the course's version.

    The one way a notebook goes on after an exercise whose result later cells
    need, so that the learner notebook runs top to bottom before the exercise
    is done. ``answers`` and ``course`` are a function or a tuple of them (a
    tuple comes back as a tuple). One printed line says which is used::

        build = yours_or_course(frozen_model, transfer.frozen_classifier, check.frozen_head,
                                what="Exercise 1", course_name="bootcamp.transfer.frozen_classifier")
    """
    answers_tuple = tuple(answers) if isinstance(answers, (tuple, list)) else (answers,)
    if passes(check, *answers_tuple):
        names = " and ".join(getattr(fn, "__name__", "answer") for fn in answers_tuple)
        print(f"{what} solved: the cells below use your {names}.")
        return answers
    print(f"{what} is not solved yet: the cells below use the course's {course_name}; "
          "re-run from here once yours passes its check.")
    return course


def run_check(title: str, body: Callable[[], None]) -> bool:
    """Run one self-check: True when passed, False when not attempted yet.

    ``body`` raises :class:`NotAttempted` for a starter answer and
    ``AssertionError`` (with a hint) for a wrong one.
    """
    try:
        body()
    except NotAttempted as why:
        print(f"{TODO} {title}: not attempted yet ({why}). Fill in the TODO above and re-run both cells.")
        return False
    except AssertionError as err:
        raise AssertionError(f"{FAIL} {title}: not right yet. {err}") from None
    print(f"{PASS} {title}: correct!")
    return True


def require(value: Any, what: str) -> Any:
    """Inside a check body: fail as 'not attempted' while ``value`` is a starter."""
    if is_placeholder(value):
        raise NotAttempted(f"{what} is still {value!r}")
    return value


def close(actual, expected, what: str, *, rtol: float = 1e-2, atol: float = 1e-6) -> None:
    """Inside a check body: assert two numbers/arrays agree, with a hint."""
    import numpy as np

    actual_arr = np.asarray(actual, dtype=float)
    expected_arr = np.asarray(expected, dtype=float)
    if actual_arr.shape != expected_arr.shape:
        raise AssertionError(f"{what} has shape {actual_arr.shape}, expected {expected_arr.shape}.")
    if not np.allclose(actual_arr, expected_arr, rtol=rtol, atol=atol):
        raise AssertionError(f"{what} is {np.round(actual_arr, 4).tolist()}, "
                             f"expected about {np.round(expected_arr, 4).tolist()}.")
