"""How the cyclone lessons, and the competition, score a classifier.

One function, :func:`score`, used for every number the lessons report:

* **top-1**: the fraction of frames whose most probable class is the true one;
* **top-2**: ... whose true class is among the two most probable (neighbouring
  classes are easy to confuse, and a forecaster may accept either);
* **RMSE (kt)**: each prediction turned into a wind speed, the class centre
  :data:`CLASS_CENTRE_KT` of the predicted class, compared with the
  best-track wind interpolated to the frame time. A perfect classifier still
  scores a few knots, since a class spans a range of winds.

The competition ranks entries by top-1 on the held-out storms, ties broken
by the lower RMSE (:func:`rank_key`).
"""

from __future__ import annotations

import numpy as np

from bootcamp.data.hurdat2 import CLASSES

N_CLASSES = len(CLASSES)
# the wind (kt) a predicted class stands for: the middle of its range; the
# open-ended classes take typical values (NC 15 kt, H5 150 kt)
CLASS_CENTRE_KT = np.array([15.0, 27.0, 48.5, 73.0, 89.0, 104.0, 124.5, 150.0])


def _probabilities(probabilities) -> np.ndarray:
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 2 or p.shape[1] != N_CLASSES:
        raise ValueError(f"probabilities must have shape (n_frames, {N_CLASSES}), got {p.shape}")
    return p


def top_k_accuracy(probabilities, labels, k: int = 1) -> float:
    """Fraction of frames whose true class is among the ``k`` highest scores."""
    p = _probabilities(probabilities)
    labels = np.asarray(labels)
    if len(labels) != len(p):
        raise ValueError(f"{len(p)} predictions for {len(labels)} labels")
    # a stable sort on the negated scores: ties go to the lower class index, as argmax does
    top = np.argsort(-p, axis=1, kind="stable")[:, :k]
    return float(np.mean(np.any(top == labels[:, None], axis=1)))


def class_to_wind(classes) -> np.ndarray:
    """The class-centre wind (kt) of each class index."""
    return CLASS_CENTRE_KT[np.asarray(classes, dtype=int)]


def rmse_kt(predicted_classes, wind_kt) -> float:
    """Root-mean-square error (kt) between class-centre winds and best-track winds."""
    error = class_to_wind(predicted_classes) - np.asarray(wind_kt, dtype=float)
    return float(np.sqrt(np.mean(error ** 2)))


def confusion(labels, predicted, n_classes: int = N_CLASSES) -> np.ndarray:
    """Counts: row = true class, column = predicted class."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels, int), np.asarray(predicted, int)), 1)
    return counts


def per_class_recall(labels, predicted, n_classes: int = N_CLASSES) -> np.ndarray:
    """Recall of each class (NaN for a class absent from ``labels``)."""
    counts = confusion(labels, predicted, n_classes)
    total = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.diag(counts) / np.maximum(total, 1), np.nan)


def score(probabilities, labels, wind_kt) -> dict[str, float]:
    """The lessons' one scoring function: top-1, top-2, RMSE (kt) and the
    mean per-class recall ("balanced accuracy", which a majority guess cannot game)."""
    p = _probabilities(probabilities)
    predicted = p.argmax(axis=1)
    return {"top1": top_k_accuracy(p, labels, 1), "top2": top_k_accuracy(p, labels, 2),
            "rmse_kt": rmse_kt(predicted, wind_kt),
            "balanced": float(np.nanmean(per_class_recall(labels, predicted)))}


def constant_probabilities(train_labels, n_frames: int) -> np.ndarray:
    """A "model" that ignores the image and always answers with the training
    class frequencies: its top-1 is the majority-class baseline."""
    frequencies = np.bincount(np.asarray(train_labels, int), minlength=N_CLASSES) / len(train_labels)
    return np.tile(frequencies, (n_frames, 1))


def rank_key(scores: dict[str, float]) -> tuple[float, float]:
    """Sort key for the leaderboard: higher top-1 first, then lower RMSE."""
    return (-scores["top1"], scores["rmse_kt"])
