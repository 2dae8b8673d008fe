"""Exercise cases of 03_mnist_dense (see test_exercises.py)."""

import numpy as np
from exercise_case import Case

from bootcamp.dev.exercises import cell_defining
from bootcamp.selfcheck import mnist_dense

STEM = "03_mnist_dense"


def plain():
    return {"np": np, "mnist_dense": mnist_dense}


def validation_outputs():
    """Peaked probabilities for 300 images, with some confident mistakes, and their labels."""
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.full(10, 0.15), size=300).astype("float32")
    labels = probabilities.argmax(axis=1)
    flip = rng.random(300) < 0.3                          # three images in ten are mistakes
    labels[flip] = (labels[flip] + rng.integers(1, 10, flip.sum())) % 10
    return {**plain(), "val_probabilities": probabilities, "y_val": labels}


def networks():
    import keras

    namespace = {**plain(), "keras": keras}
    exec(cell_defining(STEM, "make_mlp"), namespace)        # the notebook's own make_mlp and baseline mlp
    return namespace


CASES = {
    1: Case(context=plain, wrongs=[
        ("def mean_cross_entropy(logits, labels):\n"          # the textbook formula, no shift
         "    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)\n"
         "    return -np.mean(np.log(p[np.arange(len(labels)), labels]))", r"overflows"),
        ("def mean_cross_entropy(logits, labels):\n"          # shifted, but the log of a rounded probability
         "    e = np.exp(logits - logits.max(axis=1, keepdims=True))\n"
         "    p = e / e.sum(axis=1, keepdims=True)\n"
         "    return -np.mean(np.log(p[np.arange(len(labels)), labels]))", r"rounded to 0"),
        ("def mean_cross_entropy(logits, labels):\n"          # one loss per image, no mean
         "    z = logits - logits.max(axis=1, keepdims=True)\n"
         "    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\n"
         "    return -log_p[np.arange(len(labels)), labels]", r"mean over the images"),
        ("def mean_cross_entropy(logits, labels):\n"          # picks every label's column for every row
         "    z = logits - logits.max(axis=1, keepdims=True)\n"
         "    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\n"
         "    return -np.mean(log_p[:, labels])", r"its own label"),
        ("def mean_cross_entropy(logits, labels):\n"          # log base 10
         "    z = logits - logits.max(axis=1, keepdims=True)\n"
         "    log_p = (z - np.log(np.exp(z).sum(axis=1, keepdims=True))) / np.log(10)\n"
         "    return -np.mean(log_p[np.arange(len(labels)), labels])", r"log base 10"),
    ]),
    2: Case(context=plain, wrongs=[
        ("def count_parameters(n_inputs, hidden, n_classes=10):\n"     # weights only
         "    sizes = [n_inputs, *hidden, n_classes]\n"
         "    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))", r"biases"),
        ("def count_parameters(n_inputs, hidden, n_classes=10):\n"     # forgets the output layer
         "    sizes = [n_inputs, *hidden]\n"
         "    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))", r"output layer"),
        ("def count_parameters(n_inputs, hidden, n_classes=10):\n"     # every layer fed by the image
         "    return sum(n_inputs * u + u for u in [*hidden, n_classes])", r"layer before"),
    ]),
    3: Case(context=validation_outputs, wrongs=[
        ("confident_wrong = np.mean(val_probabilities.max(axis=1) > 0.9)", r"right or wrong"),
        ("confident_wrong = np.sum((val_probabilities.argmax(axis=1) != y_val)"
         " & (val_probabilities.max(axis=1) > 0.9))", r"fraction"),
        ("confident_wrong = np.mean((np.argmax(val_probabilities) != y_val)"
         " & (val_probabilities.max(axis=1) > 0.9))", r"axis=1"),
        ("confident_wrong = np.mean((val_probabilities.argmax(axis=1) != y_val)"
         " & (val_probabilities[np.arange(len(y_val)), y_val] > 0.9))", r"own \(wrong\) answer"),
    ]),
    4: Case(context=networks, wrongs=[
        ("my_mlp = make_mlp((64, 64, 64))", r"more than the baseline.*narrower"),
        ("my_mlp = make_mlp((60, 60))", r"2 hidden Dense layers.*3 asked"),
        ("my_mlp = make_mlp((40, 60, 80))", r"same width"),
    ]),
}
