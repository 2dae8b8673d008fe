"""Plot helpers for the image lessons (03 and 04): grids of images, filter
responses, and a side-by-side comparison of trained models.

They keep figure boilerplate out of the notebooks; what a lesson teaches
(the data, the model, the numbers) stays in the notebook itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np


def image_grid(images: Sequence[np.ndarray], titles: Sequence[str] | None = None, *, ncols: int = 8,
               title: str | None = None, cmap: str = "gray_r", size: float = 1.3, fontsize: int = 8):
    """Show images in a grid, each with an optional title; returns the figure.

    Grey images use ``gray_r`` by default (ink dark on white, as the digits
    were written); colour images (H x W x 3, RGB order) are shown as they are.
    """
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    lines = max((str(t).count("\n") + 1 for t in titles), default=0) if titles is not None else 0
    row_height = size + lines * fontsize / 72 * 1.4 + 0.1          # room for the titles, in inches
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, row_height * nrows + (0.4 if title else 0)),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        image = np.asarray(images[i])
        ax.imshow(image, cmap=None if image.ndim == 3 else cmap)
        if titles is not None:
            ax.set_title(titles[i], fontsize=fontsize)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def filter_panels(panels: Sequence[tuple[str, np.ndarray]], *, signed: Sequence[str] = (),
                  title: str | None = None, size: float = 4.0):
    """Show images side by side: the photograph, then filter responses.

    Panels whose title is in ``signed`` hold positive and negative values
    (a Sobel derivative): they get a blue-white-red scale centred on zero, so
    that white means "no change", clipped at the 99th percentile of the
    magnitude so that a few extreme pixels do not wash out the rest. Other
    2-D panels use a grey scale; RGB panels are shown as they are.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(size * len(panels), size * 0.75), squeeze=False)
    for ax, (name, image) in zip(axes[0], panels):
        image = np.asarray(image)
        if image.ndim == 3:
            shown = ax.imshow(image)
        elif name in signed:
            limit = float(np.percentile(np.abs(image), 99)) or 1.0
            shown = ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        else:
            shown = ax.imshow(image, cmap="gray")
        if image.ndim == 2:
            fig.colorbar(shown, ax=ax, fraction=0.035, pad=0.02)
        ax.set_title(name, fontsize=10)
        ax.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def compare_models(results: Mapping[str, Mapping[str, float]], metrics: Mapping[str, str], *,
                   title: str | None = None, size: float = 4.2):
    """One bar panel per metric, one bar per model, values written on the bars.

    ``results`` maps a model name to its measured values; ``metrics`` maps a
    key of those values to the axis label shown for it.
    """
    names = list(results)
    fig, axes = plt.subplots(1, len(metrics), figsize=(size * len(metrics), 3.6), squeeze=False)
    for ax, (key, label) in zip(axes[0], metrics.items()):
        values = [float(results[name][key]) for name in names]
        bars = ax.bar(range(len(names)), values, color=[f"C{i}" for i in range(len(names))])
        ax.bar_label(bars, labels=[f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}" for v in values], fontsize=8)
        ax.set_xticks(range(len(names)), names, rotation=20, ha="right", fontsize=9)
        ax.set_ylabel(label)
        ax.margins(y=0.15)
        ax.ticklabel_format(axis="y", style="plain", useOffset=False)
        if key.endswith("accuracy"):
            low = min(values)
            ax.set_ylim(max(0.0, low - 2 * (1 - low)), 1.0)   # zoom in: differences are small
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
