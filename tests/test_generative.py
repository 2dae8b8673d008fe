"""Plumbing of 08_generative (bootcamp.generative) and its self-checks: the scores on cases with known
answers, the judge's store round trip, the per-epoch callback, the figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

keras = pytest.importorskip("keras")

from bootcamp import generative  # noqa: E402
from bootcamp.selfcheck import generative as check  # noqa: E402


# ------------------------------------------------------------------ data
def test_prepare_scales_to_the_tanh_range_and_flattens():
    images = np.array([[[0] * 28] * 28, [[255] * 28] * 28], dtype="uint8")
    x, y = generative.prepare(images, np.array([3, 7], dtype="uint8"))
    assert x.shape == (2, 784) and x.dtype == np.float32
    assert x[0].min() == -1.0 and x[1].max() == 1.0
    assert y.dtype == np.int32 and y.tolist() == [3, 7]
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        generative.prepare(np.zeros((2, 784)), np.zeros(2))


def test_balanced_labels():
    labels = generative.balanced_labels(3)
    assert labels.tolist() == [c for c in range(10) for _ in range(3)]


# ------------------------------------------------------------------ scores
def test_class_coverage_is_one_for_equal_classes_and_zero_for_one_class():
    assert generative.class_coverage(np.arange(10).repeat(5)) == pytest.approx(1.0)
    assert generative.class_coverage(np.full(50, 4)) == pytest.approx(0.0)
    half = generative.class_coverage(np.array([0, 1] * 10))
    assert half == pytest.approx(np.log(2) / np.log(10))


def test_mean_pairwise_distance_matches_a_loop():
    rng = np.random.default_rng(0)
    f = rng.normal(size=(7, 3))
    loop = np.mean([np.linalg.norm(f[i] - f[j]) for i in range(7) for j in range(i + 1, 7)])
    assert generative.mean_pairwise_distance(f) == pytest.approx(loop)
    with pytest.raises(ValueError, match="two items"):
        generative.mean_pairwise_distance(f[:1])


def test_diversity_ratio_one_for_the_same_spread_zero_for_a_collapse():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(40, 5))
    labels = np.repeat([0, 1], 20)
    assert generative.diversity_ratio(real, labels, real, labels) == pytest.approx(1.0)
    collapsed = np.repeat(real[[0, 20]], 20, axis=0)                 # one item per class, repeated
    assert generative.diversity_ratio(collapsed, labels, real, labels) == pytest.approx(0.0, abs=1e-6)
    assert generative.diversity_ratio(real * 2, labels, real, labels) == pytest.approx(2.0)


def test_frechet_distance_agrees_with_scipy_and_is_zero_for_the_same_set():
    from scipy import linalg

    rng = np.random.default_rng(2)
    a = rng.normal(size=(300, 6))
    b = rng.normal(size=(250, 6)) @ rng.normal(size=(6, 6)) + 0.5
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    expected = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * linalg.sqrtm(ca @ cb).real)
    assert generative.frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)
    assert generative.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    assert generative.frechet_distance(a, a + 3.0) == pytest.approx(6 * 9.0, rel=1e-6)   # |shift|^2


def test_frechet_distance_with_a_singular_covariance_warns_nothing(recwarn):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(100, 4))
    a[:, 3] = 0.0                                                    # a ReLU unit that never fires
    b = rng.normal(size=(100, 4))
    b[:, 3] = 0.0
    value = generative.frechet_distance(a, b)
    assert np.isfinite(value) and value >= 0
    assert not [w for w in recwarn if "singular" in str(w.message).lower()]


def test_argmax_accuracy():
    p = np.eye(10)[[1, 2, 3, 4]]
    assert generative.argmax_accuracy(p, np.array([1, 2, 0, 4])) == pytest.approx(0.75)


# ------------------------------------------------------------------ the judge
def _tiny_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    images = rng.normal(scale=0.2, size=(n, 784)).astype("float32") - 0.5
    for c in range(10):
        images[labels == c, c * 70:c * 70 + 40] = 1.0                # a bright stripe per class
    return images.clip(-1, 1), labels.astype("int32")


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOTCAMP_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("BOOTCAMP_QUICK", "1")
    return tmp_path


def test_judge_is_trained_once_then_loaded(store, capsys):
    x, y = _tiny_data()
    judge, accuracy = generative.load_or_train_judge(x[:200], y[:200], x[200:], y[200:], notebook="test")
    assert "training it now" in capsys.readouterr().out
    assert accuracy > 0.5
    again, accuracy_again = generative.load_or_train_judge(x[:200], y[:200], x[200:], y[200:], notebook="test")
    assert capsys.readouterr().out.startswith("loaded ")
    assert accuracy_again == pytest.approx(accuracy)
    np.testing.assert_allclose(judge.features(x[:5]), again.features(x[:5]), rtol=1e-5, atol=1e-6)
    assert judge.features(x[:5]).shape == (5, generative.judge_settings()["units"])
    assert judge.probabilities(x[:5]).shape == (5, 10)


def test_scores_of_real_against_real_are_near_perfect(store):
    x, y = _tiny_data(600, seed=1)
    judge, _ = generative.load_or_train_judge(x[:300], y[:300], x[300:], y[300:], notebook="test")
    score, (xa, ya), (xb, yb) = generative.real_reference(judge, x[300:], y[300:], per_class=10)
    assert set(score) == {"conditional accuracy", "class coverage", "diversity ratio", "Fréchet distance"}
    assert len(xa) == len(xb) == 100 and not set(map(bytes, xa)) & set(map(bytes, xb))
    assert score["class coverage"] > 0.9 and 0.7 < score["diversity ratio"] < 1.3
    noise = np.random.default_rng(4).uniform(-1, 1, size=xa.shape).astype("float32")
    worse = generative.scores(judge, noise, ya, xb, yb)
    assert worse["Fréchet distance"] > score["Fréchet distance"]
    with pytest.raises(ValueError, match="need 40"):
        generative.real_reference(judge, x[300:], y[300:], per_class=20)


class _Pair(keras.Model):
    """Two tiny networks and a training step that nudges the generator: enough to drive the callback."""

    def __init__(self):
        super().__init__()
        self.generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(784, activation="tanh")])
        self.discriminator = keras.Sequential([keras.Input((784,)), keras.layers.Dense(1)])
        self.loss_mean = keras.metrics.Mean(name="d_loss")

    @property
    def metrics(self):
        return [self.loss_mean]

    def train_step(self, data):
        self.loss_mean.update_state(1.0)
        return {"d_loss": self.loss_mean.result()}


def test_epoch_scores_numbers_epochs_and_steps_and_keeps_weights(store):
    x, y = _tiny_data(600, seed=5)
    judge, _ = generative.load_or_train_judge(x[:300], y[:300], x[300:], y[300:], notebook="test")
    pair = _Pair()
    pair.compile()

    def generate(labels):
        return keras.ops.convert_to_numpy(pair.generator(np.ones((len(labels), 4), "float32")))

    scorer = generative.EpochScores(judge, generate, x[300:], y[300:], per_class=5, name="tiny", first_epoch=3,
                                    verbose=False)
    pair.fit(x[:40], y[:40], batch_size=10, epochs=2, callbacks=[scorer], verbose=0)
    assert [r["epoch"] for r in scorer.rows] == [3, 4]
    assert [s["step"] for s in scorer.steps] == list(range(9, 17))    # 4 batches per epoch, 2 epochs before
    assert scorer.row(4)["run"] == "tiny" and scorer.row(4)["d_loss"] == pytest.approx(1.0)
    assert set(scorer.generator_weights) == set(scorer.discriminator_weights) == {3, 4}
    assert scorer.rows[0]["diversity ratio"] == pytest.approx(0.0, abs=1e-6)   # the same image every time


# ------------------------------------------------------------------ figures
def test_figures_have_titles_and_labels():
    x, y = _tiny_data(60)
    canvas, classes = generative.mosaic(x, y, per_row=3)
    assert classes == list(range(10)) and canvas.shape == (10 * 30 - 2, 3 * 30 - 2)
    np.testing.assert_array_equal(canvas[30:58, 30:58], x[np.flatnonzero(y == 1)[1]].reshape(28, 28))
    fig = generative.show_samples(x, y, per_row=3)
    assert fig.axes[0].get_title() and fig.axes[0].get_xlabel()
    p = np.eye(10)[y]
    fig = generative.show_per_class(p, y)
    assert fig.axes[0].get_ylabel() and fig.axes[0].get_xlabel()

    class Run:
        name = "run"
        steps = [{"step": 1, "d_loss": 1.0, "g_loss": 2.0}, {"step": 2, "d_loss": 0.9, "g_loss": 1.8}]
        rows = [{"epoch": 1, "conditional accuracy": 0.5, "diversity ratio": 0.8, "Fréchet distance": 10.0}]

    fig = generative.show_training([Run()])
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


# ------------------------------------------------------------------ self-checks
def test_references_pass_their_own_checks():
    assert check.conditional_accuracy_function(generative.argmax_accuracy) is True
    assert check.conditioning_input(check._with_label) is True
    assert check.gan_losses(check._discriminator_loss, check._generator_loss) is True


def test_the_mean_of_the_two_discriminator_terms_is_accepted_too():
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    def halved(real_logits, fake_logits):
        return (bce(keras.ops.ones_like(real_logits), real_logits)
                + bce(keras.ops.zeros_like(fake_logits), fake_logits)) / 2

    assert check.gan_losses(halved, check._generator_loss) is True


def test_yours_or_reference(capsys):
    def not_written(*args):
        raise NotImplementedError

    assert check.yours_or_reference(not_written, exercise=1) is generative.argmax_accuracy
    assert "Exercise 1 is not solved yet" in capsys.readouterr().out
    mine = lambda p, y: float(np.mean(np.argmax(p, axis=1) == y))  # noqa: E731
    assert check.yours_or_reference(mine, exercise=1) is mine
    assert "Exercise 1 solved: the cells below use your" in capsys.readouterr().out
    d, g = check.yours_or_reference(not_written, not_written, exercise=3)
    assert (d, g) == (check._discriminator_loss, check._generator_loss)
    assert check.yours_or_reference(not_written, exercise=2) is check._with_label
