"""The saved-model store (bootcamp.saved): keys, hits and misses, damaged files, atomic writes.

Every test gets its own cache folder (``BOOTCAMP_DATA_DIR`` under tmp_path)
and tiny networks, so the file takes seconds.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from bootcamp import saved  # noqa: E402

SPEC = {"n_train": 32, "grid": (4, 8), "seed": 0}


def tiny(width=3):
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(width, activation="relu"),
                             keras.layers.Dense(2)])


class Trainer:
    """build_and_train that counts its calls."""

    def __init__(self, width=3, fail=False):
        self.calls, self.width, self.fail = 0, width, fail

    def __call__(self):
        self.calls += 1
        if self.fail:
            raise RuntimeError("training failed")
        return tiny(self.width), {"validation error": 0.25}


X = np.linspace(-1, 1, 20, dtype="float32").reshape(5, 4)


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    return tmp_path / "cache" / "models"


def run(trainer, spec=SPEC, code=(tiny,), name="tiny"):
    return saved.load_or_train(name, spec=spec, code=code, build_and_train=trainer, notebook="test_saved",
                               what="the tiny net")


def files(folder):
    """What the store holds, less its lock file (empty, kept for the next writer)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock") if folder.exists() else []


def test_miss_then_hit(store, capsys):
    first = Trainer()
    model, record = run(first)
    assert first.calls == 1 and record["loaded"] is False
    assert "no saved the tiny net for this mode and data: training it now" in capsys.readouterr().out
    second = Trainer()
    again, record = run(second)
    out = capsys.readouterr().out
    assert second.calls == 0, "a stored model must be loaded, not trained"
    assert record["loaded"] is True and record["notebook"] == "test_saved"
    assert record["metrics"] == {"validation error": 0.25}
    assert out.startswith("loaded the tiny net that test_saved saved on ") and str(store) in out
    assert out.count("\n") == 1, "one line says what happened"
    np.testing.assert_array_equal(model.predict(X, verbose=0), again.predict(X, verbose=0))
    # loaded without an optimiser, yet known to be trained (self-checks ask this)
    assert saved.trained_in_store(again) and not saved.trained_in_store(model)


def test_files_live_in_the_cache_and_nothing_temporary_stays(store):
    run(Trainer())
    run(Trainer(width=5), spec={**SPEC, "seed": 1})
    names = files(store)
    assert len(names) == 4 and all(n.startswith("tiny-quick-") for n in names)
    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["json", "json", "keras", "keras"]
    record = json.loads((store / names[0]).read_text())
    assert record["mode"] == "quick" and record["spec"]["grid"] == [4, 8] and record["params"] > 0
    umask = os.umask(0)
    os.umask(umask)
    assert {(store / n).stat().st_mode & 0o777 for n in names} == {0o666 & ~umask}, "readable like any file"


def test_the_key_covers_mode_spec_code_and_name(monkeypatch):
    base = saved.key("tiny", spec=SPEC, code=(tiny,))
    assert saved.key("tiny", spec=dict(reversed(list(SPEC.items()))), code=(tiny,)) == base   # order is no change
    assert saved.key("tiny", spec={**SPEC, "seed": 1}, code=(tiny,)) != base
    assert saved.key("tiny", spec=SPEC, code=(tiny, Trainer)) != base
    assert saved.key("tiny", spec=SPEC, code=("def f(): return 1",)) != saved.key(
        "tiny", spec=SPEC, code=("def f(): return 2",))
    assert saved.key("other", spec=SPEC, code=(tiny,)) != base
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    assert saved.key("tiny", spec=SPEC, code=(tiny,)) != base


def test_the_key_changes_with_the_course_s_training_hooks(monkeypatch):
    """The batches' order comes from bootcamp.inorder: a model trained before it changed is trained again."""
    base = saved.key("tiny", spec=SPEC, code=(tiny,))
    versions = saved.code_version
    monkeypatch.setattr(saved, "code_version", lambda code: {
        **versions(code), **({"bootcamp.inorder": "edited"} if any(
            getattr(c, "__name__", "") == "bootcamp.inorder" for c in code) else {})})
    assert saved.key("tiny", spec=SPEC, code=(tiny,)) != base
    assert set(saved.TRAINING_HOOKS) >= {"bootcamp.inorder", "bootcamp.oneiter", "bootcamp.tracing"}


def test_a_quick_model_is_not_loaded_in_full_mode(monkeypatch):
    run(Trainer())
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    full = Trainer()
    run(full)
    assert full.calls == 1


def test_edited_code_or_data_trains_again():
    run(Trainer())
    edited = Trainer()
    run(edited, code=(tiny, "# an edited training cell"))
    other_data = Trainer()
    run(other_data, spec={**SPEC, "data": saved.fingerprint(X + 1)})
    assert edited.calls == 1 and other_data.calls == 1


def test_fingerprint_sees_values_shape_and_dtype():
    assert saved.fingerprint(X) == saved.fingerprint(X.copy())
    assert saved.fingerprint(X) != saved.fingerprint(X[::-1])
    assert saved.fingerprint(X) != saved.fingerprint(X.reshape(4, 5))
    assert saved.fingerprint(X) != saved.fingerprint(X.astype("float64"))
    assert saved.fingerprint(X, X) != saved.fingerprint(X)


