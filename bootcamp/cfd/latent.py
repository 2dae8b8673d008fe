"""Plumbing for the autoencoder notebook (08_autoencoders): measures and figures of compressed flows.

The networks, the training and the loss terms are written in the notebook;
this module holds what is not the lesson:

* reference versions of the three exercises (:func:`pca_reconstruct`,
  :func:`reparameterise`, :func:`kl_divergence`), which the notebook uses
  until the learner's own pass their self-checks;
* :func:`apply`: a model's output on a few arrays, without ``predict``'s
  start-up cost;
* measures: :func:`zero_solid` (the velocity inside the obstacle is zero, by
  definition), :func:`obstacle_features` (height, length, position and area
  of each obstacle), :func:`nearest_neighbour_accuracy` (does a latent space
  keep the shape families apart?), :func:`flux_spread` (how far a field is
  from carrying the same flux through every column, as a real flow does) and
  :func:`nearest_distance` (how far a generated field is from every
  training field);
* figures, every axis labelled: :func:`show_error_curve`,
  :func:`show_latent`, :func:`show_samples` and :func:`show_tradeoff`.

Fields are ``(n, ny, nx, 2)`` arrays of ``(vx, vy) / u_max``, as
``FlowSplit.targets()`` gives them; masks are ``(n, ny, nx)``, True in the solid.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np

__all__ = [
    "apply",
    "flux_spread",
    "kl_divergence",
    "nearest_distance",
    "nearest_neighbour_accuracy",
    "obstacle_features",
    "pca_fit",
    "pca_reconstruct",
    "reparameterise",
    "show_error_curve",
    "show_latent",
    "show_samples",
    "show_tradeoff",
    "zero_solid",
]

_IMAGE = dict(origin="lower", interpolation="nearest")


# ----------------------------------------------------------------------------- reference answers


def pca_fit(x_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(mean, components)`` of the flattened samples of ``x_train`` (reference for exercise 1).

    ``mean`` is the mean training sample, flattened; ``components`` holds
    every row of ``Vt`` from the SVD of the centred training matrix, the
    directions of largest variation first. One SVD serves every ``k``.
    """
    train = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    mean = train.mean(axis=0)
    _, _, vt = np.linalg.svd(train - mean, full_matrices=False)
    return mean, vt


def pca_reconstruct(x: np.ndarray, mean: np.ndarray, components: np.ndarray, k: int) -> np.ndarray:
    """``x`` rebuilt from the first ``k`` of the ``components`` that :func:`pca_fit` returned, with
    its ``mean`` (reference for exercise 1): projected, mapped back, the mean added, ``x``'s shape.
    ``k = 0`` gives the training mean.
    """
    components = np.asarray(components)[:k]
    codes = (np.asarray(x, dtype=np.float64).reshape(len(x), -1) - mean) @ components.T
    return (codes @ components + mean).reshape(np.shape(x)).astype(np.asarray(x).dtype)


def reparameterise(z_mean, z_log_var, epsilon):
    """A draw from N(z_mean, exp(z_log_var)) made from standard normal noise (reference for exercise 2)."""
    import keras

    return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon


def kl_divergence(z_mean, z_log_var):
    """KL(N(z_mean, exp(z_log_var)) || N(0, 1)) of each sample, summed over the latent axis
    (reference for exercise 3)."""
    import keras

    ops = keras.ops
    return 0.5 * ops.sum(ops.exp(z_log_var) + ops.square(z_mean) - 1.0 - z_log_var, axis=-1)


# ----------------------------------------------------------------------------- measures


