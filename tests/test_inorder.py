"""bootcamp.inorder: in-order passes over arrays (evaluate, predict, validation)
come from a light pipeline, and give the same numbers, to the last bit, as
Keras on its own; shuffled training passes get a new order every epoch,
where Keras as shipped repeats one."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter  # noqa: E402

from bootcamp import inorder, oneiter  # noqa: E402


@pytest.fixture(autouse=True)
def keras_as_shipped():
    """Every test starts and ends with Keras' own pipeline and iterators (an earlier test in the same
    process may have run setup(), which installs both hooks)."""
    inorder.uninstall()
    oneiter.uninstall()
    yield
    inorder.uninstall()
    oneiter.uninstall()


def data(n=70, seed=0, dtype="float32"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5)).astype(dtype)
    return x, (x[:, :1] * 2 - x[:, 1:2]).astype("float32")


def network():
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"])
    return model


def two_inputs():
    keras.utils.set_random_seed(5)
    a, b = keras.Input(shape=(5,), name="a"), keras.Input(shape=(2,), name="b")
    out = keras.layers.Dense(1)(keras.layers.Concatenate()([keras.layers.Dense(4)(a), b]))
    model = keras.Model({"a": a, "b": b}, out)
    model.compile(optimizer="adam", loss="mse")
    return model


def everything(installed, batch_size, dtype="float32"):
    """A fit with validation (weighted), then evaluate and predict: every in-order pass there is."""
    if installed:
        assert inorder.install()
    else:
        inorder.uninstall()          # whichever run comes first, this one is Keras' own
    x, y = data(dtype=dtype)
    xv, yv = data(n=45, seed=1, dtype=dtype)
    weights = np.linspace(0.5, 2.0, len(xv)).astype("float32")
    model = network()
    # shuffle=False: the training pass is in order too (shuffled passes differ by design, tested below)
    history = model.fit(x, y, batch_size=batch_size, epochs=2, verbose=0, validation_data=(xv, yv, weights),
                        shuffle=False)
    scores = model.evaluate(xv, yv, batch_size=batch_size, verbose=0, return_dict=True)
    predictions = model.predict(xv, batch_size=batch_size, verbose=0)
    return history.history, scores, predictions, [w.numpy() for w in model.weights]


@pytest.mark.parametrize("batch_size", [7, 9, 64], ids=["partial last batch", "exact batches", "one partial batch"])
def test_results_are_those_of_keras_to_the_last_bit(batch_size):
    shipped = everything(False, batch_size)
    ours = everything(True, batch_size)
    assert ours[0] == shipped[0] and ours[1] == shipped[1]
    np.testing.assert_array_equal(ours[2], shipped[2])
    for mine, theirs in zip(ours[3], shipped[3], strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_float64_arrays_and_several_inputs_are_the_same_too():
    np.testing.assert_array_equal(everything(True, 8, "float64")[2], everything(False, 8, "float64")[2])
    rng = np.random.default_rng(2)
    inputs = {"a": rng.normal(size=(30, 5)).astype("float32"), "b": rng.normal(size=(30, 2)).astype("float32")}
    target = rng.normal(size=(30, 1)).astype("float32")
    results = {}
    for installed in (False, True):
        if installed:
            inorder.install()
        model = two_inputs()
        results[installed] = (model.evaluate(inputs, target, batch_size=8, verbose=0),
                              model.predict(inputs, batch_size=8, verbose=0))
    assert results[True][0] == results[False][0]
    np.testing.assert_array_equal(results[True][1], results[False][1])


def test_only_shuffle_batch_reaches_keras_pipeline(monkeypatch):
    calls = []
    shipped = ArrayDataAdapter.get_tf_dataset

    def counting(self):
        calls.append(self._shuffle)
        return shipped(self)

    monkeypatch.setattr(ArrayDataAdapter, "get_tf_dataset", counting)
    assert inorder.install()
    x, y = data()
    model = network()
    model.fit(x, y, batch_size=10, epochs=1, verbose=0, validation_data=data(n=20, seed=1))
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert calls == [], f"Keras' own pipeline served {calls}"
    model.fit(x, y, batch_size=10, epochs=1, verbose=0, shuffle="batch")
    assert calls == ["batch"], "shuffle='batch' (shuffling within batches) is Keras' own"


class Recorder(keras.layers.Layer):
    """Writes down the samples of every training batch (the model runs eagerly)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.batches = []

    def call(self, x, training=None):
        if training:
            self.batches.append(x.numpy()[:, 0].astype(int).tolist())
        return x