def stored(store, suffix):
    (path,) = store.glob(f"tiny-*{suffix}")
    return path


def check_retrained(store, capsys, reason):
    retrain = Trainer()
    model, record = run(retrain)
    out = capsys.readouterr().out
    assert retrain.calls == 1 and record["loaded"] is False
    first = out.splitlines()[0]
    assert first.startswith("the saved the tiny net in ") and "training it again" in first, out
    assert reason in first, out
    assert "Traceback" not in out
    # the bad file was replaced by a good one: the next call loads it
    after = Trainer()
    loaded, record = run(after)
    assert after.calls == 0 and record["loaded"] is True
    np.testing.assert_array_equal(model.predict(X, verbose=0), loaded.predict(X, verbose=0))
    assert not [n for n in files(store) if n.startswith(".")]


def test_a_truncated_file_is_retrained(store, capsys):
    run(Trainer())
    path = stored(store, ".keras")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    capsys.readouterr()
    check_retrained(store, capsys, "cut short, damaged or replaced")


def test_a_garbage_file_is_retrained(store, capsys):
    run(Trainer())
    stored(store, ".keras").write_bytes(b"this is not a zip file" * 10)
    capsys.readouterr()
    check_retrained(store, capsys, "cut short, damaged or replaced")


def rewrite_record(store, **changes):
    record_path, model_path = stored(store, ".json"), stored(store, ".keras")
    record = json.loads(record_path.read_text())
    record.update(changes)
    record["sha256"] = saved._sha256(model_path)
    record_path.write_text(json.dumps(record))


def test_garbage_that_matches_its_record_is_caught_by_keras(store, capsys):
    run(Trainer())
    stored(store, ".keras").write_bytes(b"PK\x03\x04 not really a zip")
    rewrite_record(store)
    capsys.readouterr()
    check_retrained(store, capsys, "Keras cannot read it")


def test_another_network_under_the_key_is_retrained(store, capsys):
    run(Trainer())
    tiny(width=7).save(stored(store, ".keras"))
    rewrite_record(store)
    capsys.readouterr()
    check_retrained(store, capsys, "another network")


def test_a_missing_record_is_retrained(store, capsys):
    run(Trainer())
    stored(store, ".json").unlink()
    capsys.readouterr()
    check_retrained(store, capsys, "record")


def test_a_damaged_record_is_retrained(store, capsys):
    run(Trainer())
    stored(store, ".json").write_text("{not json")
    capsys.readouterr()
    check_retrained(store, capsys, "record is damaged")


def test_a_failing_training_leaves_nothing_behind(store):
    with pytest.raises(RuntimeError, match="training failed"):
        run(Trainer(fail=True))
    assert files(store) == []


def test_a_failing_save_leaves_nothing_behind(store, capsys, monkeypatch):
    model = tiny()

    def broken_save(path, *args, **kwargs):
        with open(path, "wb") as stream:
            stream.write(b"half a model")
        raise OSError("No space left on device")

    monkeypatch.setattr(model, "save", broken_save)
    assert saved.save(model, "tiny", spec=SPEC, code=(tiny,), notebook="test_saved") is None
    out = capsys.readouterr().out
    assert "could not save" in out and "No space left on device" in out
    assert files(store) == []


def test_two_writers_of_one_key_leave_one_complete_model(store):
    models = [tiny(), tiny(width=3)]
    errors = []

    def write(model):
        try:
            saved.save(model, "tiny", spec=SPEC, code=(tiny,), notebook="test_saved")
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(m,)) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(files(store)) == 2
    model, record = saved.load("tiny", spec=SPEC, code=(tiny,))
    assert model is not None and record["notebook"] == "test_saved"


def test_a_spec_must_be_plain_data():
    with pytest.raises(TypeError, match="fingerprint"):
        saved.key("tiny", spec={"x": X}, code=())
    with pytest.raises(ValueError, match="name"):
        run(Trainer(), name="Tiny Net")


def test_the_course_networks_round_trip(store):
    """The CFD U-Nets and dense baseline, and the cyclone CNN, compiled as the lessons
    compile them (with the optimiser's state built, as after training): stored and
    loaded, they compute exactly what they did, with the layer names Grad-CAM reads.
    (No fit here: tracing a training step takes longer than all the other tests.)"""
    from bootcamp.cfd.models import make_fc, make_unet
    from bootcamp.cyclone.models import compact_cnn

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 8, 16, 2)).astype("float32")
    images = rng.normal(size=(2, 56, 56, 1)).astype("float32")
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, 10, alpha=0.05)
    unet = make_unet((8, 16), filters=2, levels=2, gated=True)
    unet.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")            # as bootcamp.cfd.models.fit
    cnn = compact_cnn(width=2)
    cnn.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
    for model in (unet, cnn):                                                       # as train_classifier
        model.optimizer.build(model.trainable_variables)
    networks = {"unet-gated": (unet, x), "unet-plain": (make_unet((8, 16), filters=2, levels=2, gated=False), x),
                "dense": (make_fc((8, 16), width=4), x), "cnn": (cnn, images)}
    for name, (model, inputs) in networks.items():
        saved.save(model, name, spec=SPEC, code=(), notebook="test_saved")
        loaded, _ = saved.load(name, spec=SPEC, code=())
        assert loaded is not None, name
        np.testing.assert_array_equal(model(inputs, training=False), loaded(inputs, training=False))
        assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


