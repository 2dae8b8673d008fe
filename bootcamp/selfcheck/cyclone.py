"""Self-checks for the tropical-cyclone lessons (05_cyclone_1 ... 05_cyclone_6)."""

from __future__ import annotations

import numpy as np

from bootcamp.checks import call_answer, close, require, run_check


# ---------------------------------------------------------------- 1: best track
def interpolated_wind(interpolate, track) -> bool:
    """``interpolate(track, time)``: the wind (kt) of one storm at any time between its fixes."""
    def body():
        import pandas as pd

        from bootcamp.cyclone.tracks import interpolate_track

        fixes = track.sort_values("time")
        t0, t1 = fixes["time"].iloc[2], fixes["time"].iloc[3]
        probes = [t0, t0 + (t1 - t0) / 3, t0 + (t1 - t0) / 2, t1]
        for when in probes:
            got = call_answer(interpolate, fixes, pd.Timestamp(when))
            expected = interpolate_track(fixes, [when])["wind_kt"].iloc[0]
            if abs(float(got) - fixes["wind_kt"].iloc[2]) < 1e-9 and abs(expected - float(got)) > 1e-6:
                raise AssertionError("you return the wind of the fix before: interpolate between the two "
                                     "neighbouring fixes, in proportion to the time elapsed.")
            close(float(got), expected, f"the wind at {when}", rtol=1e-6, atol=1e-6)
    return run_check("Exercise 1 (wind between two fixes)", body)


def majority_baseline(accuracy, labels) -> bool:
    """Top-1 accuracy of always answering the most frequent class."""
    def body():
        value = float(require(accuracy, "majority_accuracy"))
        counts = np.bincount(np.asarray(labels, int))
        expected = counts.max() / counts.sum()
        if abs(value - counts.argmax()) < 1e-9:
            raise AssertionError("that is the index of the most frequent class, not the fraction of frames in it.")
        close(value, expected, "majority_accuracy", rtol=1e-6)
    return run_check("Exercise 2 (the majority-class baseline)", body)


# ---------------------------------------------------------------- 2: images
def shrink(shrink_fn, image) -> bool:
    """``shrink_fn(image, size)``: an OpenCV area-averaging resize to size x size."""
    def body():
        import cv2

        for size in (32, 20):
            got = np.asarray(call_answer(shrink_fn, image, size))
            assert got.shape == (size, size), f"shrinking to {size} gave shape {got.shape}"
            best = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
            if not np.allclose(got, best, atol=1e-3):
                nearest = cv2.resize(image, (size, size), interpolation=cv2.INTER_NEAREST)
                linear = cv2.resize(image, (size, size), interpolation=cv2.INTER_LINEAR)
                if np.allclose(got, nearest, atol=1e-3) or np.allclose(got, linear, atol=1e-3):
                    raise AssertionError("right size, wrong interpolation: to shrink, average the source pixels "
                                         "under each output pixel (cv2.INTER_AREA).")
                raise AssertionError("the values differ from cv2.resize(image, (size, size), "
                                     "interpolation=cv2.INTER_AREA).")
    return run_check("Exercise 1 (shrink with the right interpolation)", body)


def centre_crop(crop_fn, image) -> bool:
    """``crop_fn(image, crop)``: the central crop x crop window of one image."""
    def body():
        for crop in (56, 33):
            got = np.asarray(call_answer(crop_fn, image, crop))
            assert got.shape == (crop, crop), f"a {crop}-pixel crop has shape {got.shape}"
            top, left = (image.shape[0] - crop) // 2, (image.shape[1] - crop) // 2
            assert np.array_equal(got, image[top:top + crop, left:left + crop]), (
                "the window is not centred: start at (H - crop) // 2 and (W - crop) // 2.")
    return run_check("Exercise 2 (a centre crop for evaluation)", body)


def valid_augmentations(answer) -> bool:
    """Which transforms keep a northern-hemisphere storm a valid one."""
    def body():
        value = require(answer, "keeps_rotation")
        expected = {"rotate 90": True, "rotate 180": True, "flip left-right": False, "flip up-down": False,
                    "transpose": False}
        assert isinstance(value, dict) and set(value) == set(expected), f"give a dict with the keys {sorted(expected)}"
        wrong = [k for k in expected if bool(value[k]) != expected[k]]
        assert not wrong, (f"not right for {wrong}: a mirror image (any flip, or a transpose) turns a "
                           "counter-clockwise spiral clockwise; a rotation does not.")
    return run_check("Exercise 3 (augmentations that keep the physics)", body)


# ---------------------------------------------------------------- 3: CNN
def top_k(top_k_fn) -> bool:
    """``top_k_fn(probabilities, labels, k)``: the top-k accuracy."""
    def body():
        from bootcamp.cyclone.scoring import top_k_accuracy

        rng = np.random.default_rng(0)
        p = rng.dirichlet(np.ones(8), size=200)
        y = rng.integers(0, 8, 200)
        for k in (1, 2, 3):
            close(call_answer(top_k_fn, p, y, k), top_k_accuracy(p, y, k), f"top-{k} accuracy", rtol=1e-9)
    return run_check("Exercise 1 (top-k accuracy)", body)


