"""The networks the CFD notebooks build, for the notebooks that reuse them.

Notebook 2 builds the fully connected baseline and notebook 4 the gated
residual U-Net in plain sight; notebooks 5 and 6 (and
``benchmarks/full_mode_cfd.py``) import the same networks from here rather
than copy their code. Keras 3 layers only.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["fit", "gated_block", "make_fc", "make_unet", "predict_seconds"]


def make_fc(grid: tuple[int, int], n_dense: int = 3, width: int = 256, channels: int = 2):
    """Notebook 2's baseline: ``n_dense - 1`` hidden tanh layers and a linear output."""
    import keras

    ny, nx = grid
    model = keras.Sequential(name=f"fc_{n_dense}_layers")
    model.add(keras.Input(shape=(ny, nx, channels)))
    model.add(keras.layers.Flatten())
    for _ in range(n_dense - 1):
        model.add(keras.layers.Dense(width, activation="tanh"))
    model.add(keras.layers.Dense(ny * nx * 2, activation="linear"))
    model.add(keras.layers.Reshape((ny, nx, 2)))
    return model


def gated_block(x, filters: int, gated: bool = True):
    """Notebook 4's residual block: a 3 x 3 ELU convolution, then either a gate
    ``a * sigmoid(g)`` of two 3 x 3 convolutions or one plain 3 x 3 convolution,
    added to the input (matched in width by a 1 x 1 convolution when needed)."""
    import keras

    L = keras.layers
    h = L.Conv2D(filters, 3, padding="same", activation="elu")(x)
    if gated:
        a = L.Conv2D(filters, 3, padding="same")(h)
        g = L.Conv2D(filters, 3, padding="same", activation="sigmoid")(h)
        h = L.Multiply()([a, g])
    else:
        h = L.Conv2D(filters, 3, padding="same")(h)
    shortcut = x if x.shape[-1] == filters else L.Conv2D(filters, 1)(x)
    return L.Activation("elu")(L.Add()([shortcut, h]))


def make_unet(grid: tuple[int, int], filters: int = 8, levels: int = 3, gated: bool = True, channels: int = 2):
    """Notebook 4's U-Net: ``levels`` down-steps (max pooling) and up-steps
    (upsampling, concatenation with the skip), ``filters`` doubling per level,
    a linear 1 x 1 output for (vx, vy)."""
    import keras

    L = keras.layers
    inputs = keras.Input(shape=(*grid, channels))
    x, skips = inputs, []
    for level in range(levels):
        x = gated_block(x, filters * 2**level, gated)
        skips.append(x)
        x = L.MaxPooling2D(2)(x)
    x = gated_block(x, filters * 2**levels, gated)
    for level in reversed(range(levels)):
        x = L.UpSampling2D(2)(x)
        x = L.Concatenate()([x, skips[level]])
        x = gated_block(x, filters * 2**level, gated)
    outputs = L.Conv2D(2, 1)(x)
    return keras.Model(inputs, outputs, name="gated_unet" if gated else "plain_unet")


def fit(model, x_train, y_train, x_val, y_val, *, epochs: int, batch_size: int = 8, learning_rate: float = 2e-3,
        verbose: int | None = None):
    """Adam with a cosine decay to zero, MSE loss; returns ``(history dict, seconds)``.

    ``verbose`` defaults to one line per epoch in full mode (training takes
    minutes to hours there) and to silence in quick mode.
    """
    import keras

    import bootcamp

    if verbose is None:
        verbose = bootcamp.choose(full=2, quick=0)

    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs, batch_size=batch_size,
                        verbose=verbose)
    return history.history, time.perf_counter() - start


def predict_seconds(model, x, batch_size: int = 64, repeats: int = 3) -> float:
    """Best wall time over ``repeats`` runs of batched inference on all of ``x``, per field."""
    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)  # trace and warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(x, batch_size=batch_size, verbose=0)
        best = min(best, time.perf_counter() - start)
    return best / len(x)


# ------------------------------------------------- notebook 4's U-Net, shared through the model store

UNET = "cfd-unet"
UNET_WHAT = "notebook 4's U-Net"


def unet_settings() -> dict:
    """Notebook 4's training settings for the U-Nets, by run mode: seed,
    epochs, batch size and peak learning rate. Notebooks 5 and 6 train with
    the same ones when the store has no U-Net for them."""
    from bootcamp.config import choose

    # quick mode: half the epochs in batches half as large (the same number of
    # optimiser steps, each flow seen half as often): 0.171 validation error for the
    # gated U-Net against 0.164 with 10 epochs in batches of 8, in 60% of the time
    return {"seed": 42, "epochs": choose(full=100, quick=5), "batch_size": choose(full=8, quick=4),
            "learning_rate": 2e-3}


def train_gated_unet(x_train, y_train, x_val, y_val):
    """Notebook 4's gated U-Net trained with :func:`unet_settings` (one training,
    not notebook 4's comparison of two); returns ``(model, metrics)``."""
    import keras

    from bootcamp.cfd.flows import mean_relative_l2

    settings = unet_settings()
    keras.utils.set_random_seed(settings["seed"])
    model = make_unet(x_train.shape[1:3], gated=True)
    _, seconds = fit(model, x_train, y_train, x_val, y_val, epochs=settings["epochs"],
                     batch_size=settings["batch_size"], learning_rate=settings["learning_rate"])
    return model, {"gated": True, "chosen on validation": False, "training seconds": seconds,
                   "validation error": mean_relative_l2(model.predict(x_val, verbose=0), y_val)}


def unet_key(x_train, y_train, x_val, y_val) -> dict:
    """What the store files the U-Net under: the course's flow set and a hash
    of the training and validation arrays, the settings (``spec``), and the
    code that builds and trains it (``code``). Notebook 4 saves under it;
    notebooks 5 and 6 load."""
    from bootcamp import saved
    from bootcamp.cfd.flows import course_spec

    spec = {"flows": course_spec(), "data": saved.fingerprint(x_train, y_train, x_val, y_val), **unet_settings()}
    return {"spec": spec, "code": (make_unet, gated_block, fit, train_gated_unet, unet_settings)}


def save_unet(model, x_train, y_train, x_val, y_val, *, notebook: str, metrics: dict):
    """Store the U-Net notebook 4 chose, for notebooks 5 and 6. ``metrics`` says
    ``gated``, ``chosen on validation``, ``validation error`` and ``training
    seconds`` (the later notebooks print them). Returns the path (or None)."""
    from bootcamp import saved

    return saved.save(model, UNET, notebook=notebook, what=UNET_WHAT, metrics=metrics,
                      **unet_key(x_train, y_train, x_val, y_val))


def load_or_train_unet(x_train, y_train, x_val, y_val, *, notebook: str):
    """Notebook 4's U-Net from the model store, or notebook 4's gated U-Net
    trained here (and stored) when none matches this run mode, data and code;
    returns ``(model, record)``, ``record["metrics"]`` as :func:`save_unet`
    describes, and prints one line saying which happened."""
    from bootcamp import saved

    return saved.load_or_train(UNET, notebook=notebook, what=UNET_WHAT,
                               build_and_train=lambda: train_gated_unet(x_train, y_train, x_val, y_val),
                               **unet_key(x_train, y_train, x_val, y_val))
