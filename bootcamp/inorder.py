"""Keras' pipeline for NumPy arrays, made lighter in order and honest in shuffling (TensorFlow).

Why, in order: when ``fit``, ``evaluate`` or ``predict`` is given NumPy
arrays, Keras 3 wraps them in a ``tf.data`` pipeline built for large
shuffled training sets (a permutation made in a background thread, batches
of indices, a parallel ``map`` with autotuning that gathers each batch).
Every pass over the data starts that machinery again: with one core per
notebook, as in CI, a call to ``evaluate`` or ``predict`` on a few hundred
samples takes over 100 ms, most of it setting up that pipeline, and a
``fit`` with ``validation_data`` pays it again every epoch (measured on two
cores, one thread: ``evaluate`` on 80 samples 147 ms with Keras' pipeline,
30 ms with this one; whole quick-mode notebooks 01, 02, 06_cfd_2 and
06_cfd_3 2-4% shorter). When the data is read *in order* (``shuffle=False``:
every ``evaluate``, every ``predict``, the validation pass of every
``fit``), :func:`install` has Keras cut the same batches, in the same order,
by slicing the arrays in a plain sequential pipeline: the same values, so
the same results to the last bit (``tests/test_inorder.py`` compares them
with Keras as shipped).

Why, shuffled: Keras 3.15 on TensorFlow draws a training pass's permutation
with a seeded random op inside that pipeline, and a seeded op starts afresh
with every new iterator, that is every epoch. Once a global seed is set
(``keras.utils.set_random_seed``, as every lesson does for reproducible
results), ``fit(..., shuffle=True)`` therefore deals every epoch in the same
order: shuffled once, not reshuffled (``tests/test_inorder.py`` shows it).
For ``shuffle=True`` the pipeline here draws the order with
``Dataset.shuffle`` over the sample indices, which takes a new permutation
for every iterator from a seed fixed when the pipeline is built: a new order
each epoch, the same ones on a rerun with the same seed. Batch sizes are
Keras' own. The orders differ from Keras', so training results differ from
plain Keras in the last digits and beyond, as with any other shuffle.

``shuffle="batch"`` and anything this does not recognise (sparse or ragged
arrays, a Keras without the hook, another backend) keep Keras' own path.
``setup()`` installs it; ``BOOTCAMP_KERAS_ARRAY_PIPELINE=1`` leaves Keras as
it is.
"""

from __future__ import annotations

import numpy as np

from bootcamp import _hooks

OPT_OUT_ENV = "BOOTCAMP_KERAS_ARRAY_PIPELINE"
HOOK = ("keras.src.trainers.data_adapters.array_data_adapter", "ArrayDataAdapter", "get_tf_dataset")


def _tensors(adapter, tf):
    """``adapter``'s arrays as dense tensors, as Keras' gather sees them; None for anything else."""
    from keras.src import tree
    from keras.src.trainers.data_adapters import array_slicing

    inputs = tree.lists_to_tuples(array_slicing.convert_to_sliceable(adapter._inputs, target_backend="tensorflow"))
    leaves = tree.flatten(inputs)
    if not leaves or not all(isinstance(x, (np.ndarray, tf.Tensor)) for x in leaves):
        return None                                  # sparse, ragged, None or something else: Keras' own path
    return tree.map_structure(tf.convert_to_tensor, inputs)   # what Keras' gather does to NumPy arrays


def _plain(dataset, tf):
    options = tf.data.Options()
    options.experimental_optimization.apply_default_optimizations = False   # as Keras does: no graph rewrite
    return dataset.with_options(options)


def _reshuffled(adapter, tf):
    """Batches of ``adapter``'s arrays in a new random order every epoch; None if not applicable.

    The order comes from ``Dataset.shuffle`` over the sample indices, which
    draws a new permutation for every iterator (every epoch) from a seed
    fixed when the pipeline is built: reproducible under a global seed, and
    different from one epoch to the next. Batch sizes are Keras' (full
    batches, then the partial one).
    """
    from keras.src import tree

    inputs = _tensors(adapter, tf)
    if inputs is None:
        return None
    count = adapter._num_samples
    order = tf.data.Dataset.range(count).shuffle(count, reshuffle_each_iteration=True).batch(adapter._batch_size)
    arrays = tf.data.Dataset.from_tensors(inputs).repeat()     # held once, not copied into the map's graph
    batches = tf.data.Dataset.zip((order, arrays)).map(
        lambda picked, data: tree.map_structure(lambda x: tf.gather(x, picked), data),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return _plain(batches.prefetch(tf.data.AUTOTUNE), tf)


def _in_order(adapter, tf):
    """Keras' batches of ``adapter``'s arrays, in order, from a sequential pipeline; None if not applicable."""
    from keras.src import tree

    inputs = _tensors(adapter, tf)
    if inputs is None:
        return None
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
    return _plain(dataset, tf)


def install() -> bool:
    """Serve passes over arrays from the pipelines above; True when installed.

    Safe to call more than once. Returns False (and changes nothing) under
    another backend, with the opt-out variable set, or when this Keras has
    no ``ArrayDataAdapter.get_tf_dataset`` to hook.
    """
    def make(upstream):
        import tensorflow as tf

        def get_tf_dataset(self):
            shuffle = getattr(self, "_shuffle", None)
            build = _in_order if shuffle is False else _reshuffled if shuffle is True else None
            if build is not None:                        # shuffle="batch" (or unknown): Keras' own path
                try:
                    dataset = build(self, tf)
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
