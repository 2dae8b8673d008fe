"""bootcamp.tracing: one trace of the training step instead of two, and the
same training, to the last bit, as Keras on its own."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from bootcamp import tracing  # noqa: E402


@pytest.fixture(autouse=True)
def keras_as_shipped():
    """Every test starts and ends with Keras' own behaviour."""
    tracing.uninstall()
    yield
    tracing.uninstall()


class CountingModel(keras.Sequential):
    """Counts how often TensorFlow traces its training step."""

    traces = 0

    def train_step(self, data):
        type(self).traces += 1          # Python runs here only while tracing
        return super().train_step(data)


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x.sum(axis=1) > 0).astype("int32")


def network(cls=keras.Sequential):
    keras.utils.set_random_seed(3)
    model = cls([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                 keras.layers.Dropout(0.2), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def pipeline(x, y):
    """Reshuffled every epoch: an extra pass over it would change the order."""
    return tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=1).batch(16)


def train(installed, feed):
    if installed:
        assert tracing.install()
    else:
        tracing.uninstall()
    model = network()
    x, y = data()
    history = feed(model, x, y)
    return [w.numpy() for w in model.weights], history.history


FEEDS = {
    "tf.data pipeline": lambda m, x, y: m.fit(pipeline(x, y), validation_data=pipeline(x, y), epochs=3, verbose=0),
    "arrays, class weights": lambda m, x, y: m.fit(x, y, batch_size=8, epochs=3, verbose=0, validation_split=0.25,
                                                   class_weight={0: 1.0, 1: 3.0}),
}


@pytest.mark.parametrize("feed", FEEDS, ids=list(FEEDS))
def test_training_is_unchanged_to_the_last_bit(feed):
    shipped_weights, shipped_history = train(False, FEEDS[feed])
    weights, history = train(True, FEEDS[feed])
    assert history == shipped_history
    for ours, theirs in zip(weights, shipped_weights, strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_the_training_step_is_traced_once_instead_of_twice():
    x, y = data()
    counts = {}
    for installed in (False, True):
        if installed:
            tracing.install()
        CountingModel.traces = 0
        network(CountingModel).fit(pipeline(x, y), epochs=2, verbose=0)
        counts[installed] = CountingModel.traces
    assert counts == {False: 2, True: 1}, f"traces of train_step (shipped, installed): {counts}"


def test_an_unbuilt_subclassed_model_keeps_keras_own_path():
    class Doubler(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, inputs):
            return 2.0 * self.dense(inputs)

    tracing.install()
    keras.utils.set_random_seed(0)
    model = Doubler()
    model.compile(optimizer="sgd", loss="mse")
    x, _ = data()
    history = model.fit(x, x[:, :1], epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all() and model.built


def test_setup_installs_it(capsys):
    import bootcamp
    from keras.src.backend.tensorflow.trainer import TensorFlowTrainer

    bootcamp.setup(seed=1, verbose=False)
    assert getattr(TensorFlowTrainer._maybe_symbolic_build, "upstream", None) is not None
