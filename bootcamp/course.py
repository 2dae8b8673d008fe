"""The teaching path: one table that the Start-here notebook shows.

A lesson's place in the agenda is its **teaching time** (talk, discussion and
exercises, set by the instructors) plus its **run time in full mode**, as
measured by ``make full-report`` (``bootcamp/full_mode_times.json``, written by
``python -m bootcamp.dev.report`` in full mode). A lesson whose full-mode run
has not been measured yet says so in the agenda instead of guessing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

TIMES = Path(__file__).with_name("full_mode_times.json")


@dataclass(frozen=True)
class Lesson:
    stem: str        # notebook file name without .ipynb
    title: str
    teach: int       # minutes of talk and hands-on work, waiting for cells not included


def measured_times(path: Path = TIMES) -> dict:
    """``{"machine": ..., "date": ..., "seconds": {notebook: seconds}}``, or empty."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_minutes(stem: str, times: dict | None = None) -> int | None:
    """Measured full-mode run time of the lesson's solution notebook, in whole
    minutes (rounded up), or None when nobody has measured it."""
    times = measured_times() if times is None else times
    seconds = times.get("seconds", {}).get(f"solutions/{stem}.ipynb")
    return None if seconds is None else max(1, math.ceil(seconds / 60))


def minutes(lesson: Lesson, times: dict | None = None) -> int:
    """Agenda minutes: teaching time plus the measured run time, where measured."""
    return lesson.teach + (run_minutes(lesson.stem, times) or 0)


PATH = (
    Lesson("00_start_here", "Start here: notebooks, environment, GPU", 15),
    Lesson("01_linear_regression", "Linear regression: data, model, loss, gradients, optimisers", 45),
    Lesson("02_curve_fitting", "Neural networks as curve fitting; initialisation, capacity and regularisation", 60),
    Lesson("03_mnist_dense", "MNIST with dense networks", 30),
    Lesson("04_cnn", "Convolutional networks on MNIST and Fashion-MNIST", 40),
    Lesson("04_deploy", "Keep it: augmentation, checkpoints, saving and deploying a model", 35),
    Lesson("04_hparams", "Hyperparameter search: a grid in the HParams dashboard, then KerasTuner", 30),
    Lesson("05_cyclone_1_best_track", "Cyclones 1: Dvorak, Saffir-Simpson and the best track", 25),
    Lesson("05_cyclone_2_images", "Cyclones 2: satellite images and a tf.data pipeline", 25),
    Lesson("05_cyclone_3_cnn", "Cyclones 3: a CNN intensity classifier and an honest split", 40),
    Lesson("05_cyclone_4_imbalance", "Cyclones 4: countering class imbalance", 30),
    Lesson("05_cyclone_5_gradcam", "Cyclones 5: what the network looks at (HiResCAM, Grad-CAM)", 25),
    Lesson("05_cyclone_6_competition", "Cyclones 6: competition on locked seasons", 30),
    Lesson("06_cfd_1_flow_data", "Flows 1: a lattice-Boltzmann solver makes the data", 25),
    Lesson("06_cfd_2_fc_baselines", "Flows 2: fully connected baselines", 25),
    Lesson("06_cfd_3_encoder_decoder", "Flows 3: a CNN encoder-decoder, mask vs signed distance", 30),
    Lesson("06_cfd_4_unet", "Flows 4: a gated residual U-Net", 35),
    Lesson("06_cfd_5_surrogate_vs_solver", "Flows 5: surrogate vs solver, error and speed", 25),
    Lesson("06_cfd_6_competition", "Flows 6: competition on unseen shapes", 30),
    Lesson("07_scaling_1_data_parallel", "Scaling out 1: data parallelism on the devices of one machine", 35),
    Lesson("07_scaling_2_multi_worker", "Scaling out 2: several workers, a custom loop, a worker that dies", 40),
    Lesson("07_scaling_3_performance", "Scaling out 3: mixed precision, the profiler, scaling efficiency", 35),
    Lesson("08_sequences", "Architectures 1: storm intensity from the best track, with a GRU and a transformer", 40),
    Lesson("08_autoencoders", "Architectures 2: autoencoders and a variational autoencoder on flow fields", 35),
    Lesson("08_generative", "Architectures 3: a conditional generative model, and how to judge it", 35),
    Lesson("08_transfer", "Architectures 4: transfer learning, frozen and fine-tuned, against training from scratch", 30),
)

