"""The cyclone lessons' self-checks: a right answer passes, a starter is
"not attempted", a wrong answer fails with a hint."""

from __future__ import annotations

import cv2
import keras
import numpy as np
import pandas as pd
import pytest

from bootcamp.cyclone import gradcam, models, scoring
from bootcamp.selfcheck import cyclone


def not_yet(*_args):
    raise NotImplementedError


@pytest.fixture
def track():
    times = pd.date_range("2017-09-01", periods=6, freq="6h")
    return pd.DataFrame({"storm_id": "AL112017", "time": times, "wind_kt": [40.0, 50, 65, 90, 120, 150]})


def test_interpolated_wind(track):
    def right(t, when):
        seconds = t["time"].to_numpy("datetime64[s]").astype(np.int64)
        return float(np.interp(np.datetime64(when, "s").astype(np.int64), seconds, t["wind_kt"]))

    def previous_fix(t, when):
        return float(t[t["time"] <= when]["wind_kt"].iloc[-1])

    assert cyclone.interpolated_wind(right, track) is True
    assert cyclone.interpolated_wind(not_yet, track) is False
    with pytest.raises(AssertionError, match="fix before"):
        cyclone.interpolated_wind(previous_fix, track)


def test_majority_baseline_is_chosen_on_training_and_measured_on_validation():
    train, val = np.array([2, 2, 2, 1, 7]), np.array([1, 1, 1, 2])
    assert cyclone.majority_baseline(0.25, train, val) is True
    assert cyclone.majority_baseline(None, train, val) is False
    with pytest.raises(AssertionError, match="index"):
        cyclone.majority_baseline(2, train, val)
    with pytest.raises(AssertionError, match="on the training frames"):
        cyclone.majority_baseline(0.75, train, val)                  # the validation set's own majority
    with pytest.raises(AssertionError, match="measure it on the validation"):
        cyclone.majority_baseline(0.6, train, val)


def test_shrink_and_centre_crop():
    image = np.random.default_rng(0).normal(250, 20, (64, 64)).astype(np.float32)
    assert cyclone.shrink(lambda im, n: cv2.resize(im, (n, n), interpolation=cv2.INTER_AREA), image) is True
    assert cyclone.shrink(not_yet, image) is False
    with pytest.raises(AssertionError, match="INTER_AREA"):
        cyclone.shrink(lambda im, n: cv2.resize(im, (n, n), interpolation=cv2.INTER_NEAREST), image)

    def crop(im, c):
        top = (im.shape[0] - c) // 2
        return im[top:top + c, top:top + c]

    assert cyclone.centre_crop(crop, image) is True
    with pytest.raises(AssertionError, match="centred"):
        cyclone.centre_crop(lambda im, c: im[:c, :c], image)


def test_valid_augmentations():
    right = {"rotate 90": True, "rotate 180": True, "flip left-right": False, "flip up-down": False,
             "transpose": False}
    assert cyclone.valid_augmentations(right) is True
    assert cyclone.valid_augmentations(None) is False
    with pytest.raises(AssertionError, match="flip up-down"):
        cyclone.valid_augmentations({**right, "flip up-down": True})


def test_top_k_and_rmse():
    assert cyclone.top_k(scoring.top_k_accuracy) is True
    assert cyclone.top_k(not_yet) is False
    with pytest.raises(AssertionError):
        cyclone.top_k(lambda p, y, k: scoring.top_k_accuracy(p, y, 1))
    predicted, wind = np.array([2, 3, 4]), np.array([40.0, 80.0, 100.0])
    assert cyclone.rmse(scoring.rmse_kt(predicted, wind), predicted, wind) is True
    mae = np.mean(np.abs(scoring.CLASS_CENTRE_KT[predicted] - wind))
    with pytest.raises(AssertionError, match="absolute"):
        cyclone.rmse(mae, predicted, wind)


def test_layer_parameters():
    image, features = keras.Input((40, 40, 3)), keras.Input((6, 6, 16))
    conv1 = keras.layers.Conv2D(8, 5, strides=3, name="conv1")(image)
    dense1 = keras.layers.Dense(32, name="dense1")(keras.layers.Flatten()(features))
    model = keras.Model([image, features], [conv1, dense1])
    conv, dense = 5 * 5 * 3 * 8 + 8, 6 * 6 * 16 * 32 + 32
    assert cyclone.layer_parameters(conv, dense, model) is True
    assert cyclone.layer_parameters(None, dense, model) is False
    with pytest.raises(AssertionError, match="one per filter"):
        cyclone.layer_parameters(conv - 8, dense, model)
    with pytest.raises(AssertionError, match="input channels"):
        cyclone.layer_parameters(5 * 5 * 8 + 8, dense, model)
    with pytest.raises(AssertionError, match="one per unit"):
        cyclone.layer_parameters(conv, dense - 32, model)


