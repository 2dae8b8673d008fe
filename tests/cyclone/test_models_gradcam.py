"""The lessons' networks, training plumbing and the Grad-CAM / saliency helpers."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest

from bootcamp.cyclone import dataset, gradcam, models


def test_compact_cnn_shapes_and_size():
    model = models.compact_cnn(width=8)
    assert model.output_shape == (None, 8)
    assert model.layers[-1].name == "probabilities" and model.get_layer("logits").activation.__name__ == "linear"
    assert model.input_shape == (None, dataset.CROP, dataset.CROP, 1)
    assert 40_000 < model.count_params() < 60_000
    # the head flattens conv4's 7 x 7 x 64 map straight into the 8 class scores
    assert model.get_layer("flatten").output.shape[1:] == (7 * 7 * 64,)
    assert model.get_layer("logits").count_params() == 7 * 7 * 64 * 8 + 8
    assert models.compact_cnn(width=16).count_params() > 2.5 * model.count_params()


def test_pradhan_network_has_their_shape_and_about_43_million_parameters():
    model = models.pradhan_cnn()
    assert model.input_shape == (None, 232, 232, 3) and model.output_shape == (None, 8)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    denses = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert len(convs) == 5 and len(denses) == 3
    assert 42e6 < model.count_params() < 44e6
    assert model.get_layer("dense1").count_params() == 6 * 6 * 256 * 3584 + 3584


@pytest.fixture(scope="module")
def tiny_frames():
    winds = np.array([25, 30, 45, 50, 70, 75, 90, 100, 120, 130, 140, 150, 35, 40, 60, 62], float)
    times = pd.date_range("2015-01-01", periods=len(winds), freq="3h").to_numpy("datetime64[s]")
    images = dataset.render_storm(winds, np.full(len(winds), 20.0), seed=1)
    labels = dataset.saffir_simpson_class(winds)
    return dataset.Frames(images=images, labels=labels, wind_kt=winds, storm_id=np.array(["AL012015"] * len(winds)),
                          name=np.array(["ANA"] * len(winds)), time=times, lat=np.full(len(winds), 20.0),
                          lon=np.full(len(winds), -60.0))


def test_training_runs_and_prediction_is_deterministic(tiny_frames):
    keras.utils.set_random_seed(0)
    model = models.compact_cnn(width=4)
    history = models.train_classifier(model, tiny_frames, tiny_frames, epochs=2, batch_size=8,
                                      class_weight={c: 1.0 for c in range(8)}, rotate=True,
                                      train_index=np.arange(len(tiny_frames))[::-1])
    assert len(history.history["loss"]) == 2 and "val_top2" in history.history
    p = models.predict(model, tiny_frames)
    assert p.shape == (len(tiny_frames), 8)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(p, models.predict(model, tiny_frames))


def test_settings_follow_the_run_mode(monkeypatch):
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    quick = models.settings()
    monkeypatch.setenv("BOOTCAMP_QUICK", "0")
    full = models.settings()
    assert quick["epochs"] < full["epochs"] and quick["width"] < full["width"]
    assert dataset.seasons() == dataset.FULL_SEASONS


def test_grad_cam_and_saliency_maps(tiny_frames):
    keras.utils.set_random_seed(0)
    model = models.compact_cnn(width=4)
    x = models.preprocess.centre_crop(models.scaled(tiny_frames), dataset.CROP)[..., None]
    for cam in (gradcam.grad_cam, gradcam.hires_cam):
        heat = cam(model, x[:5])
        assert heat.shape == (5, dataset.CROP, dataset.CROP)
        assert heat.min() >= 0 and heat.max() <= 1 + 1e-6
    salient = gradcam.saliency(model, x[:5], class_index=[0, 1, 2, 3, 4])
    assert salient.shape == (5, dataset.CROP, dataset.CROP) and salient.max() == pytest.approx(1.0, abs=1e-5)


def test_grad_cam_finds_where_a_class_is_raised():
    """A hand-made model: feature map 0 sees only the top-left quarter and
    raises class 1, map 1 only the bottom-right quarter and raises class 0.
    Grad-CAM must light up the quarter of the class asked for."""
    quarters = np.zeros((1, 16, 16, 2), np.float32)
    quarters[0, :8, :8, 0] = 1.0
    quarters[0, 8:, 8:, 1] = 1.0
    inputs = keras.Input((16, 16, 1))
    both = keras.layers.Conv2D(2, 1, use_bias=False, kernel_initializer="ones")(inputs)
    maps = keras.layers.Lambda(lambda t: t * quarters, name="conv4")(both)
    pooled = keras.layers.GlobalAveragePooling2D()(maps)
    logits = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant([[-1.0, 1.0], [1.0, -1.0]]))(pooled)
    model = keras.Model(inputs, keras.layers.Softmax()(logits))
    image = np.ones((1, 16, 16, 1), np.float32)
    for cls, hot, cold in ((1, np.s_[:7, :7], np.s_[9:, 9:]), (0, np.s_[9:, 9:], np.s_[:7, :7])):
        heat = gradcam.grad_cam(model, image, class_index=[cls])[0]
        assert heat[hot].min() > 0.9 and heat[cold].max() < 0.05
        # behind global average pooling every position of a map has the same weight: both methods agree
        np.testing.assert_allclose(gradcam.hires_cam(model, image, class_index=[cls])[0], heat, atol=1e-5)


def test_hires_cam_is_exact_behind_a_flattening_head_and_grad_cam_is_not():
    """A map that is 1 everywhere, flattened into a class score that only the
    top-left quarter raises: HiResCAM lights that quarter; Grad-CAM, averaging
    the gradient over the map first, spreads the heat over the whole map.
    HiResCAM's maps before ReLU add up to the logit minus the bias."""
    inputs = keras.Input((16, 16, 1))
    maps = keras.layers.Conv2D(1, 1, use_bias=False, kernel_initializer="ones", name="conv4")(inputs)
    weights = np.zeros((256, 2), np.float32)
    weights[np.flatnonzero(np.outer(np.arange(16) < 8, np.arange(16) < 8).ravel()), 0] = 1.0   # rows, then columns
    weights[:, 1] = 0.1
    dense = keras.layers.Dense(2, name="logits")
    logits = dense(keras.layers.Flatten()(maps))
    model = keras.Model(inputs, keras.layers.Softmax()(logits))
    dense.set_weights([weights, np.array([0.5, -0.2], np.float32)])
    image = np.ones((1, 16, 16, 1), np.float32)
    hires = gradcam.hires_cam(model, image, class_index=[0])[0]
    assert hires[:7, :7].min() > 0.9 and hires[9:, :].max() < 0.05 and hires[:, 9:].max() < 0.05
    flat = gradcam.grad_cam(model, image, class_index=[0])[0]
    assert flat.min() > 0.9                                  # no place singled out
    raw, gradients, score = gradcam.contributions(model, image, class_index=[0])
    np.testing.assert_allclose(float((raw * gradients).numpy().sum()), score[0] - 0.5, rtol=1e-5)


def test_grad_cam_differentiates_the_logit_and_needs_a_softmax_layer(tiny_frames):
    keras.utils.set_random_seed(0)
    model = models.compact_cnn(width=4)
    x = models.preprocess.centre_crop(models.scaled(tiny_frames), dataset.CROP)[..., None]
    logit = gradcam.grad_cam(model, x[:6])
    probability = gradcam.grad_cam(model, x[:6], target="probability")
    assert not np.allclose(logit, probability, atol=1e-3)
    with pytest.raises(ValueError, match="target"):
        gradcam.grad_cam(model, x[:2], target="softmax")
    inputs = keras.Input((dataset.CROP, dataset.CROP, 1))
    fused = keras.layers.Conv2D(2, 3, name="conv4")(inputs)
    fused = keras.layers.Dense(8, activation="softmax")(keras.layers.GlobalAveragePooling2D()(fused))
    with pytest.raises(ValueError, match="softmax layer of its own"):
        gradcam.grad_cam(keras.Model(inputs, fused), x[:2])
