"""Preprocessing: scaling, INTER_AREA resizing, crops, the tf.data pipeline."""

import cv2
import numpy as np

from bootcamp.cyclone import preprocess


def test_scaling_is_fixed_and_makes_cold_positive():
    scaled = preprocess.scale_temperature(np.array([180.0, 245.0, 310.0]))
    np.testing.assert_allclose(scaled, [1.0, 0.0, -1.0])


def test_shrinking_averages_pixels_like_inter_area():
    checker = np.indices((64, 64)).sum(axis=0) % 2 * 100.0          # finest possible texture
    small = preprocess.resize_stack(checker[None], 16)[0]
    np.testing.assert_allclose(small, 50.0, atol=1e-3)               # averaged, not aliased
    nearest = cv2.resize(checker.astype(np.float32), (16, 16), interpolation=cv2.INTER_NEAREST)
    assert set(np.unique(nearest)) <= {0.0, 100.0}                     # nearest keeps only extremes


def test_centre_crop_and_pipeline_shapes_and_determinism():
    images = np.random.default_rng(0).normal(size=(10, 40, 40)).astype(np.float32)
    labels = np.arange(10)
    crop = preprocess.centre_crop(images, 32)
    np.testing.assert_array_equal(crop, images[:, 4:36, 4:36])

    evaluation = preprocess.make_dataset(images, labels, crop=32, training=False, batch_size=4)
    batches = list(evaluation.as_numpy_iterator())
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches])[..., 0], crop)

    def first_epoch(seed):
        data = preprocess.make_dataset(images, labels, crop=32, training=True, batch_size=10, seed=seed,
                                       rotate=True)
        return next(data.as_numpy_iterator())

    x1, y1 = first_epoch(3)
    x2, y2 = first_epoch(3)
    assert x1.shape == (10, 32, 32, 1)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert sorted(y1.tolist()) == labels.tolist()
