"""D2Q9 lattice-Boltzmann solver for steady 2-D flow past an obstacle in a channel.

Everything is in lattice units: grid spacing 1, time step 1, speed of sound
``1/sqrt(3)``, pressure ``p = rho / 3``. The grid has ``ny`` rows and ``nx``
columns; row index ``y`` and column index ``x`` are the cell centres.

Physics
    * D2Q9 velocity set; two-relaxation-time (TRT) collision by default, BGK on
      request. The symmetric rate comes from the viscosity,
      ``tau = 3 nu + 0.5``; the antisymmetric one from the "magic" parameter
      ``(tau+ - 1/2)(tau- - 1/2) = 3/16``, which puts a bounce-back wall
      exactly half-way between a fluid and a solid cell whatever the
      viscosity. With ``magic = (tau - 1/2)**2`` TRT *is* BGK.
    * Walls. The channel walls lie half a cell beyond the first and the last
      row (so every cell of the grid is computed, and the mask holds the
      obstacle only), by half-way bounce-back. The obstacle's wall is chosen
      by ``wall``: ``"halfway"`` (default) bounces back on every solid cell of
      the mask, which puts the wall half-way along every link from a fluid to
      a solid cell, a staircase; ``"interpolated"`` is the linear
      interpolated bounce-back of Bouzidi, Firdaouss & Lallemand (2001),
      which puts it where the obstacle's real surface cuts each link (the
      fraction ``q`` of the link on the fluid side, from a signed distance
      or given per link): second order for curved walls where the staircase
      is first order.
    * In x: an open channel (default) with a parabolic velocity inlet in
      column 0 (density taken from column 1) and an outlet in the last column
      (velocity of the column before, density nudged towards 1: see
      ``OUTLET_PRESSURE_RELAXATION``), both by non-equilibrium extrapolation;
      or periodic.
    * An optional uniform body force (Guo's forcing, split into its symmetric
      and antisymmetric parts for TRT), used for the Poiseuille check.

Speed
    One fused kernel does streaming (pull), bounce-back, collision and the
    inlet/outlet for every cell of a row, rows in parallel; two population
    buffers swap roles each step. It is compiled by numba with
    ``cache=True``, so only the first import on a machine pays the compile.
    :mod:`bootcamp.cfd.reference` holds the same physics in plain NumPy, and
    :mod:`bootcamp.cfd.lbm_cuda` the GPU version that :func:`solve` picks
    when numba finds a CUDA GPU.

Interpolated bounce-back
    Take a fluid cell ``x_f`` whose neighbour ``x_f + c_i`` is solid, with the
    surface at the fraction ``q`` of the link (``0 < q <= 1``). The
    population that streams back into ``x_f`` along ``-c_i`` is (Bouzidi et
    al.'s linear rule, ``f*`` the post-collision populations of the step
    before, ``x_ff = x_f - c_i``)::

        q <  1/2:  2q f*_i(x_f) + (1 - 2q) f*_i(x_ff)
        q >= 1/2:  f*_i(x_f) / (2q) + (2q - 1) / (2q) f*_-i(x_f)

    Both are weighted means (weights in [0, 1]: no amplification, so no
    instability of their own), and both are half-way bounce-back at
    ``q = 1/2``. Where ``q < 1/2`` and ``x_ff`` is not fluid (a gap one cell
    wide, or the channel wall), the link falls back to half-way bounce-back.

    Chosen over Ginzburg's central linear scheme (which needs ``x_ff`` for
    every ``q`` but 1/2) and her quadratic ones (more neighbours, less
    robust) because the ``q >= 1/2`` branch needs only the cell itself, both
    branches are convex, and it is the scheme most codes and papers validate
    on this very cylinder.

    Mass. The rule does not conserve mass exactly: what comes back along a
    link differs from what left along it by a term of the order of the
    velocity difference between neighbouring cells, and round a body these
    do not quite cancel. Measured on the Schaefer-Turek cylinder
    (``benchmarks/bench_lbm.py --cylinder``): the body adds 0.37% to the
    channel's flux at 10 cells and 0.047% at 20, third order; in a closed
    periodic box the mass drifts slowly (see the tests). Taking that mass
    back from each fluid cell's rest population makes the wall conserve
    mass exactly, but was measured to cost the drag its convergence (the
    part of the error that does not depend on the Mach number fell at order
    0.6 instead of about 2 from 10 to 20 cells, and the lift left the
    published range), so it is not done: an open channel's outlet takes the
    surplus out.

    In the kernel. The kernel does not branch for any of this: before each
    step, one pass over the boundary links writes each value a link sends
    back into the solid cell it will be pulled from (each solid cell and
    direction feeds exactly one fluid cell); the step then pulls as if there
    were no obstacle, and zeroes the solid cells as before. Half-way
    bounce-back keeps its select in the kernel and runs no such pass, so its
    speed and its results are unchanged.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
from numba import njit, prange

__all__ = [
    "CX",
    "CY",
    "OPP",
    "W",
    "WALLS",
    "FlowResult",
    "Simulation",
    "parabolic_profile",
    "relaxation_rates",
    "run_to_steady_state",
    "link_fractions_from_sdf",
    "shifted_equilibrium",
    "solve",
    "warm_up",
]

Collision = Literal["trt", "bgk"]
Device = Literal["auto", "cpu", "gpu"]
Wall = Literal["halfway", "interpolated"]
WALLS = ("halfway", "interpolated")

# D2Q9: rest, the four axis directions, then the four diagonals.
CX = np.array([0, 1, 0, -1, 0, 1, -1, -1, 1], dtype=np.int64)
CY = np.array([0, 0, 1, 0, -1, 1, 1, -1, -1], dtype=np.int64)
W = np.array([4 / 9] + [1 / 9] * 4 + [1 / 36] * 4, dtype=np.float32)
OPP = np.array([0, 3, 4, 1, 2, 7, 8, 5, 6], dtype=np.int64)  # c[OPP[i]] == -c[i]

MAGIC_TRT = 3.0 / 16.0
MAX_STABLE_SPEED = 0.4  # above this the flow is no longer weakly compressible
# The outlet copies the density of the column before and moves it this
# fraction of the way towards 1 each step. A hard rho = 1 would reflect sound
# waves back into the channel, where they ring between the inlet and the
# outlet for ~1e5 steps and stall convergence; a pure copy lets them out but
# lets the total mass drift. One per cent does both jobs: the outlet density
# settles within about 0.5% of 1.
OUTLET_PRESSURE_RELAXATION = 0.01
# Grids smaller than this run on one thread: each step of the parallel kernel
# ends at a barrier, and on a small grid (or a busy machine) the threads spend
# longer waiting there than computing. Measured on the 2-core machine: a
# 32 x 64 flow took 20 s on two threads when the other core was busy, 0.12 s
# on one.
SMALL_GRID_CELLS = 16_384

# float32 constants: numba freezes these globals, so the kernel stays in single precision.
_F = np.float32
# numba's fastmath (LLVM's fast-math flags) without "nsz", the licence to ignore the sign of zero.
# With it (fastmath=True) a kernel freshly compiled and the same kernel loaded from numba's cache
# differ in float32 rounding (2e-7 on a 24 x 48 channel after 600 steps), so a data set made in a
# fresh clone was not the one made later. Without it they agree to the last bit, on one thread or
# two (tests/cfd/test_lbm.py), for about 14% of the single-thread speed (46 -> 40 MLUPS at 128 x 256).
FASTMATH = {"contract", "reassoc", "afn", "arcp", "nnan", "ninf"}
_0, _HALF, _1, _1_5, _2, _3, _4_5, _9 = _F(0), _F(0.5), _F(1), _F(1.5), _F(2), _F(3), _F(4.5), _F(9)
_W1, _W2 = _F(1 / 9), _F(1 / 36)
_OUTLET_RELAX = _F(OUTLET_PRESSURE_RELAXATION)


# --------------------------------------------------------------------------- kernels
#
# The kernels store h_i = f_i - w_i, the populations minus their values at
# rest (rho = 1, u = 0). h is about a hundred times smaller than f, so float32
# keeps about two more digits of the flow; the physics is unchanged.


@njit(fastmath=FASTMATH, cache=True, inline="always")
def _symmetric_parts(w, cu, cg, rho, drho, usq15, ug3):
    """Symmetric equilibrium (shifted by w) and symmetric force term of a
    direction with ``cu = c.u`` and ``cg = c.g``."""
    return w * (drho + rho * (_4_5 * cu * cu - usq15)), w * (_9 * cu * cg - ug3)


@njit(fastmath=FASTMATH, cache=True, inline="always")
def _collide_pair(hi, ho, w, cu, cg, rho, eq_sym, src_sym, op, om, sp, sm):
    """TRT collision of an opposite pair: symmetric parts relax at ``op``,
    antisymmetric parts at ``om``; Guo's force terms weighted by ``1 - omega/2``."""
    d_sym = op * (eq_sym - _HALF * (hi + ho)) + sp * src_sym
    d_anti = om * (_3 * w * rho * cu - _HALF * (hi - ho)) + sm * _3 * w * cg
    return hi + d_sym + d_anti, ho + d_sym - d_anti


