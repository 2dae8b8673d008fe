"""Build the learner and solution notebooks from one master per lesson.

A master is a jupytext "percent" script in ``masters/``. Markup it may use:

* ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` and ``# BEGIN STARTER`` ...
  ``# END STARTER`` inside a code cell tagged ``exercise``: the learner
  notebook keeps the starter lines, the solution notebook the solution lines.
* a cell tagged ``selfcheck`` (imports and one call, right after each exercise): kept as
  is for the learner, wrapped in ``assert`` for the solution, so CI proves
  that every solution passes its own check.
* cells tagged ``solution-only`` or ``learner-only``.

Every notebook gets an "Open in Colab" badge and a first code cell that
installs the project on Colab only, both generated from the repository URL in
``pyproject.toml``. Output is canonical JSON without outputs.

Usage::

    python -m bootcamp.dev.nbgen build   # write notebooks/ and solutions/
    python -m bootcamp.dev.nbgen check   # exit 1 on drift, outputs, bad JSON
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[2]
VARIANTS = {"learner": "notebooks", "solution": "solutions"}
MARKERS = ("# BEGIN SOLUTION", "# END SOLUTION", "# BEGIN STARTER", "# END STARTER")

COLAB_CELL = '''\
# Google Colab only: fetch the course and install its helper package.
# Everywhere else this cell does nothing (`make lab` installed it already).
import sys

if "google.colab" in sys.modules:
    import importlib, os, subprocess
    if not os.path.isdir("/content/dl-bootcamp"):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", "{branch}",
                        "{repository}", "/content/dl-bootcamp"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "/content/dl-bootcamp"], check=True)
    importlib.invalidate_caches()
    os.chdir("/content/dl-bootcamp/{folder}")'''

BADGE = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
         "({colab_url})  \n"
         "*{variant_note}* Runs top to bottom with **Shift+Enter**. "
         "No GPU on Colab? *Runtime > Change runtime type > T4 GPU*.  \n"
         "**Quick mode** (less data, fewer epochs; a first look on a laptop): run `%env BOOTCAMP_QUICK=1` "
         "in any cell, then *Run > Run All Cells*. `%env BOOTCAMP_QUICK=0` switches back to full mode, "
         "the workshop setting. No restart needed.")

NOTES = {
    "learner": "Learner version: cells marked `TODO` are yours; the cell after each runs a self-check.",
    "solution": "Solution version: every exercise is filled in and every self-check must pass.",
}


class MasterError(ValueError):
    """A master notebook breaks the markup rules; the message says where."""


@dataclass(frozen=True)
class Repo:
    url: str
    branch: str

    @classmethod
    def from_pyproject(cls, root: Path = ROOT) -> "Repo":
        conf = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["bootcamp"]
        return cls(conf["repository"].rstrip("/"), conf["branch"])

    def colab_url(self, relpath: str) -> str:
        gh = self.url.removeprefix("https://github.com/")
        return f"https://colab.research.google.com/github/{gh}/blob/{self.branch}/{relpath}"


def split_exercise(source: str, variant: str, where: str) -> str:
    """Keep the starter or the solution block of an exercise cell."""
    keep, out, block = [], [], None
    for number, line in enumerate(source.splitlines(), 1):
        marker = line.strip()
        if marker in ("# BEGIN SOLUTION", "# BEGIN STARTER"):
            if block:
                raise MasterError(f"{where}, line {number}: {marker} inside an open {block} block")
            block = marker.split()[-1]
            continue
        if marker in ("# END SOLUTION", "# END STARTER"):
            if block != marker.split()[-1]:
                raise MasterError(f"{where}, line {number}: {marker} without its BEGIN")
            keep.append(block)
            block = None
            continue
        if block is None or (block == "SOLUTION") == (variant == "solution"):
            out.append(line)
    if block:
        raise MasterError(f"{where}: {block} block is never closed")
    if "SOLUTION" not in keep or "STARTER" not in keep:
        raise MasterError(f"{where}: an exercise cell needs both a SOLUTION and a STARTER block")
    return "\n".join(out)


def transform_cell(cell, variant: str, where: str):
    """Return the cell as it appears in ``variant``, or None to drop it."""
    tags = set(cell.metadata.get("tags", []))
    if f"{'learner' if variant == 'solution' else 'solution'}-only" in tags:
        return None
    source = cell.source
    has_markers = any(m in source for m in MARKERS)
    if "exercise" in tags:
        source = split_exercise(source, variant, where)
    elif has_markers:
        raise MasterError(f"{where}: SOLUTION/STARTER markers in a cell not tagged 'exercise'")
    if "selfcheck" in tags:
        lines = [ln for ln in source.splitlines()
                 if ln.strip() and not ln.startswith(("#", "import ", "from "))]
        if len(lines) != 1 or not lines[0].endswith(")"):
            raise MasterError(f"{where}: a selfcheck cell must hold imports and exactly one call")
        if variant == "solution":
            source = source.replace(lines[0], "assert " + lines[0], 1)
    return source


def check_exercise_order(cells, where: str) -> None:
    code = [c for c in cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        if "exercise" in cell.metadata.get("tags", []):
            nxt = code[i + 1] if i + 1 < len(code) else None
            if nxt is None or "selfcheck" not in nxt.metadata.get("tags", []):
                raise MasterError(f"{where}: exercise cell #{i + 1} must be followed by a selfcheck cell")


def cell_id(stem: str, variant: str, index: int) -> str:
    return hashlib.sha1(f"{stem}/{variant}/{index}".encode()).hexdigest()[:12]


def build(master: Path, variant: str, repo: Repo) -> nbformat.NotebookNode:
    """Generate one notebook (learner or solution) from a master script."""
    stem = master.stem
    folder = VARIANTS[variant]
    src = jupytext.reads(master.read_text(encoding="utf-8"), fmt="py:percent")
    if not src.cells or src.cells[0].cell_type != "markdown":
        raise MasterError(f"{master.name}: the first cell must be the markdown title")
    check_exercise_order(src.cells, master.name)

    relpath = f"{folder}/{stem}.ipynb"
    header = [
        src.cells[0].source,
        ("markdown", BADGE.format(colab_url=repo.colab_url(relpath), variant_note=NOTES[variant]), []),
        ("code", COLAB_CELL.format(repository=repo.url, branch=repo.branch, folder=folder), ["colab"]),
    ]
    cells = []
    for kind_source_tags in header:
        if isinstance(kind_source_tags, str):
            cells.append(nbformat.v4.new_markdown_cell(kind_source_tags))
            continue
        kind, source, tags = kind_source_tags
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cells.append(make(source, metadata={"tags": tags} if tags else {}))
    for number, cell in enumerate(src.cells[1:], 2):
        source = transform_cell(cell, variant, f"{master.name}, cell {number}")
        if source is None:
            continue
        tags = cell.metadata.get("tags", [])
        meta = {"tags": list(tags)} if tags else {}
        make = nbformat.v4.new_code_cell if cell.cell_type == "code" else nbformat.v4.new_markdown_cell
        cells.append(make(source.strip("\n"), metadata=meta))

    for index, cell in enumerate(cells):
        cell["id"] = cell_id(stem, variant, index)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "accelerator": "GPU",
        "colab": {"provenance": [], "toc_visible": True},
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def canonical(nb) -> str:
    """The one byte layout every committed notebook has."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def masters(root: Path = ROOT) -> list[Path]:
    return sorted((root / "masters").glob("[0-9][0-9]_*.py"))


