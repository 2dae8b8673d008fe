"""The first code cell of every lesson: mode banner, seeds, environment."""

from __future__ import annotations

import os
import platform
import sys
import warnings

from bootcamp import inorder, oneiter, tracing
from bootcamp.config import QUICK_ENV, is_quick

ONEDNN_ENV = "TF_ENABLE_ONEDNN_OPTS"


def setup(seed: int = 42, *, verbose: bool = True) -> None:
    """Prepare a lesson: seed every generator and say how the notebook runs.

    * seeds Python, NumPy and the Keras backend through
      ``keras.utils.set_random_seed`` so a re-run reproduces the metrics
      (on CPU; GPU kernels may differ in the last digits),
    * asks TensorFlow to grow GPU memory on demand instead of grabbing all of
      it, so a second notebook can still start,
    * has Keras trace each new model's training step once instead of twice
      (:mod:`bootcamp.tracing`: the first epoch of every model starts sooner;
      the results do not change),
    * has Keras read arrays in order (``evaluate``, ``predict``, validation)
      through a light pipeline (:mod:`bootcamp.inorder`: the same batches, so
      the same results, several times faster on small arrays), and shuffle
      them anew every training epoch (Keras 3.15 on TensorFlow repeats one
      order in every epoch once a seed is set, as here),
    * has Keras make one data iterator per pass over the data instead of two
      (:mod:`bootcamp.oneiter`: short epochs of small networks take about a
      third less time; a ``tf.data`` pipeline that reshuffles every epoch
      deals its epochs in another, equally reproducible order),
    * turns on TensorFlow's oneDNN kernels for the CPU unless the environment
      already says (``TF_ENABLE_ONEDNN_OPTS``): TensorFlow enables them by
      itself only on CPUs with AVX-512 VNNI or newer, yet on an AVX2 CPU they
      train the lessons' convolutional networks faster (measured on two
      cores: quick-mode 04_cnn 93 s against 73 s with one thread per notebook
      as in CI, a small CNN's epochs 10% shorter with both threads). Their
      sums round differently, so the last digits of a metric change with it;
      this only works when ``setup()`` runs before TensorFlow is imported, as
      the first cell of every lesson does,
    * prints the run mode, versions and the device that will train.

    The course runs Keras on TensorFlow. Under another Keras backend
    (``KERAS_BACKEND=jax``, say) TensorFlow is not imported: the seeds and the
    banner work the same, and the banner names that backend.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault(ONEDNN_ENV, "1")         # read when TensorFlow loads: before the import below
    # Keras 3.15 warns on every fit() from a tf.data pipeline, even when no
    # shuffle was asked for; the lessons' pipelines shuffle themselves.
    warnings.filterwarnings("ignore", message="`shuffle=True` was passed", category=UserWarning)
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = [gpu.name for gpu in enable_memory_growth(tf)]
        tracing.install()
        inorder.install()
        oneiter.install()
        framework = f"TensorFlow {tf.__version__}, "
    else:
        gpus = [name for name in keras.distribution.list_devices() if name.lower().startswith(("gpu", "cuda"))]
        framework = ""
    keras.utils.set_random_seed(seed)
    if verbose:
        mode = "QUICK (less data, fewer epochs: for CI and a fast look)" if is_quick() else "FULL (the workshop setting)"
        print(f"Run mode : {mode}  [{QUICK_ENV}={os.environ.get(QUICK_ENV, '')!r}]")
        print(f"Versions : Python {platform.python_version()}, {framework}"
              f"Keras {keras.__version__} ({backend} backend)")
        print(f"Seed     : {seed}")
        print(f"Device   : {describe_devices(gpus)}")
        print(f"Switch   : {switch_hint()}")


def enable_memory_growth(tf) -> list:
    """Turn on memory growth for every visible GPU; return the GPU list.

    Must run before the first tensor touches a GPU. If TensorFlow already
    initialised the device (a cell was run twice), the setting cannot change
    any more and the error is ignored: growth is then whatever it was.
    """
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass
    return gpus


def describe_devices(gpus: list[str], quick: bool | None = None) -> str:
    if gpus:
        return f"{len(gpus)} GPU(s): " + ", ".join(gpus)
    quick = is_quick() if quick is None else quick
    if in_colab():
        hint = "choose Runtime > Change runtime type > T4 GPU"
    elif quick:
        hint = "training runs on the CPU; quick mode keeps it short"
    else:
        hint = ("training runs on the CPU, and full mode is the workshop setting made for a GPU: "
                "the slow cells say so; quick mode is much shorter")
    return f"CPU only, {os.cpu_count()} cores (no GPU found: {hint})"


def switch_hint(quick: bool | None = None) -> str:
    """How to change the mode from inside Jupyter, without restarting anything:
    ``is_quick()`` reads the variable on every call, so the next Run All uses it."""
    quick = is_quick() if quick is None else quick
    other, value = ("full", "0") if quick else ("quick", "1")
    return f"for {other} mode run `%env {QUICK_ENV}={value}` in a cell, then Run > Run All Cells"


def in_colab() -> bool:
    return "google.colab" in sys.modules
