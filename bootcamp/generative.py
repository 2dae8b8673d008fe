"""Plumbing for lesson 08_generative: the data, the judging classifier, the scores, the figures.

A generative model is judged here by numbers, not by looking at pictures
alone. A classifier trained on *real* images (the **judge**, stored in the
model store so that a re-run loads it) looks at generated images, and four
scores come out of what it sees (:func:`scores`):

* **conditional accuracy**: of the items generated for class c, the share
  the judge calls c (the lesson's learner writes this one);
* **class coverage**: the entropy of the histogram of the judge's predicted
  classes, divided by its largest possible value, log(10): 1 when every
  class is generated equally often, 0 when one class takes everything;
* **diversity ratio**: the mean distance between two generated items of the
  same class, in the judge's feature space, divided by the same distance
  between two real items of that class, averaged over the classes: about 1
  when the generator varies as much as the data, near 0 when it collapses
  to a few outputs (noise can push it above 1);
* **Fréchet distance** between the judge's features of generated and of
  real items: the distance between two Gaussians fitted to them (the idea of
  the FID score, which uses an Inception network; here the judge's own
  features): 0 for identical statistics, larger for worse.

The GAN itself (networks, losses, the training step) stays in the notebook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
N_CLASSES = len(CLASS_NAMES)
PIXELS = 28 * 28
JUDGE = "fashion-judge"
JUDGE_WHAT = "the judging classifier (dense, real Fashion-MNIST)"
JUDGE_SEED = 7


# ------------------------------------------------------------------ data
def prepare(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST images (uint8, n x 28 x 28) as flat float32 vectors in [-1, 1]
    (the range of the generator's tanh output), labels as int32."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected images of shape (n, 28, 28), got {images.shape}")
    x = images.reshape(len(images), PIXELS).astype("float32") / 127.5 - 1.0
    return x, np.asarray(labels, dtype="int32")


def balanced_labels(per_class: int) -> np.ndarray:
    """``per_class`` copies of every class label, in class order: 0, 0, ..., 1, 1, ..."""
    return np.repeat(np.arange(N_CLASSES, dtype="int32"), per_class)


# ------------------------------------------------------------------ the judge
def judge_settings() -> dict:
    """The judge's width and epochs for the run mode."""
    from bootcamp.config import choose

    return {"units": 128, "epochs": choose(full=10, quick=5), "batch_size": 64}


def make_judge(units: int = 128):
    """A dense classifier of flat images; its hidden layer, named ``features``, gives the
    feature space of the diversity ratio and the Fréchet distance."""
    return keras.Sequential([
        keras.Input(shape=(PIXELS,)),
        keras.layers.Dense(units, activation="relu", name="features"),
        keras.layers.Dense(N_CLASSES, activation="softmax", name="classes"),
    ], name="judge")


def train_judge(x_train, y_train, x_val, y_val):
    """Train the judge from a fixed seed on real images; returns ``(model, metrics)``."""
    config = judge_settings()
    keras.utils.set_random_seed(JUDGE_SEED)
    model = make_judge(config["units"])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=config["epochs"], batch_size=config["batch_size"], verbose=0)
    accuracy = float(model.evaluate(x_val, y_val, verbose=0)[1])
    return model, {"validation accuracy": accuracy}


def load_or_train_judge(x_train, y_train, x_val, y_val, *, notebook: str = "08_generative"):
    """The judge from the model store, or trained now and stored; returns ``(Judge, validation accuracy)``.

    The store's key holds the data, the settings and this code, so a change
    to any of them trains a fresh judge instead of loading a stale one."""
    from bootcamp import saved

    spec = {"data": saved.fingerprint(x_train, y_train, x_val, y_val), "seed": JUDGE_SEED, **judge_settings()}
    model, record = saved.load_or_train(JUDGE, spec=spec, code=(make_judge, train_judge, judge_settings, prepare),
                                        build_and_train=lambda: train_judge(x_train, y_train, x_val, y_val),
                                        notebook=notebook, what=JUDGE_WHAT)
    judge = Judge(model)
    return judge, judge.accuracy(x_val, y_val)


