"""The generated first cell installs the project on Colab and nowhere else."""

import os
import subprocess
import sys
import types

import pytest

from bootcamp.dev import nbgen


def cell_source(folder="notebooks"):
    repo = nbgen.Repo.from_pyproject()
    return nbgen.COLAB_CELL.format(repository=repo.url, branch=repo.branch, folder=folder), repo


@pytest.fixture
def recorder(monkeypatch):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(("run", cmd)))
    monkeypatch.setattr(os, "chdir", lambda path: calls.append(("chdir", path)))
    return calls


def test_no_op_outside_colab(monkeypatch, recorder):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    source, _ = cell_source()
    exec(compile(source, "colab-cell", "exec"), {})
    assert recorder == []


def test_on_colab_it_clones_installs_and_enters_the_folder(monkeypatch, recorder):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(os.path, "isdir", lambda path: False)
    source, repo = cell_source("solutions")
    exec(compile(source, "colab-cell", "exec"), {})
    (kind1, clone), (kind2, install), (kind3, folder) = recorder
    assert (kind1, kind2, kind3) == ("run", "run", "chdir")
    assert clone[:2] == ["git", "clone"] and repo.url in clone and repo.branch in clone
    assert install[:3] == [sys.executable, "-m", "pip"] and install[-1] == "/content/dl-bootcamp"
    assert folder == "/content/dl-bootcamp/solutions"


def test_on_colab_a_second_run_does_not_clone_again(monkeypatch, recorder):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(os.path, "isdir", lambda path: True)
    exec(compile(cell_source()[0], "colab-cell", "exec"), {})
    assert [kind for kind, _ in recorder] == ["run", "chdir"]


def test_badge_url_points_at_the_notebook():
    repo = nbgen.Repo("https://github.com/org/course", "main")
    assert (repo.colab_url("notebooks/01_x.ipynb")
            == "https://colab.research.google.com/github/org/course/blob/main/notebooks/01_x.ipynb")


def test_every_committed_notebook_badge_opens_its_own_path():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    repo = nbgen.Repo.from_pyproject()
    notebooks = sorted(root.glob("notebooks/*.ipynb")) + sorted(root.glob("solutions/*.ipynb"))
    assert notebooks
    for path in notebooks:
        cells = json.loads(path.read_text())["cells"]
        rel = path.relative_to(root).as_posix()
        assert f"]({repo.colab_url(rel)})" in "".join(cells[1]["source"]), rel
        first_code = next(c for c in cells if c["cell_type"] == "code")
        assert first_code["metadata"].get("tags") == ["colab"], rel
        assert f"/content/dl-bootcamp/{rel.split('/')[0]}" in "".join(first_code["source"]), rel
