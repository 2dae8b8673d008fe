"""The networks notebooks 5-6 reuse, and the flow figures (every axis titled and labelled)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from bootcamp.cfd.models import make_fc, make_unet, predict_seconds  # noqa: E402
from bootcamp.cfd.plots import show_fields, show_history, show_sample, show_snapshots  # noqa: E402

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "full_mode_cfd.py"


def test_networks_map_a_grid_to_two_velocity_components():
    x = np.zeros((3, 16, 32, 2), dtype="float32")
    for model in (make_fc((16, 32)), make_unet((16, 32)), make_unet((16, 32), gated=False, levels=2)):
        assert model.predict(x, verbose=0).shape == (3, 16, 32, 2)
        last = [layer for layer in model.layers if "activation" in layer.get_config()][-1]
        assert last.get_config()["activation"] == "linear"  # signed velocities
    assert make_unet((16, 32)).count_params() > make_unet((16, 32), gated=False).count_params()
    assert predict_seconds(make_unet((16, 32), levels=2), x, batch_size=2, repeats=1) > 0


def labelled(fig) -> None:
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.axison]
    assert axes
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), ax
    assert fig._suptitle is not None or all(ax.get_title() for ax in axes)


def test_figures_are_titled_and_labelled():
    rng = np.random.default_rng(0)
    mask = np.zeros((16, 32), bool)
    mask[6:10, 8:12] = True
    vx, vy = rng.random((16, 32)), rng.normal(size=(16, 32))
    sdf = rng.normal(size=(16, 32))
    true = np.stack([vx, vy], axis=-1)
    labelled(show_snapshots([(0, vx, vy), (10, vx, vy)], mask, "snapshots"))
    labelled(show_sample(mask, sdf, vx, vy, "a sample"))
    labelled(show_fields(mask, true, {"model": true * 0.9}, "fields"))
    labelled(show_history({"a": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}}, "history"))


def test_full_mode_benchmark_times_notebook_4s_unet_against_the_solver(tmp_path):
    # the smallest run of the command README's CFD figures come from: its options and its printed ratio
    args = ["--speed-only", "--speed-grid", "16x32", "--solver-samples", "1", "--filters", "2", "--levels", "2",
            "--repeats", "1"]
    env = {**os.environ, "BOOTCAMP_DATA_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, str(BENCHMARK), *args], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r"grid 16 x 32: solver ([\d.]+) s per field .* batched U-Net ([\d.]+) ms per field "
                      r"\(256 fields\): speed-up ([\d,]+)x", run.stdout)
    assert found, run.stdout
    solver, network, ratio = float(found[1]), float(found[2]) / 1000, int(found[3].replace(",", ""))
    assert solver > 0 and network > 0
    # the ratio printed is the ratio of the times printed, up to their rounding (0.01 s and 0.001 ms)
    assert (solver - 0.005) / (network + 5e-7) - 1 <= ratio <= (solver + 0.005) / (network - 5e-7) + 1


def benchmark_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("full_mode_cfd", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_full_mode_benchmark_runs_a_notebooks_own_cells_and_reports_its_floors(tmp_path):
    import nbformat

    import bootcamp.checks

    cells = [nbformat.v4.new_code_cell("raise RuntimeError('the Colab cell must be skipped')",
                                       metadata={"tags": ["colab"]}),
             nbformat.v4.new_code_cell("from bootcamp.checks import floor, record\nerror = 0.02"),
             nbformat.v4.new_code_cell("record('solver ms per field', 5000.0, 'ms')\n"
                                       "floor('held-out error', error, at_most=0.03)"),
             nbformat.v4.new_code_cell("floor('speed-up', 900.0, at_least=1000)"),
             nbformat.v4.new_code_cell("raise RuntimeError('a missed floor stops the notebook')")]
    path = tmp_path / "lesson.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    floors, records, error = benchmark_module().run_notebook(path)
    assert [(f["name"], f["passed"]) for f in floors] == [("held-out error", True), ("speed-up", False)]
    assert floors[0]["value"] == 0.02 and floors[1]["bound"] == ">= 1000"
    assert isinstance(error, AssertionError) and "speed-up" in str(error)
    assert {"name": "solver ms per field", "value": 5000.0, "unit": "ms"} in records
    assert bootcamp.checks.floor.__module__ == "bootcamp.checks"            # put back afterwards


def test_a_reduced_run_gives_the_notebooks_the_full_data_set_on_another_grid(monkeypatch, capsys):
    from bootcamp.cfd import flows

    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    monkeypatch.setattr(flows, "course_spec", flows.course_spec)   # put back after the test
    full = flows.course_spec()
    benchmark_module().reduce_grid(64, 128)
    namespace: dict = {}
    exec("from bootcamp.cfd.flows import course_spec\nspec = course_spec()", namespace)  # as a notebook cell does
    reduced = namespace["spec"]
    assert (reduced.ny, reduced.nx, reduced.nu) == (64, 128, flows.viscosity(64)) and reduced.nu != full.nu
    assert (reduced.n_train, reduced.n_val, reduced.n_locked, reduced.wall) == (full.n_train, full.n_val,
                                                                                 full.n_locked, full.wall)
    assert {(g.ny, g.nx) for g in flows.locked_specs(flows.course_spec())} == {(64, 128)}
    assert "64 x 128 cells instead of 128 x 256" in capsys.readouterr().out


def test_a_trial_of_another_depth_reaches_notebook_4_and_the_store_keys(monkeypatch, capsys):
    import keras

    from bootcamp.cfd import models

    monkeypatch.setattr(models, "unet_settings", models.unet_settings)   # put back after the test
    x = np.zeros((2, 16, 32, 2), np.float32)
    usual = models.unet_key(x, x, x, x, gated=True)["spec"]
    benchmark_module().change_levels(4)
    namespace: dict = {}
    exec("from bootcamp.cfd import models as cfd_models\nsettings = cfd_models.unet_settings()", namespace)
    assert namespace["settings"]["levels"] == 4 and usual["levels"] == 3
    deeper = models.make_unet((16, 32))                  # the package's U-Net, that notebooks 5 and 6 load
    assert sum(isinstance(layer, keras.layers.MaxPooling2D) for layer in deeper.layers) == 4
    assert models.unet_key(x, x, x, x, gated=True)["spec"] != usual   # filed apart in the model store
    assert "with 4 levels instead of 3" in capsys.readouterr().out