def apply(model, x, batch_size: int = 256) -> np.ndarray:
    """``model(x)`` as a NumPy array, called directly in batches of ``batch_size``.

    For the few small arrays a notebook scores, a direct call is quicker
    than ``model.predict``, which first builds a compiled function (seconds
    on a CPU). A model with several outputs gives a list of arrays.
    """
    import keras

    parts = [model(x[i:i + batch_size], training=False) for i in range(0, len(x), batch_size)]
    if isinstance(parts[0], (list, tuple)):
        return [np.concatenate([keras.ops.convert_to_numpy(p[j]) for p in parts]) for j in range(len(parts[0]))]
    return np.concatenate([keras.ops.convert_to_numpy(p) for p in parts])


def zero_solid(fields: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``fields`` with both velocity components set to zero in every solid cell."""
    fields = np.asarray(fields)
    mask = np.asarray(mask, dtype=bool)
    if fields.shape[:-1] != mask.shape or fields.shape[-1] != 2:
        raise ValueError(f"fields {fields.shape} do not match masks {mask.shape} (expected (n, ny, nx, 2) "
                         "and (n, ny, nx))")
    return np.where(mask[..., None], 0, fields).astype(fields.dtype)


def obstacle_features(mask: np.ndarray) -> dict[str, np.ndarray]:
    """Simple numbers that describe each obstacle, in cells: ``(n,)`` arrays by name.

    ``height``: rows the obstacle spans (its size across the flow);
    ``length``: columns it spans (along the flow); ``x centre`` and
    ``y centre``: its centroid; ``area``: its solid cells.
    """
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 3:
        raise ValueError(f"masks must be (n, ny, nx), not {mask.shape}")
    area = mask.sum(axis=(1, 2)).astype(float)
    if np.any(area == 0):
        raise ValueError("a mask has no solid cell")
    rows, cols = np.arange(mask.shape[1]), np.arange(mask.shape[2])
    return {
        "height": mask.any(axis=2).sum(axis=1).astype(float),
        "length": mask.any(axis=1).sum(axis=1).astype(float),
        "x centre": (mask.sum(axis=1) * cols).sum(axis=1) / area,
        "y centre": (mask.sum(axis=2) * rows).sum(axis=1) / area,
        "area": area,
    }


def nearest_neighbour_accuracy(z_train, labels_train, z_other, labels_other) -> float:
    """Share of ``z_other`` whose nearest ``z_train`` point (Euclidean) carries the same label."""
    z_train, z_other = np.asarray(z_train, dtype=float), np.asarray(z_other, dtype=float)
    distances = ((z_other[:, None, :] - z_train[None, :, :]) ** 2).sum(axis=-1)
    nearest = np.asarray(labels_train)[distances.argmin(axis=1)]
    return float(np.mean(nearest == np.asarray(labels_other)))


def flux_spread(fields: np.ndarray) -> np.ndarray:
    """How unevenly each field carries fluid through its columns, ``(n,)``: std / mean of the column flux.

    The column flux is ``sum over rows of vx``. In a steady flow through a
    channel with solid walls, every column carries the same flux (up to the
    small density changes of the lattice-Boltzmann solver), so the spread of
    a solver's field is small; a generated field with fluid appearing or
    vanishing along the channel has a larger one.
    """
    fields = np.asarray(fields, dtype=np.float64)
    flux = fields[..., 0].sum(axis=1)                        # (n, nx)
    return flux.std(axis=1) / np.abs(flux.mean(axis=1))


def nearest_distance(samples: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Relative L2 distance of each sample to its nearest field in ``reference``, ``(n,)``:
    ``min_r ||s - r|| / ||r||``."""
    s = np.asarray(samples, dtype=np.float64).reshape(len(samples), -1)
    r = np.asarray(reference, dtype=np.float64).reshape(len(reference), -1)
    squared = (s**2).sum(axis=1)[:, None] - 2 * s @ r.T + (r**2).sum(axis=1)[None, :]
    relative = np.sqrt(np.maximum(squared, 0)) / np.linalg.norm(r, axis=1)[None, :]
    return relative.min(axis=1)


# ----------------------------------------------------------------------------- figures


def show_error_curve(ks: Sequence[int], errors: Mapping[str, Sequence[float]], baseline: float, title: str):
    """Validation relative L2 error against the latent size, one line per method, the mean field dashed."""
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for (name, values), marker in zip(errors.items(), "osd^v"):
        ax.plot(ks, values, marker=marker, label=name)
    ax.axhline(baseline, color="grey", linestyle="--", label="mean training field (k = 0)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(list(ks), [str(k) for k in ks])
    ax.set_xlabel("latent size k (numbers kept per flow)")
    ax.set_ylabel("validation relative L2 error")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return fig


def show_latent(z: np.ndarray, family: np.ndarray, colour_by: Mapping[str, np.ndarray], title: str,
                axis_names: tuple[str, str] = ("latent 1", "latent 2")):
    """2-D codes as points: coloured by shape family (first panel), then by each number of ``colour_by``."""
    z = np.asarray(z, dtype=float)
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"show_latent draws 2-D codes, not {z.shape}")
    family = np.asarray(family)
    panels = 1 + len(colour_by)
    fig, axes = plt.subplots(1, panels, figsize=(4.6 * panels, 4), squeeze=False, layout="constrained")
    axes = axes[0]
    for name, marker in zip(np.unique(family), "os^Dv<>"):
        chosen = family == name
        axes[0].scatter(*z[chosen].T, s=18, marker=marker, alpha=0.75, label=f"{name} ({chosen.sum()})")
    axes[0].legend(title="shape family", fontsize=8)
    axes[0].set_title("coloured by shape family")
    for ax, (name, values) in zip(axes[1:], colour_by.items()):
        points = ax.scatter(*z.T, c=values, s=18, cmap="viridis")
        fig.colorbar(points, ax=ax, label=f"{name} (cells)")
        ax.set_title(f"coloured by obstacle {name}")
    for ax in axes:
        ax.set_xlabel(axis_names[0])
        ax.set_ylabel(axis_names[1])
    fig.suptitle(title)
    return fig


def show_samples(rows: Mapping[str, np.ndarray], title: str):
    """Speed ``|u| / u_max`` of a few fields per row (``rows``: name -> ``(m, ny, nx, 2)``), one colour scale."""
    names = list(rows)
    cols = max(len(rows[name]) for name in names)
    fig, axes = plt.subplots(len(names), cols, figsize=(2.9 * cols, 1.7 * len(names) + 0.9), squeeze=False,
                             layout="constrained")
    speeds = {name: np.hypot(rows[name][..., 0], rows[name][..., 1]) for name in names}
    top = max(float(s.max()) for s in speeds.values())
    for i, name in enumerate(names):
        for j in range(cols):
            ax = axes[i, j]
            if j >= len(speeds[name]):
                ax.axis("off")
                continue
            im = ax.imshow(speeds[name][j], cmap="viridis", vmin=0, vmax=top, **_IMAGE)
            ax.set_title(f"{name}, #{j + 1}", fontsize=9)
            ax.set_xlabel("x (cells)")
            ax.set_ylabel("y (cells)")
    fig.colorbar(im, ax=axes, label="speed / u_max", shrink=0.8)
    fig.suptitle(title)
    return fig


def show_tradeoff(betas: Sequence[float], reconstruction: Sequence[float], kl: Sequence[float], title: str):
    """Each beta as a point: mean KL per flow (nats) against validation relative L2 error."""
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.plot(kl, reconstruction, "o-")
    for beta, x, y in zip(betas, kl, reconstruction):
        ax.annotate(f"beta = {beta:g}", (x, y), textcoords="offset points", xytext=(6, 6), fontsize=9)
    ax.set_xscale("log")
    ax.set_xticks(list(kl), [f"{value:.3g}" for value in kl])        # a tick at each point
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.margins(0.15)
    ax.set_xlabel("KL(q(z | flow) || N(0, 1)), mean over validation flows (nats)")
    ax.set_ylabel("validation relative L2 error")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    return fig
