"""Self-checks for the tropical-cyclone lessons (05_cyclone_1 ... 05_cyclone_6)."""

from __future__ import annotations

import numpy as np

from bootcamp import saved
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


def majority_baseline(accuracy, train_labels, evaluation_labels) -> bool:
    """Top-1 accuracy, on ``evaluation_labels``, of always answering the class
    most frequent in ``train_labels``."""
    def body():
        value = float(require(accuracy, "majority_accuracy"))
        train_counts = np.bincount(np.asarray(train_labels, int))
        evaluation = np.asarray(evaluation_labels, int)
        chosen = int(train_counts.argmax())
        expected = float(np.mean(evaluation == chosen))
        if abs(value - expected) < 1e-9:
            return
        if abs(value - chosen) < 1e-9:
            raise AssertionError("that is the index of the most frequent class, not the fraction of frames it "
                                 "gets right.")
        if abs(value - np.bincount(evaluation).max() / len(evaluation)) < 1e-9:
            raise AssertionError("you chose the class on the validation frames themselves: choose it on the "
                                 "training frames, then count how often it is right on the validation frames.")
        if abs(value - train_counts.max() / train_counts.sum()) < 1e-9:
            raise AssertionError("that is how often the class is right on the training frames: measure it on the "
                                 "validation frames.")
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


def layer_parameters(conv_params, dense_params, model) -> bool:
    """Weights and biases of the Pradhan network's first convolution and first dense layer."""
    def body():
        conv_value = int(require(conv_params, "conv1_params"))
        dense_value = int(require(dense_params, "dense1_params"))
        conv, dense = model.get_layer("conv1"), model.get_layer("dense1")
        kernel = int(np.prod(conv.kernel_size))
        channels = int(conv.input.shape[-1])
        if conv_value == conv.count_params() - conv.filters:
            raise AssertionError("conv1_params: add the biases, one per filter.")
        if conv_value in (kernel * conv.filters, kernel * conv.filters + conv.filters):
            raise AssertionError(f"conv1_params: each filter spans all {channels} input channels, so it has "
                                 f"{conv.kernel_size[0]} x {conv.kernel_size[1]} x {channels} weights.")
        positions = int(np.prod(conv.output.shape[1:3]))
        if conv_value >= positions * kernel:
            raise AssertionError("conv1_params: a convolution uses the same filter weights at every position of the "
                                 "image; count one filter's weights, times the number of filters, plus biases.")
        assert conv_value == conv.count_params(), (
            f"conv1_params is {conv_value:,}: a convolution has (kernel height x width x input channels x "
            "filters) weights and one bias per filter.")
        if dense_value == dense.count_params() - dense.units:
            raise AssertionError("dense1_params: add the biases, one per unit.")
        assert dense_value == dense.count_params(), (
            f"dense1_params is {dense_value:,}: a dense layer has (inputs x units) weights and one bias per unit; "
            "its inputs are the flattened feature maps of the last pooling layer (multiply its output shape out).")
    return run_check("Exercise 3 (where the parameters are)", body)


# ---------------------------------------------------------------- 4: imbalance
def class_weights(weights, labels) -> bool:
    """Class weights with which every class present carries the same total
    weight and the weights average 1 over the frames: n / (k n_c)."""
    def body():
        value = require(weights, "class_weight")
        assert isinstance(value, dict), "give a dict {class index: weight}, as Keras' fit(class_weight=...) wants."
        labels_ = np.asarray(labels, int)
        counts = np.bincount(labels_, minlength=8)
        present = np.flatnonzero(counts)
        missing = [int(c) for c in present if int(c) not in value]
        assert not missing, f"classes {missing} are in the training frames but have no weight."
        w = np.array([float(value[int(c)]) for c in present])
        if np.allclose(w, counts[present] / len(labels_), rtol=1e-6):
            raise AssertionError("those are the class frequencies: a rare class needs a LARGE weight, so that its "
                                 "few frames together count as much as a common class's many.")
        totals = w * counts[present]
        assert np.allclose(totals, totals.mean(), rtol=1e-6), (
            "the classes do not carry the same total weight: the weight of a class times its number of frames "
            f"must be the same for every class (yours: {np.round(totals, 3).tolist()}).")
        mean_weight = totals.sum() / len(labels_)
        if abs(mean_weight - len(present) / 8) < 1e-6 and len(present) < 8:
            raise AssertionError(f"the weights average {mean_weight:.3f} per frame, not 1: divide among the "
                                 f"{len(present)} classes present in the training frames, not all 8.")
        assert abs(mean_weight - 1) < 1e-6, (
            f"every class carries the same total, good; but the weights average {mean_weight:.4g} per training "
            "frame, not 1: scale them so that the sum of (weight x frames) over the classes is the number of frames.")
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
        assert abs(len(idx) - n_train) <= present.sum(), (
            f"{len(idx)} frames drawn from {n_train}: draw as many frames as before in total, split equally "
            "among the classes present.")
    return run_check("Exercise 2 (resampling to balance the classes)", body)


