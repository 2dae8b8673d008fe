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
    start, end = report.MARKERS["quick"]
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{start}\nold\n{end}\noutro\n")
    report.update_readme(readme, "new table")
    assert readme.read_text() == f"intro\n{start}\nnew table\n{end}\noutro\n"


def test_full_mode_times_feed_the_agenda(tmp_path, monkeypatch, notebook):
    """A full-mode run records the solution notebooks' times, merged with
    earlier ones; course.py turns them into agenda minutes."""
    from bootcamp import course

    monkeypatch.setattr(report, "ROOT", tmp_path)
    monkeypatch.setattr(report, "machine", lambda: "test machine")
    (tmp_path / "bootcamp").mkdir()
    times = tmp_path / "bootcamp" / course.TIMES.name
    times.write_text('{"seconds": {"solutions/01_linear_regression.ipynb": 125.0}}')
    rows = {"solutions/04_cnn.ipynb": ("solutions/04_cnn.ipynb", 1830.0, "accuracy 0.99"),
            "notebooks/04_cnn.ipynb": ("notebooks/04_cnn.ipynb", 1800.0, "accuracy 0.99"),
            "solutions/05_cyclone_3_cnn.ipynb": ("solutions/05_cyclone_3_cnn.ipynb", 9.0, "**FAILED**: x")}
    report.record_full_mode_times(rows, "2026-11-29")
    measured = course.measured_times(times)
    assert measured["machine"] == "test machine" and measured["date"] == "2026-11-29"
    assert measured["seconds"] == {"solutions/01_linear_regression.ipynb": 125.0, "solutions/04_cnn.ipynb": 1830.0}
    assert course.run_minutes("04_cnn", measured) == 31                  # rounded up
    assert course.run_minutes("05_cyclone_3_cnn", measured) is None     # a failed run measures nothing
    lesson = next(x for x in course.PATH if x.stem == "01_linear_regression")
    assert course.minutes(lesson, measured) == lesson.teach + 3
    table = course.timing_markdown(measured)
    assert f"| `01_linear_regression` | {lesson.teach} | 3 | {lesson.teach + 3} |" in table
    assert "| `05_cyclone_3_cnn` | 40 | not measured | 40 |" in table
    assert "not measured yet" in course.agenda_markdown(tmp_path, measured)


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


def test_the_machine_line_names_the_vector_width():
    """Two CPUs of one model name ran the suite 2.3 times apart; the widest vector instructions tell them apart."""
    assert report.vector_width({"avx2", "avx512f", "avx512_vnni"}) == "AVX-512 with VNNI"
    assert report.vector_width({"avx2", "avx512f"}) == "AVX-512"
    assert report.vector_width({"avx2", "fma"}) == "AVX2"
    assert report.vector_width({"sse4_2"}) == ""


def test_rows_re_measured_on_another_machine_say_so(tmp_path, monkeypatch, notebook):
    """--update keeps the machine the other rows were measured on, and labels the new rows."""
    monkeypatch.setattr(report, "ROOT", tmp_path)
    monkeypatch.setattr(report, "machine", lambda: "fast machine")
    out = tmp_path / "report.md"
    out.write_text("Measured by `make report`.  \nMachine: slow machine.\n\n"
                   "| notebook | run time (s) | headline metrics |\n| --- | ---: | --- |\n"
                   "| `solutions/old.ipynb` | 12.5 | loss 0.1 |\n")
    assert report.main([str(notebook), "--out", str(out), "--update"]) == 0
    text = out.read_text()
    assert "Machine: slow machine." in text and "| `solutions/old.ipynb` | 12.5 | loss 0.1 |" in text
    row = next(line for line in text.splitlines() if line.startswith("| `lesson.ipynb`"))
    assert "run on fast machine" in row


def test_full_mode_times_from_another_machine_are_labelled(tmp_path, monkeypatch):
    from bootcamp import course

    monkeypatch.setattr(report, "ROOT", tmp_path)
    (tmp_path / "bootcamp").mkdir()
    times = tmp_path / "bootcamp" / course.TIMES.name
    times.write_text('{"machine": "slow machine", "date": "2026-11-01", '
                     '"seconds": {"solutions/01_linear_regression.ipynb": 125.0}}')
    rows = {"solutions/04_hparams.ipynb": ("solutions/04_hparams.ipynb", 600.0, "accuracy 0.9")}
    report.record_full_mode_times(rows, "2026-11-30", measured=list(rows), here="fast machine")
    measured = course.measured_times(times)
    assert measured["machine"] == "slow machine"
    assert measured["other_machines"] == {"solutions/04_hparams.ipynb": "fast machine"}
    assert "`04_hparams` on fast machine" in course.timing_markdown(measured)
    rows["solutions/03_mnist_dense.ipynb"] = ("solutions/03_mnist_dense.ipynb", 100.0, "accuracy 0.98")
    report.record_full_mode_times(rows, "2026-11-30", measured=list(rows), here="fast machine")
    line = course.timing_markdown(course.measured_times(times)).splitlines()[0]
    assert "`03_mnist_dense`, `04_hparams` on fast machine" in line and line.count("fast machine") == 1
    report.record_full_mode_times(rows, "2026-12-01", measured=list(rows), here="slow machine")
    assert "other_machines" not in course.measured_times(times)
