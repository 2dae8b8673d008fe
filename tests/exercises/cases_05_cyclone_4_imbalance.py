"""Exercise cases of 05_cyclone_4_imbalance (see test_exercises.py).

Stand-in training labels: six of the eight classes, very unevenly spread
(classes 0 and 7 absent, so that "k" is not 8).
"""

from types import SimpleNamespace

import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import cyclone


def training_labels():
    labels = np.repeat([1, 2, 3, 4, 5, 6], [60, 300, 50, 20, 12, 8])
    labels = labels[np.random.default_rng(0).permutation(len(labels))]
    return {"np": np, "cyclone": cyclone, "train": SimpleNamespace(labels=labels),
            "train_counts": np.bincount(labels, minlength=8), "rng": np.random.default_rng(0)}


CASES = {
    1: Case(context=training_labels, wrongs=[
        ("class_weight = {int(c): train_counts[c] / train_counts.sum() for c in np.flatnonzero(train_counts)}",
         r"frequencies"),
        ("class_weight = {int(c): 1 / train_counts[c] for c in np.flatnonzero(train_counts)}", r"average"),
        ("class_weight = {int(c): train_counts.sum() / (8 * train_counts[c]) for c in np.flatnonzero(train_counts)}",
         r"classes present"),
        ("class_weight = {int(c): np.sqrt(train_counts.max() / train_counts[c])\n"
         "                for c in np.flatnonzero(train_counts)}", r"same total weight"),
    ]),
    2: Case(context=training_labels, wrongs=[
        ("balanced_index = rng.choice(len(train.labels), len(train.labels))", r"same number"),
        ("balanced_index = np.concatenate([rng.choice(np.flatnonzero(train.labels == c), len(train.labels) // 8)\n"
         "                                 for c in np.flatnonzero(train_counts)])", r"as many frames"),
        ("balanced_index = np.concatenate([rng.choice(np.flatnonzero(train.labels == c), 50)\n"
         "                                 for c in range(8) if train_counts[c]]) + 10", r"training frames only"),
    ]),
}
