"""Masters -> learner and solution notebooks, and the drift check."""

import json
import shutil
from pathlib import Path

import pytest

from bootcamp.dev import nbgen

ROOT = Path(__file__).resolve().parents[1]

MASTER = '''\
# %% [markdown]
# # 99 · A test lesson

# %%
x = 1

# %% tags=["exercise"]
# TODO: set answer
# BEGIN SOLUTION
answer = 42
# END SOLUTION
# BEGIN STARTER
answer = None
# END STARTER

# %% tags=["selfcheck"]
from somewhere import check

check(answer)

# %% tags=["solution-only"]
print("only in the solution")
'''


@pytest.fixture
def project(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "masters").mkdir()
    (tmp_path / "masters" / "99_test.py").write_text(MASTER)
    return tmp_path


def sources(path):
    return [("".join(c["source"]), c["cell_type"], c["metadata"].get("tags", []))
            for c in json.loads(path.read_text())["cells"]]


def test_build_splits_exercises_and_wraps_selfchecks(project):
    written = nbgen.write_all(project)
    assert {p.relative_to(project).as_posix() for p in written} == {
        "notebooks/99_test.ipynb", "solutions/99_test.ipynb"}
    learner = sources(project / "notebooks/99_test.ipynb")
    solution = sources(project / "solutions/99_test.ipynb")
    learner_code = "\n".join(s for s, kind, _ in learner if kind == "code")
    solution_code = "\n".join(s for s, kind, _ in solution if kind == "code")

    assert "answer = None" in learner_code and "answer = 42" not in learner_code
    assert "answer = 42" in solution_code and "answer = None" not in solution_code
    assert "BEGIN" not in learner_code + solution_code
    assert "\ncheck(answer)" in learner_code and "assert check(answer)" in solution_code
    assert "only in the solution" in solution_code and "only in the solution" not in learner_code
    # generated header: title, badge pointing at the right path, Colab cell
    assert learner[0][0] == "# 99 · A test lesson"
    assert "blob/main/notebooks/99_test.ipynb" in learner[1][0]
    assert "blob/main/solutions/99_test.ipynb" in solution[1][0]
    assert "%env BOOTCAMP_QUICK=1" in learner[1][0] and "No restart needed" in learner[1][0]
    assert learner[2][2] == ["colab"] and '"google.colab" in sys.modules' in learner[2][0]


def test_build_is_idempotent_and_canonical(project):
    nbgen.write_all(project)
    assert nbgen.write_all(project) == []
    assert nbgen.problems(project) == []
    text = (project / "notebooks/99_test.ipynb").read_text()
    assert text == nbgen.canonical(json.loads(text))


def test_check_catches_planted_drift(project):
    nbgen.write_all(project)
    path = project / "solutions/99_test.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][3]["source"] = "x = 2"
    path.write_text(nbgen.canonical(nb))
    assert nbgen.problems(project) == ["solutions/99_test.ipynb: drifted from masters/99_test.py "
                                       "(edit the master, then `make notebooks`)"]


def test_check_catches_outputs_bad_json_orphans_and_missing(project):
    nbgen.write_all(project)
    learner = project / "notebooks/99_test.ipynb"
    nb = json.loads(learner.read_text())
    nb["cells"][3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    nb["cells"][3]["execution_count"] = 1
    learner.write_text(json.dumps(nb))                       # also not canonical
    (project / "solutions/99_test.ipynb").unlink()
    (project / "notebooks/98_orphan.ipynb").write_text("{not json")
    found = "\n".join(nbgen.problems(project))
    assert "notebooks/99_test.ipynb: has stored outputs" in found
    assert "notebooks/99_test.ipynb: JSON is not in canonical form" in found
    assert "notebooks/98_orphan.ipynb: not valid JSON" in found
    assert "solutions/99_test.ipynb: missing" in found


@pytest.mark.parametrize("broken, message", [
    (MASTER.replace("# END STARTER\n", ""), "STARTER block is never closed"),
    (MASTER.replace("# BEGIN STARTER\nanswer = None\n# END STARTER\n", ""), "needs both a SOLUTION and a STARTER"),
    (MASTER.replace('tags=["exercise"]', ""), "markers in a cell not tagged 'exercise'"),
    (MASTER.replace('tags=["selfcheck"]', ""), "must be followed by a selfcheck cell"),
    (MASTER.replace("check(answer)", "check(answer)\ncheck(answer)"), "exactly one call"),
    (MASTER.replace("# %% [markdown]\n", "# %%\n", 1), "first cell must be"),
])
def test_master_errors_say_where(project, broken, message):
    (project / "masters" / "99_test.py").write_text(broken)
    with pytest.raises(nbgen.MasterError, match=message):
        nbgen.write_all(project)


def test_repository_notebooks_match_their_masters():
    assert nbgen.masters(), "no masters found"
    assert nbgen.problems(ROOT) == []


def test_every_lesson_has_exercises_with_selfchecks_and_a_floor():
    for master in nbgen.masters():
        text = master.read_text()
        assert 'tags=["exercise"]' in text and 'tags=["selfcheck"]' in text, master.name
        assert "floor(" in text, f"{master.name} has no learning floor"
        assert "bootcamp.setup(" in text, f"{master.name} does not seed and announce its mode"