def epoch_orders(epochs=3, n=10, batch_size=4):
    """The samples of each epoch, batch by batch, from a fit on arrays after setting the seed."""
    keras.utils.set_random_seed(0)
    recorder = Recorder()
    model = keras.Sequential([keras.Input(shape=(1,)), recorder, keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
    x = np.arange(n, dtype="float32")[:, None]
    model.fit(x, x, batch_size=batch_size, epochs=epochs, verbose=0)
    per_epoch = -(-n // batch_size)
    return [recorder.batches[k * per_epoch:(k + 1) * per_epoch] for k in range(epochs)]


def test_keras_as_shipped_deals_every_epoch_in_the_same_order():
    """Why the training pass is ours: with a global seed (keras.utils.set_random_seed, every lesson) Keras
    3 on TensorFlow draws the permutation with a seeded op inside the pipeline, which starts afresh with
    each epoch's iterator. If this fails, Keras reshuffles again and the workaround can go."""
    orders = epoch_orders()
    assert orders[0] == orders[1] == orders[2]
    assert sorted(sum(orders[0], [])) == list(range(10)) and orders[0] != [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_every_epoch_is_a_new_permutation_and_a_rerun_repeats_them():
    assert inorder.install()
    orders = epoch_orders()
    for batches in orders:
        assert [len(b) for b in batches] == [4, 4, 2], "Keras' batch sizes: full batches, then the partial one"
        assert sorted(sum(batches, [])) == list(range(10)), "each sample once per epoch"
    assert orders[0] != orders[1] != orders[2] != orders[0]
    assert epoch_orders() == orders, "the same seed gives the same epochs"


def test_one_iterator_per_epoch_takes_the_permutations_in_turn():
    """Keras makes a spare iterator at the end of every pass; ours deals a permutation to each iterator
    made, so as shipped the epochs get permutations 0, 2, 4, ...; with bootcamp.oneiter (setup() installs
    both) they get 0, 1, 2, ...: other orders than without it, the same on every run."""
    assert inorder.install()
    with_spares = epoch_orders(epochs=5)
    assert oneiter.install()
    one_each = epoch_orders(epochs=5)
    assert one_each[0::2] == with_spares[:3]
    assert one_each[1] not in with_spares[:3]
    assert epoch_orders(epochs=5) == one_each


def test_the_batches_are_keras_batches():
    x, y = data(n=23)
    adapter = ArrayDataAdapter(x, y, batch_size=5, shuffle=False)
    ours = list(inorder._in_order(adapter, tf))
    theirs = list(ArrayDataAdapter.get_tf_dataset(adapter))
    assert [b[0].shape[0] for b in ours] == [5, 5, 5, 5, 3]
    for mine, keras_batch in zip(ours, theirs, strict=True):
        for a, b in zip(mine, keras_batch, strict=True):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            assert a.dtype == b.dtype


def test_anything_else_keeps_keras_own_path():
    sparse = tf.sparse.from_dense(np.eye(6, dtype="float32"))
    adapter = ArrayDataAdapter(sparse, np.ones((6, 1), "float32"), batch_size=4, shuffle=False)
    assert inorder._in_order(adapter, tf) is None


def test_setup_installs_it():
    import bootcamp

    bootcamp.setup(seed=1, verbose=False)
    assert getattr(ArrayDataAdapter.get_tf_dataset, "upstream", None) is not None