class Judge:
    """A trained classifier used as a measuring instrument: class probabilities and features."""

    def __init__(self, model):
        self.model = model
        self.feature_model = keras.Model(model.inputs, model.get_layer("features").output)

    def probabilities(self, images) -> np.ndarray:
        return np.asarray(self.model.predict(np.asarray(images, dtype="float32"), batch_size=1000, verbose=0))

    def features(self, images) -> np.ndarray:
        return np.asarray(self.feature_model.predict(np.asarray(images, dtype="float32"), batch_size=1000,
                                                     verbose=0), dtype="float64")

    def accuracy(self, images, labels) -> float:
        return float(np.mean(self.probabilities(images).argmax(axis=1) == np.asarray(labels)))


# ------------------------------------------------------------------ scores
def class_coverage(predicted: np.ndarray, n_classes: int = N_CLASSES) -> float:
    """Entropy of the histogram of predicted classes over log(n_classes): 1 = all classes equally often."""
    counts = np.bincount(np.asarray(predicted, dtype=int).ravel(), minlength=n_classes).astype(float)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum() / np.log(n_classes))


def mean_pairwise_distance(features: np.ndarray) -> float:
    """Mean Euclidean distance over all pairs of rows (each pair once)."""
    f = np.asarray(features, dtype="float64")
    if len(f) < 2:
        raise ValueError("need at least two items to measure a spread")
    squared = (f * f).sum(axis=1)
    d2 = np.maximum(squared[:, None] + squared[None, :] - 2.0 * f @ f.T, 0.0)
    upper = np.triu_indices(len(f), k=1)
    return float(np.sqrt(d2[upper]).mean())


