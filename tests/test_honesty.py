"""Rules of honest evaluation that every master keeps, checked mechanically.

* The test set decides nothing. Any code cell that names the test data (an
  identifier containing ``test``) is tagged ``split`` (it makes or loads the
  split and scores nothing) or ``final`` (it scores the chosen model once).
  No model is trained after the first ``final`` cell, so nothing chosen can
  depend on a test score.
* Competitions use a locked set: ``load_locked_set`` (cyclone and CFD) is
  called by the competition notebooks only.
* A number that depends on the run or the mode is printed by code, never
  typed into markdown: prose may not state measured times, errors,
  accuracies, speed-ups or parameter counts (see ``MEASURED``).
"""

from __future__ import annotations

import io
import re
import tokenize

import jupytext
import pytest

from bootcamp.dev.nbgen import masters

NOT_TEST_DATA = {"train_test_split"}
SCORING = re.compile(r"\.(evaluate|predict)\(|\bscore\w*\(|\bfloor\(")
TRAINING = re.compile(r"\.fit\(")
LOCKED_LOADER = "load_locked_set"

# Markdown phrases that state a measured quantity. A number that is a design
# constant (a split fraction, an image size) is not caught by these.
MEASURED = re.compile(
    r"\d[\d,.]*\s*(?:ms\b|(?<=\s)s\b|seconds?\b|minutes?\b|min\b|parameters\b|params\b|million\b)"
    r"|\d[\d,.]*\s?[×x](?!\s*\d)"
    r"|\d[\d,.]*\s*%"
    r"|\b(?:a tenth|a few hundred|a few thousand|about \d|roughly \d|around \d|two million|a million)",
    re.I)


def code_cells(stem_path):
    nb = jupytext.reads(stem_path.read_text(encoding="utf-8"), fmt="py:percent")
    return nb.cells


def names(source: str) -> set[str]:
    """Identifiers and attribute names in code, not in strings or comments."""
    found = set()
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if tok.type == tokenize.NAME:
                found.add(tok.string)
    except (tokenize.TokenError, IndentationError):
        pass
    return found


def test_data_names(source: str) -> set[str]:
    return {n for n in names(source) if "test" in n.lower() and n not in NOT_TEST_DATA}


test_data_names.__test__ = False
MASTERS = masters()


@pytest.mark.parametrize("path", MASTERS, ids=[m.stem for m in MASTERS])
def test_the_test_set_is_scored_only_at_the_end(path):
    first_final = None
    for number, cell in enumerate(code_cells(path), 1):
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        where = f"{path.name}, cell {number}"
        used = test_data_names(cell.source)
        if used and not tags & {"split", "final"}:
            pytest.fail(f"{where} uses the test data ({', '.join(sorted(used))}) but is tagged neither "
                        "'split' nor 'final': choose on validation data; score the test set at the end")
        if "split" in tags and used and SCORING.search(cell.source):
            pytest.fail(f"{where} is tagged 'split' but scores something: evaluation on the test set "
                        "belongs in a 'final' cell")
        if "final" in tags and first_final is None:
            first_final = number
        if first_final is not None and TRAINING.search(cell.source):
            pytest.fail(f"{where} trains a model after the final test scoring in cell {first_final}: "
                        "train and choose first, then score the test set once")


@pytest.mark.parametrize("path", MASTERS, ids=[m.stem for m in MASTERS])
def test_only_competitions_open_the_locked_set(path):
    uses = any(LOCKED_LOADER in names(c.source) for c in code_cells(path) if c.cell_type == "code")
    if not path.stem.endswith("_competition"):
        assert not uses, f"{path.name} calls {LOCKED_LOADER}: only the competition notebooks may open the locked set"


@pytest.mark.parametrize("path", MASTERS, ids=[m.stem for m in MASTERS])
def test_no_measured_number_is_typed_in_prose(path):
    found = []
    for number, cell in enumerate(code_cells(path), 1):
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"\$[^$]*\$|`[^`]*`|\]\([^)]*\)", " ", cell.source)   # maths, code, link targets
        for line in text.splitlines():
            if "<!-- fixed" in line or "<!-- measured:" in line:
                continue                      # a design constant or quoted literature; or a benchmark's figure
            for match in MEASURED.finditer(line):
                found.append(f"cell {number}: ...{match.group(0)}... in {line.strip()!r}")
    assert not found, (f"{path.name} types numbers that the run measures; print them from code "
                       "(or end the line with '<!-- fixed -->' for a design constant or a quoted source, "
                       "or '<!-- measured: COMMAND -->' naming the command that measured it):\n" + "\n".join(found))
