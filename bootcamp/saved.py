"""A small store of trained models, so that a lesson can reuse what an earlier lesson trained.

A workshop should not spend its minutes training a network that the lesson
before already trained. The lesson that trains a model saves it here; later
lessons call :func:`load_or_train`, which loads it when a matching one is
stored and trains it (and saves it) when not, printing one line that says
which happened::

    model, record = saved.load_or_train(
        "cfd-unet", what="the chosen U-Net", notebook="06_cfd_5",
        spec={"data": saved.fingerprint(x_train, y_train), "epochs": 12},
        code=(make_unet, fit), build_and_train=train_it)

Where: ``<cache>/models/<name>-<mode>-<key>.keras``, the course's data cache
(``$BOOTCAMP_DATA_DIR``, else ``~/.cache/dl-bootcamp``; never the
repository), with a JSON record beside it (``.json``: which notebook saved
it, when, from what, and the metrics it reported).

Which: the key is a hash of the run mode (a quick-mode model is never
loaded in full mode), the ``spec`` (everything that decides the data and the
training settings: sizes, grid, seeds, epochs; :func:`fingerprint` turns
arrays into a short hash), the source code of the functions in ``code`` and
the Keras version. Change any of them and the key changes, so the model is
trained again instead of a stale one being loaded. A notebook that trains
in plain sight, with its own copy of a package function, passes the package
function it mirrors and saves the model only when the two are the same
network (the lessons check this).

Safety: files are written under a temporary name in the same folder and
renamed into place (``os.replace`` is atomic), so a reader never meets half
a file. The two renames happen under a lock (``<cache>/models/.lock``, where
the system has ``fcntl``), so two notebooks saving the same key at once (CI
runs a lesson's learner and solution notebooks in parallel) leave one
writer's model beside that writer's record, never a mixture. The record
holds the model file's SHA-256, so a file cut short, replaced or damaged
after it was saved is noticed before Keras reads it. Anything wrong with a
stored model (missing record, damaged file, another network) gives one line
that says what, and the model is trained again. Models are loaded with
``compile=False``: the lessons that load them only predict (``fit`` compiles
again when a lesson trains further), so no optimiser state, loss or metric
has to survive the round trip.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import inspect
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

import numpy as np

from bootcamp.config import mode_name
from bootcamp.data import files
from bootcamp.data.settings import cache_dir

__all__ = ["code_version", "fingerprint", "key", "load", "load_or_train", "save", "store_dir"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class Unusable(Exception):
    """A stored model that cannot be used; the message says why, in a few words."""


def store_dir() -> Path:
    """The folder of saved models, inside the course's cache."""
    return cache_dir() / "models"


def fingerprint(*arrays) -> str:
    """A short hash of arrays' dtypes, shapes and bytes: two data sets share it only
    when they are the same values in the same order."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.reshape(-1).view(np.uint8))
    return digest.hexdigest()[:16]


# The modules that change how Keras trains every lesson's models (setup() installs them).
TRAINING_HOOKS = ("bootcamp.inorder", "bootcamp.oneiter", "bootcamp.tracing")


def code_version(code) -> dict[str, str]:
    """``{qualified name: hash of its source}`` for each function (or class or
    module) in ``code``; a string counts as source itself."""
    versions = {}
    for number, item in enumerate(code):
        if isinstance(item, str):
            label, source = f"source {number}", item
        else:
            label = item.__name__ if inspect.ismodule(item) else f"{item.__module__}.{item.__qualname__}"
            try:
                source = inspect.getsource(item)
            except (OSError, TypeError) as err:
                raise TypeError(f"cannot read the source of {label} ({err}); pass functions defined in a file or "
                                "a notebook cell, or their source as a string") from None
        versions[label] = hashlib.sha256(source.encode()).hexdigest()[:12]
    return versions


def _plain(value, where="spec"):
    """``value`` as JSON-ready Python (dicts with sorted string keys, lists,
    numbers, strings), or a TypeError naming what cannot be: a key must not
    depend on an object's memory address or on a repr that may change."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): _plain(v, f"{where}[{k!r}]") for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{where} is a {type(value).__name__}; a spec holds numbers, strings, lists, dicts and "
                    "dataclasses (use saved.fingerprint for arrays)")


def key(name: str, *, spec: dict, code=()) -> str:
    """The store's key for ``name`` in this run mode, with this spec and code.

    Besides ``code``, the key holds the source of the course's changes to
    how Keras trains (:data:`TRAINING_HOOKS`: the order of the batches comes
    from there), so a model trained before one of them changed is trained again.
    """
    import importlib

    import keras

    hooks = code_version([importlib.import_module(name) for name in TRAINING_HOOKS])
    what = {"name": name, "mode": mode_name(), "spec": _plain(spec), "code": code_version(code),
            "keras": keras.__version__, "hooks": hooks}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]


def _paths(name: str, model_key: str) -> tuple[Path, Path]:
    if not _NAME.match(name):
        raise ValueError(f"a saved model's name is lower-case letters, digits, '-' and '_', not {name!r}")
    stem = store_dir() / f"{name}-{mode_name()}-{model_key}"
    return stem.with_suffix(".keras"), stem.with_suffix(".json")


@contextmanager
def _locked(*, shared: bool):
    """Hold the store's lock: writers exclusively while they put a model and its
    record in place, readers shared while they read the pair, so that no reader
    sees one writer's model beside another writer's record. (Where there is no
    flock, on Windows, the SHA-256 in the record still catches a mixed pair.)"""
    folder = store_dir()
    if not folder.is_dir():
        yield
        return
    with files.locked(folder / ".lock", shared=shared):
        yield


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0][:120]}" if text else type(err).__name__


