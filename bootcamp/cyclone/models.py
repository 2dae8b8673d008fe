"""Networks and training plumbing shared by the cyclone lessons.

The lesson that introduces each network (05_cyclone_3_cnn) writes it out in
full; later lessons import it from here so that they compare like with like.
"""

from __future__ import annotations

import numpy as np

from bootcamp.cyclone import preprocess
from bootcamp.cyclone.dataset import CROP, N_CLASSES


def compact_cnn(input_shape=(CROP, CROP, 1), n_classes: int = N_CLASSES, width: int = 16, name: str = "compact_cnn",
                head: str = "flatten"):
    """A compact CNN: three stages of 3x3 convolution (ReLU) and max
    pooling, doubling the filters each stage, a fourth convolution
    (``conv4``); its small map flattened (``flatten``: the head keeps where a
    feature was, since the storm is at the centre and other cloud around it),
    dropout, a dense layer of class scores (``logits``) and the softmax
    (``probabilities``) as a layer of its own, so that lesson 5's class
    activation maps can differentiate the scores before it. ``head="gap"`` pools each map
    globally instead (``benchmarks/cyclone_head.py`` compares the two)."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="ir_image")
    x = inputs
    for stage, filters in enumerate((width, 2 * width, 4 * width)):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{stage + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{stage + 1}")(x)
    x = layers.Conv2D(8 * width, 3, padding="same", activation="relu", name="conv4")(x)
    if head not in ("flatten", "gap"):
        raise ValueError(f"head must be 'flatten' or 'gap', not {head!r}")
    x = layers.Flatten(name="flatten")(x) if head == "flatten" else layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    logits = layers.Dense(n_classes, name="logits")(x)
    outputs = layers.Softmax(name="probabilities")(logits)
    return keras.Model(inputs, outputs, name=name)


def pradhan_cnn(input_shape=(232, 232, 3), n_classes: int = N_CLASSES, name: str = "pradhan2018"):
    """The layer pattern of Pradhan et al. (2018): 5 convolutions and 3 dense
    layers on a 232 x 232 x 3 input, about 43 million parameters, nearly all
    in the first dense layer. Kernel sizes and widths are our reading of the
    paper's description; the count lands on theirs."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="ir_image")
    x = layers.Conv2D(64, 10, strides=3, activation="relu", name="conv1")(inputs)     # 75 x 75
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)                            # 37 x 37
    x = layers.BatchNormalization(name="bn1")(x)
    x = layers.Conv2D(256, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)                            # 18 x 18
    x = layers.BatchNormalization(name="bn2")(x)
    x = layers.Conv2D(288, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.MaxPooling2D(2, strides=1, name="pool3")(x)                            # 17 x 17
    x = layers.Conv2D(272, 3, activation="relu", name="conv4")(x)                     # 15 x 15
    x = layers.Conv2D(256, 3, activation="relu", name="conv5")(x)                     # 13 x 13
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)                            # 6 x 6
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(3584, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.5, name="drop1")(x)
    x = layers.Dense(2048, activation="relu", name="dense2")(x)
    x = layers.Dropout(0.5, name="drop2")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name=name)


def scaled(frames) -> np.ndarray:
    """A Frames' images scaled to network input (fixed constants, see preprocess)."""
    return preprocess.scale_temperature(frames.images)


def pipelines(train, validation, *, batch_size: int = 64, seed: int = 0, rotate: bool = False, train_index=None):
    """tf.data pipelines: random crops (and optional 90-degree rotations) for
    the training frames, centre crops for validation. ``train_index`` picks
    (or repeats, for resampling) training frames."""
    x, y = scaled(train), train.labels
    if train_index is not None:
        x, y = x[train_index], y[train_index]
    fit = preprocess.make_dataset(x, y, crop=CROP, training=True, batch_size=batch_size, seed=seed, rotate=rotate)
    check = preprocess.make_dataset(scaled(validation), validation.labels, crop=CROP, training=False,
                                    batch_size=256)
    return fit, check


def train_classifier(model, train, validation, *, epochs: int, learning_rate: float = 2e-3, batch_size: int = 64,
                     class_weight=None, rotate: bool = False, train_index=None, seed: int = 0, verbose: int = 0):
    """Compile and fit as lesson 05_cyclone_3 does: Adam, sparse categorical
    cross-entropy, accuracy and top-2 accuracy, cosine-decayed learning rate;
    returns the Keras History."""
    import keras

    fit, check = pipelines(train, validation, batch_size=batch_size, seed=seed, rotate=rotate,
                           train_index=train_index)
    steps = epochs * int(np.ceil((len(train) if train_index is None else len(train_index)) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=max(steps, 1), alpha=0.05)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=2, name="top2")])
    return model.fit(fit, validation_data=check, epochs=epochs, class_weight=class_weight, verbose=verbose)


def predict(model, frames, batch_size: int = 256) -> np.ndarray:
    """Class probabilities for frames, on their centre crops (no randomness)."""
    x = preprocess.centre_crop(scaled(frames), CROP)[..., None]
    return model.predict(x, batch_size=batch_size, verbose=0)


def settings() -> dict:
    """Training settings shared by the lessons that train the compact CNN:
    its width (filters of the first stage) and the number of epochs."""
    from bootcamp.config import choose

    return {"width": choose(full=12, quick=8), "epochs": choose(full=15, quick=5)}


# ------------------------------------------------- lesson 3's baseline, shared through the model store

BASELINE = "cyclone-baseline"
BASELINE_WHAT = "lesson 3's compact CNN"
BASELINE_SEED = 42


def train_baseline(train, validation, **options):
    """Lesson 3's compact CNN with the run mode's settings (:func:`settings`),
    trained from seed 42; ``options`` go to :func:`train_classifier` (lesson 4's
    variants: ``class_weight``, ``train_index``, ``rotate``). One line per epoch
    in full mode, silent in quick mode."""
    import keras

    from bootcamp.config import choose

    config = settings()
    keras.utils.set_random_seed(BASELINE_SEED)
    model = compact_cnn(width=config["width"])
    train_classifier(model, train, validation, epochs=config["epochs"], verbose=choose(full=2, quick=0),
                     **options)
    return model


def baseline_key(train, validation) -> dict:
    """What the store files the baseline under: the frames it was trained and
    validated on, the seed and the settings (``spec``), and the code that
    builds and trains it (``code``). Lesson 3 saves under it; lessons 4-6 load."""
    from bootcamp import saved

    spec = {"frames": saved.fingerprint(train.images, train.labels, validation.images, validation.labels),
            "seed": BASELINE_SEED, **settings()}
    return {"spec": spec, "code": (compact_cnn, train_classifier, train_baseline, settings, preprocess)}


def save_baseline(model, train, validation, *, notebook: str, metrics: dict | None = None):
    """Store lesson 3's trained baseline for lessons 4-6; returns the path (or None)."""
    from bootcamp import saved

    return saved.save(model, BASELINE, notebook=notebook, what=BASELINE_WHAT, metrics=metrics or {},
                      **baseline_key(train, validation))


def load_or_train_baseline(train, validation, *, notebook: str):
    """Lesson 3's baseline from the model store, or trained here (and stored)
    when none matches this run mode, data and code; returns ``(model, record)``
    and prints one line saying which happened (see :mod:`bootcamp.saved`)."""
    from bootcamp import saved

    return saved.load_or_train(BASELINE, notebook=notebook, what=BASELINE_WHAT,
                               build_and_train=lambda: train_baseline(train, validation),
                               **baseline_key(train, validation))
