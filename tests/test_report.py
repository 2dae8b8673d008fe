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
    table = report.table([("notebooks/lesson.ipynb", seconds, metrics, error)])
    assert "| `notebooks/lesson.ipynb` |" in table and "accuracy 0.9" in table


def test_a_failing_notebook_is_reported_not_hidden(notebook):
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source = "raise RuntimeError('boom')"
    nbformat.write(nb, notebook)
    _, _, error = report.run_notebook(notebook)
    assert "boom" in error
    assert "**FAILED**: " in report.table([("x", 1.0, [], error)])


def test_readme_block_is_replaced_between_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.START}\nold\n{report.END}\noutro\n")
    report.update_readme(readme, "new table")
    assert readme.read_text() == f"intro\n{report.START}\nnew table\n{report.END}\noutro\n"
