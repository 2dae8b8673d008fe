"""The teaching path: one table that the Start-here notebook shows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Lesson:
    stem: str        # notebook file name without .ipynb
    title: str
    minutes: int     # live-workshop time, talk and hands-on together


PATH = (
    Lesson("00_start_here", "Start here: notebooks, environment, GPU", 15),
    Lesson("01_linear_regression", "Linear regression: data, model, loss, optimiser", 30),
    Lesson("02_curve_fitting", "Neural networks as curve fitting; capacity and regularisation", 45),
    Lesson("03_mnist_dense", "MNIST with dense networks", 30),
    Lesson("04_cnn", "Convolutional networks on MNIST and Fashion-MNIST", 40),
    Lesson("05_cyclone", "Tropical-cyclone intensity from satellite images", 50),
    Lesson("06_cfd", "Flow prediction: a surrogate for a lattice-Boltzmann solver", 40),
)

BREAK_AFTER = "02_curve_fitting"
BREAK_MINUTES = 15


def agenda_markdown(folder: str | Path = ".") -> str:
    """A markdown agenda with start times; lessons not yet in ``folder`` are
    listed as coming, so the table never links to a missing notebook."""
    folder = Path(folder)
    rows = ["| start | lesson | minutes |", "| ---: | --- | ---: |"]
    clock = 0
    for lesson in PATH:
        start = f"{clock // 60}:{clock % 60:02d}"
        present = (folder / f"{lesson.stem}.ipynb").exists()
        name = f"[{lesson.title}]({lesson.stem}.ipynb)" if present else f"{lesson.title} *(coming)*"
        rows.append(f"| {start} | {name} | {lesson.minutes} |")
        clock += lesson.minutes
        if lesson.stem == BREAK_AFTER:
            rows.append(f"| {clock // 60}:{clock % 60:02d} | *break* | {BREAK_MINUTES} |")
            clock += BREAK_MINUTES
    rows.append(f"| {clock // 60}:{clock % 60:02d} | mini-challenge and questions | 30 |")
    return "\n".join(rows)
