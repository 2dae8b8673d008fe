"""Training that survives an interruption: a rerun of the same ``fit`` goes on from the last finished epoch.

Full-mode training in the CFD lessons runs for an hour or more on a laptop.
A kernel that is interrupted, crashes or is restarted at minute 50 should
not cost those 50 minutes: :func:`fit` keeps a backup after every epoch, and
running the same cell again restores it and trains only the epochs left.
A training that ran to its end keeps its result (final weights, history,
seconds), so running the cell again, say after the kernel died in the next
network's training, loads it instead of repeating an hour (one line says
which happened).

What is backed up: Keras' own ``BackupAndRestore`` callback writes the
model's weights, the optimiser's state (its step count too, so a learning
rate schedule goes on where it stopped) and the number of finished epochs;
this module adds the history of those epochs and the training time so far,
so the curves drawn and the time printed afterwards cover the whole run.

Which run a backup belongs to: each training run has its own folder, named
by a hash of everything that makes the run: the network (its layers' kinds
and weight shapes, not the names Keras numbers afresh every time a
network or optimiser is built), its initial weights (so the seed), the compiled
optimiser and loss, the training and validation arrays, and ``fit``'s
settings. Running the same cell again, in the same kernel or a new one,
finds the backup; changing any of them starts from epoch 1. When the
training ends, Keras' backup gives way to the kept result (the final
weights as a NumPy ``.npz`` file, read without pickle); :func:`clear` deletes
every backup and kept result, to train afresh or free the space.

Two processes running the same training at once (a learner's notebook and
its solution, say) would write one backup; the first holds a lock on it
(``fcntl``: Linux, macOS, Colab) and the second trains without a backup.

Where: ``<cache>/training-backups/<hash>/``, in the course's data cache
(``$BOOTCAMP_DATA_DIR``, else ``~/.cache/dl-bootcamp``), never the
repository.

What it does not restore: the order in which the training data is shuffled
after the restart is a new one, so a resumed run ends close to, but not bit
for bit at, the weights of an uninterrupted one (full-batch training, with
no shuffling to speak of, matches it to rounding; ``tests/test_resume.py``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

from bootcamp.data.files import locked, replacing
from bootcamp.data.settings import cache_dir

__all__ = ["backup_dir", "clear", "fit", "run_key"]

PROGRESS = "progress.json"           # the history and seconds of the finished epochs, beside Keras' files
KERAS_STATE = "training_metadata.json"
LOCK = ".lock"                       # held while a process trains from this backup
FINAL = "final.weights.npz"          # a finished training's weights, in model.get_weights() order


def backup_dir() -> Path:
    """The folder that holds the training runs' backups and kept results."""
    return cache_dir() / "training-backups"


def _architecture(model) -> list:
    """The network's layers by kind and weight shapes, without the names Keras numbers per build."""
    return [model.name] + [[type(layer).__name__, [list(w.shape) for w in layer.weights]] for layer in model.layers]