def save(model, name: str, *, spec: dict, code=(), notebook: str, what: str | None = None,
         metrics: dict | None = None) -> Path | None:
    """Store ``model`` under ``name`` for this mode, spec and code; return its path.

    One line says where it went. A model that cannot be saved (a full disk,
    a read-only cache) is not an error for the lesson: one line says so, later lessons train it again,
    and None is returned. Nothing is left behind but a complete model and
    its record.
    """
    what = what or name
    model_key = key(name, spec=spec, code=code)
    model_path, record_path = _paths(name, model_key)
    record = {"name": name, "what": what, "key": model_key, "mode": mode_name(), "notebook": notebook,
              "saved": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
              "spec": _plain(spec), "code": code_version(code), "metrics": _plain(metrics or {}, "metrics"),
              "params": int(model.count_params()), "file": model_path.name}
    temporary = []
    try:
        import keras

        record["keras"] = keras.__version__
        model_path.parent.mkdir(parents=True, exist_ok=True)
        # Temporary names in the same folder (os.replace is atomic only within one
        # file system), starting with a dot; Keras insists on the .keras suffix.
        for suffix in (".keras", ".json"):
            handle, path = tempfile.mkstemp(dir=model_path.parent, prefix=f".tmp-{name}-", suffix=suffix)
            os.close(handle)
            temporary.append(Path(path))
        model.save(temporary[0])
        record["sha256"] = _sha256(temporary[0])
        temporary[1].write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        umask = os.umask(0)
        os.umask(umask)
        for path in temporary:          # mkstemp makes them private; a saved model is as readable as any file
            path.chmod(0o666 & ~umask)
        with _locked(shared=False):
            os.replace(temporary[0], model_path)
            os.replace(temporary[1], record_path)
    except Exception as err:  # noqa: BLE001 - a lesson goes on without the store; the line says why
        print(f"could not save {what} to {store_dir()} ({_first_line(err)}); later notebooks will train it again")
        return None
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)
    print(f"saved {what} to {model_path} for the lessons that use it")
    return model_path


def load(name: str, *, spec: dict, code=()):
    """The stored model and its record, or ``(None, None)`` when none is stored
    for this mode, spec and code. Raises :class:`Unusable` when one is stored
    but cannot be used."""
    model_path, record_path = _paths(name, key(name, spec=spec, code=code))
    with _locked(shared=True):
        return _read(model_path, record_path)


def _read(model_path: Path, record_path: Path):
    if not model_path.exists() and not record_path.exists():
        return None, None
    if not record_path.exists():
        raise Unusable(f"its record {record_path.name} is missing")
    if not model_path.exists():
        raise Unusable(f"the model file {model_path.name} is missing")
    try:
        record = json.loads(record_path.read_text())
        expected = (record["file"], record["sha256"], int(record["params"]))
    except (ValueError, KeyError, TypeError) as err:
        raise Unusable(f"its record is damaged ({_first_line(err)})") from None
    if expected[0] != model_path.name:
        raise Unusable(f"its record describes another file, {expected[0]}")
    if _sha256(model_path) != expected[1]:
        raise Unusable("the file is not the one its record describes (cut short, damaged or replaced)")
    import keras

    try:
        # safe_mode stays on (the default): a file that claims to hold Python
        # code (a Lambda layer) is refused rather than run. The cache is a
        # folder that anything on the machine, or a copied mirror, may have
        # written, and the course's networks need no such layer. No pickle, for
        # the same reason.
        model = keras.models.load_model(model_path, compile=False)
    except Exception as err:  # noqa: BLE001 - any failure to read means "train it again"
        raise Unusable(f"Keras cannot read it ({_first_line(err)})") from None
    if model.count_params() != expected[2]:
        raise Unusable(f"it holds another network ({model.count_params():,} parameters, "
                       f"its record says {expected[2]:,})")
    record["path"] = str(model_path)
    model._bootcamp_stored_at = str(model_path)   # see trained_in_store()
    return model, record


def trained_in_store(model) -> bool:
    """True for a model this module loaded from the store: it was trained when
    it was saved, although (loaded with ``compile=False``) it has no optimiser
    whose step count would show it. Self-checks that ask "was it trained?"
    accept such a model."""
    return bool(getattr(model, "_bootcamp_stored_at", None))


def load_or_train(name: str, *, spec: dict, build_and_train: Callable[[], Any], code=(), notebook: str,
                  what: str | None = None):
    """Load the model stored under ``name`` for this mode, spec and code, or
    train it with ``build_and_train()`` and store it; return ``(model, record)``.

    ``build_and_train`` returns the trained model, or ``(model, metrics)``
    with a dict of numbers worth keeping (a validation score, the training
    time); they are stored in the record, and come back in
    ``record["metrics"]`` when the model is loaded. ``record["loaded"]``
    says which happened; one printed line says it too. ``notebook`` names the
    lesson that trains it when none is stored. An exception raised by
    ``build_and_train`` is not caught, and nothing is stored.
    """
    what = what or name
    try:
        model, record = load(name, spec=spec, code=code)
    except Unusable as problem:
        print(f"the saved {what} in {store_dir()} is unusable: {problem}; training it again")
    else:
        if model is not None:
            when = record.get("saved", "?")[:16].replace("T", " ")
            print(f"loaded {what} that {record.get('notebook', '?')} saved on {when} from {record['path']}")
            return model, {**record, "loaded": True}
        print(f"no saved {what} for this mode and data: training it now")
    result = build_and_train()
    model, metrics = result if isinstance(result, tuple) else (result, {})
    path = save(model, name, spec=spec, code=code, notebook=notebook, what=what, metrics=metrics)
    return model, {"name": name, "what": what, "notebook": notebook, "metrics": _plain(metrics, "metrics"),
                   "path": str(path) if path else None, "loaded": False}