# ---------------------------------------------------------------- 5: HiResCAM
def hires_cam(cam_fn, model, images) -> bool:
    """``cam_fn(model, images)``: HiResCAM maps of the predicted class."""
    def body():
        from bootcamp.cyclone.gradcam import grad_cam, hires_cam as reference

        got = np.asarray(call_answer(cam_fn, model, images))
        expected = reference(model, images)
        assert got.shape == expected.shape, f"shape {got.shape}, expected {expected.shape} (one map per image, " \
                                            "resized to the input)"
        assert got.min() >= -1e-6, "apply ReLU: the map keeps only positions that RAISE the class score."
        if np.allclose(got, expected, rtol=1e-3, atol=2e-3):
            return

        def peak_scaled(maps):
            peaks = maps.reshape(len(maps), -1).max(axis=1)[:, None, None]
            return maps / np.where(peaks > 0, peaks, 1)

        if np.allclose(peak_scaled(got), peak_scaled(expected), atol=0.05):
            raise AssertionError("right shape of heat, wrong scale: divide each map by its maximum, so that every "
                                 "map runs from 0 to 1.")
        if np.allclose(got, grad_cam(model, images), rtol=1e-3, atol=2e-3):
            raise AssertionError("these are Grad-CAM's maps: they average the gradient over each feature map first. "
                                 "This network's head gives every position its own weights: multiply the gradient "
                                 "and the maps element by element, with no average.")
        if np.allclose(got, reference(model, images, target="probability"), rtol=1e-3, atol=2e-3):
            raise AssertionError("these are the maps of the class PROBABILITY: differentiate the class score before "
                                 "the softmax, the logits (the input of the model's softmax layer).")
        worst = int(np.abs(got - expected).reshape(len(got), -1).max(axis=1).argmax())
        raise AssertionError(f"the maps differ from HiResCAM's (most for image {worst}, by up to "
                             f"{np.abs(got[worst] - expected[worst]).max():.3f}): check each step, the class of "
                             "each image (its largest logit), gradient times maps element by element, the sum "
                             "over the channels, ReLU, the division by the maximum, the resize.")
    return run_check("Exercise 1 (HiResCAM with GradientTape)", body)


def _test_maps(size: int = 56) -> np.ndarray:
    """Heat maps whose central shares differ: even, a core, a ring far out, a mixture."""
    yy, xx = np.mgrid[:size, :size]
    r = np.hypot(yy - (size - 1) / 2, xx - (size - 1) / 2)
    even = np.ones((size, size))
    core = np.exp(-(r / 6) ** 2)
    ring = np.exp(-((r - 24) / 3) ** 2)
    mixed = 0.5 * core + 2.0 * ring + 0.1 * np.random.default_rng(0).random((size, size))
    return np.stack([even, core, ring, mixed])


def central_share(share_fn, radius_px: float) -> bool:
    """``share_fn(maps, radius_px)``: each map's share of heat within ``radius_px`` of the centre."""
    def body():
        from bootcamp.cyclone.gradcam import central_share as reference

        maps = _test_maps()
        for radius in (radius_px, radius_px / 2):
            got = np.asarray(call_answer(share_fn, maps.copy(), radius), dtype=float)
            assert got.shape == (len(maps),), (f"{len(maps)} maps gave shape {got.shape}: return one share per map "
                                               "(the notebook averages them itself).")
            expected = reference(maps, radius)
            if np.allclose(got, expected, rtol=1e-6, atol=1e-9):
                continue
            size = maps.shape[1]
            yy, xx = np.mgrid[:size, :size]
            off_centre = np.hypot(yy - size // 2, xx - size // 2) <= radius
            if np.allclose(got, (maps * off_centre).sum(axis=(1, 2)) / maps.sum(axis=(1, 2)), rtol=1e-6):
                raise AssertionError(f"measure distances from the middle of the grid, ({size} - 1) / 2 = "
                                     f"{(size - 1) / 2}, between the two central pixels, not from pixel {size // 2}.")
            unscaled = expected * maps.sum(axis=(1, 2))
            if np.allclose(got, unscaled, rtol=1e-6):
                raise AssertionError("that is the heat inside the circle: divide by each map's total heat.")
            close(got, expected, f"the shares within {radius:g} pixels", rtol=1e-6, atol=1e-9)
    return run_check("Exercise 2 (how central is the evidence?)", body)


# ---------------------------------------------------------------- 6: competition
def entry(model, validation_frames, train_labels) -> bool:
    """A valid, trained competition entry that has learned something, judged
    on the VALIDATION storms only (the locked storms are scored later, once)."""
    def body():
        import keras

        from bootcamp.cyclone.models import predict
        from bootcamp.cyclone.scoring import constant_probabilities, score

        entry_model = require(model, "my_model")
        assert isinstance(entry_model, keras.Model), (
            f"my_model is a {type(entry_model).__name__}: it must be a Keras model.")
        try:
            p = np.asarray(predict(entry_model, validation_frames), dtype=float)
        except Exception as err:                              # a wrong input shape fails inside Keras
            raise AssertionError("the model must take the 56 x 56 x 1 centre crops that models.predict feeds "
                                 f"it; Keras says: {str(err).splitlines()[0][:200]}") from None
        n = len(validation_frames.labels)
        assert p.shape == (n, 8), f"the model returns shape {p.shape} for {n} frames, not (frames, 8 classes)."
        assert (p >= -1e-6).all() and np.allclose(p.sum(axis=1), 1, atol=1e-3), (
            "the model must return the 8 class probabilities (each row summing to 1): end it with a softmax.")
        optimizer = getattr(entry_model, "optimizer", None)
        steps = int(optimizer.iterations.numpy()) if optimizer is not None else 0
        assert steps > 0 or saved.trained_in_store(entry_model), (
            "my_model has not been trained yet: fit it on the training storms.")
        scores = score(p, validation_frames.labels, validation_frames.wind_kt)
        majority = score(constant_probabilities(train_labels, n), validation_frames.labels,
                         validation_frames.wind_kt)
        assert scores["top1"] > majority["top1"], (
            f"on the validation storms it scores top-1 {scores['top1']:.3f}, no better than always answering the "
            f"training set's majority class ({majority['top1']:.3f}): train it longer or change its set-up.")
        print(f"Your entry on the validation storms: top-1 {scores['top1']:.3f}, top-2 {scores['top2']:.3f}, "
              f"RMSE {scores['rmse_kt']:.1f} kt.")
    return run_check("Exercise 1 (a competition entry)", body)
