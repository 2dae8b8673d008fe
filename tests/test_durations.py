"""bootcamp.dev.durations: the per-file cost table that orders parallel test runs."""

import ast
import json
import re

from bootcamp.dev import durations

LOG = """\
============================= slowest durations ==============================
95.20s call     solutions/04_cnn.ipynb::Cell 12
8.10s setup    solutions/04_cnn.ipynb::Cell 0
3.00s call     tests/test_a.py::test_one[x-1]
1.50s teardown tests/test_a.py::test_one[x-1]
0.50s call     tests/sub/test_b.py::TestB::test_two
1 passed in 3.0s
"""


def test_per_file_sums_setup_call_and_teardown_by_file():
    costs = durations.per_file(LOG.splitlines())
    assert costs == {"solutions/04_cnn.ipynb": 103.3, "tests/test_a.py": 4.5, "tests/sub/test_b.py": 0.5}
    assert list(costs) == ["solutions/04_cnn.ipynb", "tests/test_a.py", "tests/sub/test_b.py"]


def test_order_puts_costly_files_first_keeps_order_within_a_file_and_unknown_files_last():
    ids = ["tests/test_a.py::one", "tests/new.py::x", "solutions/04_cnn.ipynb::Cell 0",
           "tests/test_a.py::two", "solutions/04_cnn.ipynb::Cell 1", "tests/other.py::y"]
    costs = {"solutions/04_cnn.ipynb": 100.0, "tests/test_a.py": 4.0}
    assert durations.order(ids, costs) == [
        "solutions/04_cnn.ipynb::Cell 0", "solutions/04_cnn.ipynb::Cell 1",
        "tests/test_a.py::one", "tests/test_a.py::two", "tests/new.py::x", "tests/other.py::y"]
    assert durations.order(ids, {}) == ids


def test_the_notebooks_whose_models_later_lessons_load_start_first():
    ids = ["solutions/06_cfd_6_competition.ipynb::Cell 0", "tests/test_a.py::one",
           "notebooks/06_cfd_4_unet.ipynb::Cell 0", "solutions/05_cyclone_3_cnn.ipynb::Cell 0"]
    costs = {"solutions/06_cfd_6_competition.ipynb": 90.0, "tests/test_a.py": 50.0,
             "notebooks/06_cfd_4_unet.ipynb": 40.0, "solutions/05_cyclone_3_cnn.ipynb": 60.0}
    assert durations.order(ids, costs) == [ids[3], ids[2], ids[0], ids[1]]


def test_producers_are_the_masters_that_save_what_others_load():
    """PRODUCERS is exactly the set of masters that call a helper storing a model for later
    lessons (a function of the bootcamp package that calls ``saved.save``)."""
    root = durations.TABLE.parents[1]
    savers = set()
    for path in (root / "bootcamp").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and path.name != "saved.py" and any(
                    isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "save" and getattr(call.func.value, "id", "") == "saved"
                    for call in ast.walk(node)):
                savers.add(node.name)
    assert {"save_baseline", "save_unet"} <= savers, savers
    calls = re.compile(r"\.(" + "|".join(sorted(savers)) + r")\(")
    saving = {path.stem for path in (root / "masters").glob("*.py") if calls.search(path.read_text(encoding="utf-8"))}
    assert saving == set(durations.PRODUCERS), f"masters that store a model: {sorted(saving)}"


def test_main_writes_the_table_and_refuses_a_log_without_durations(tmp_path, capsys):
    log, out = tmp_path / "test.log", tmp_path / "durations.json"
    log.write_text(LOG)
    assert durations.main([str(log), "--out", str(out)]) == 0
    assert json.loads(out.read_text())["tests/test_a.py"] == 4.5
    log.write_text("1 passed in 3.0s\n")
    try:
        durations.main([str(log), "--out", str(out)])
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("a log without durations must be refused")
    assert "--durations=0" in capsys.readouterr().err


def test_the_committed_table_names_only_files_that_exist():
    root = durations.TABLE.parents[1]
    costs = durations.load()
    assert costs, "tests/durations.json is missing or empty: see bootcamp.dev.durations"
    missing = [path for path in costs if not (root / path).exists()]
    assert not missing, f"tests/durations.json lists files that are gone: {missing}; refresh it"
