"""Plot helpers, so notebook cells show the learning code, not the styling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def loss_curves(histories: Mapping[str, Mapping[str, Sequence[float]]], *, title: str = "Loss curves",
                ylabel: str = "mean squared error", ax=None):
    """Training (solid) and validation (dashed) loss per epoch, log scale.

    ``histories`` maps a run name to a Keras ``History.history`` dict.
    Loss spans orders of magnitude while a model learns, so a log axis shows
    the late, slow progress that a linear axis flattens to zero.
    """
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    for i, (name, hist) in enumerate(histories.items()):
        colour = f"C{i % 10}"
        epochs = np.arange(1, len(hist["loss"]) + 1)
        ax.semilogy(epochs, hist["loss"], color=colour, label=f"{name}: training")
        if "val_loss" in hist:
            ax.semilogy(epochs, hist["val_loss"], color=colour, linestyle="--", label=f"{name}: validation")
    ax.set(xlabel="epoch", ylabel=f"{ylabel} (log scale)", title=title)
    ax.legend(fontsize="small")
    ax.grid(True, which="both", alpha=0.3)
    return ax


def fit_plot(x_points, y_points, curves: Mapping[str, tuple], *, title: str, xlabel: str = "x",
             ylabel: str = "y", points_label: str = "data", ax=None):
    """Scatter the data and draw one line per fitted model.

    ``curves`` maps a label to ``(x_line, y_line)``.
    """
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    ax.scatter(np.ravel(x_points), np.ravel(y_points), s=12, color="0.4", label=points_label, zorder=3)
    for label, (x_line, y_line) in curves.items():
        ax.plot(np.ravel(x_line), np.ravel(y_line), linewidth=2, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.legend(fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax
