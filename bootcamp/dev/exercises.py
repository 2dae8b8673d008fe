"""Run an exercise's self-check against the starter, a wrong answer and the solution.

Every exercise cell of a master (tagged ``exercise``) is followed by a
``selfcheck`` cell. :func:`exercises` reads them straight from the master, so
a test exercises the very code a learner sees. :func:`attempt` executes one
answer (the starter block, the solution block or any other source) in a
namespace the caller prepares, then the self-check cell, and reports what
the learner would see: the check's return value, what it printed, and the
error it raised, if any.

The tests in ``tests/exercises/`` use this to prove, for every exercise, that
the starter is reported as not attempted, that a plausible wrong answer
fails with a hint, and that the solution passes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

from bootcamp.dev.nbgen import ROOT, split_exercise


@dataclass(frozen=True)
class Exercise:
    stem: str          # master file name without .py
    number: int        # 1, 2, ... in the order the exercise cells appear
    starter: str       # the exercise cell as the learner notebook has it
    solution: str      # the exercise cell as the solution notebook has it
    selfcheck: str     # the self-check cell that follows it


@dataclass(frozen=True)
class Outcome:
    result: object            # what the self-check returned (None when it raised)
    printed: str              # everything the answer and the check printed
    error: BaseException | None


@functools.lru_cache(maxsize=None)
def exercises(stem: str, root: Path = ROOT) -> tuple[Exercise, ...]:
    """The exercises of ``masters/<stem>.py``, numbered in order (parsed once
    per process: every test of a lesson's exercises reads the same master)."""
    path = root / "masters" / f"{stem}.py"
    cells = jupytext.reads(path.read_text(encoding="utf-8"), fmt="py:percent").cells
    code = [c for c in cells if c.cell_type == "code"]
    found = []
    for i, cell in enumerate(code):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        where = f"{path.name}, exercise {len(found) + 1}"
        found.append(Exercise(stem, len(found) + 1,
                              split_exercise(cell.source, "learner", where),
                              split_exercise(cell.source, "solution", where),
                              code[i + 1].source))
    return tuple(found)


def attempt(exercise: Exercise, answer: str, namespace: dict) -> Outcome:
    """Run ``answer`` (source code) and then the self-check in ``namespace``.

    The self-check cell holds imports and one call (nbgen enforces it); the
    call's value is returned as :attr:`Outcome.result`.
    """
    lines = exercise.selfcheck.strip().splitlines()
    call = next(ln for ln in reversed(lines) if ln.strip() and not ln.startswith("#"))
    setup = "\n".join(ln for ln in lines if ln is not call)
    out = io.StringIO()
    result, error = None, None
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(answer, f"<{exercise.stem} exercise {exercise.number}>", "exec"), namespace)
            exec(compile(setup, f"<{exercise.stem} self-check {exercise.number}>", "exec"), namespace)
            result = eval(compile(call, f"<{exercise.stem} self-check {exercise.number}>", "eval"), namespace)
        except (AssertionError, NotImplementedError) as err:
            error = err
    return Outcome(result, out.getvalue(), error)


def cell_defining(stem: str, name: str, root: Path = ROOT) -> str:
    """The source of the first code cell of ``masters/<stem>.py`` that defines
    ``name`` (``def name``, ``class name`` or ``name = ...``), so a test can
    build an exercise's context from the notebook's own code."""
    path = root / "masters" / f"{stem}.py"
    pattern = re.compile(rf"^(def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*(,[^=]*)?=[^=]", re.M)
    for cell in jupytext.reads(path.read_text(encoding="utf-8"), fmt="py:percent").cells:
        if cell.cell_type == "code" and "exercise" not in cell.metadata.get("tags", []) \
                and pattern.search(cell.source):
            return cell.source
    raise LookupError(f"no code cell of {path.name} defines {name!r}")
