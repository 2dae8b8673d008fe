"""Figures for the CFD notebooks: flow fields, samples, predictions, training curves.

Every figure is titled and every axis labelled; images are drawn with the
inlet on the left and the channel's first row at the bottom.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["show_fields", "show_history", "show_sample", "show_snapshots"]

_IMAGE = dict(origin="lower", interpolation="nearest")


def _speed(vx: np.ndarray, vy: np.ndarray) -> np.ndarray:
    return np.sqrt(vx * vx + vy * vy)


def _solid_overlay(ax, mask: np.ndarray) -> None:
    ax.imshow(np.ma.masked_where(~mask, mask), cmap="Greys", vmin=0, vmax=1.5, alpha=0.9, **_IMAGE)


def _label(ax, title: str, xlabel: str = "x (cells, flow to the right)") -> None:
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("y (cells)")


def show_snapshots(snapshots: Sequence[tuple[int, np.ndarray, np.ndarray]], mask: np.ndarray, title: str):
    """Speed after each of a few step counts: ``snapshots`` holds ``(step, vx, vy)``."""
    top = max(float(_speed(vx, vy).max()) for _, vx, vy in snapshots)
    cols = min(len(snapshots), 3)
    rows = -(-len(snapshots) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.0 * rows + 0.8), squeeze=False, layout="constrained")
    for ax, (step, vx, vy) in zip(axes.flat, snapshots):
        im = ax.imshow(_speed(vx, vy), cmap="viridis", vmin=0, vmax=top, **_IMAGE)
        _solid_overlay(ax, mask)
        _label(ax, f"after {step} steps")
    for ax in axes.flat[len(snapshots):]:
        ax.axis("off")
    fig.colorbar(im, ax=axes, label="speed |u| (lattice units)", shrink=0.8)
    fig.suptitle(title)
    return fig


def show_sample(mask: np.ndarray, sdf: np.ndarray, vx: np.ndarray, vy: np.ndarray, title: str):
    """One sample: the mask, its signed distance, and the speed with streamlines."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 2.9), layout="constrained")
    axes[0].imshow(mask, cmap="Greys", **_IMAGE)
    _label(axes[0], "input 1: binary mask (black = solid)")
    limit = float(np.abs(sdf).max())
    im = axes[1].imshow(sdf, cmap="RdBu_r", vmin=-limit, vmax=limit, **_IMAGE)
    axes[1].contour(sdf, levels=[0], colors="k", linewidths=1)
    fig.colorbar(im, ax=axes[1], label="distance (cells)", shrink=0.9)
    _label(axes[1], "input 2: signed distance (< 0 inside)")
    im = axes[2].imshow(_speed(vx, vy), cmap="viridis", **_IMAGE)
    ny, nx = mask.shape
    y, x = np.mgrid[:ny, :nx]
    axes[2].streamplot(x, y, vx, vy, color="w", density=1.0, linewidth=0.6, arrowsize=0.6)
    _solid_overlay(axes[2], mask)
    axes[2].set_xlim(-0.5, nx - 0.5)
    axes[2].set_ylim(-0.5, ny - 0.5)
    fig.colorbar(im, ax=axes[2], label="speed (lattice units)", shrink=0.9)
    _label(axes[2], "output: speed and streamlines")
    fig.suptitle(title)
    return fig


def show_fields(mask: np.ndarray, true: np.ndarray, predicted: Mapping[str, np.ndarray], title: str):
    """Solver field and each model's prediction (``(ny, nx, 2)`` arrays), with the errors.

    Row 1: speed from the solver and from each model; row 2: the size of the
    error vector ``|u_model - u_solver|`` on one shared colour scale.
    """
    names = list(predicted)
    cols = len(names) + 1
    fig, axes = plt.subplots(2, cols, figsize=(4.2 * cols, 5.4), squeeze=False, layout="constrained")
    top = float(_speed(true[..., 0], true[..., 1]).max())
    errors = {n: _speed(*(predicted[n] - true).transpose(2, 0, 1)) for n in names}
    worst = max(float(e.max()) for e in errors.values())
    im = axes[0, 0].imshow(_speed(true[..., 0], true[..., 1]), cmap="viridis", vmin=0, vmax=top, **_IMAGE)
    _solid_overlay(axes[0, 0], mask)
    _label(axes[0, 0], "solver", "x (cells)")
    axes[1, 0].axis("off")
    for j, name in enumerate(names, start=1):
        p = predicted[name]
        axes[0, j].imshow(_speed(p[..., 0], p[..., 1]), cmap="viridis", vmin=0, vmax=top, **_IMAGE)
        _solid_overlay(axes[0, j], mask)
        _label(axes[0, j], name, "x (cells)")
        rel = np.linalg.norm(p - true) / np.linalg.norm(true)
        err = axes[1, j].imshow(errors[name], cmap="magma", vmin=0, vmax=worst, **_IMAGE)
        _solid_overlay(axes[1, j], mask)
        _label(axes[1, j], f"{name}: error (relative L2 {rel:.1%})", "x (cells)")
    fig.colorbar(im, ax=axes[0, :], label="speed / u_max", shrink=0.8)
    fig.colorbar(err, ax=axes[1, 1:], label="|error| / u_max", shrink=0.8)
    fig.suptitle(title)
    return fig


def show_history(histories: Mapping[str, Mapping[str, Sequence[float]]], title: str, key: str = "val_loss"):
    """Loss curves (``History.history`` dictionaries) on a log scale, one line per model."""
    fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    for name, history in histories.items():
        line, = ax.plot(np.arange(1, len(history["loss"]) + 1), history["loss"], "--", alpha=0.6)
        if key in history:
            ax.plot(np.arange(1, len(history[key]) + 1), history[key], color=line.get_color(), label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean squared error (velocity / u_max)²")
    ax.set_title(f"{title}\n(solid: validation, dashed: training)")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    return fig
