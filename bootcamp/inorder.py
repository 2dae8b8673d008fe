"""Arrays read in order by a light input pipeline (Keras on TensorFlow).

Why: when ``fit``, ``evaluate`` or ``predict`` is given NumPy arrays, Keras 3
wraps them in a ``tf.data`` pipeline built for large shuffled training sets
(a permutation made in a background thread, batches of indices, a parallel
``map`` with autotuning that gathers each batch). Every pass over the data
starts that machinery again: with one core per notebook, as in CI, a call to
``evaluate`` or ``predict`` on a few hundred samples takes over 100 ms, most
of it setting up that pipeline, and a ``fit`` with ``validation_data`` pays it again
every epoch. The lessons train small models on small arrays and evaluate
often (measured on two cores, one thread: ``evaluate`` on 80 samples 147 ms
with Keras' pipeline, 30 ms with this one; whole quick-mode notebooks 01, 02,
06_cfd_2 and 06_cfd_3 2-4% shorter).

When the data is read *in order* (``shuffle=False``: every ``evaluate``,
every ``predict``, the validation pass of every ``fit``), nothing of that
machinery is needed: :func:`install` has Keras cut the same batches, in the
same order, by slicing the arrays in a plain sequential pipeline. The
batches are the same values, so the results are the same to the last bit
(``tests/test_inorder.py`` compares them with Keras as shipped). Training
passes (``shuffle=True``) keep Keras' own pipeline, and with it Keras' own
random order. Anything this does not recognise (sparse or ragged arrays, a
Keras without the hook, another backend) keeps Keras' own path, which is
only slower. ``setup()`` installs it; ``BOOTCAMP_KERAS_ARRAY_PIPELINE=1``
leaves Keras as it is.
"""

from __future__ import annotations

import numpy as np

from bootcamp import _hooks

OPT_OUT_ENV = "BOOTCAMP_KERAS_ARRAY_PIPELINE"
HOOK = ("keras.src.trainers.data_adapters.array_data_adapter", "ArrayDataAdapter", "get_tf_dataset")


def _in_order(adapter, tf):
    """Keras' batches of ``adapter``'s arrays, in order, from a sequential pipeline; None if not applicable."""
    from keras.src import tree
    from keras.src.trainers.data_adapters import array_slicing

    inputs = tree.lists_to_tuples(array_slicing.convert_to_sliceable(adapter._inputs, target_backend="tensorflow"))
    leaves = tree.flatten(inputs)
    if not leaves or not all(isinstance(x, (np.ndarray, tf.Tensor)) for x in leaves):
        return None                                  # sparse, ragged, None or something else: Keras' own path
    inputs = tree.map_structure(tf.convert_to_tensor, inputs)   # what Keras' gather does to NumPy arrays
    size, count = adapter._batch_size, adapter._num_samples
    whole = count // size
    # No function runs per batch: the full batches are one reshaped tensor sliced
    # along its first axis, the last partial batch is one more element.
    dataset = None
    if whole:
        head = inputs if whole * size == count else tree.map_structure(lambda x: x[:whole * size], inputs)
        batches = tree.map_structure(lambda x: tf.reshape(x, [whole, size, *x.shape[1:]]), head)   # no copy
        dataset = tf.data.Dataset.from_tensor_slices(batches)
    if count % size:
        rest = tf.data.Dataset.from_tensors(tree.map_structure(lambda x: x[whole * size:], inputs))
        dataset = rest if dataset is None else dataset.concatenate(rest)
    if dataset is None:
        return None
    options = tf.data.Options()
    options.experimental_optimization.apply_default_optimizations = False   # as Keras does: no graph rewrite
    return dataset.with_options(options)


def install() -> bool:
    """Serve in-order passes over arrays from a sequential pipeline; True when installed.

    Safe to call more than once. Returns False (and changes nothing) under
    another backend, with the opt-out variable set, or when this Keras has
    no ``ArrayDataAdapter.get_tf_dataset`` to hook.
    """
    def make(upstream):
        import tensorflow as tf

        def get_tf_dataset(self):
            if not getattr(self, "_shuffle", True):
                try:
                    dataset = _in_order(self, tf)
                except Exception:  # noqa: BLE001 - whatever failed, Keras' own path handles or reports it
                    dataset = None
                if dataset is not None:
                    return dataset
            return upstream(self)

        return get_tf_dataset

    return _hooks.replace(*HOOK, make, OPT_OUT_ENV)


def uninstall() -> None:
    """Give Keras back its own pipeline (for tests and comparisons)."""
    _hooks.restore(*HOOK)