def diversity_ratio(features, labels, real_features, real_labels) -> float:
    """Within-class spread of generated features over that of real features, averaged over classes."""
    labels, real_labels = np.asarray(labels), np.asarray(real_labels)
    ratios = [mean_pairwise_distance(features[labels == c]) / mean_pairwise_distance(real_features[real_labels == c])
              for c in np.unique(labels)]
    return float(np.mean(ratios))


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to the rows of ``a`` and ``b``:
    |mu_a - mu_b|^2 + trace(C_a + C_b - 2 (C_a C_b)^(1/2)).

    trace((C_a C_b)^(1/2)) is computed as the sum of the square roots of the
    eigenvalues of the symmetric matrix C_a^(1/2) C_b C_a^(1/2) (the same
    eigenvalues): stable when a covariance is singular, as it is for
    features of ReLU units that never fire."""
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(middle, 0.0, None)).sum()
    return float(max(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2.0 * trace_root, 0.0))


def argmax_accuracy(probabilities, labels) -> float:
    """The reference conditional accuracy (used by the tests and by the notebook until its exercise is done)."""
    return float(np.mean(np.asarray(probabilities).argmax(axis=1) == np.asarray(labels)))


def scores(judge: Judge, images, labels, real_images, real_labels,
           accuracy: Callable = argmax_accuracy) -> dict[str, float]:
    """The four scores of generated ``images`` asked for as ``labels``, against real images."""
    return _scores(judge, images, labels, judge.features(real_images), real_labels, accuracy)


def _scores(judge, images, labels, real_features, real_labels, accuracy):
    probabilities = judge.probabilities(images)
    features = judge.features(images)
    return {
        "conditional accuracy": float(accuracy(probabilities, labels)),
        "class coverage": class_coverage(probabilities.argmax(axis=1)),
        "diversity ratio": diversity_ratio(features, labels, real_features, real_labels),
        "Fréchet distance": frechet_distance(features, real_features),
    }


def real_reference(judge: Judge, images, labels, per_class: int, accuracy: Callable = argmax_accuracy):
    """The scores of real images against other real images: what a perfect generator would get.

    Two disjoint halves of ``images``, each with ``per_class`` items of every
    class: the first half plays the generated set, the second the reference.
    Returns ``(scores, (generated-like images, labels), (reference images, labels))``."""
    labels = np.asarray(labels)
    first, second = [], []
    for c in range(N_CLASSES):
        where = np.flatnonzero(labels == c)
        if len(where) < 2 * per_class:
            raise ValueError(f"class {c} has {len(where)} images; need {2 * per_class}")
        first.append(where[:per_class])
        second.append(where[per_class:2 * per_class])
    first, second = np.concatenate(first), np.concatenate(second)
    score = scores(judge, images[first], labels[first], images[second], labels[second], accuracy)
    return score, (images[first], labels[first]), (images[second], labels[second])


class EpochScores(keras.callbacks.Callback):
    """A Keras callback: after each epoch, generate a class-balanced set with ``generate(labels)``,
    score it against real validation images, and keep a copy of both networks' weights.

    One row per epoch (with the epoch's mean losses) in ``.rows``; the
    weights after epoch ``e`` in ``.generator_weights[e]`` and
    ``.discriminator_weights[e]`` (the model must have ``generator`` and
    ``discriminator`` attributes); the losses after every training batch
    (running means within the epoch) in ``.steps``. A run that continues
    another one from its epoch ``k`` passes ``first_epoch=k + 1``, so that
    its epochs and steps are counted on the same axis.
    """

    def __init__(self, judge: Judge, generate: Callable, real_images, real_labels, *, per_class: int = 100,
                 accuracy: Callable = argmax_accuracy, name: str = "run", first_epoch: int = 1,
                 verbose: bool = True):
        super().__init__()
        self.judge, self.generate = judge, generate
        self.real_images, self.real_labels = real_images, real_labels
        self.real_features = judge.features(real_images)
        self.labels = balanced_labels(per_class)
        self.accuracy, self.name, self.first_epoch, self.verbose = accuracy, name, first_epoch, verbose
        self.rows, self.steps, self.generator_weights, self.discriminator_weights = [], [], {}, {}
        self._first_step = 0

    def on_train_begin(self, logs=None):
        if not self.steps:
            self._first_step = (self.first_epoch - 1) * int(self.params.get("steps") or 0)

    def on_train_batch_end(self, batch, logs=None):
        step = self._first_step + len(self.steps) + 1
        self.steps.append({"step": step, **{k: float(v) for k, v in (logs or {}).items()}})

    def on_epoch_end(self, epoch, logs=None):
        number = self.first_epoch + len(self.rows)
        images = self.generate(self.labels)
        row = {"run": self.name, "epoch": number, **{k: float(v) for k, v in (logs or {}).items()},
               **_scores(self.judge, images, self.labels, self.real_features, self.real_labels, self.accuracy)}
        self.rows.append(row)
        self.generator_weights[number] = [w.copy() for w in self.model.generator.get_weights()]
        self.discriminator_weights[number] = [w.copy() for w in self.model.discriminator.get_weights()]
        if self.verbose:
            print(f"{self.name}, epoch {number:2d}: " + ", ".join(
                f"{k} {v:.3f}" for k, v in row.items() if k not in ("run", "epoch")))

    def row(self, epoch: int) -> dict:
        """The scores after ``epoch``."""
        return next(r for r in self.rows if r["epoch"] == epoch)


# ------------------------------------------------------------------ figures
def mosaic(images, labels, per_row: int = 8, gap: int = 2) -> tuple[np.ndarray, list[int]]:
    """One array holding ``per_row`` images of each class present in ``labels``, one class per row,
    separated by ``gap`` background pixels; returns it with the classes of its rows."""
    images, labels = np.asarray(images), np.asarray(labels)
    classes = [c for c in range(N_CLASSES) if np.any(labels == c)]
    cell = 28 + gap
    canvas = np.full((len(classes) * cell - gap, per_row * cell - gap), -1.0, dtype="float32")
    for row, c in enumerate(classes):
        for k, index in enumerate(np.flatnonzero(labels == c)[:per_row]):
            canvas[row * cell:row * cell + 28, k * cell:k * cell + 28] = images[index].reshape(28, 28)
    return canvas, classes


def show_samples(images, labels, *, per_row: int = 8, title: str = "Generated items, one row per class",
                 xlabel: str = "sample", size: float = 0.8):
    """A grid of flat [-1, 1] images, one row per class present in ``labels`` (class names on the left).

    Drawn as one picture (a single ``imshow``), which is much faster than one
    panel per image."""
    import matplotlib.pyplot as plt

    canvas, classes = mosaic(images, labels, per_row)
    fig, ax = plt.subplots(figsize=(size * per_row + 1.6, size * len(classes) + 0.6), layout="constrained")
    ax.imshow(canvas, cmap="gray_r", vmin=-1, vmax=1, interpolation="nearest")
    ax.set_yticks([r * 30 + 14 for r in range(len(classes))], [CLASS_NAMES[c] for c in classes])
    ax.set_xticks([k * 30 + 14 for k in range(per_row)], [str(k + 1) for k in range(per_row)])
    ax.tick_params(length=0)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    return fig


def show_training(runs: Sequence, *, title: str = "GAN training, scored on validation images after every epoch"):
    """Losses per training step and scores per epoch of one or more runs (EpochScores callbacks)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(17, 3.6), layout="constrained")
    for k, run in enumerate(runs):
        colour = f"C{k}"
        steps = [s["step"] for s in run.steps]
        for loss, style in (("d_loss", "-"), ("g_loss", "--")):
            axes[0].plot(steps, [s[loss] for s in run.steps], style, color=colour,
                         label=f"{run.name}: {'discriminator' if loss == 'd_loss' else 'generator'}")
        epochs = [r["epoch"] for r in run.rows]
        for ax, score in zip(axes[1:], ("conditional accuracy", "diversity ratio", "Fréchet distance")):
            ax.plot(epochs, [r[score] for r in run.rows], "o-", color=colour, label=run.name)
    axes[0].set(title="losses (running mean within each epoch)", xlabel="training step", ylabel="binary cross-entropy")
    axes[0].legend(fontsize=7)
    for ax, score, better in zip(axes[1:], ("conditional accuracy", "diversity ratio", "Fréchet distance"),
                                 ("higher is better", "1 = as varied as real items", "lower is better")):
        ax.set(title=f"{score} ({better})", xlabel="epoch", ylabel=score)
        ax.legend(fontsize=7)
    fig.suptitle(title)
    return fig