@njit(fastmath=FASTMATH, cache=True, inline="always")
def _update_cell(src, dst, walls, solid_walls, y, ylo, yhi, x, xw, xe, op, om, sp, sm, gx, gy):
    """Pull the nine populations into cell (y, x), bounce back those that would
    come from a cell of ``walls``, collide, and store the result (zero in the
    cells of ``solid_walls``).

    Both are the obstacle mask padded with a solid row above and below (row
    ``y + 1`` of it is grid row ``y``): the same array for half-way
    bounce-back; for the interpolated wall ``walls`` holds the two channel
    rows only, the populations pulled from obstacle cells being the values
    ``_fill_ghosts`` put there. ``ylo``/``yhi`` are the rows above/below
    clamped into the grid (their values are unused at a wall);
    ``xw``/``xe`` are the west/east columns (wrapped).
    """
    # Both candidates are loaded first, so the choice is a select, not a branch.
    h0 = src[0, y, x]
    a, b = src[1, y, xw], src[3, y, x]
    h1 = b if walls[y + 1, xw] else a
    a, b = src[3, y, xe], src[1, y, x]
    h3 = b if walls[y + 1, xe] else a
    a, b = src[2, ylo, x], src[4, y, x]
    h2 = b if walls[y, x] else a
    a, b = src[4, yhi, x], src[2, y, x]
    h4 = b if walls[y + 2, x] else a
    a, b = src[5, ylo, xw], src[7, y, x]
    h5 = b if walls[y, xw] else a
    a, b = src[6, ylo, xe], src[8, y, x]
    h6 = b if walls[y, xe] else a
    a, b = src[7, yhi, xe], src[5, y, x]
    h7 = b if walls[y + 2, xe] else a
    a, b = src[8, yhi, xw], src[6, y, x]
    h8 = b if walls[y + 2, xw] else a

    solid = solid_walls[y + 1, x]
    drho = h0 + h1 + h2 + h3 + h4 + h5 + h6 + h7 + h8
    drho = _0 if solid else drho  # keeps the (discarded) solid-cell arithmetic finite
    rho = _1 + drho
    inv_rho = _1 / rho
    ux = (h1 + h5 + h8 - h3 - h6 - h7 + _HALF * gx) * inv_rho
    uy = (h2 + h5 + h6 - h4 - h7 - h8 + _HALF * gy) * inv_rho
    usq15 = _1_5 * (ux * ux + uy * uy)
    ug3 = _3 * (ux * gx + uy * gy)

    e1, s1 = _symmetric_parts(_W1, ux, gx, rho, drho, usq15, ug3)
    e2, s2 = _symmetric_parts(_W1, uy, gy, rho, drho, usq15, ug3)
    e5, s5 = _symmetric_parts(_W2, ux + uy, gx + gy, rho, drho, usq15, ug3)
    e6, s6 = _symmetric_parts(_W2, uy - ux, gy - gx, rho, drho, usq15, ug3)
    # The rest population takes what the pairs leave, so that the collision
    # conserves mass to rounding whatever the float32 weights sum to.
    e0 = drho - _2 * (e1 + e2 + e5 + e6)
    s0 = -_2 * (s1 + s2 + s5 + s6)
    g0 = h0 + op * (e0 - h0) + sp * s0
    g1, g3 = _collide_pair(h1, h3, _W1, ux, gx, rho, e1, s1, op, om, sp, sm)
    g2, g4 = _collide_pair(h2, h4, _W1, uy, gy, rho, e2, s2, op, om, sp, sm)
    g5, g7 = _collide_pair(h5, h7, _W2, ux + uy, gx + gy, rho, e5, s5, op, om, sp, sm)
    g6, g8 = _collide_pair(h6, h8, _W2, uy - ux, gy - gx, rho, e6, s6, op, om, sp, sm)

    dst[0, y, x] = _0 if solid else g0
    dst[1, y, x] = _0 if solid else g1
    dst[2, y, x] = _0 if solid else g2
    dst[3, y, x] = _0 if solid else g3
    dst[4, y, x] = _0 if solid else g4
    dst[5, y, x] = _0 if solid else g5
    dst[6, y, x] = _0 if solid else g6
    dst[7, y, x] = _0 if solid else g7
    dst[8, y, x] = _0 if solid else g8


