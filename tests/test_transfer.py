"""bootcamp.transfer: the plumbing of lesson 08_transfer, and its self-checks' building blocks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bootcamp import transfer  # noqa: E402
from bootcamp.selfcheck import transfer as check  # noqa: E402


def small_backbone():
    return check._small_backbone()


# ------------------------------------------------------------------ prepare
def test_prepare_scales_and_adds_a_channel():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    out = transfer.prepare(images)
    assert out.shape == (1, 2, 2, 1) and out.dtype == np.float32
    assert np.allclose(out[0, :, :, 0], [[0.0, 1.0], [0.2, 0.4]])


def test_prepare_refuses_images_with_a_channel_already():
    with pytest.raises(ValueError, match="grey images"):
        transfer.prepare(np.zeros((2, 28, 28, 1), dtype=np.uint8))


# ------------------------------------------------------------------ balanced_subset
def labels_of(counts):
    return np.concatenate([np.full(n, c) for c, n in enumerate(counts)])


def test_balanced_subset_takes_as_many_of_each_class():
    labels = labels_of([30, 50, 40])
    chosen = transfer.balanced_subset(labels, 12, seed=3)
    assert len(chosen) == 12 and len(set(chosen.tolist())) == 12
    assert np.bincount(labels[chosen]).tolist() == [4, 4, 4]


def test_balanced_subset_is_seeded_and_shuffled():
    labels = labels_of([100] * 10)
    a = transfer.balanced_subset(labels, 50, seed=0)
    assert np.array_equal(a, transfer.balanced_subset(labels, 50, seed=0))
    assert not np.array_equal(a, transfer.balanced_subset(labels, 50, seed=1))
    assert not np.all(np.diff(labels[a]) >= 0), "the classes should come mixed, not in blocks"


@pytest.mark.parametrize(("size", "message"), [(25, "multiple"), (0, "multiple"), (2000, "fewer than")])
def test_balanced_subset_refuses_impossible_sizes(size, message):
    with pytest.raises(ValueError, match=message):
        transfer.balanced_subset(labels_of([100] * 10), size)


def test_balanced_subset_checks_the_number_of_classes():
    with pytest.raises(ValueError, match="3 classes, expected 10"):
        transfer.balanced_subset(labels_of([10, 10, 10]), 30, classes=10)


# ------------------------------------------------------------------ the reference answers
def test_frozen_classifier_trains_the_head_only():
    backbone = small_backbone()
    model = transfer.frozen_classifier(backbone)
    assert backbone.trainable is False
    assert {w.path for w in model.trainable_weights} == {"head/kernel", "head/bias"}
    assert model.output_shape == (None, 10)
    assert check.frozen_head(transfer.frozen_classifier) is True


def test_start_fine_tuning_unfreezes_the_top_but_not_batch_norm():
    backbone = small_backbone()
    model = transfer.frozen_classifier(backbone)
    transfer.start_fine_tuning(model, backbone, 4)
    trains = {w.path for w in model.trainable_weights}
    assert trains == {"conv_c/kernel", "head/kernel", "head/bias"}
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(1e-4)
    assert check.fine_tuning(transfer.start_fine_tuning) is True


def test_a_frozen_batch_norm_keeps_its_statistics_in_fit():
    """The fact the lesson teaches: in this Keras, training=False in the backbone's call
    does not protect BatchNormalization in fit; a frozen BatchNormalization layer does."""
    rng = np.random.default_rng(0)
    x = rng.random((16, 28, 28, 1), dtype="float32") + 1.0
    y = rng.integers(0, 10, 16)
    moved = {}
    for keep_frozen in (False, True):
        keras.utils.set_random_seed(0)
        backbone = small_backbone()
        model = transfer.frozen_classifier(backbone)          # calls backbone(inputs, training=False)
        backbone.trainable = True
        if keep_frozen:
            transfer.start_fine_tuning(model, backbone, len(backbone.layers))
        else:
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        before = [w.numpy().copy() for w in backbone.non_trainable_weights if "moving_mean" in w.path]
        model.train_on_batch(x, y)
        after = [w.numpy() for w in backbone.non_trainable_weights if "moving_mean" in w.path]
        moved[keep_frozen] = max(float(np.abs(a - b).max()) for a, b in zip(before, after))
    assert moved[True] == 0.0
    assert moved[False] > 0.0


# ------------------------------------------------------------------ copy_model
def test_copy_model_is_independent_and_keeps_the_flags():
    backbone = small_backbone()
    model = transfer.frozen_classifier(backbone)
    twin = transfer.copy_model(model)
    x = np.random.default_rng(1).random((4, 28, 28, 1), dtype="float32")
    assert np.allclose(model.predict(x, verbose=0), twin.predict(x, verbose=0))
    assert twin.get_layer("backbone") is not backbone
    assert twin.get_layer("backbone").trainable is False
    assert {w.path for w in twin.trainable_weights} == {"head/kernel", "head/bias"}
    head = twin.get_layer("head")
    head.kernel.assign(np.zeros(head.kernel.shape, dtype="float32"))
    inner = twin.get_layer("backbone").get_layer("conv_a")
    inner.kernel.assign(np.zeros(inner.kernel.shape, dtype="float32"))
    assert not np.allclose(model.get_layer("head").kernel.numpy(), 0.0)
    assert not np.allclose(backbone.get_layer("conv_a").kernel.numpy(), 0.0)


# ------------------------------------------------------------------ figure and table
RESULTS = {"from scratch": {500: 0.9, 20: 0.4}, "frozen": {20: 0.5, 500: 0.85}}


def test_plot_curve_draws_one_line_per_approach_on_a_log_axis():
    ax = transfer.plot_curve(RESULTS, title="t", chance=0.1)
    assert ax.get_xscale() == "log"
    lines = [line for line in ax.get_lines() if line.get_label() in RESULTS]
    assert [list(line.get_xdata()) for line in lines] == [[20, 500], [20, 500]]
    assert list(lines[1].get_ydata()) == [0.5, 0.85]
    assert ax.get_xlabel().startswith("training examples") and ax.get_ylabel() == "validation accuracy"
    assert ax.get_title() == "t"
    matplotlib.pyplot.close("all")


def test_gain_table_lists_sizes_in_order_and_the_gains():
    lines = transfer.gain_table(RESULTS, baseline="from scratch")
    assert lines[1].split()[0] == "20" and lines[2].split()[0] == "500"
    assert "+0.1000" in lines[-1] and "-0.0500" in lines[-1]


# ------------------------------------------------------------------ selfcheck helper
def test_passes_is_silent_and_false_on_a_starter(capsys):
    def starter(backbone):
        raise NotImplementedError

    assert check.passes(check.frozen_head, starter) is False
    assert check.passes(check.gain_function, lambda results, method: 1 / 0) is False
    assert capsys.readouterr().out == ""