def expected_files(root: Path = ROOT) -> dict[Path, str]:
    repo = Repo.from_pyproject(root)
    return {root / folder / f"{m.stem}.ipynb": canonical(build(m, variant, repo))
            for m in masters(root) for variant, folder in VARIANTS.items()}


def write_all(root: Path = ROOT) -> list[Path]:
    """Write generated notebooks; touch only the files whose content changed."""
    changed = []
    for path, text in expected_files(root).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def problems(root: Path = ROOT) -> list[str]:
    """Everything `make check` objects to, one message each."""
    found = []
    expected = expected_files(root)
    for folder in VARIANTS.values():
        for path in sorted((root / folder).glob("*.ipynb")):
            rel = path.relative_to(root)
            text = path.read_text(encoding="utf-8")
            try:
                nb = json.loads(text)
            except json.JSONDecodeError as err:
                found.append(f"{rel}: not valid JSON ({err})")
                continue
            if any(c.get("outputs") or c.get("execution_count") for c in nb.get("cells", [])
                   if c.get("cell_type") == "code"):
                found.append(f"{rel}: has stored outputs (strip them: `make notebooks`)")
            if text != canonical(nb):
                found.append(f"{rel}: JSON is not in canonical form (`make notebooks` rewrites it)")
            if path not in expected:
                found.append(f"{rel}: no master masters/{path.stem}.py generates it")
            elif text != expected[path]:
                found.append(f"{rel}: drifted from masters/{path.stem}.py "
                             "(edit the master, then `make notebooks`)")
    for path in expected:
        if not path.exists():
            found.append(f"{path.relative_to(root)}: missing (`make notebooks` creates it)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bootcamp.dev.nbgen", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check"])
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            changed = write_all()
            print("\n".join(f"wrote {p.relative_to(ROOT)}" for p in changed) or "notebooks are up to date")
            return 0
        found = problems()
    except MasterError as err:
        print(f"master error: {err}", file=sys.stderr)
        return 1
    for line in found:
        print(line, file=sys.stderr)
    print(f"{len(found)} problem(s)" if found else f"{2 * len(masters())} notebooks match their masters")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