def rmse(rmse_value, predicted, wind_kt) -> bool:
    """The RMSE (kt) of class-centre winds against best-track winds."""
    def body():
        from bootcamp.cyclone.scoring import CLASS_CENTRE_KT, rmse_kt

        value = float(require(rmse_value, "rmse"))
        expected = rmse_kt(predicted, wind_kt)
        mae = float(np.mean(np.abs(CLASS_CENTRE_KT[np.asarray(predicted)] - np.asarray(wind_kt))))
        if abs(value - mae) < 1e-6 and abs(value - expected) > 1e-6:
            raise AssertionError("that is the mean absolute error: square, average, then take the root.")
        close(value, expected, "rmse", rtol=1e-6)
    return run_check("Exercise 2 (RMSE in knots)", body)


def dense_parameters(n_params, model) -> bool:
    """Weights and biases of the Pradhan network's first dense layer."""
    def body():
        value = int(require(n_params, "dense1_params"))
        layer = model.get_layer("dense1")
        expected = layer.count_params()
        units = layer.units
        if value == expected - units:
            raise AssertionError("add the biases: one per unit.")
        assert value == expected, (f"got {value:,}: a dense layer has (inputs x units) weights and one bias per "
                                   "unit; its inputs are the flattened 6 x 6 x 256 feature maps.")
    return run_check("Exercise 3 (where the 43 million parameters are)", body)


# ---------------------------------------------------------------- 4: imbalance
def class_weights(weights, labels) -> bool:
    """Balanced class weights n / (n_classes x count), as a dict {class: weight}."""
    def body():
        value = require(weights, "class_weight")
        assert isinstance(value, dict), "give a dict {class index: weight}, as Keras' fit(class_weight=...) wants."
        labels_ = np.asarray(labels, int)
        counts = np.bincount(labels_, minlength=8)
        present = np.flatnonzero(counts)
        for c in present:
            assert int(c) in value, f"class {c} has no weight"
            expected = len(labels_) / (len(present) * counts[c])
            if abs(value[int(c)] - counts[c] / len(labels_)) < 1e-9:
                raise AssertionError("those are the class frequencies: rare classes need LARGE weights.")
            close(value[int(c)], expected, f"the weight of class {c}", rtol=1e-6)
    return run_check("Exercise 1 (class weights)", body)


def oversampled(index, train_labels, n_train) -> bool:
    """Indices into the TRAINING frames with every class about equally frequent."""
    def body():
        idx = np.asarray(require(index, "balanced_index"))
        assert idx.ndim == 1 and np.issubdtype(idx.dtype, np.integer), "give a 1-D array of integer indices"
        assert idx.min() >= 0 and idx.max() < n_train, (
            "indices must point into the training frames only: never resample validation or test frames.")
        counts = np.bincount(np.asarray(train_labels)[idx], minlength=8)
        present = np.bincount(np.asarray(train_labels), minlength=8) > 0
        assert (counts[present] > 0).all(), "every class of the training set must appear"
        assert counts[present].max() <= 1.1 * counts[present].min(), (
            f"class counts after resampling are {counts.tolist()}: draw the same number from each class.")
    return run_check("Exercise 2 (resampling to balance the classes)", body)


# ---------------------------------------------------------------- 5: Grad-CAM
def grad_cam(cam_fn, model, images) -> bool:
    """``cam_fn(model, images)``: Grad-CAM maps of the predicted class."""
    def body():
        from bootcamp.cyclone.gradcam import grad_cam as reference

        got = np.asarray(call_answer(cam_fn, model, images))
        expected = reference(model, images)
        assert got.shape == expected.shape, f"shape {got.shape}, expected {expected.shape} (one map per image, " \
                                            "resized to the input)"
        assert got.min() >= -1e-6, "apply ReLU: Grad-CAM keeps only regions that RAISE the class score."
        close(got, expected, "the Grad-CAM maps", rtol=1e-3, atol=2e-3)
    return run_check("Exercise 1 (Grad-CAM with GradientTape)", body)


def central_share(share, maps, radius_px: int) -> bool:
    """The mean fraction of heat within ``radius_px`` of the image centre."""
    def body():
        value = float(require(share, "central_share"))
        maps_ = np.asarray(maps, dtype=float)
        h, w = maps_.shape[1:]
        yy, xx = np.mgrid[:h, :w]
        inside = np.hypot(yy - (h - 1) / 2, xx - (w - 1) / 2) <= radius_px
        per_image = (maps_ * inside).sum(axis=(1, 2)) / maps_.sum(axis=(1, 2))
        close(value, per_image.mean(), "central_share", rtol=1e-3, atol=1e-4)
    return run_check("Exercise 2 (how central is the evidence?)", body)


# ---------------------------------------------------------------- 6: competition
def entry(model, test_frames, baseline: dict) -> dict | None:
    """Score a competition entry on the held-out storms (once, at the end)."""
    from bootcamp.cyclone.models import predict
    from bootcamp.cyclone.scoring import rank_key, score

    if model is None:
        print(f"No entry yet. Build and train `my_model` on the training storms, then run this cell. "
              f"To beat: top-1 {baseline['top1']:.3f}, RMSE {baseline['rmse_kt']:.1f} kt.")
        return None
    scores = score(predict(model, test_frames), test_frames.labels, test_frames.wind_kt)
    verdict = "beats" if rank_key(scores) < rank_key(baseline) else "does not yet beat"
    print(f"Your entry: top-1 {scores['top1']:.3f}, top-2 {scores['top2']:.3f}, RMSE {scores['rmse_kt']:.1f} kt; "
          f"it {verdict} the baseline.")
    return scores
