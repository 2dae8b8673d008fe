"""bootcamp.resume: an interrupted training goes on from its last finished epoch when run again."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from bootcamp import resume

EPOCHS = 6


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path))
    return tmp_path


def data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 2)) + 0.1).astype("float32")
    return x, y, x[:8], y[:8]


def built(seed=42, learning_rate=1e-2):
    """A fresh, compiled network: what a learner's cell builds each time it runs."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(2)],
                             name="small")
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=EPOCHS)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    return model


class StopAfter(keras.callbacks.Callback):
    """Interrupts the training at the end of an epoch, as Kernel > Interrupt would."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt


def train(model, arrays, **kwargs):
    x, y, xv, yv = arrays
    # the whole set in one batch: no shuffling order, so a resumed run can match an uninterrupted one
    return resume.fit(model, x, y, validation_data=(xv, yv), epochs=EPOCHS, batch_size=len(x), verbose=0, **kwargs)


def test_an_interrupted_run_goes_on_from_its_last_epoch_and_ends_where_an_uninterrupted_one_does(capsys):
    arrays = data()
    straight = built()
    whole, _ = train(straight, arrays, resume=False)

    with pytest.raises(KeyboardInterrupt):
        train(built(), arrays, callbacks=[StopAfter(4)])
    assert capsys.readouterr().out == ""
    assert len(list(resume.backup_dir().iterdir())) == 1

    again = built()                         # the cell run again: a new network, new layer names, same seed
    history, seconds = train(again, arrays)
    said = capsys.readouterr().out
    assert "Going on from epoch 5 of 6" in said and "4 finished epoch(s)" in said
    assert seconds > 0
    assert len(history["loss"]) == len(history["val_loss"]) == EPOCHS
    np.testing.assert_allclose(history["loss"], whole["loss"], rtol=1e-5)
    # the optimiser's state (moments, step count, so the schedule) was restored, not only the weights
    for got, want in zip(again.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    (folder,) = resume.backup_dir().iterdir()
    assert sorted(p.name for p in folder.iterdir()) == [resume.LOCK, resume.FINAL, resume.PROGRESS]


def test_a_finished_training_run_again_is_loaded_not_repeated(capsys):
    arrays = data()
    first = built()
    history, seconds = train(first, arrays)
    assert capsys.readouterr().out == ""

    again = built()
    loaded, loaded_seconds = train(again, arrays)
    said = capsys.readouterr().out
    assert "ran to its end before" in said and "instead of training again" in said
    assert int(again.optimizer.iterations) == 0             # not one step of training
    assert loaded == history and loaded_seconds == pytest.approx(seconds)
    for got, want in zip(again.get_weights(), first.get_weights()):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("damage", ["cut short", "missing", "other shapes"])
def test_a_damaged_kept_result_is_not_used(damage, capsys):
    arrays = data()
    train(built(), arrays)
    (folder,) = resume.backup_dir().iterdir()
    final = folder / resume.FINAL
    if damage == "cut short":
        final.write_bytes(final.read_bytes()[:200])
    elif damage == "missing":
        final.unlink()
    else:
        np.savez(final, np.zeros((3, 3), "float32"))
    model = built()
    history, _ = train(model, arrays)
    assert "damaged or incomplete: training again" in capsys.readouterr().out
    assert int(model.optimizer.iterations) == EPOCHS          # trained: one full batch per epoch
    assert len(history["loss"]) == EPOCHS
    assert train(built(), arrays)[0] == history               # and kept again


@pytest.mark.parametrize("change", ["seed", "learning rate", "data", "epochs"])
def test_a_changed_run_starts_afresh(change, capsys):
    with pytest.raises(KeyboardInterrupt):
        train(built(), data(), callbacks=[StopAfter(3)])
    model = built(seed=7 if change == "seed" else 42, learning_rate=3e-2 if change == "learning rate" else 1e-2)
    arrays = data(seed=1 if change == "data" else 0)
    x, y, xv, yv = arrays
    if change == "epochs":
        history, _ = resume.fit(model, x, y, validation_data=(xv, yv), epochs=EPOCHS + 1, batch_size=len(x),
                                verbose=0)
    else:
        history, _ = train(model, arrays)
    assert "Going on" not in capsys.readouterr().out
    assert len(history["loss"]) == (EPOCHS + 1 if change == "epochs" else EPOCHS)
    assert len(list(resume.backup_dir().iterdir())) == 2     # the other run's backup is still there ...
    assert len(resume.clear()) == 2                           # ... until cleared (with this run's result)
    assert list(resume.backup_dir().iterdir()) == []


def test_a_backup_without_its_progress_record_is_not_used(capsys):
    with pytest.raises(KeyboardInterrupt):
        train(built(), data(), callbacks=[StopAfter(3)])
    (folder,) = resume.backup_dir().iterdir()
    (folder / resume.PROGRESS).unlink()
    history, _ = train(built(), data())
    assert "Going on" not in capsys.readouterr().out
    assert len(history["loss"]) == EPOCHS


def test_a_training_another_process_is_running_goes_without_a_backup(capsys):
    fcntl = pytest.importorskip("fcntl")
    arrays = data()
    model = built()
    x, y, xv, yv = arrays
    folder = resume.backup_dir() / resume.run_key(model, arrays, {"epochs": EPOCHS, "batch size": len(x)})
    folder.mkdir(parents=True)
    with open(folder / resume.LOCK, "a") as other:          # another notebook, training the same network now
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(KeyboardInterrupt):
            train(model, arrays, callbacks=[StopAfter(3)])
        assert "Another process is running this same training" in capsys.readouterr().out
        assert [p.name for p in folder.iterdir()] == [resume.LOCK]     # nothing of its backup was touched
    history, _ = train(built(), arrays)                    # once it is gone, the cell runs with a backup
    assert "Another process" not in capsys.readouterr().out and len(history["loss"]) == EPOCHS


def test_without_resume_nothing_is_written():
    with pytest.raises(KeyboardInterrupt):
        train(built(), data(), callbacks=[StopAfter(3)], resume=False)
    assert not resume.backup_dir().exists()


def test_the_cfd_lessons_fit_resumes_in_full_mode_only(monkeypatch, capsys):
    from bootcamp.cfd.models import fit

    rng = np.random.default_rng(0)
    x, y, xv, yv = (rng.normal(size=(n, 2, 2, 2)).astype("float32") for n in (32, 32, 8, 8))   # fields on a 2 x 2 grid

    def network():
        keras.utils.set_random_seed(0)
        return keras.Sequential([keras.Input((2, 2, 2)), keras.layers.Conv2D(2, 1)], name="tiny")

    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    history, _ = fit(network(), x, y, xv, yv, epochs=2, batch_size=8)
    assert len(history["loss"]) == 2 and not resume.backup_dir().exists()     # quick mode: no backups

    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        # the optimiser is compiled inside fit, so interrupt it where the second epoch's record is written
        patched.setattr(resume, "_write_json", _interrupting(resume._write_json, after=1))
        fit(network(), x, y, xv, yv, epochs=3, batch_size=8, verbose=0)
    history, _ = fit(network(), x, y, xv, yv, epochs=3, batch_size=8, verbose=0)
    assert "Going on from epoch 2 of 3" in capsys.readouterr().out
    assert len(history["loss"]) == 3


def _interrupting(write, *, after):
    """``write`` that raises KeyboardInterrupt on its call after the ``after``-th."""
    calls = []

    def wrapped(path, value):
        calls.append(path)
        if len(calls) > after:
            raise KeyboardInterrupt
        write(path, value)
    return wrapped
