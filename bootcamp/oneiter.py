"""One data iterator per pass over arrays, not two (Keras on TensorFlow).

Why: Keras 3 walks the data of every ``fit`` epoch, every validation pass,
every ``evaluate`` and every ``predict`` with an ``EpochIterator``. When no
``steps_per_epoch`` is given (the usual case, and every lesson's), it makes a
fresh ``tf.data`` iterator at the start of each pass, and also one more as
soon as the data runs out, ready for a next pass that never uses it: the
next pass makes its own. For NumPy arrays, Keras' training pipeline (a
shuffled permutation, a parallel ``map``, prefetching) takes several
milliseconds to start, so the spare costs the small networks of the lessons,
trained on small arrays for many short epochs, a large share of each epoch:
measured on one thread, a 30-point fit of a 1,000-parameter network with
validation data and TensorBoard's callback took 37.5 ms per epoch as Keras
ships, 22.8 ms with this change.

:func:`install` has Keras skip the spare for arrays. Nothing else changes:
the iterator each pass uses is made exactly as before, so the batches, their
order and the results are Keras' own to the last bit
(``tests/test_oneiter.py`` compares them). A ``tf.data`` pipeline given to
``fit`` keeps Keras' own code: one that reshuffles every epoch
(``Dataset.shuffle``) advances its seed with every iterator made, so
skipping the spare would change the order of its epochs, and its iterators
are cheap to start anyway (measured: 11 ms per epoch either way for notebook
02's pipeline). With ``steps_per_epoch`` given the iterator lives on across
epochs, and Keras' own code runs too.

``setup()`` also installs :mod:`bootcamp.inorder`, whose training pipeline
for arrays deals a new permutation to every iterator made. There this hook
does change the orders: as Keras ships, the spares take every second
permutation, so epochs get permutations 0, 2, 4, ...; with this hook they
get 0, 1, 2, ... (other orders, the same on every run; tested in
``tests/test_inorder.py``). The last-bit comparison above is with Keras' own
array pipeline. ``setup()`` installs this hook;
``BOOTCAMP_KERAS_EPOCH_ITERATOR=1`` leaves Keras as it is.
"""

from __future__ import annotations

from bootcamp import _hooks

OPT_OUT_ENV = "BOOTCAMP_KERAS_EPOCH_ITERATOR"
HOOK = ("keras.src.trainers.epoch_iterator", "EpochIterator", "_enumerate_iterator")


class _NotMade:
    """What Keras gets instead of the iterator it would make and never use."""

    def __iter__(self):
        return self

    def __next__(self):
        raise RuntimeError("bootcamp.oneiter: an iterator Keras was expected to discard was used; "
                           f"set {OPT_OUT_ENV}=1 to give Keras back its own behaviour, and report this")


NOT_MADE = _NotMade()


def install() -> bool:
    """Make one iterator per pass over the data; True when installed.

    Safe to call more than once. Returns False (and changes nothing) under
    another backend, with the opt-out variable set, or when this Keras has
    no ``EpochIterator._enumerate_iterator`` to hook.
    """
    def make(upstream):
        from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

        def enumerate_iterator(self):
            if self.steps_per_epoch is not None or not isinstance(self.data_adapter, ArrayDataAdapter):
                yield from upstream(self)                 # an iterator that lives on, or not arrays: Keras' code
                return
            made = False
            real = self._get_iterator

            def first_only():
                # the first call starts this pass; a later one is the spare that the next pass replaces
                nonlocal made
                if made:
                    return NOT_MADE
                made = True
                return real()

            self._get_iterator = first_only                # for this pass only
            try:
                yield from upstream(self)
            finally:
                if self.__dict__.get("_get_iterator") is first_only:
                    del self._get_iterator
                if self._current_iterator is NOT_MADE:
                    self._current_iterator = None

        return enumerate_iterator

    return _hooks.replace(*HOOK, make, OPT_OUT_ENV, needs=("_get_iterator",))


def uninstall() -> None:
    """Give Keras back its own behaviour (for tests and comparisons)."""
    _hooks.restore(*HOOK)
