"""bootcamp.oneiter: one tf.data iterator per pass over arrays, and the same
training, to the last bit, as Keras on its own."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from keras.src.backend.tensorflow.trainer import TFEpochIterator  # noqa: E402

from bootcamp import inorder, oneiter  # noqa: E402


@pytest.fixture(autouse=True)
def keras_as_shipped():
    """Every test starts and ends with Keras' own behaviour: its own iterators and its own array
    pipeline (an earlier test in the same process may have run setup(), which replaces the pipeline
    with bootcamp.inorder's; that one's orders are meant to change with this hook, see test_inorder)."""
    oneiter.uninstall()
    inorder.uninstall()
    yield
    oneiter.uninstall()
    inorder.uninstall()


def set_hook(installed):
    """Install the hook, or give Keras back its own code: whichever run comes first."""
    if installed:
        assert oneiter.install()
    else:
        oneiter.uninstall()


def data(n=100, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (2 * x[:, :1] - x[:, 2:]).astype("float32")


def network():
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def train(installed, fit_args):
    """fit (arrays shuffled by Keras, validation), evaluate, predict: history, scores, predictions, weights."""
    set_hook(installed)
    x, y = data()
    model = network()
    history = model.fit(x, verbose=0, **fit_args)
    scores = model.evaluate(x[:30], y[:30], batch_size=8, verbose=0)
    predictions = model.predict(x[:30], batch_size=8, verbose=0)
    return history.history, scores, predictions, model.get_weights()


def assert_same(ours, theirs):
    assert ours[0] == theirs[0] and ours[1] == theirs[1]
    np.testing.assert_array_equal(ours[2], theirs[2])
    for mine, keras_weights in zip(ours[3], theirs[3], strict=True):
        np.testing.assert_array_equal(mine, keras_weights)


def test_training_on_arrays_is_that_of_keras_to_the_last_bit():
    x, y = data()
    args = {"y": y, "batch_size": 16, "epochs": 4, "validation_data": data(n=20, seed=1)}
    assert_same(train(True, args), train(False, args))


def fit_dataset(installed, shuffle_seed, **fit_args):
    """A fit on a tf.data pipeline that reshuffles every iteration: its history and weights."""
    set_hook(installed)
    x, y = data()
    model = network()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100, seed=shuffle_seed)
    if fit_args.get("steps_per_epoch"):
        dataset = dataset.repeat()
    history = model.fit(dataset.batch(16), verbose=0, **fit_args).history
    return history, model.get_weights()


def assert_same_fit(ours, theirs):
    assert ours[0] == theirs[0]
    for mine, keras_weights in zip(ours[1], theirs[1], strict=True):
        np.testing.assert_array_equal(mine, keras_weights)


def test_with_steps_per_epoch_keras_own_code_runs():
    """The iterator then lives across epochs: a repeated, reshuffled dataset gives Keras' own results."""
    args = {"shuffle_seed": 3, "steps_per_epoch": 5, "epochs": 3}
    assert_same_fit(fit_dataset(True, **args), fit_dataset(False, **args))


def count_iterators(monkeypatch):
    made = []
    shipped = TFEpochIterator._get_iterator

    def counting(self):
        made.append(type(self).__name__)
        return shipped(self)

    monkeypatch.setattr(TFEpochIterator, "_get_iterator", counting)
    return made


@pytest.mark.parametrize("installed, per_pass", [(False, 2), (True, 1)], ids=["as shipped", "installed"])
def test_one_iterator_per_pass(monkeypatch, installed, per_pass):
    made = count_iterators(monkeypatch)
    if installed:
        assert oneiter.install()
    x, y = data()
    model = network()
    model.fit(x, y, batch_size=25, epochs=3, verbose=0, validation_data=data(n=20, seed=1))
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    passes = 3 + 3 + 1 + 1                       # training epochs, validation passes, evaluate, predict
    assert len(made) == per_pass * passes, f"{len(made)} iterators for {passes} passes"


def test_a_reshuffling_pipeline_keeps_keras_order():
    """A tf.data pipeline that reshuffles every epoch advances its seed with every iterator made:
    it keeps Keras' own code, so its epochs come in Keras' order."""
    args = {"shuffle_seed": 0, "epochs": 3, "validation_data": data(n=20, seed=1)}
    assert_same_fit(fit_dataset(True, **args), fit_dataset(False, **args))


def test_an_epoch_stopped_early_leaves_nothing_behind():
    """A callback stopping training in mid-epoch abandons the pass; the next fit still works."""
    oneiter.install()

    class StopAtBatchTwo(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    x, y = data()
    model = network()
    model.fit(x, y, batch_size=10, epochs=5, verbose=0, callbacks=[StopAtBatchTwo()])
    history = model.fit(x, y, batch_size=10, epochs=2, verbose=0, validation_data=(x[:20], y[:20]))
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["val_loss"]).all()
    adapter_iterators = [o for o in vars(model).values() if isinstance(o, TFEpochIterator)]
    assert all("_get_iterator" not in vars(it) for it in adapter_iterators)


def test_setup_installs_it():
    import bootcamp
    from bootcamp import _hooks

    bootcamp.setup(seed=1, verbose=False)
    assert _hooks.installed(*oneiter.HOOK)