def show_per_class(probabilities, labels, *, real=None,
                   title: str = "Conditional accuracy per class"):
    """Bar chart: for each requested class, the share of generated items the judge calls that class.

    ``real=(probabilities, labels)`` of real images adds the judge's own
    accuracy on each class as a marker: where the bar is far below the marker,
    the generator is at fault; where both are low, the judge is."""
    import matplotlib.pyplot as plt

    def shares(p, y):
        predicted, y = np.asarray(p).argmax(axis=1), np.asarray(y)
        return [float(np.mean(predicted[y == c] == c)) if np.any(y == c) else np.nan for c in range(N_CLASSES)]

    fig, ax = plt.subplots(figsize=(9, 3.4), layout="constrained")
    ax.bar(range(N_CLASSES), shares(probabilities, labels), color="C0", label="generated items")
    if real is not None:
        ax.plot(range(N_CLASSES), shares(*real), "D", color="C3", label="real images (the judge's own accuracy)")
    ax.axhline(1 / N_CLASSES, color="grey", linestyle=":", label="chance (1 in 10)")
    ax.set_xticks(range(N_CLASSES), CLASS_NAMES, rotation=30, ha="right")
    ax.set(ylim=(0, 1.05), ylabel="share called the requested class", xlabel="requested class", title=title)
    ax.legend(fontsize=8, loc="lower left")
    return fig
