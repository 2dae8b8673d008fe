"""Plumbing for lesson 08_transfer: image preparation, balanced small training
sets, model copies, the course's reference answers and the accuracy-vs-size plot.

The learning code (the backbone, its pretraining, the three ways of training
on the target task) stays visible in the notebook; this module holds what
the notebook would otherwise repeat or what would hide the lesson:

* :func:`prepare` turns 28x28 uint8 images into the float32 tensors the
  networks take;
* :func:`balanced_subset` draws a small training set with the same number
  of examples of every class, so that a set of 20 digits holds two of each;
* :func:`copy_model` makes an independent copy of a trained model (same
  weights, new variables), so training one does not change the other;
* :func:`frozen_classifier` and :func:`start_fine_tuning` are the course's
  answers to the notebook's first two exercises; the notebook uses the
  learner's own functions once their self-checks pass, these until then;
* :func:`imagenet_backbone` wraps Keras' MobileNetV3Small, with the ImageNet
  weights the data layer fetched, so it takes the lesson's 28x28 grey images;
* :func:`plot_curve` draws the lesson's figure: validation accuracy against
  training-set size, one line per approach, log x axis.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

HEAD_LEARNING_RATE = 1e-3        # Adam's rate for a new head on a frozen backbone
FINE_TUNE_LEARNING_RATE = 1e-4   # ten times lower once pretrained layers train too


def prepare(images) -> np.ndarray:
    """``(n, 28, 28)`` uint8 pixels to ``(n, 28, 28, 1)`` float32 in [0, 1]."""
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected (n, height, width) grey images, got shape {images.shape}")
    return (images.astype("float32") / 255.0)[..., None]


def balanced_subset(labels, size: int, *, seed: int = 0, classes: int | None = None) -> np.ndarray:
    """Indices of ``size`` examples, ``size // classes`` of each class, drawn
    without replacement with a seeded generator, in a shuffled order.

    The same seed and labels give the same indices; a larger ``size`` with
    the same seed draws a different, larger set (not a superset).
    """
    labels = np.asarray(labels)
    values = np.unique(labels)
    classes = len(values) if classes is None else classes
    if len(values) != classes:
        raise ValueError(f"the labels hold {len(values)} classes, expected {classes}")
    if size <= 0 or size % classes:
        raise ValueError(f"size {size} is not a positive multiple of the {classes} classes")
    per_class = size // classes
    rng = np.random.default_rng(seed)
    chosen = []
    for value in values:
        members = np.flatnonzero(labels == value)
        if len(members) < per_class:
            raise ValueError(f"class {value} has {len(members)} examples, fewer than the {per_class} asked for")
        chosen.append(rng.choice(members, size=per_class, replace=False))
    return rng.permutation(np.concatenate(chosen))


def copy_model(model):
    """An independent copy of ``model``: same architecture, same weights, new
    variables, not compiled, every layer's ``trainable`` flag as in ``model``."""
    import keras

    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    originals = {layer.path if hasattr(layer, "path") else layer.name: layer for layer in _all_layers(model)}
    for layer in _all_layers(twin):
        source = originals.get(layer.path if hasattr(layer, "path") else layer.name)
        if source is not None:
            layer.trainable = source.trainable
    return twin


def _all_layers(model):
    """Every layer of ``model``, nested models first then their layers, depth first."""
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        found.extend(_all_layers(layer))
    return found


