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


def test_majority_baseline():
    labels = np.array([2, 2, 2, 1, 7])
    assert cyclone.majority_baseline(0.6, labels) is True
    assert cyclone.majority_baseline(None, labels) is False
    with pytest.raises(AssertionError, match="index"):
        cyclone.majority_baseline(2, labels)


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


def test_dense_parameters():
    inputs = keras.Input((6, 6, 256))
    outputs = keras.layers.Dense(3584, name="dense1")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    assert cyclone.dense_parameters(6 * 6 * 256 * 3584 + 3584, model) is True
    with pytest.raises(AssertionError, match="biases"):
        cyclone.dense_parameters(6 * 6 * 256 * 3584, model)


def test_class_weights_and_oversampling():
    labels = np.array([2] * 6 + [3] * 3 + [7])
    right = {2: 10 / 18, 3: 10 / 9, 7: 10 / 3}
    assert cyclone.class_weights(right, labels) is True
    with pytest.raises(AssertionError, match="frequencies"):
        cyclone.class_weights({2: 0.6, 3: 0.3, 7: 0.1}, labels)
    balanced = np.array([0, 1, 2, 6, 7, 8, 9, 9, 9])
    assert cyclone.oversampled(balanced, labels, len(labels)) is True
    with pytest.raises(AssertionError, match="training frames only"):
        cyclone.oversampled(np.array([0, 6, 10]), labels, len(labels))
    with pytest.raises(AssertionError, match="same number"):
        cyclone.oversampled(np.arange(10), labels, len(labels))


def test_grad_cam_check_and_central_share():
    keras.utils.set_random_seed(0)
    model = models.compact_cnn(width=4)
    images = np.random.default_rng(0).normal(0, 1, (3, 56, 56, 1)).astype(np.float32)
    assert cyclone.grad_cam(lambda m, x: gradcam.grad_cam(m, x), model, images) is True
    assert cyclone.grad_cam(not_yet, model, images) is False
    with pytest.raises(AssertionError):
        cyclone.grad_cam(lambda m, x: np.ones((3, 56, 56)), model, images)
    maps = np.zeros((2, 8, 8))
    maps[:, 3:5, 3:5] = 1.0
    maps[1, 0, 0] = 4.0
    assert cyclone.central_share(0.75, maps, 2) is True
    with pytest.raises(AssertionError):
        cyclone.central_share(0.5, maps, 2)


def test_competition_entry_scores_once(capsys):
    from bootcamp.cyclone.dataset import Frames

    n = 4
    frames = Frames(images=np.full((n, 64, 64), 250.0, np.float32), labels=np.array([2, 2, 3, 2]),
                    wind_kt=np.array([50.0, 45, 70, 40]), storm_id=np.array(["A"] * n), name=np.array(["A"] * n),
                    time=np.zeros(n, "datetime64[s]"), lat=np.zeros(n), lon=np.zeros(n))
    assert cyclone.entry(None, frames, {"top1": 0.5, "rmse_kt": 10.0}) is None
    keras.utils.set_random_seed(0)
    scores = cyclone.entry(models.compact_cnn(width=4), frames, {"top1": 0.5, "rmse_kt": 10.0})
    assert set(scores) == {"top1", "top2", "rmse_kt", "balanced"}
    assert "Your entry" in capsys.readouterr().out