def run_key(model, arrays, settings: dict) -> str:
    """The hash that names a training run's backup folder: network, initial weights, optimiser,
    loss, data and ``settings`` (call it after ``compile`` and before training)."""
    from bootcamp.saved import fingerprint

    optimizer = dict(model.optimizer.get_config()) if model.optimizer is not None else None
    if optimizer:
        optimizer.pop("name", None)        # numbered afresh for every optimiser made ("adam", "adam_1", ...)
    described = {"architecture": _architecture(model), "initial weights": fingerprint(*model.get_weights()),
                 "optimizer": optimizer, "loss": repr(getattr(model, "loss", None)),
                 "data": fingerprint(*arrays), "settings": settings}
    text = json.dumps(described, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _write_json(path: Path, value) -> None:
    """Write ``value`` as JSON in place of ``path`` (a temporary file renamed: never half a file)."""
    with replacing(path, ".tmp") as part:
        part.write_text(json.dumps(value))


def _read_progress(folder: Path) -> tuple[int, dict, float]:
    """What a backup holds: (finished epochs, their history, their training seconds); (0, {}, 0) if none."""
    try:
        epochs = int(json.loads((folder / KERAS_STATE).read_text())["epoch"])
        progress = json.loads((folder / PROGRESS).read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return 0, {}, 0.0
    # The progress file is written before Keras' backup at each epoch's end, so it may hold one epoch
    # more than the weights (an interruption between the two): keep the epochs the weights have seen.
    history = {name: list(values)[:epochs] for name, values in progress.get("history", {}).items()}
    if any(len(values) < epochs for values in history.values()):
        return 0, {}, 0.0
    return epochs, history, float(progress.get("seconds", 0.0))


def fit(model, x, y, *, validation_data=None, epochs: int, batch_size: int, verbose=2, callbacks=(),
        settings: dict | None = None, resume: bool = True):
    """``model.fit`` on arrays, resumable; returns ``(history dict, seconds)`` for the whole run.

    The model must be compiled. With ``resume``, a backup is kept after every
    epoch and an earlier, interrupted run of the same training is continued,
    or a finished one's result loaded (one line says which); ``settings``
    adds anything else that should tell two runs apart (a learning rate
    schedule already shows in the optimiser's configuration). ``callbacks``
    run after the backup of each epoch.
    """
    import keras

    if not resume:
        start = time.perf_counter()
        history = model.fit(x, y, validation_data=validation_data, epochs=epochs, batch_size=batch_size,
                            verbose=verbose, callbacks=list(callbacks))
        return history.history, time.perf_counter() - start

    arrays = (x, y, *(validation_data or ()))
    folder = backup_dir() / run_key(model, arrays, {"epochs": epochs, "batch size": batch_size, **(settings or {})})
    folder.mkdir(parents=True, exist_ok=True)
    with locked(folder / LOCK, wait=False) as mine:  # two notebooks training the same run at once
        if not mine:
            print(f"Another process is running this same training now (its backup: {folder}); this one runs "
                  "without a backup.")
            return fit(model, x, y, validation_data=validation_data, epochs=epochs, batch_size=batch_size,
                       verbose=verbose, callbacks=callbacks, resume=False)
        kept = _read_final(folder, model)
        if kept is not None:
            weights, history, seconds = kept
            model.set_weights(weights)
            print(f"This training ran to its end before ({seconds:.0f} s): its weights and history are loaded from "
                  f"{folder} instead of training again (delete the folder to train again).")
            return history, seconds
        done, earlier, earlier_seconds = _read_progress(folder)
        if done:
            print(f"Going on from epoch {done + 1} of {epochs}: this training was interrupted before and its "
                  f"backup holds {done} finished epoch(s) ({folder}; delete the folder to start afresh).")
        else:
            _empty(folder)                  # a backup without a usable progress record: start afresh

        start = time.perf_counter()
        history = {name: list(values) for name, values in earlier.items()}

        class Progress(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                for name, value in (logs or {}).items():
                    # by the epoch's number: a backup restored from its previous copy repeats an epoch
                    history[name] = history.get(name, [])[:epoch] + [float(value)]
                _write_json(folder / PROGRESS, {"history": history,
                                                "seconds": earlier_seconds + time.perf_counter() - start})

        backup = keras.callbacks.BackupAndRestore(str(folder), double_checkpoint=True, delete_checkpoint=False)
        model.fit(x, y, validation_data=validation_data, epochs=epochs, batch_size=batch_size, verbose=verbose,
                  callbacks=[Progress(), backup, *callbacks])
        seconds = earlier_seconds + time.perf_counter() - start
        _keep_final(folder, model, history, seconds)
    return history, seconds


def _empty(folder: Path) -> None:
    """Delete everything in a backup folder but its lock."""
    for old in folder.iterdir():
        if old.name != LOCK:
            shutil.rmtree(old) if old.is_dir() else old.unlink()


def _keep_final(folder: Path, model, history: dict, seconds: float) -> None:
    """Replace a finished training's backup by its result: the final weights, then the record that
    says it finished (written last, so a record marked finished always has its weights)."""
    import numpy as np

    _empty(folder)
    with replacing(folder / FINAL, ".tmp") as part, open(part, "wb") as out:
        np.savez(out, *model.get_weights())
    _write_json(folder / PROGRESS, {"history": history, "seconds": seconds, "finished": True})


def _read_final(folder: Path, model):
    """A finished training's (weights, history, seconds) if ``folder`` holds one that fits ``model``, else
    None; a damaged one is deleted, with a line that says so."""
    import numpy as np

    try:
        progress = json.loads((folder / PROGRESS).read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(progress, dict) and progress.get("finished")):
        return None
    shapes = [tuple(w.shape) for w in model.weights]
    try:
        with np.load(folder / FINAL, allow_pickle=False) as saved:
            weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        fits = [w.shape for w in weights] == shapes and all(np.isfinite(w).all() for w in weights)
    except Exception:  # noqa: BLE001 - a truncated or damaged file in any way: not used
        fits = False
    if not fits:
        print(f"The kept result of this training in {folder} is damaged or incomplete: training again.")
        _empty(folder)
        return None
    return weights, progress["history"], float(progress["seconds"])


def clear() -> list[Path]:
    """Delete every backup and kept result of a training run; returns the folders deleted."""
    folders = sorted(p for p in backup_dir().glob("*") if p.is_dir()) if backup_dir().is_dir() else []
    for folder in folders:
        shutil.rmtree(folder)
    return folders
