"""D2Q9 lattice Boltzmann (BGK) for steady 2-D channel flow past obstacles.

Lattice units throughout: grid spacing 1, time step 1, speed of sound
1/sqrt(3). The kinematic viscosity ``nu`` sets the relaxation time
``tau = 3 nu + 0.5``. Solid cells (the obstacle, and the channel walls when
asked) reflect populations by half-way bounce-back, which puts a no-slip
wall half-way between a fluid and a solid cell. A body force enters with
Guo's forcing scheme (second-order accurate, used for the Poiseuille check).

Boundaries in x: periodic, or an open channel: a velocity inlet at x = 0
(the prescribed profile, density taken from the first interior column) and a
pressure outlet at the right edge (density 1, velocity of the last interior
column), both imposed as equilibrium populations. Single precision, one fused stream-collide kernel compiled by
numba; :mod:`bootcamp.cfd.reference` holds a plain-NumPy version of the same
step for cross-checking.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

CX = np.array([0, 1, 0, -1, 0, 1, -1, -1, 1], dtype=np.int64)
CY = np.array([0, 0, 1, 0, -1, 1, 1, -1, -1], dtype=np.int64)
W = np.array([4 / 9] + [1 / 9] * 4 + [1 / 36] * 4, dtype=np.float32)
OPP = np.array([0, 3, 4, 1, 2, 7, 8, 5, 6], dtype=np.int64)


@njit(cache=True, fastmath=True)
def _equilibrium(rho, ux, uy, i, cx, cy, w):
    cu = 3.0 * (cx[i] * ux + cy[i] * uy)
    return w[i] * rho * (1.0 + cu + 0.5 * cu * cu - 1.5 * (ux * ux + uy * uy))


@njit(cache=True, fastmath=True)
def _moments_at(f, y, x, cx, cy):
    """Density and momentum of the populations stored at cell (y, x)."""
    rho = 0.0
    mx = 0.0
    my = 0.0
    for i in range(9):
        rho += f[i, y, x]
        mx += f[i, y, x] * cx[i]
        my += f[i, y, x] * cy[i]
    return rho, mx, my


@njit(parallel=True, fastmath=True, cache=True)
def _step(f, out, solid, omega, gx, gy, inlet_ux, periodic, cx, cy, w, opp):
    """One pull-stream + collide step from ``f`` into ``out``; returns nothing."""
    ny, nx = solid.shape
    force_pre = 1.0 - 0.5 * omega
    for y in prange(ny):
        pulled = np.empty(9, dtype=np.float32)
        for x in range(nx):
            if solid[y, x]:
                for i in range(9):
                    out[i, y, x] = 0.0
                continue
            for i in range(9):
                ys = y - cy[i]
                xs = x - cx[i]
                if periodic:
                    xs = xs % nx
                elif xs < 0:
                    xs = 0
                elif xs >= nx:
                    xs = nx - 1
                if ys < 0 or ys >= ny or solid[ys, xs]:
                    pulled[i] = f[opp[i], y, x]              # half-way bounce-back
                else:
                    pulled[i] = f[i, ys, xs]
            rho = 0.0
            mx = 0.0
            my = 0.0
            for i in range(9):
                rho += pulled[i]
                mx += pulled[i] * cx[i]
                my += pulled[i] * cy[i]
            ux = (mx + 0.5 * gx) / rho
            uy = (my + 0.5 * gy) / rho
            if not periodic and (x == 0 or x == nx - 1):
                # velocity inlet (density from the first interior column) and
                # pressure outlet (rho = 1, velocity from the last interior column),
                # both imposed as equilibrium populations
                rho_n, mx_n, my_n = _moments_at(f, y, 1 if x == 0 else nx - 2, cx, cy)
                if x == 0:
                    rho, ux, uy = rho_n, inlet_ux[y], 0.0
                else:
                    rho, ux, uy = 1.0, mx_n / rho_n, my_n / rho_n
                for i in range(9):
                    out[i, y, x] = _equilibrium(rho, ux, uy, i, cx, cy, w)
                continue
            for i in range(9):
                feq = _equilibrium(rho, ux, uy, i, cx, cy, w)
                ci_u = cx[i] * ux + cy[i] * uy
                source = w[i] * force_pre * (3.0 * ((cx[i] - ux) * gx + (cy[i] - uy) * gy)
                                             + 9.0 * ci_u * (cx[i] * gx + cy[i] * gy))
                out[i, y, x] = pulled[i] + omega * (feq - pulled[i]) + source


@njit(parallel=True, fastmath=True, cache=True)
def _velocity(f, solid, gx, gy, cx, cy):
    ny, nx = solid.shape
    rho = np.zeros((ny, nx), dtype=np.float32)
    ux = np.zeros((ny, nx), dtype=np.float32)
    uy = np.zeros((ny, nx), dtype=np.float32)
    for y in prange(ny):
        for x in range(nx):
            if solid[y, x]:
                continue
            r, mx, my = _moments_at(f, y, x, cx, cy)
            rho[y, x] = r
            ux[y, x] = (mx + 0.5 * gx) / r
            uy[y, x] = (my + 0.5 * gy) / r
    return rho, ux, uy


@dataclass
class Flow:
    vx: np.ndarray            # (ny, nx) float32, zero in solid cells
    vy: np.ndarray
    rho: np.ndarray
    steps: int
    converged: bool
    seconds: float

    @property
    def mlups(self) -> float:
        """Million lattice-cell updates per second over the whole run."""
        return self.vx.size * self.steps / self.seconds / 1e6


def parabolic_inlet(ny: int, u_max: float, walls: bool = True) -> np.ndarray:
    """Poiseuille profile across the channel, zero at the half-way walls."""
    y = np.arange(ny, dtype=np.float64)
    if walls:                         # walls are the solid rows 0 and ny-1: faces at 0.5 and ny-1.5
        a, b = 0.5, ny - 1.5
    else:
        a, b = -0.5, ny - 0.5
    profile = 4 * u_max * (y - a) * (b - y) / (b - a) ** 2
    return np.clip(profile, 0, None).astype(np.float32)


def initial_state(solid: np.ndarray, ux: np.ndarray | float = 0.0) -> np.ndarray:
    ny, nx = solid.shape
    ux = np.broadcast_to(np.asarray(ux, dtype=np.float32), (ny, nx)) if np.ndim(ux) < 2 else ux
    cu = 3.0 * CX[:, None, None] * ux[None]
    f = W[:, None, None] * (1 + cu + 0.5 * cu**2 - 1.5 * ux[None] ** 2)
    f[:, solid] = 0.0
    return f.astype(np.float32)


def solve(obstacle: np.ndarray, *, nu: float = 0.05, u_max: float = 0.1, walls: bool = True,
          periodic: bool = False, force: tuple[float, float] = (0.0, 0.0), tol: float = 1e-6,
          check_every: int = 200, max_steps: int = 50_000, min_steps: int = 0) -> Flow:
    """Run to a steady state: stop when the largest change of the velocity over
    ``check_every`` steps, relative to the largest speed, falls below ``tol``.

    ``obstacle`` is a boolean (ny, nx) mask of solid cells; with ``walls`` the
    first and last rows are solid too (the channel walls).
    """
    solid = np.ascontiguousarray(obstacle, dtype=np.bool_).copy()
    if walls:
        solid[0, :] = solid[-1, :] = True
    ny, nx = solid.shape
    omega = np.float32(1.0 / (3.0 * nu + 0.5))
    inlet = parabolic_inlet(ny, u_max, walls) if not periodic else np.zeros(ny, np.float32)
    f = initial_state(solid, 0.0 if periodic else inlet[:, None] * np.ones((1, nx), np.float32))
    f[:, solid] = 0.0
    out = np.empty_like(f)
    gx, gy = np.float32(force[0]), np.float32(force[1])
    args = (solid, omega, gx, gy, inlet, periodic, CX, CY, W, OPP)
    _, prev_ux, prev_uy = _velocity(f, solid, gx, gy, CX, CY)
    steps, converged = 0, False
    start = time.perf_counter()
    while steps < max_steps:
        for _ in range(check_every // 2):
            _step(f, out, *args)
            _step(out, f, *args)
        steps += 2 * (check_every // 2)
        _, ux, uy = _velocity(f, solid, gx, gy, CX, CY)
        scale = max(float(np.abs(ux).max()), float(np.abs(uy).max()), 1e-12)
        change = max(float(np.abs(ux - prev_ux).max()), float(np.abs(uy - prev_uy).max())) / scale
        prev_ux, prev_uy = ux, uy
        if steps >= min_steps and change < tol:
            converged = True
            break
    seconds = time.perf_counter() - start
    rho, ux, uy = _velocity(f, solid, gx, gy, CX, CY)
    return Flow(ux, uy, rho, steps, converged, seconds)


def step_numba(f: np.ndarray, solid: np.ndarray, steps: int, *, nu: float, periodic: bool = True,
               force: tuple[float, float] = (0.0, 0.0), inlet: np.ndarray | None = None) -> np.ndarray:
    """Advance ``f`` by ``steps`` steps (for benchmarks and cross-checks)."""
    omega = np.float32(1.0 / (3.0 * nu + 0.5))
    inlet = np.zeros(solid.shape[0], np.float32) if inlet is None else inlet
    a, b = f.copy(), np.empty_like(f)
    for _ in range(steps):
        _step(a, b, solid, omega, np.float32(force[0]), np.float32(force[1]), inlet, periodic, CX, CY, W, OPP)
        a, b = b, a
    return a
