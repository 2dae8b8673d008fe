"""`make report`: run notebooks, collect times and metrics, update README."""

import nbformat
import pytest

from bootcamp.dev import report


@pytest.fixture
def notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from bootcamp.checks import floor\nfloor('accuracy', 0.9, at_least=0.5)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nb, path)
    return path


def test_report_runs_a_notebook_and_collects_its_metrics(notebook):
    seconds, metrics, error = report.run_notebook(notebook)
    assert error == "" and seconds > 0
    assert metrics == [{"name": "accuracy", "value": 0.9, "unit": ""}]
    table = report.table([("notebooks/lesson.ipynb", seconds, report.shown(metrics, error))])
    assert "| `notebooks/lesson.ipynb` |" in table and "accuracy 0.9" in table


def test_a_failing_notebook_is_reported_not_hidden(notebook):
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source = "raise RuntimeError('boom')"
    nbformat.write(nb, notebook)
    _, _, error = report.run_notebook(notebook)
    assert "boom" in error
    assert "**FAILED**: " in report.table([("x", 1.0, report.shown([], error))])


def test_readme_block_is_replaced_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.START}\nold\n{report.END}\noutro\n")
    report.update_readme(readme, "new table")
    assert readme.read_text() == f"intro\n{report.START}\nnew table\n{report.END}\noutro\n"


def test_update_re_measures_only_the_given_notebooks_and_keeps_the_rest(tmp_path, monkeypatch, notebook):
    monkeypatch.setattr(report, "ROOT", tmp_path)
    monkeypatch.setattr(report, "machine", lambda: "test machine")
    out = tmp_path / "report.md"
    out.write_text("header\n\n| notebook | run time (s) | headline metrics |\n| --- | ---: | --- |\n"
                   "| `solutions/old.ipynb` | 12.5 | loss 0.1 |\n| `lesson.ipynb` | 99.0 | accuracy 0.1 |\n")
    assert report.main([str(notebook), "--out", str(out), "--update"]) == 0
    rows = [line for line in out.read_text().splitlines() if line.startswith("| `")]
    assert rows[0] == "| `lesson.ipynb` | " + rows[0].split("| ")[2] + "| accuracy 0.9 |"   # re-measured
    assert float(rows[0].split("|")[2]) < 99.0
    assert rows[1] == "| `solutions/old.ipynb` | 12.5 | loss 0.1 |"                      # kept as it was
    assert "total" in out.read_text() and "test machine" in out.read_text()


def test_update_without_notebooks_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        report.main(["--update", "--out", str(tmp_path / "r.md")])