def test_class_weights_and_oversampling():
    labels = np.array([2] * 6 + [3] * 3 + [7])
    right = {2: 10 / 18, 3: 10 / 9, 7: 10 / 3}
    assert cyclone.class_weights(right, labels) is True
    with pytest.raises(AssertionError, match="frequencies"):
        cyclone.class_weights({2: 0.6, 3: 0.3, 7: 0.1}, labels)
    with pytest.raises(AssertionError, match="average"):
        cyclone.class_weights({2: 1 / 6, 3: 1 / 3, 7: 1.0}, labels)
    with pytest.raises(AssertionError, match="classes present"):
        cyclone.class_weights({c: w * 3 / 8 for c, w in right.items()}, labels)
    with pytest.raises(AssertionError, match="same total"):
        cyclone.class_weights({2: 1.0, 3: 1.0, 7: 1.0}, labels)
    balanced = np.array([0, 1, 2, 6, 7, 8, 9, 9, 9, 0])
    assert cyclone.oversampled(balanced[:9], labels, len(labels)) is True
    with pytest.raises(AssertionError, match="as many frames"):
        cyclone.oversampled(np.tile(balanced[:9], 3), labels, len(labels))
    with pytest.raises(AssertionError, match="training frames only"):
        cyclone.oversampled(np.array([0, 6, 10]), labels, len(labels))
    with pytest.raises(AssertionError, match="same number"):
        cyclone.oversampled(np.arange(10), labels, len(labels))


def test_hires_cam_check_and_central_share():
    keras.utils.set_random_seed(0)
    model = models.compact_cnn(width=4)
    images = np.random.default_rng(0).normal(0, 1, (3, 56, 56, 1)).astype(np.float32)
    assert cyclone.hires_cam(lambda m, x: gradcam.hires_cam(m, x), model, images) is True
    assert cyclone.hires_cam(not_yet, model, images) is False
    with pytest.raises(AssertionError):
        cyclone.hires_cam(lambda m, x: np.ones((3, 56, 56)), model, images)
    with pytest.raises(AssertionError, match="Grad-CAM's maps.*element by element"):
        cyclone.hires_cam(lambda m, x: gradcam.grad_cam(m, x), model, images)
    with pytest.raises(AssertionError, match="before the softmax"):
        cyclone.hires_cam(lambda m, x: gradcam.hires_cam(m, x, target="probability"), model, images)
    assert cyclone.central_share(gradcam.central_share, 16) is True
    assert cyclone.central_share(not_yet, 16) is False
    with pytest.raises(AssertionError, match="one share per map"):
        cyclone.central_share(lambda maps, r: float(np.mean(gradcam.central_share(maps, r))), 16)
    with pytest.raises(AssertionError, match="total heat"):
        cyclone.central_share(lambda maps, r: gradcam.central_share(maps, r) * maps.sum(axis=(1, 2)), 16)


def test_central_share_reference():
    maps = np.zeros((3, 8, 8))
    maps[:, 3:5, 3:5] = 1.0                              # the four central pixels, 0.71 px from the centre
    maps[1, 0, 0] = 4.0                                  # a corner, 4.95 px away
    shares = gradcam.central_share(maps, 2)
    np.testing.assert_allclose(shares[:2], [1.0, 0.5])
    assert gradcam.central_share(np.zeros((1, 8, 8)), 2)[0] != gradcam.central_share(np.zeros((1, 8, 8)), 2)[0]


def test_competition_entry_is_judged_on_validation(capsys):
    from bootcamp.cyclone.dataset import Frames

    n = 4
    frames = Frames(images=np.full((n, 64, 64), 250.0, np.float32), labels=np.array([2, 2, 3, 2]),
                    wind_kt=np.array([50.0, 45, 70, 40]), storm_id=np.array(["A"] * n), name=np.array(["A"] * n),
                    time=np.zeros(n, "datetime64[s]"), lat=np.zeros(n), lon=np.zeros(n))
    train_labels = np.array([2, 2, 2, 3])
    assert cyclone.entry(None, frames, train_labels) is False
    assert "not attempted" in capsys.readouterr().out
    keras.utils.set_random_seed(0)
    untrained = models.compact_cnn(width=4)
    with pytest.raises(AssertionError, match="not been trained"):
        cyclone.entry(untrained, frames, train_labels)
    with pytest.raises(AssertionError, match="Keras model"):
        cyclone.entry({"top1": 1.0}, frames, train_labels)


def test_a_competition_entry_loaded_from_the_store_counts_as_trained(tmp_path, monkeypatch):
    """The solution may enter lesson 3's baseline, loaded from the course's store without an
    optimiser (05_cyclone_6 in CI, where lesson 3 saved it first): judged on its scores, not
    refused as untrained."""
    from bootcamp import saved
    from bootcamp.cyclone.dataset import Frames

    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path))
    n = 4
    frames = Frames(images=np.full((n, 64, 64), 250.0, np.float32), labels=np.array([2, 2, 3, 2]),
                    wind_kt=np.array([50.0, 45, 70, 40]), storm_id=np.array(["A"] * n), name=np.array(["A"] * n),
                    time=np.zeros(n, "datetime64[s]"), lat=np.zeros(n), lon=np.zeros(n))
    keras.utils.set_random_seed(0)
    loaded, record = saved.load_or_train("entry-test", spec={}, build_and_train=lambda: models.compact_cnn(width=4),
                                         notebook="test")
    assert not record["loaded"]
    loaded, record = saved.load_or_train("entry-test", spec={}, build_and_train=lambda: None, notebook="test")
    assert record["loaded"] and getattr(loaded, "optimizer", None) is None
    with pytest.raises(AssertionError) as judged:       # untrained weights: it fails on its scores instead
        cyclone.entry(loaded, frames, np.array([2, 2, 2, 3]))
    assert "not been trained" not in str(judged.value) and "majority" in str(judged.value)