@njit(fastmath=FASTMATH, cache=True, inline="always")
def _shifted_feq(i, rho, ux, uy):
    """Equilibrium population i minus its weight."""
    cu = _F(CX[i]) * ux + _F(CY[i]) * uy
    return W[i] * (rho - _1 + rho * (_3 * cu + _4_5 * cu * cu - _1_5 * (ux * ux + uy * uy)))


@njit(fastmath=FASTMATH, cache=True, inline="always")
def _cell_moments(h, y, x, gx, gy):
    """Density and velocity of the post-collision populations of one cell."""
    rho = _1
    jx = _0
    jy = _0
    for i in range(9):
        rho += h[i, y, x]
        jx += _F(CX[i]) * h[i, y, x]
        jy += _F(CY[i]) * h[i, y, x]
    return rho, (jx - _HALF * gx) / rho, (jy - _HALF * gy) / rho


@njit(fastmath=FASTMATH, cache=True, inline="always")
def _open_ends(dst, y, inlet_u, gx, gy):
    """Inlet (column 0) and outlet (last column) of row y, by non-equilibrium
    extrapolation (Guo, Zheng & Shi 2002): the equilibrium for the boundary
    density and velocity plus the non-equilibrium part of the neighbouring
    column, already updated in ``dst`` this step.

    Inlet: the inflow velocity, the density of column 1. Outlet: the
    velocity of the column before and its density moved a little towards 1
    (``OUTLET_PRESSURE_RELAXATION``).
    """
    nx = dst.shape[2]
    rho_1, ux_1, uy_1 = _cell_moments(dst, y, 1, gx, gy)
    rho_n, ux_n, uy_n = _cell_moments(dst, y, nx - 2, gx, gy)
    rho_out = rho_n + _OUTLET_RELAX * (_1 - rho_n)
    for i in range(9):
        neq_in = dst[i, y, 1] - _shifted_feq(i, rho_1, ux_1, uy_1)
        dst[i, y, 0] = _shifted_feq(i, rho_1, inlet_u[y], _0) + neq_in
        neq_out = dst[i, y, nx - 2] - _shifted_feq(i, rho_n, ux_n, uy_n)
        dst[i, y, nx - 1] = _shifted_feq(i, rho_out, ux_n, uy_n) + neq_out


@njit(fastmath=FASTMATH, cache=True)
def _fill_ghosts(h, links, coefs):
    """Write into the solid end of every boundary link the population that the
    interpolated wall sends back along it (see the module docstring).

    Row ``k`` of ``links`` is ``(i, yf, xf, yff, xff, ys, xs)``: the
    direction ``i`` from the fluid cell ``(yf, xf)`` to the solid cell
    ``(ys, xs)``, and the cell ``(yff, xff)`` one link further from the wall
    (the fluid cell itself where it is not needed); ``coefs[k]`` the weights
    of ``h_i(x_f)``, ``h_i(x_ff)`` and ``h_-i(x_f)``. Reads fluid cells only
    and writes solid cells only, each solid cell and direction once: the
    links can go in any order, or in parallel. Works on ``h = f - w`` as on
    ``f``: the weights sum to one and ``w_i = w_-i``.
    """
    for k in range(links.shape[0]):
        i = links[k, 0]
        yf, xf = links[k, 1], links[k, 2]
        back = OPP[i]
        h[back, links[k, 5], links[k, 6]] = (coefs[k, 0] * h[i, yf, xf] + coefs[k, 1] * h[i, links[k, 3], links[k, 4]]
                                             + coefs[k, 2] * h[back, yf, xf])


