"""Every exercise of every master: the starter is reported as not attempted,
each plausible wrong answer fails with a hint a learner understands, and the
solution passes.

The starter, the solution and the self-check come from the master itself
(``bootcamp.dev.exercises``); the wrong answers and the namespace each
exercise runs in live in ``cases_<master>.py`` beside this file, one
``CASES = {exercise number: Case(...)}`` per master. An exercise without a
case fails here: no exercise ships without this proof.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

import pytest

from bootcamp.dev.exercises import attempt, exercises
from bootcamp.dev.nbgen import masters

HERE = Path(__file__).parent
ALL = [(m.stem, ex.number) for m in masters() for ex in exercises(m.stem)]


@functools.lru_cache(maxsize=None)
def cases_of(stem: str) -> dict:
    path = HERE / f"cases_{stem}.py"
    if not path.exists():
        pytest.fail(f"masters/{stem}.py has exercises but {path.name} does not exist")
    spec = importlib.util.spec_from_file_location(f"cases_{stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def test_every_case_names_a_real_exercise():
    stems = {m.stem: len(exercises(m.stem)) for m in masters()}
    for path in HERE.glob("cases_*.py"):
        stem = path.stem.removeprefix("cases_")
        assert stem in stems, f"{path.name}: no master {stem}.py"
        extra = set(cases_of(stem)) - set(range(1, stems[stem] + 1))
        assert not extra, f"{path.name}: cases for exercises {sorted(extra)} that {stem}.py does not have"


@pytest.mark.parametrize(("stem", "number"), ALL, ids=[f"{s}-ex{n}" for s, n in ALL])
def test_exercise(stem, number):
    case = cases_of(stem).get(number)
    assert case is not None, f"exercise {number} of masters/{stem}.py has no case in cases_{stem}.py"
    assert case.wrongs, "a case needs at least one plausible wrong answer"
    exercise = exercises(stem)[number - 1]

    starter = attempt(exercise, exercise.starter, case.context())
    assert starter.error is None, f"the starter must run and report 'not attempted', it raised: {starter.error}"
    assert starter.result is False, f"the self-check passed on the starter (returned {starter.result!r})"
    assert "not attempted" in starter.printed, starter.printed

    for source, hint in case.wrongs:
        wrong = attempt(exercise, source, case.context())
        assert isinstance(wrong.error, AssertionError), (
            f"the self-check did not fail on this wrong answer (returned {wrong.result!r}):\n{source}")
        message = str(wrong.error)
        assert "not right yet" in message, message
        assert re.search(hint, message), f"the hint {hint!r} is not in the message: {message}"

    solution = attempt(exercise, exercise.solution, case.context())
    assert solution.error is None and solution.result is True, (
        f"the solution does not pass its own check: {solution.error or solution.printed}")
