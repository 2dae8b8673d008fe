"""Trace each Keras training step once, not twice (TensorFlow backend).

Why: a ``tf.function`` that creates variables on its first call is traced a
second time (tensorflow/tensorflow#48851). Keras 3 on TensorFlow, when no
distribution strategy is set, builds the optimizer's slots and the metrics'
state inside the first trace of ``train_step``, so every new model's first
``fit`` traces its training step twice. With a strategy, Keras builds that
state before tracing (``_symbolic_build``), from symbolic inputs. For notebook
06_cfd_4's U-Net on two CPU cores that second trace is about half of the first
``fit`` of a few epochs (measured: 15.0 s against 7.8 s, the weights equal to
the last bit); small networks gain less. A workshop pays it for every model
it trains, and CI for every model of every notebook.

:func:`install` makes Keras take the strategy path without a strategy too,
for models whose layers are all built (``Sequential`` with an ``Input``, the
functional API): the state is built from the data's *element spec*, so no
batch is drawn and the data order does not change. Anything else (a
subclassed model not yet built, a Keras without this hook, another backend)
keeps Keras' own behaviour, which is only slower. ``setup()`` installs it;
``BOOTCAMP_KERAS_TRACE_TWICE=1`` leaves Keras as it is.
"""

from __future__ import annotations

from bootcamp import _hooks

OPT_OUT_ENV = "BOOTCAMP_KERAS_TRACE_TWICE"
HOOK = ("keras.src.backend.tensorflow.trainer", "TensorFlowTrainer", "_maybe_symbolic_build")


def _element_spec(iterator):
    """The structure of one batch, as tensor specs, without drawing a batch."""
    dataset = getattr(iterator, "_distributed_dataset", None)
    return getattr(dataset, "element_spec", None)


def install() -> bool:
    """Build optimizer and metric state before the first trace; True when installed.

    Safe to call more than once. Returns False (and changes nothing) under
    another backend, with the opt-out variable set, or when this Keras has
    no ``TensorFlowTrainer._maybe_symbolic_build`` to hook.
    """
    def make(upstream):
        def maybe_symbolic_build(self, iterator=None, data_batch=None):
            if getattr(self, "_distribute_strategy", None) is None and all(
                    layer.built for layer in self._flatten_layers()):
                batch = data_batch if data_batch is not None else _element_spec(iterator)
                if batch is not None:
                    try:
                        self._symbolic_build(data_batch=batch)
                        return None
                    except Exception:  # noqa: BLE001 - whatever failed, Keras' own path reports it
                        pass
            return upstream(self, iterator=iterator, data_batch=data_batch)

        return maybe_symbolic_build

    return _hooks.replace(*HOOK, make, OPT_OUT_ENV, needs=("_symbolic_build",))


def uninstall() -> None:
    """Give Keras back its own behaviour (for tests and comparisons)."""
    _hooks.restore(*HOOK)
