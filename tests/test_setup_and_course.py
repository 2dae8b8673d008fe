"""Seeding, the environment banner, and the agenda."""

import os

import numpy as np

import bootcamp
from bootcamp import course


def train_once():
    import keras

    bootcamp.setup(seed=123, verbose=False)
    x = np.linspace(-1, 1, 64, dtype="float32").reshape(-1, 1)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return np.array(model.fit(x, np.sin(3 * x), epochs=5, batch_size=16, verbose=0).history["loss"])


def test_same_seed_reproduces_training_on_cpu():
    # The tolerance the notebooks promise for a re-run on CPU.
    first, second = train_once(), train_once()
    np.testing.assert_allclose(first, second, rtol=1e-5)
    assert first[-1] < first[0]


def test_banner_names_mode_versions_and_device(monkeypatch, capsys):
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    bootcamp.setup(seed=1)
    out = capsys.readouterr().out
    assert "Run mode : QUICK" in out and "TensorFlow 2." in out and "Seed     : 1" in out
    assert "Device   :" in out


def test_another_keras_backend_needs_no_tensorflow(monkeypatch, capsys):
    """E.g. KERAS_BACKEND=jax on a machine without TensorFlow: seeds and banner still work."""
    import sys

    import keras

    monkeypatch.setitem(sys.modules, "tensorflow", None)  # any `import tensorflow` now fails
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    monkeypatch.setattr(keras.distribution, "list_devices", lambda: ["gpu:0", "cpu:0"])
    bootcamp.setup(seed=7)
    out = capsys.readouterr().out
    assert "(jax backend)" in out and "TensorFlow" not in out
    assert "Device   : 1 GPU(s): gpu:0" in out


def test_agenda_links_only_existing_notebooks(tmp_path):
    (tmp_path / "00_start_here.ipynb").write_text("{}")
    table = course.agenda_markdown(tmp_path, times={})
    assert "[Start here: notebooks, environment, GPU](00_start_here.ipynb)" in table
    assert "Linear regression: data, model, loss, gradients, optimisers *(coming)*" in table
    assert "*break* | 15 |" in table
    stems = [lesson.stem for lesson in course.PATH]
    assert len(set(stems)) == len(stems)


def test_agenda_runs_over_days_with_breaks_and_restarts_the_clock(tmp_path):
    table = course.agenda_markdown(tmp_path, times={}).splitlines()
    day2 = table.index("| | **Day 2** | |")
    day3 = table.index("| | **Day 3** (optional) | |")
    day4 = table.index("| | **Day 4** (optional) | |")
    assert table[2] == "| | **Day 1** | |"
    for start in (day2, day3, day4):
        assert table[start + 1].startswith("| 0:00 | ")             # each day starts at 0:00 again
        assert "mini-challenge and questions" in table[start - 1]   # and the day before ends with the challenge
    assert sum("*lunch*" in row for row in table[day2:day3]) == 1
    assert "Scaling out 1" in table[day3 + 1]
    assert "Architectures 1" in table[day4 + 1]
    # every lesson appears exactly once, in the order of the path
    titles = [lesson.title for lesson in course.PATH]
    positions = [next(i for i, row in enumerate(table) if title in row) for title in titles]
    assert positions == sorted(positions)
    # minutes add up: each day's wrap-up starts at the sum of what came before it that day
    for first, last in ((day2 + 1, day3 - 1), (day3 + 1, day4 - 1), (day4 + 1, len(table) - 1)):
        day_minutes = sum(int(row.rsplit("|", 2)[1].split()[0]) for row in table[first:last])
        hours, minutes = table[last].split("|")[1].strip().split(":")
        assert int(hours) * 60 + int(minutes) == day_minutes


def test_the_banner_tells_the_truth_about_the_mode_on_a_cpu(monkeypatch):
    import importlib

    setup_module = importlib.import_module("bootcamp.setup")

    monkeypatch.setattr(setup_module, "in_colab", lambda: False)
    full = setup_module.describe_devices([], quick=False)
    quick = setup_module.describe_devices([], quick=True)
    assert "quick" in quick and "keep" in quick
    assert "keep it short" not in full and "workshop setting" in full


def test_the_banner_says_how_to_switch_mode_from_inside_jupyter(monkeypatch, capsys):
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    bootcamp.setup(seed=1)
    assert "%env BOOTCAMP_QUICK=1" in capsys.readouterr().out
    # is_quick() reads the variable on each call: %env switches the next Run All, no restart
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    assert bootcamp.choose(full=100, quick=3) == 3
    bootcamp.setup(seed=1)
    assert "%env BOOTCAMP_QUICK=0" in capsys.readouterr().out


def test_setup_turns_onednn_on_before_tensorflow_loads():
    """In a fresh process, as in a lesson's first cell: setup() first, then TensorFlow computes with oneDNN."""
    import subprocess
    import sys

    from bootcamp.setup import ONEDNN_ENV

    code = ("import bootcamp; bootcamp.setup(verbose=False)\n"
            "from tensorflow.python.util import _pywrap_util_port as port; print(port.IsMklEnabled())")
    env = {k: v for k, v in os.environ.items() if k != ONEDNN_ENV}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "True"


def test_setup_leaves_a_onednn_choice_of_the_environment_alone(monkeypatch):
    from bootcamp.setup import ONEDNN_ENV

    monkeypatch.setenv(ONEDNN_ENV, "0")
    bootcamp.setup(seed=1, verbose=False)
    assert os.environ[ONEDNN_ENV] == "0"
    monkeypatch.delenv(ONEDNN_ENV)
    bootcamp.setup(seed=1, verbose=False)
    assert os.environ[ONEDNN_ENV] == "1"
