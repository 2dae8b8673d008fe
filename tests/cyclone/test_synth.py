"""Synthetic IR imagery: deterministic, its structure follows intensity, and
the one real frame the package ships lies inside the spread of generated
frames of its wind."""

import cv2
import numpy as np
import pytest

from bootcamp.cyclone import real_frame
from bootcamp.cyclone.synth import Frame, render, render_many


def test_deterministic_by_seed_and_independent_per_image():
    winds = [30, 80, 140]
    a = render_many(winds, seed=3)
    assert a.shape == (3, 64, 64) and a.dtype == np.float32
    np.testing.assert_array_equal(a, render_many(winds, seed=3))
    assert not np.array_equal(a, render_many(winds, seed=4))
    assert 170 <= a.min() and a.max() <= 310


def test_cloud_tops_get_colder_and_cover_more_area_with_intensity():
    """The storm itself (no other cloud around it)."""
    winds = np.repeat([20, 50, 90, 130, 160], 40)
    images = render_many(winds, seed=0, environment=0.0).reshape(5, 40, 64, 64)
    coldest = images.min(axis=(2, 3)).mean(axis=1)
    cold_area = (images < 230).mean(axis=(2, 3)).mean(axis=1)
    assert np.all(np.diff(coldest) < 0), coldest
    assert cold_area[-1] > 2 * cold_area[0], cold_area


def test_an_eye_appears_only_in_strong_storms():
    def eye_contrast(wind):
        img = render(Frame(wind, shear=0.0, environment=0.0), pixels=128, rng=np.random.default_rng(1))
        c = 64
        centre = img[c - 1:c + 1, c - 1:c + 1].mean()
        ring = np.concatenate([img[c - 8, c - 8:c + 8], img[c + 8, c - 8:c + 8]]).mean()
        return centre - ring

    assert eye_contrast(35) < 5
    assert eye_contrast(150) > 30


def test_hemisphere_sets_the_sense_of_rotation():
    north = render(Frame(100, lat=20, shear=0), rng=np.random.default_rng(5))
    south = render(Frame(100, lat=-20, shear=0), rng=np.random.default_rng(5))
    # same random draws, mirrored spiral: the images differ but are equally cold
    assert not np.allclose(north, south)
    assert abs(north.mean() - south.mean()) < 3


def test_weak_systems_have_cloudier_surroundings_than_hurricanes():
    def outer_cloud(wind):
        images = render_many(np.full(60, wind), seed=2)
        axis = (np.arange(64) - 31.5) * 800 / 64
        outside = np.hypot(*np.meshgrid(axis, axis)) > 300
        return float(np.mean(images[:, outside] < 260))

    assert outer_cloud(20) > 2 * outer_cloud(150) > 0
    clear = render_many([20.0], seed=2, environment=0.0)[0]
    assert render_many([20.0], seed=2, environment=0.9)[0].mean() < clear.mean() - 20


def square_of(frame, pixels=64, extent_km=800.0):
    """The real frame's square of ``extent_km`` around its best-track centre, area-averaged to ``pixels``."""
    km_north = (frame.lats - frame.lat) * 111.2
    km_east = (frame.lons - frame.lon) * 111.2 * np.cos(np.deg2rad(frame.lat))
    rows = np.flatnonzero(np.abs(km_north) <= extent_km / 2)
    cols = np.flatnonzero(np.abs(km_east) <= extent_km / 2)
    square = frame.irwin[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    return cv2.resize(square, (pixels, pixels), interpolation=cv2.INTER_AREA)


def _within(image, km):
    axis = (np.arange(image.shape[0]) - (image.shape[0] - 1) / 2) * 800 / image.shape[0]
    return np.hypot(*np.meshgrid(axis, axis)) < km


STATISTICS = {
    "share colder than 240 K": lambda image: np.mean(image < 240),
    "mean temperature": np.mean,
    "mean within 100 km of the centre": lambda image: image[_within(image, 100)].mean(),
    "mean beyond 300 km": lambda image: image[~_within(image, 300)].mean(),
    "spread of temperatures": np.std,
}


@pytest.mark.parametrize("name", list(STATISTICS))
def test_the_real_weak_frame_lies_inside_the_generated_spread(name):
    """The calibration of the surroundings: the real 13 kt frame (embedded in widespread cloud) is
    between the 5th and 95th percentiles of 200 generated frames of its wind and latitude. Before it,
    no generated weak frame had more than 1% of its area colder than 240 K (the real one: 59%)."""
    real = real_frame()
    statistic = STATISTICS[name]
    generated = render_many(np.full(200, real.wind_kt), lats=np.full(200, real.lat), seed=11)
    values = [statistic(image) for image in generated]
    low, high = np.percentile(values, [5, 95])
    value = statistic(square_of(real))
    assert low <= value <= high, f"{name}: real {value:.3f}, generated 5-95% {low:.3f}-{high:.3f}"
