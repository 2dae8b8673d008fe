"""The lattice-Boltzmann step of :mod:`bootcamp.cfd.lbm` in plain NumPy.

Whole-array operations with ``np.roll`` and the textbook formulas written
over the nine directions at once, with no unrolling, no fused loops and no
numba: slow, but short enough to check by eye. The tests run it side by
side with the compiled kernel, and the benchmark reports the speed of both.

It stores the same shifted populations ``h = f - w`` in float32, so the two
solvers agree to rounding.
"""

from __future__ import annotations

import numpy as np

from bootcamp.cfd.lbm import CX, CY, OPP, OUTLET_PRESSURE_RELAXATION, W, Simulation

__all__ = ["ReferenceSimulation", "reference_step"]

_CX = CX[:, None, None].astype(np.float32)
_CY = CY[:, None, None].astype(np.float32)
_W = W[:, None, None]


def reference_step(sim: Simulation, h: np.ndarray) -> np.ndarray:
    """One time step of ``sim``'s flow from the populations ``h``; returns new ones."""
    pulled = _stream(h, sim.obstacle)
    gx, gy = np.float32(sim.force[0]), np.float32(sim.force[1])
    drho = pulled.sum(axis=0)
    drho[sim.obstacle] = 0.0
    rho = 1.0 + drho
    ux = ((_CX * pulled).sum(axis=0) + 0.5 * gx) / rho
    uy = ((_CY * pulled).sum(axis=0) + 0.5 * gy) / rho
    out = _collide(pulled, rho, ux, uy, gx, gy, sim.omega_plus, sim.omega_minus)
    out[:, sim.obstacle] = 0.0
    if not sim.periodic:
        _open_ends(out, sim.inlet, gx, gy)
    return out.astype(np.float32)


class ReferenceSimulation(Simulation):
    """A :class:`~bootcamp.cfd.lbm.Simulation` advanced by :func:`reference_step`."""

    def _advance(self, steps: int) -> None:
        for _ in range(steps):
            self.h = reference_step(self, self.h)


def _stream(h: np.ndarray, obstacle: np.ndarray) -> np.ndarray:
    """Pull streaming with half-way bounce-back from solid cells and the walls.

    ``np.roll`` by ``+c_i`` brings the value of cell ``x - c_i`` to ``x``. It
    wraps around in x (periodic; in an open channel the wrapped end columns
    are replaced afterwards) and in y, where the wrapped row is a wall.
    """
    ny = obstacle.shape[0]
    pulled = np.empty_like(h)
    for i in range(9):
        shift = (int(CY[i]), int(CX[i]))
        came_from_solid = np.roll(obstacle, shift, axis=(0, 1))
        if CY[i] == 1:
            came_from_solid[0, :] = True  # from below the first row: the wall
        elif CY[i] == -1:
            came_from_solid[ny - 1, :] = True  # from above the last row
        pulled[i] = np.where(came_from_solid, h[OPP[i]], np.roll(h[i], shift, axis=(0, 1)))
    return pulled


def _shifted_equilibrium(rho: np.ndarray, ux: np.ndarray, uy: np.ndarray) -> np.ndarray:
    cu = _CX * ux + _CY * uy
    return _W * (rho - 1.0 + rho * (3.0 * cu + 4.5 * cu**2 - 1.5 * (ux**2 + uy**2)))


def _collide(h, rho, ux, uy, gx, gy, omega_plus, omega_minus):
    """TRT: symmetric and antisymmetric parts relax at their own rates;
    Guo's force term is split the same way."""
    heq = _shifted_equilibrium(rho, ux, uy)
    cu = _CX * ux + _CY * uy
    cg = _CX * gx + _CY * gy
    source = _W * (3.0 * cg + 9.0 * cu * cg - 3.0 * (ux * gx + uy * gy))

    def sym(a):
        return 0.5 * (a + a[OPP])

    def anti(a):
        return 0.5 * (a - a[OPP])

    return (
        h
        - omega_plus * (sym(h) - sym(heq))
        - omega_minus * (anti(h) - anti(heq))
        + (1.0 - 0.5 * omega_plus) * sym(source)
        + (1.0 - 0.5 * omega_minus) * anti(source)
    )


def _open_ends(h: np.ndarray, inlet: np.ndarray, gx: np.float32, gy: np.float32) -> None:
    """Inlet and outlet columns by non-equilibrium extrapolation, in place."""
    for end, neighbour in ((0, 1), (-1, -2)):
        hn = h[:, :, neighbour]
        rho = 1.0 + hn.sum(axis=0)
        ux = ((_CX[:, :, 0] * hn).sum(axis=0) - 0.5 * gx) / rho
        uy = ((_CY[:, :, 0] * hn).sum(axis=0) - 0.5 * gy) / rho
        neq = hn - _column_heq(rho, ux, uy)
        if end == 0:
            h[:, :, 0] = _column_heq(rho, inlet, np.zeros_like(ux)) + neq
        else:
            rho_out = rho + OUTLET_PRESSURE_RELAXATION * (1.0 - rho)
            h[:, :, -1] = _column_heq(rho_out, ux, uy) + neq


def _column_heq(rho: np.ndarray, ux: np.ndarray, uy: np.ndarray) -> np.ndarray:
    return _shifted_equilibrium(rho[None, :, None], ux[None, :, None], uy[None, :, None])[:, :, 0]
