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


def make_unet(grid: tuple[int, int], filters: int | None = None, levels: int | None = None, gated: bool = True,
              channels: int = 2):
    """Notebook 4's U-Net: ``levels`` down-steps (max pooling) and up-steps
    (upsampling, concatenation with the skip), ``filters`` doubling per level
    (both by default the run mode's, :func:`unet_settings`), a linear 1 x 1
    output for (vx, vy)."""
    import keras

    filters = unet_settings()["filters"] if filters is None else filters
    levels = unet_settings()["levels"] if levels is None else levels
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
        verbose: int | None = None, resume: bool | None = None):
    """Adam with a cosine decay to zero, MSE loss; returns ``(history dict, seconds)``.

    ``verbose`` defaults to one line per epoch in full mode (training takes
    minutes to hours there) and to silence in quick mode. ``resume`` (by
    default on in full mode, off in quick mode, where training takes seconds)
    keeps a backup after every epoch, so that running the same cell again
    after an interruption goes on from the last finished epoch, and a
    training that ran to its end is loaded instead of repeated
    (:mod:`bootcamp.resume`); the history and seconds returned cover the
    whole run.
    """
    import keras

    import bootcamp
    from bootcamp import resume as resumable

    if verbose is None:
        verbose = bootcamp.choose(full=2, quick=0)
    if resume is None:
        resume = bootcamp.choose(full=True, quick=False)

    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    return resumable.fit(model, x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                         batch_size=batch_size, verbose=verbose, resume=resume)


def predict_seconds(model, x, batch_size: int = 64, repeats: int = 3) -> float:
    """Best wall time over ``repeats`` runs of batched inference on all of ``x``, per field."""
    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)  # trace and warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict(x, batch_size=batch_size, verbose=0)
        best = min(best, time.perf_counter() - start)
    return best / len(x)


# ------------------------------------------------- notebook 4's U-Nets, shared through the model store

UNET = "cfd-unet"
UNETS = {"gated U-Net": True, "plain U-Net": False}      # notebook 4's two U-Nets: name -> gated


def unet_settings() -> dict:
    """Notebook 4's settings for the U-Nets, by run mode: the filters of the
    first level, the levels, seed, epochs, batch size and peak learning rate.
    Notebooks 5 and 6 train with the same ones when the store has no U-Net
    for them."""
    from bootcamp.config import choose

    # quick mode: half the epochs in batches half as large (the same number of
    # optimiser steps, each flow seen half as often): 0.171 validation error for the
    # gated U-Net against 0.164 with 10 epochs in batches of 8, in 60% of the time.
    # Filters: full mode must also be 1000x faster than the solver (notebook 5); on
    # a 2-core CPU at 128 x 256, batched inference of 8-filter U-Nets reached 709x
    # (gated) and 874x (plain), of 4-filter ones 1,340x and 1,733x
    # (benchmarks/full_mode_cfd.py --speed-only [--plain] [--filters 8]); five
    # quick-mode epochs on 160 flows need the wider start (with 4 filters the gated
    # U-Net's validation error was 1.57 times the dense baseline's).
    # Levels: three in both modes. In full mode on 64 x 128 cells three levels missed notebook 5's
    # 3% error target (3.63-3.76% in two runs, README); a fourth is the first thing to try there
    # (benchmarks/full_mode_cfd.py --grid 64x128 --levels 4 runs the notebooks with it).
    return {"filters": choose(full=4, quick=8), "levels": 3, "seed": 42, "epochs": choose(full=100, quick=5),
            "batch_size": choose(full=8, quick=4), "learning_rate": 2e-3}


def dense_learning_rate() -> float:
    """The dense networks' (peak) learning rate in notebooks 2, 4 and 6, by run mode.

    Full mode: 1e-4. With 1e-3 on the full data set's 1,600 training flows
    (measured on 64 x 128 cells, ``benchmarks/full_mode_cfd.py --grid
    64x128``) the 3-layer tanh network never left the mean training field:
    from the second epoch on its validation error was the mean field's,
    20.55%, to the end of 100 epochs; with 1e-4 (constant, batches of 8, a
    throwaway check) it was at 12.3% after six epochs. The likely reason: its
    16,384 inputs (32,768 on the full grid) make each step of the first layer
    large enough to saturate the tanh units. Notebook 2 uses the same rate.
    Quick mode keeps 1e-3 (32 x 64 cells, where the dense networks learn
    with it: notebook 6's baseline reaches about 0.7 of the mean field's error).
    """
    from bootcamp.config import choose

    return choose(full=1e-4, quick=1e-3)


def _unet_name(gated: bool) -> str:
    return "gated U-Net" if gated else "plain U-Net"


def train_unet(x_train, y_train, x_val, y_val, *, gated: bool):
    """One of notebook 4's U-Nets trained with :func:`unet_settings`; returns
    ``(model, metrics)``: ``gated``, ``validation error``, ``training seconds``."""
    import keras

    from bootcamp.cfd.flows import mean_relative_l2

    settings = unet_settings()
    keras.utils.set_random_seed(settings["seed"])
    model = make_unet(x_train.shape[1:3], gated=gated)
    _, seconds = fit(model, x_train, y_train, x_val, y_val, epochs=settings["epochs"],
                     batch_size=settings["batch_size"], learning_rate=settings["learning_rate"])
    return model, {"gated": gated, "training seconds": seconds,
                   "validation error": mean_relative_l2(model.predict(x_val, verbose=0), y_val)}


def unet_key(x_train, y_train, x_val, y_val, *, gated: bool) -> dict:
    """What the store files a U-Net under: the course's flow set and a hash
    of the training and validation arrays, gated or plain, the settings
    (``spec``), and the code that builds and trains it (``code``). Notebook 4
    saves under it; notebooks 5 and 6 load."""
    from bootcamp import saved
    from bootcamp.cfd.flows import course_spec

    spec = {"flows": course_spec(), "data": saved.fingerprint(x_train, y_train, x_val, y_val), "gated": bool(gated),
            **unet_settings()}
    return {"spec": spec, "code": (make_unet, gated_block, fit, train_unet, unet_settings)}


def save_unet(model, x_train, y_train, x_val, y_val, *, gated: bool, notebook: str, metrics: dict):
    """Store one of notebook 4's U-Nets, for notebooks 5 and 6. ``metrics``
    says ``gated``, ``validation error`` and ``training seconds`` (the later
    notebooks print them). Returns the path (or None)."""
    from bootcamp import saved

    return saved.save(model, UNET, notebook=notebook, what=f"notebook 4's {_unet_name(gated)}", metrics=metrics,
                      **unet_key(x_train, y_train, x_val, y_val, gated=gated))


def load_or_train_unet(x_train, y_train, x_val, y_val, *, gated: bool, notebook: str):
    """Notebook 4's gated or plain U-Net from the model store, or trained here
    (and stored) when none matches this run mode, data and code; returns
    ``(model, record)``, ``record["metrics"]`` as :func:`save_unet`
    describes, and prints one line saying which happened."""
    from bootcamp import saved

    return saved.load_or_train(UNET, notebook=notebook, what=f"notebook 4's {_unet_name(gated)}",
                               build_and_train=lambda: train_unet(x_train, y_train, x_val, y_val, gated=gated),
                               **unet_key(x_train, y_train, x_val, y_val, gated=gated))


def load_or_train_unets(x_train, y_train, x_val, y_val, *, notebook: str) -> dict:
    """Both of notebook 4's U-Nets, ``{"gated U-Net": (model, record), "plain U-Net": ...}``
    (:func:`load_or_train_unet` for each)."""
    return {name: load_or_train_unet(x_train, y_train, x_val, y_val, gated=gated, notebook=notebook)
            for name, gated in UNETS.items()}


def most_accurate(unets: dict) -> str:
    """Notebook 4's choice among :func:`load_or_train_unets`' U-Nets: the lower validation error."""
    return min(unets, key=lambda name: unets[name][1]["metrics"]["validation error"])