@njit(parallel=True, fastmath=FASTMATH, cache=True)
def _step(src, dst, walls, solid_walls, inlet_u, periodic, op, om, gx, gy):
    """One time step from ``src`` into ``dst``; rows in parallel."""
    ny, nx = src.shape[1], src.shape[2]
    sp = _1 - _HALF * op
    sm = _1 - _HALF * om
    for y in prange(ny):
        ylo = max(y - 1, 0)
        yhi = min(y + 1, ny - 1)
        for x in range(nx):
            xw = x - 1 if x > 0 else nx - 1
            xe = x + 1 if x < nx - 1 else 0
            _update_cell(src, dst, walls, solid_walls, y, ylo, yhi, x, xw, xe, op, om, sp, sm, gx, gy)
        if not periodic:  # the wrapped end columns computed above are replaced
            _open_ends(dst, y, inlet_u, gx, gy)


@njit(cache=True)
def _run(a, b, walls, solid_walls, links, coefs, inlet_u, periodic, op, om, gx, gy, steps):
    """``steps`` steps ping-ponging between ``a`` and ``b``; the result is in
    ``a`` for an even count and in ``b`` for an odd one. ``links`` and
    ``coefs`` are the interpolated wall's (no rows for half-way bounce-back)."""
    for s in range(steps):
        if s % 2 == 0:
            _fill_ghosts(a, links, coefs)
            _step(a, b, walls, solid_walls, inlet_u, periodic, op, om, gx, gy)
        else:
            _fill_ghosts(b, links, coefs)
            _step(b, a, walls, solid_walls, inlet_u, periodic, op, om, gx, gy)


@njit(parallel=True, fastmath=FASTMATH, cache=True)
def _moments(h, solid, gx, gy):
    """Density and velocity of every cell (zero in solid cells), float32.

    ``h`` holds post-collision populations, whose momentum already includes
    the whole force of the step; the velocity is the mean of the momenta
    before and after collision, ``(j - g/2) / rho``.
    """
    ny, nx = solid.shape
    rho = np.zeros((ny, nx), dtype=np.float32)
    vx = np.zeros((ny, nx), dtype=np.float32)
    vy = np.zeros((ny, nx), dtype=np.float32)
    for y in prange(ny):
        for x in range(nx):
            if not solid[y, x]:
                rho[y, x], vx[y, x], vy[y, x] = _cell_moments(h, y, x, gx, gy)
    return rho, vx, vy


# --------------------------------------------------------------------------- public API


def relaxation_rates(nu: float, collision: Collision = "trt") -> tuple[float, float]:
    """Symmetric and antisymmetric relaxation rates ``(omega+, omega-)`` for viscosity ``nu``.

    ``omega+ = 1 / tau`` with ``tau = 3 nu + 0.5``; for TRT ``omega-`` follows
    from the magic parameter 3/16, for BGK it equals ``omega+``.
    """
    if not nu > 0:
        raise ValueError(f"the viscosity nu must be positive (got {nu}); the bootcamp uses 0.05")
    tau = 3.0 * nu + 0.5
    if collision == "bgk":
        return 1.0 / tau, 1.0 / tau
    if collision == "trt":
        tau_minus = 0.5 + MAGIC_TRT / (tau - 0.5)
        return 1.0 / tau, 1.0 / tau_minus
    raise ValueError(f"collision must be 'trt' or 'bgk', not {collision!r}")


def parabolic_profile(ny: int, u_max: float) -> np.ndarray:
    """Poiseuille profile at the ``ny`` cell centres, float32.

    The no-slip walls sit half a cell beyond the first and the last row, at
    ``y = -0.5`` and ``y = ny - 0.5``; the peak ``u_max`` is on the centre
    line and the mean is about ``2/3 u_max``.
    """
    y = np.arange(ny, dtype=np.float64)
    profile = 4.0 * u_max * (y + 0.5) * (ny - 0.5 - y) / ny**2
    return profile.astype(np.float32)


@dataclass(frozen=True)
class FlowResult:
    """A (steady) flow field and how it was obtained.

    ``vx``, ``vy`` and ``rho`` are float32 ``(ny, nx)`` arrays in lattice
    units; velocities are zero inside the obstacle. ``change`` is the relative
    change of the velocity field over the last check interval (the quantity
    compared with ``tol``); ``mlups`` counts every cell of the grid, solid or
    not, per second of ``seconds`` (wall time of the stepping loop, checks
    included, compilation excluded).
    """

    vx: np.ndarray
    vy: np.ndarray
    rho: np.ndarray
    steps: int
    converged: bool
    seconds: float
    mlups: float
    change: float