# ------------------------------------------------ the course's reference answers
def frozen_classifier(backbone, classes: int = 10, dropout: float = 0.2):
    """The backbone frozen, a new head on top (dropout, softmax), compiled: the
    reference answer to the notebook's exercise 1."""
    import keras

    backbone.trainable = False                     # before compile: compile reads the flags
    inputs = keras.Input(shape=backbone.input_shape[1:])
    features = backbone(inputs, training=False)
    features = keras.layers.Dropout(dropout, name="head_dropout")(features)
    outputs = keras.layers.Dense(classes, activation="softmax", name="head")(features)
    model = keras.Model(inputs, outputs, name="transfer")
    model.compile(optimizer=keras.optimizers.Adam(HEAD_LEARNING_RATE), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def start_fine_tuning(model, backbone, n_top: int, learning_rate: float = FINE_TUNE_LEARNING_RATE):
    """Unfreeze the top ``n_top`` layers of ``backbone`` except BatchNormalization
    layers, and compile ``model`` again at a low learning rate: the reference
    answer to the notebook's exercise 2."""
    import keras

    backbone.trainable = True
    for number, layer in enumerate(backbone.layers):
        in_top = number >= len(backbone.layers) - n_top
        layer.trainable = in_top and not isinstance(layer, keras.layers.BatchNormalization)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


# ------------------------------------------------------------------- a downloaded backbone
IMAGENET_SIZE = 64       # pixels: 28 enlarged; MobileNetV3 then ends on 2x2 maps (1x1 at 32), at a cost a CPU can pay


def imagenet_backbone(weights_file, *, size: int = IMAGENET_SIZE):
    """A backbone from 28x28x1 images in [0, 1] to MobileNetV3Small's ImageNet features.

    ``weights_file`` is the ``.h5`` file of Keras' ImageNet weights for
    ``MobileNetV3Small`` (alpha 1.0, no top), as :func:`bootcamp.data.weights.mobilenet_v3_small_imagenet`
    returns it. The adapter layers do what ImageNet networks expect of their
    input: enlarge to ``size`` pixels, repeat the grey channel three times,
    and give 0-255 pixel values (MobileNetV3 rescales them itself); global
    average pooling turns the last feature maps into one vector per image.
    """
    import keras

    network = keras.applications.MobileNetV3Small(input_shape=(size, size, 3), include_top=False,
                                                  weights=str(weights_file), pooling="avg")
    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.layers.Resizing(size, size, name="enlarge")(inputs)
    x = keras.layers.Concatenate(name="grey_to_rgb")([x, x, x])
    x = keras.layers.Rescaling(255.0, name="to_0_255")(x)
    return keras.Model(inputs, network(x), name="imagenet_backbone")


# ------------------------------------------------------------------- the figure
def plot_curve(results: Mapping[str, Mapping[int, float]], *, title: str, chance: float | None = None,
               ylabel: str = "validation accuracy", ax=None):
    """Accuracy against training-set size, one line per approach, log x axis.

    ``results`` maps an approach's name to ``{training-set size: accuracy}``.
    ``chance`` draws the accuracy of guessing as a dotted line.
    """
    import matplotlib.pyplot as plt

    ax = ax or plt.subplots(figsize=(7, 4.2))[1]
    markers = ("o", "s", "^", "D", "v")
    sizes: list[int] = []
    for number, (name, by_size) in enumerate(results.items()):
        xs = sorted(by_size)
        sizes.extend(xs)
        ax.plot(xs, [by_size[x] for x in xs], marker=markers[number % len(markers)], label=name)
    if chance is not None:
        ax.axhline(chance, color="0.5", linestyle=":", label="chance")
    ax.set_xscale("log")
    ticks = sorted(set(sizes))
    if ticks:
        ax.set_xticks(ticks)
        ax.set_xticklabels([f"{t:,}" for t in ticks])
        ax.minorticks_off()
    ax.set(xlabel="training examples (log scale)", ylabel=ylabel, title=title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def gain_table(results: Mapping[str, Mapping[int, float]], baseline: str) -> list[str]:
    """Lines of a table: each approach's accuracy per size, and its gain over ``baseline``."""
    sizes = sorted(next(iter(results.values())))
    lines = [f"{'training examples':>18} " + " ".join(f"{name:>14}" for name in results)]
    for size in sizes:
        row = " ".join(f"{results[name][size]:>14.4f}" for name in results)
        lines.append(f"{size:>18,} {row}")
    for name in results:
        if name == baseline:
            continue
        gains = " ".join(f"{results[name][s] - results[baseline][s]:>+8.4f}" for s in sizes)
        lines.append(f"{name + ' minus ' + baseline:>33}: {gains}")
    return lines


__all__ = ["FINE_TUNE_LEARNING_RATE", "HEAD_LEARNING_RATE", "balanced_subset", "copy_model", "frozen_classifier",
           "gain_table", "plot_curve", "prepare", "start_fine_tuning"]