# ----------------------------------------------------------------- the lessons share one key

MASTERS = Path(__file__).resolve().parents[1] / "masters"


def source(stem):
    return (MASTERS / f"{stem}.py").read_text(encoding="utf-8")


@pytest.mark.parametrize("stems, saver, loader, name", [
    (["05_cyclone_3_cnn", "05_cyclone_4_imbalance", "05_cyclone_5_gradcam", "05_cyclone_6_competition"],
     "models.save_baseline(", "models.load_or_train_baseline(", "cyclone-baseline"),
    (["06_cfd_4_unet", "06_cfd_5_surrogate_vs_solver", "06_cfd_6_competition"],
     "cfd_models.save_unet(", "cfd_models.load_or_train_unets(", "cfd-unet"),
])
def test_the_lessons_go_through_one_function(stems, saver, loader, name):
    """The first lesson saves and the later ones load through the package, which alone
    makes the key: no master spells a spec, a code list or the store's name itself, so
    none can drift into training silently instead of loading."""
    first, *later = stems
    assert saver in source(first)
    for stem in later:
        assert loader in source(stem), stem
    for stem in stems:
        text = source(stem)
        for private in ("saved.save(", "saved.load_or_train(", "saved.load(", f'"{name}"', "_spec = {"):
            assert private not in text, (stem, private)


def test_notebook_4_trains_with_the_settings_it_saves_under():
    text = source("06_cfd_4_unet")
    assert "cfd_models.unet_settings()" in text
    assert "bootcamp.choose(full=100" not in text and "batch_size = 8" not in text


class Frames:
    """What the key reads of a cyclone split: images and labels."""

    def __init__(self, n, seed):
        rng = np.random.default_rng(seed)
        self.images = rng.normal(size=(n, 4, 4)).astype("float32")
        self.labels = rng.integers(0, 8, size=n)


def test_the_cyclone_baseline_saved_by_lesson_3_is_what_lessons_4_to_6_load(capsys):
    from bootcamp.cyclone import models

    train, validation = Frames(6, 0), Frames(4, 1)
    network = models.compact_cnn(width=2)
    assert models.save_baseline(network, train, validation, notebook="05_cyclone_3", metrics={"top1": 0.5})
    loaded, record = models.load_or_train_baseline(train, validation, notebook="05_cyclone_4")
    assert record["loaded"] and record["metrics"] == {"top1": 0.5}
    assert loaded.count_params() == network.count_params()
    assert "loaded lesson 3's compact CNN that 05_cyclone_3 saved" in capsys.readouterr().out
    # other validation frames: another key, so nothing stored matches
    assert saved.load(models.BASELINE, **models.baseline_key(train, Frames(4, 2))) == (None, None)


def test_the_unets_saved_by_notebook_4_are_what_notebooks_5_and_6_load(monkeypatch, capsys):
    from bootcamp.cfd import models

    rng = np.random.default_rng(0)
    x_train, y_train, x_val, y_val = (rng.normal(size=(n, 8, 16, 2)).astype("float32") for n in (4, 4, 2, 2))
    networks, metrics = {}, {}
    for name, gated, error in (("gated U-Net", True, 0.2), ("plain U-Net", False, 0.1)):
        networks[name] = models.make_unet((8, 16), filters=2, levels=2, gated=gated)
        metrics[name] = {"gated": gated, "validation error": error, "training seconds": 1.0}
        assert models.save_unet(networks[name], x_train, y_train, x_val, y_val, gated=gated, notebook="06_cfd_4",
                                metrics=metrics[name])
    for notebook in ("06_cfd_5", "06_cfd_6"):
        unets = models.load_or_train_unets(x_train, y_train, x_val, y_val, notebook=notebook)
        assert list(unets) == ["gated U-Net", "plain U-Net"]
        for name, (loaded, record) in unets.items():
            assert record["loaded"] and record["metrics"] == metrics[name]
            np.testing.assert_array_equal(loaded(x_val), networks[name](x_val))
        assert models.most_accurate(unets) == "plain U-Net"          # notebook 4's choice: the lower error
    out = capsys.readouterr().out
    assert out.count("loaded notebook 4's gated U-Net that 06_cfd_4 saved") == 2
    assert out.count("loaded notebook 4's plain U-Net that 06_cfd_4 saved") == 2
    # gated and plain are stored apart: each key finds its own network
    gated, _ = saved.load(models.UNET, **models.unet_key(x_train, y_train, x_val, y_val, gated=True))
    assert gated.count_params() == networks["gated U-Net"].count_params()
    # a full-mode run trains for 100 epochs, not 5: another key
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    assert saved.load(models.UNET, **models.unet_key(x_train, y_train, x_val, y_val, gated=True)) == (None, None)