class Simulation:
    """The populations of one flow and the means to advance and read them.

    Parameters
    ----------
    obstacle:
        Boolean ``(ny, nx)`` mask, True in solid cells. The channel walls are
        not part of it: they lie half a cell beyond the first and last rows.
    nu:
        Kinematic viscosity (lattice units); ``tau = 3 nu + 0.5``.
    u_max:
        Peak of the parabolic inflow (ignored when ``periodic``). Keep it
        below about 0.2: the method needs a small Mach number.
    periodic:
        Periodic in x instead of an inlet and an outlet.
    force:
        Uniform body force ``(gx, gy)`` per unit volume.
    collision:
        ``"trt"`` (default) or ``"bgk"``.
    wall:
        The obstacle's wall: ``"halfway"`` (default) bounce-back, or
        ``"interpolated"`` (Bouzidi et al. 2001; see the module docstring),
        which needs where the real surface cuts each boundary link: either
    sdf:
        the obstacle's signed distance at the cell centres (``(ny, nx)``,
        negative inside, in cells), of the real shape, not of its mask (the
        mask's own SDF puts every wall half-way and gains nothing); ``q`` is
        its zero crossing along each link, by linear interpolation
        (:func:`link_fractions_from_sdf`); or
    link_q:
        ``q`` itself, float ``(9, ny, nx)``: ``link_q[i, y, x]`` is the
        fraction of the link from fluid cell ``(y, x)`` to its solid
        neighbour ``(y + c_y, x + c_x)`` that lies in the fluid, in [0, 1];
        other entries are ignored (e.g. NaN). For a circle,
        :func:`bootcamp.cfd.validation.circle_link_fractions` gives it in
        closed form.

    ``h`` holds the post-collision populations minus their rest values,
    ``f_i - w_i``, float32 ``(9, ny, nx)`` (zero in solid cells);
    :meth:`populations` gives ``f`` itself. Subclasses change the stepping
    only, by overriding :meth:`_advance`; one that steps the interpolated
    wall too says so with ``steps_interpolated_wall = True`` in its own body
    (otherwise asking it for that wall is an error, not half-way
    bounce-back in disguise).

    ``links`` lists every boundary link of the obstacle, one row
    ``(i, yf, xf, yff, xff, ys, xs)`` each (see ``_fill_ghosts``), and
    ``link_coefs`` the weights the wall gives each (``(1, 0, 0)`` for
    half-way bounce-back); :meth:`obstacle_force` sums over them.
    """

    steps_interpolated_wall = True

    def __init__(
        self,
        obstacle: np.ndarray,
        *,
        nu: float = 0.05,
        u_max: float = 0.1,
        periodic: bool = False,
        force: tuple[float, float] = (0.0, 0.0),
        collision: Collision = "trt",
        wall: Wall = "halfway",
        sdf: np.ndarray | None = None,
        link_q: np.ndarray | None = None,
    ) -> None:
        self.obstacle = _check_obstacle(obstacle, periodic)
        self.ny, self.nx = self.obstacle.shape
        if not periodic and not 0 <= u_max < MAX_STABLE_SPEED:
            raise ValueError(f"u_max={u_max} is outside [0, {MAX_STABLE_SPEED}); use about 0.1")
        self.nu = float(nu)
        self.u_max = float(u_max)
        self.periodic = bool(periodic)
        self.force = (float(force[0]), float(force[1]))
        self.collision: Collision = collision
        self.omega_plus, self.omega_minus = relaxation_rates(nu, collision)
        if periodic:
            self.inlet = np.zeros(self.ny, dtype=np.float32)
        else:
            self.inlet = parabolic_profile(self.ny, u_max)
        # the obstacle with a solid row above and below: the channel walls
        self.walls = np.ones((self.ny + 2, self.nx), dtype=np.bool_)
        self.walls[1:-1] = self.obstacle
        self.wall: Wall = _check_wall(wall, type(self), sdf, link_q)
        if wall == "interpolated":
            if sdf is not None:
                link_q = link_fractions_from_sdf(self.obstacle, sdf, periodic=self.periodic)
            self.link_q = _check_link_q(link_q, self.obstacle, self.periodic)
            # the kernel pulls from obstacle cells (their values put there by _fill_ghosts)
            self.pull_walls = np.zeros_like(self.walls)
            self.pull_walls[[0, -1]] = True
        else:
            self.link_q = None
            self.pull_walls = self.walls
        self.links, self.link_coefs = _link_table(self.obstacle, self.link_q, self.periodic)
        if wall == "interpolated":
            self._kernel_links = (self.links, self.link_coefs)
        else:  # the kernel's select does it; no link pass
            self._kernel_links = (self.links[:0], self.link_coefs[:0])
        # start from the inflow profile everywhere (at rest when periodic)
        start_u = np.zeros((self.ny, self.nx)) + self.inlet[:, None]
        self.h = shifted_equilibrium(np.ones_like(start_u), start_u, np.zeros_like(start_u))
        self.h[:, self.obstacle] = 0.0
        self._spare = np.empty_like(self.h)
        self.steps = 0

    @property
    def cells(self) -> int:
        return self.ny * self.nx

    def run(self, steps: int) -> None:
        """Advance the flow by ``steps`` time steps."""
        if steps < 0:
            raise ValueError(f"steps must be >= 0, got {steps}")
        if steps:
            self._advance(int(steps))
            self.steps += int(steps)

    def _advance(self, steps: int) -> None:
        threads = numba.get_num_threads()
        single = self.cells < SMALL_GRID_CELLS and threads > 1
        if single:
            numba.set_num_threads(1)
        try:
            _run(self.h, self._spare, *self._kernel_arrays(), self.periodic, *self._kernel_scalars(), steps)
        finally:
            if single:
                numba.set_num_threads(threads)
        if steps % 2:
            self.h, self._spare = self._spare, self.h

    def _kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """The kernel's arrays after the two population buffers, before ``periodic``."""
        return (self.pull_walls, self.walls, *self._kernel_links, self.inlet)

    def _kernel_scalars(self) -> tuple[np.float32, np.float32, np.float32, np.float32]:
        return (_F(self.omega_plus), _F(self.omega_minus), _F(self.force[0]), _F(self.force[1]))

    def macroscopic(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rho, vx, vy)`` as float32 ``(ny, nx)`` arrays, zero in solid cells."""
        return _moments(self.h, self.obstacle, _F(self.force[0]), _F(self.force[1]))

    def populations(self) -> np.ndarray:
        """The post-collision populations ``f``, float64 ``(9, ny, nx)``, zero in solid cells."""
        f = self.h + W.astype(np.float64)[:, None, None]
        f[:, self.obstacle] = 0.0
        return f

    def total_mass(self) -> float:
        """Sum of the density over the fluid cells (float64)."""
        fluid_cells = int(np.count_nonzero(~self.obstacle))
        return fluid_cells + float(self.h.sum(dtype=np.float64))

    def obstacle_force(self, region: np.ndarray | None = None) -> tuple[float, float]:
        """Force ``(Fx, Fy)`` of the fluid on the obstacle by momentum exchange.

        Along every boundary link the population ``f*_i`` leaves the fluid
        cell towards the solid and the wall sends ``f_-i`` back, handing
        ``c_i (f*_i + f_-i)`` of momentum to the solid (Ladd; Mei et al. 2002
        for curved walls). ``f_-i`` is what the wall in use sends: ``f*_i``
        itself for half-way bounce-back (so ``2 c_i f*_i``), the interpolated
        value for the interpolated wall, computed with the very weights the
        kernel uses. ``region`` (a boolean mask) restricts the sum to links
        ending in that part of the obstacle, e.g. one of several bodies; the
        channel walls are never included.
        """
        if not len(self.links):
            return 0.0, 0.0
        f = self.populations()
        i, yf, xf, yff, xff, ys, xs = self.links.T
        a, b, c = self.link_coefs.astype(np.float64).T
        out = f[i, yf, xf]
        back = a * out + b * f[i, yff, xff] + c * f[OPP[i], yf, xf]
        exchange = out + back
        if region is not None:
            exchange = np.where(np.asarray(region, dtype=bool)[ys, xs], exchange, 0.0)
        return float(np.sum(CX[i] * exchange)), float(np.sum(CY[i] * exchange))


def shifted_equilibrium(rho: np.ndarray, vx: np.ndarray, vy: np.ndarray) -> np.ndarray:
    """D2Q9 equilibrium minus the rest weights, ``f_eq - w``, float32 ``(9, ny, nx)``.

    Evaluated in float64 and rounded once.
    """
    rho, vx, vy = (np.asarray(a, dtype=np.float64) for a in (rho, vx, vy))
    w = W.astype(np.float64)[:, None, None]
    cu = 3.0 * (CX[:, None, None] * vx + CY[:, None, None] * vy)
    usq = 1.5 * (vx * vx + vy * vy)
    heq = w * (rho - 1.0 + rho * (cu + 0.5 * cu * cu - usq))
    return np.ascontiguousarray(heq, dtype=np.float32)


def run_to_steady_state(
    sim: Simulation, *, tol: float = 1e-5, check_every: int = 100, max_steps: int = 30_000
) -> FlowResult:
    """Advance ``sim`` until the velocity field stops changing.

    Every ``check_every`` steps the relative change
    ``||u(t) - u(t - check_every)|| / ||u(t)||`` (L2 over the grid, both
    components) is compared with ``tol``; the run stops when it is below, or
    after ``max_steps`` steps (then ``converged`` is False).

    Raises ``FloatingPointError`` if the flow blows up (NaN or a speed above
    0.4), which means the Reynolds number is too high for the grid.
    """
    if check_every < 1 or max_steps < 1:
        raise ValueError("check_every and max_steps must be positive")
    if not tol > 0:
        raise ValueError(f"tol must be positive, got {tol}")
    warm_up()
    _, vx_old, vy_old = sim.macroscopic()
    change = float("inf")
    converged = False
    done = 0
    start = time.perf_counter()
    while done < max_steps:
        chunk = min(check_every, max_steps - done)
        sim.run(chunk)
        done += chunk
        _, vx, vy = sim.macroscopic()
        change = relative_change(vx, vy, vx_old, vy_old)
        _check_stable(vx, vy, sim.steps)
        vx_old, vy_old = vx, vy
        if change < tol and chunk == check_every:
            converged = True
            break
    seconds = time.perf_counter() - start
    rho, vx, vy = sim.macroscopic()
    return FlowResult(
        vx=vx,
        vy=vy,
        rho=rho,
        steps=done,
        converged=converged,
        seconds=seconds,
        mlups=sim.cells * done / max(seconds, 1e-12) / 1e6,
        change=change,
    )


def solve(
    obstacle: np.ndarray,
    *,
    nu: float = 0.05,
    u_max: float = 0.1,
    tol: float = 1e-5,
    check_every: int = 100,
    max_steps: int = 30_000,
    collision: Collision = "trt",
    device: Device = "auto",
    wall: Wall = "halfway",
    sdf: np.ndarray | None = None,
    link_q: np.ndarray | None = None,
) -> FlowResult:
    """Steady channel flow past ``obstacle`` (boolean ``(ny, nx)``, True = solid).

    Parabolic inflow with peak ``u_max`` on the left, outflow on the right,
    no-slip walls top and bottom; see :class:`Simulation` and
    :func:`run_to_steady_state` for the parameters. ``wall`` is the
    obstacle's: ``"halfway"`` bounce-back or ``"interpolated"`` (with
    ``sdf`` or ``link_q``, see :class:`Simulation`).

    ``device``: ``"cpu"``, ``"gpu"`` (numba.cuda; an error without a CUDA
    GPU) or ``"auto"``: the GPU when numba finds one and the grid has at least
    ``SMALL_GRID_CELLS`` cells (smaller grids are limited by kernel launches
    there, and one CPU core is as fast), else the CPU. If the GPU path fails
    in ``"auto"`` (e.g. a CUDA toolkit numba cannot use), a warning says why
    and the CPU solves it, and every later call too.
    """
    kwargs = dict(nu=nu, u_max=u_max, collision=collision, wall=wall, sdf=sdf, link_q=link_q)
    if _use_gpu(device, np.asarray(obstacle).size):
        from bootcamp.cfd.lbm_cuda import CudaSimulation, warm_up_gpu

        try:
            warm_up_gpu()  # compiled before the clock starts, as on the CPU
            return run_to_steady_state(CudaSimulation(obstacle, **kwargs), tol=tol, check_every=check_every,
                                       max_steps=max_steps)
        except (FloatingPointError, ValueError, TypeError):
            raise
        except Exception as err:  # the CUDA driver, toolkit or compiler, not the flow
            if device == "gpu":
                raise
            global _gpu_failed
            _gpu_failed = True
            warnings.warn(f"the GPU solver failed ({type(err).__name__}: {err}); solving on the CPU from now on",
                          RuntimeWarning, stacklevel=2)
    sim = Simulation(obstacle, **kwargs)
    return run_to_steady_state(sim, tol=tol, check_every=check_every, max_steps=max_steps)


_gpu_failed = False


def _use_gpu(device: Device, cells: int) -> bool:
    """Whether :func:`solve` should step on the GPU (see its ``device``)."""
    if device == "cpu":
        return False
    if device not in ("auto", "gpu"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'gpu', not {device!r}")
    from bootcamp.cfd.lbm_cuda import gpu_available

    if device == "gpu":
        if not gpu_available():
            raise RuntimeError("device='gpu' but numba finds no CUDA GPU; use device='auto' or 'cpu'")
        return True
    return not _gpu_failed and cells >= SMALL_GRID_CELLS and gpu_available()


_compiled = False


def warm_up() -> float:
    """Compile the kernels (or load them from numba's cache); returns the seconds spent.

    Costs a few seconds the first time on a machine and well under one
    second afterwards; later calls in the same process return at once.
    """
    global _compiled
    if _compiled:
        return 0.0
    start = time.perf_counter()
    sim = Simulation(np.zeros((4, 6), dtype=np.bool_))
    _run(sim.h, sim._spare, *sim._kernel_arrays(), sim.periodic, *sim._kernel_scalars(), 2)
    sim.macroscopic()
    _compiled = True
    return time.perf_counter() - start


# --------------------------------------------------------------------------- wall geometry


def link_fractions_from_sdf(obstacle: np.ndarray, sdf: np.ndarray, *, periodic: bool = False) -> np.ndarray:
    """Where the surface cuts each boundary link, from a signed distance at the cell centres.

    ``obstacle`` is the boolean mask (True = solid), ``sdf`` the signed
    distance of the real shape (negative inside). For a fluid cell ``x_f``
    whose neighbour ``x_s = x_f + c_i`` is solid, ``q`` is the zero crossing
    of the SDF along the link by linear interpolation,
    ``q = sdf(x_f) / (sdf(x_f) - sdf(x_s))``: exact for a plane wall; for a
    curved one close on most links and off by up to a tenth of a link on
    those that graze the surface (measured on a circle of radius 6.3 cells
    against the closed form: mean difference 0.011, largest 0.098; on the
    10-cell Schaefer-Turek cylinder of the tests, the drag 5.646 against
    5.665 with the exact ``q``). The SDF must be the real shape's: the one
    :func:`bootcamp.cfd.shapes.signed_distance` computes from the mask has
    its zero level on the staircase, so it puts nearly every wall half-way
    (measured on that cylinder: ``q`` within 0.25-0.75, drag 5.816 against
    5.855 with half-way bounce-back).
    Returns float32 ``(9, ny, nx)``, NaN where there is no link. A fluid cell
    with a negative SDF or a solid one with a positive SDF (beyond 1e-3
    cells) means the mask and the SDF describe different shapes: a
    ValueError.
    """
    mask = np.asarray(obstacle, dtype=bool)
    phi = np.asarray(sdf, dtype=np.float64)
    if phi.shape != mask.shape:
        raise ValueError(f"sdf has shape {phi.shape}, the obstacle {mask.shape}")
    if not np.all(np.isfinite(phi)):
        raise ValueError("sdf must be finite everywhere")
    ny, nx = mask.shape
    q = np.full((9, ny, nx), np.nan, dtype=np.float32)
    for i in range(1, 9):
        at_link = ~mask & _neighbour(mask, CY[i], CX[i], periodic)
        yf, xf = np.nonzero(at_link)
        inside, outside = phi[yf + CY[i], (xf + CX[i]) % nx], phi[yf, xf]
        if np.any(outside < -1e-3) or np.any(inside > 1e-3):
            raise ValueError("the sdf and the obstacle mask disagree (a fluid cell with sdf < 0 or a solid one with "
                             "sdf > 0 next to it): they must describe the same shape")
        outside, inside = np.maximum(outside, 0.0), np.minimum(inside, 0.0)
        span = outside - inside
        q[i, yf, xf] = np.where(span > 0, outside / np.where(span > 0, span, 1.0), 0.5)
    return q


def _check_wall(wall: str, cls: type, sdf: np.ndarray | None, link_q: np.ndarray | None) -> str:
    if wall not in WALLS:
        raise ValueError(f"wall must be 'halfway' or 'interpolated', not {wall!r}")
    if wall == "halfway":
        if sdf is not None or link_q is not None:
            raise ValueError("sdf and link_q are for wall='interpolated'; half-way bounce-back takes the mask alone")
        return wall
    if (sdf is None) == (link_q is None):
        raise ValueError("wall='interpolated' needs where the surface cuts the links: give sdf (the real shape's "
                         "signed distance, not the mask's) or link_q, one of them")
    stepper = next(k for k in cls.__mro__ if "_advance" in vars(k))
    if not vars(stepper).get("steps_interpolated_wall", False):
        raise NotImplementedError(f"{cls.__name__} steps half-way bounce-back only; use Simulation for "
                                  "wall='interpolated'")
    return wall


def _check_link_q(link_q: np.ndarray, obstacle: np.ndarray, periodic: bool) -> np.ndarray:
    q = np.asarray(link_q, dtype=np.float32)
    if q.shape != (9,) + obstacle.shape:
        raise ValueError(f"link_q must have shape (9, ny, nx) = {(9,) + obstacle.shape}, got {q.shape}")
    out = np.full(q.shape, np.nan, dtype=np.float32)
    for i in range(1, 9):
        at_link = ~obstacle & _neighbour(obstacle, CY[i], CX[i], periodic)
        values = q[i][at_link]
        if not np.all((values >= 0) & (values <= 1)):
            raise ValueError(f"link_q must lie in [0, 1] on every boundary link (direction {i} has "
                             f"{values[~((values >= 0) & (values <= 1))][:3].tolist()})")
        out[i][at_link] = values
    return out


def _link_table(obstacle: np.ndarray, link_q: np.ndarray | None, periodic: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every boundary link of the obstacle and the weights of the wall on it (see ``_fill_ghosts``).

    ``link_q`` None: half-way bounce-back, weights ``(1, 0, 0)``. Otherwise
    Bouzidi et al.'s linear rule; a link with ``q < 1/2`` whose cell
    ``x_ff = x_f - c_i`` is not fluid falls back to half-way bounce-back.
    The weights are worked out in float64 and rounded once, so ``q = 1/2``
    gives exactly ``(1, 0, 0)``. Returns ``(links, coefs)``, the links
    sorted by fluid cell (row-major), then direction.
    """
    ny, nx = obstacle.shape
    rows, weights = [], []
    for i in range(1, 9):
        yf, xf = np.nonzero(~obstacle & _neighbour(obstacle, CY[i], CX[i], periodic))
        ys, xs = yf + CY[i], (xf + CX[i]) % nx
        yff, xff = yf - CY[i], xf - CX[i]
        inside = (yff >= 0) & (yff < ny) & (periodic | ((xff >= 0) & (xff < nx)))
        xff = xff % nx
        far_fluid = inside & ~obstacle[np.clip(yff, 0, ny - 1), xff]
        q = np.full(len(yf), 0.5) if link_q is None else link_q[i, yf, xf].astype(np.float64)
        q = np.where((q < 0.5) & ~far_fluid, 0.5, q)
        near = q < 0.5
        q2 = 2.0 * q
        a = np.where(near, q2, 1.0 / np.maximum(q2, 1.0))
        b = np.where(near, 1.0 - q2, 0.0)
        c = np.where(near, 0.0, (q2 - 1.0) / np.maximum(q2, 1.0))
        yff, xff = np.where(near, yff, yf), np.where(near, xff, xf)
        rows.append(np.stack([np.full(len(yf), i), yf, xf, yff, xff, ys, xs], axis=1))
        weights.append(np.stack([a, b, c], axis=1))
    links = np.concatenate(rows).astype(np.int64)
    coefs = np.concatenate(weights)
    order = np.lexsort((links[:, 0], links[:, 2], links[:, 1]))  # by row, column, then direction
    return np.ascontiguousarray(links[order]), np.ascontiguousarray(coefs[order], dtype=np.float32)


# --------------------------------------------------------------------------- helpers


def _check_obstacle(obstacle: np.ndarray, periodic: bool) -> np.ndarray:
    mask = np.asarray(obstacle)
    if mask.ndim != 2 or mask.shape[0] < 2 or mask.shape[1] < 3:
        raise ValueError(f"obstacle must be a 2-D (ny, nx) mask with ny >= 2, nx >= 3; got shape {mask.shape}")
    if mask.dtype != np.bool_:
        raise TypeError(f"obstacle must be a boolean mask (True = solid), not {mask.dtype}; use mask > 0")
    if not periodic and (mask[:, 0].any() or mask[:, -1].any()):
        raise ValueError(
            "the obstacle touches the first or last column, where the inlet and outlet are; "
            "keep it a few cells away from both ends"
        )
    return np.ascontiguousarray(mask).copy()


def _neighbour(mask: np.ndarray, dy: int, dx: int, periodic: bool) -> np.ndarray:
    """``out[y, x] = mask[y + dy, x + dx]``; False beyond the rows (and columns unless periodic)."""
    ny, nx = mask.shape
    out = np.zeros_like(mask)
    src = np.roll(mask, -dx, axis=1) if periodic else mask
    ys = slice(max(dy, 0), ny + min(dy, 0))
    yd = slice(max(-dy, 0), ny + min(-dy, 0))
    if periodic or dx == 0:
        out[yd, :] = src[ys, :]
    else:
        xs = slice(max(dx, 0), nx + min(dx, 0))
        xd = slice(max(-dx, 0), nx + min(-dx, 0))
        out[yd, xd] = src[ys, xs]
    return out


def relative_change(vx: np.ndarray, vy: np.ndarray, vx_old: np.ndarray, vy_old: np.ndarray) -> float:
    """``||u - u_old|| / ||u||`` over the grid, both components: what
    :func:`run_to_steady_state` compares with its tolerance."""
    diff = np.sum((vx - vx_old) ** 2, dtype=np.float64) + np.sum((vy - vy_old) ** 2, dtype=np.float64)
    norm = np.sum(vx * vx, dtype=np.float64) + np.sum(vy * vy, dtype=np.float64)
    return float(np.sqrt(diff / norm)) if norm > 0 else (0.0 if diff == 0 else float("inf"))


def _check_stable(vx: np.ndarray, vy: np.ndarray, step: int) -> None:
    speed = float(np.sqrt(np.max(vx * vx + vy * vy)))
    if not np.isfinite(speed) or speed > MAX_STABLE_SPEED:
        raise FloatingPointError(
            f"the flow became unstable by step {step} (max speed {speed:.3g}): lower u_max, "
            "raise nu, or use a finer grid (the Reynolds number is too high for this resolution)"
        )