# The workshop runs over two days and two optional ones: day 1 ends with lesson 04
# (its CNNs, its deployment notebook and its hyperparameter search) and the mini-challenge, day 2 holds the two
# science modules, day 3 takes the same code to many devices and machines (lesson 07), day 4
# goes beyond CNNs: sequences, autoencoders, generative models, transfer learning (lesson 08).
DAY_BREAK_AFTER = ("04_hparams", "06_cfd_6_competition", "07_scaling_3_performance")
BREAKS_AFTER = {                      # lesson stem -> (what, minutes)
    "02_curve_fitting": ("*break*", 15),
    "05_cyclone_3_cnn": ("*break*", 15),
    "05_cyclone_6_competition": ("*lunch*", 45),
    "06_cfd_3_encoder_decoder": ("*break*", 15),
}
WRAP_UP = "mini-challenge and questions"
WRAP_UP_MINUTES = 30


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def agenda_markdown(folder: str | Path = ".", times: dict | None = None) -> str:
    """A markdown agenda with start times per day; lessons not yet in
    ``folder`` are listed as coming, so the table never links to a missing
    notebook."""
    folder = Path(folder)
    times = measured_times() if times is None else times
    rows = ["| start | lesson | minutes |", "| ---: | --- | ---: |", "| | **Day 1** | |"]
    clock = 0
    for lesson in PATH:
        present = (folder / f"{lesson.stem}.ipynb").exists()
        name = f"[{lesson.title}]({lesson.stem}.ipynb)" if present else f"{lesson.title} *(coming)*"
        spent = minutes(lesson, times)
        note = "" if run_minutes(lesson.stem, times) is not None else " (+ run time, not measured yet)"
        rows.append(f"| {_clock(clock)} | {name} | {spent}{note} |")
        clock += spent
        if lesson.stem in BREAKS_AFTER:
            what, pause = BREAKS_AFTER[lesson.stem]
            rows.append(f"| {_clock(clock)} | {what} | {pause} |")
            clock += pause
        if lesson.stem in DAY_BREAK_AFTER:
            rows.append(f"| {_clock(clock)} | {WRAP_UP} | {WRAP_UP_MINUTES} |")
            day = DAY_BREAK_AFTER.index(lesson.stem) + 2
            rows.append(f"| | **Day {day}**{' (optional)' if day >= 3 else ''} | |")
            clock = 0
    rows.append(f"| {_clock(clock)} | {WRAP_UP} | {WRAP_UP_MINUTES} |")
    return "\n".join(rows)


def timing_markdown(times: dict | None = None) -> str:
    """README's table: teaching time, measured full-mode run time, agenda minutes."""
    times = measured_times() if times is None else times
    where = (f"measured on {times['machine']}, {times['date']}" if times.get("machine")
             else "no full-mode run measured yet")
    elsewhere: dict[str, list[str]] = {}
    for name, other in times.get("other_machines", {}).items():
        elsewhere.setdefault(other, []).append(f"`{Path(name).stem}`")
    for other, names in elsewhere.items():
        where += f"; {', '.join(names)} on {other}"
    rows = [f"Full-mode run times: {where}. Regenerate with `make full-report`.", "",
            "| lesson | teaching (min) | full-mode run (min) | agenda (min) |", "| --- | ---: | ---: | ---: |"]
    for lesson in PATH:
        run = run_minutes(lesson.stem, times)
        rows.append(f"| `{lesson.stem}` | {lesson.teach} | {'not measured' if run is None else run} "
                    f"| {minutes(lesson, times)} |")
    return "\n".join(rows)
