"""Notebook 4's divergence penalty acts only where the solver's own field is divergence-free.

The notebook's cells are run as they are (``fluid_cells``, ``with_fluid_channel``,
``penalised_loss``) with the solution of its Exercise 3 (``divergence``).
"""

from __future__ import annotations

import contextlib
import io
from types import SimpleNamespace

import keras
import numpy as np
import pytest

import bootcamp
from bootcamp.cfd import random_obstacle, solve
from bootcamp.dev.exercises import cell_defining, exercises

STEM = "06_cfd_4_unet"


@pytest.fixture(scope="module")
def lesson():
    namespace = {"np": np, "keras": keras, "bootcamp": bootcamp, "penalty_ready": False,
                 "data": SimpleNamespace(val=SimpleNamespace(mask=np.zeros((1, 8, 8), bool)))}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(exercises(STEM)[2].solution, namespace)                  # divergence()
        exec(cell_defining(STEM, "fluid_cells"), namespace)
        exec(cell_defining(STEM, "penalised_loss"), namespace)       # also defines with_fluid_channel
    return namespace


def test_fluid_cells_leave_out_every_cell_within_the_margin_of_a_solid(lesson):
    mask = np.zeros((1, 14, 20), bool)
    mask[0, 6, 9] = True
    kept = lesson["fluid_cells"](mask)
    assert kept.shape == (1, 12, 18)                                  # divergence()'s interior grid
    expected = np.ones((12, 18), bool)
    expected[6 - 1 - 2 : 6 - 1 + 3, 9 - 1 - 2 : 9 - 1 + 3] = False    # chessboard distance <= 2, shifted by one
    np.testing.assert_array_equal(kept[0], expected)


def test_no_kept_cell_has_a_solid_cell_in_its_difference_stencil(lesson):
    rng = np.random.default_rng(0)
    mask = rng.random((3, 20, 30)) < 0.03
    kept = lesson["fluid_cells"](mask)
    for n, i, j in zip(*np.nonzero(kept)):
        y, x = i + 1, j + 1                                           # back to the full grid
        assert not (mask[n, y, x] or mask[n, y - 1, x] or mask[n, y + 1, x] or mask[n, y, x - 1]
                    or mask[n, y, x + 1])
    assert kept.any() and not kept.all()


def test_the_solver_field_is_nearly_divergence_free_where_the_mask_keeps_cells(lesson):
    obstacle = random_obstacle(np.random.default_rng([2016, 3]), 32, 64)
    flow = solve(obstacle.mask, nu=0.05, u_max=0.1, tol=1e-4, max_steps=30_000)
    field = (np.stack([flow.vx, flow.vy], axis=-1) / 0.1)[None]
    div = np.asarray(lesson["divergence"](field))
    kept = lesson["fluid_cells"](obstacle.mask[None])
    inside, outside = np.sqrt(np.mean(div[kept] ** 2)), np.sqrt(np.mean(div[~kept] ** 2))
    assert inside < outside / 5, (inside, outside)


def test_the_penalty_ignores_the_cells_the_mask_leaves_out(lesson):
    rng = np.random.default_rng(1)
    mask = np.zeros((2, 16, 24), bool)
    mask[:, 6:10, 8:12] = True
    truth = rng.normal(size=(2, 16, 24, 2)).astype("float32")
    y_true = lesson["with_fluid_channel"](truth, mask)
    assert y_true.shape == (2, 16, 24, 3)
    np.testing.assert_array_equal(y_true[:, 1:-1, 1:-1, 2], lesson["fluid_cells"](mask))

    def penalty(prediction):
        total = lesson["penalised_loss"](10.0)(y_true, prediction)
        mse = lesson["penalised_loss"](0.0)(y_true, prediction)
        return float(keras.ops.convert_to_numpy(total - mse))

    base = truth.copy()
    near = truth.copy()
    near[:, 5:11, 7:13] += 5.0               # the solid and the ring of cells next to it: no kept cell sees them
    far = truth.copy()
    far[:, 12, 3] += 5.0                      # an open-channel cell
    assert penalty(near) == pytest.approx(penalty(base), rel=1e-5)
    assert penalty(far) > penalty(base) + 1.0
