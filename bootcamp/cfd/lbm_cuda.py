"""The lattice-Boltzmann step on an NVIDIA GPU, with numba.cuda.

Same physics, same storage (``h = f - w``, float32 ``(9, ny, nx)``) and same
results as the CPU kernel in :mod:`bootcamp.cfd.lbm`, organised the way a GPU
wants it: one thread per cell pulls its nine populations, bounces back those
that would come from a solid cell, and collides (TRT with Guo's forcing);
then, for an open channel, one thread per row rewrites the inlet and outlet
columns. :class:`CudaSimulation` is a :class:`~bootcamp.cfd.lbm.Simulation`
whose stepping runs on the GPU; everything else (moments, forces, the
steady-state loop) is inherited.

The interpolated wall (``wall="interpolated"``) works as on the CPU: before
the cells of a step, one thread per boundary link writes the population the
wall sends back along it into the solid cell it is pulled from, and the
cells then pull as if the obstacle were fluid (the channel walls still
bounce back half-way); in the cooperative kernel that is one more
grid-wide barrier per step.

A step of a 128 x 256 grid is a few microseconds of GPU work, less than
launching a kernel from Python costs (measured on an H200: 70-110 us per
step with two launches per step, no faster than 16 CPU threads). So the steps of a
:meth:`~bootcamp.cfd.lbm.Simulation.run` are one cooperative launch: every
thread loops over the steps and the whole grid waits at a barrier
(``cuda.cg.this_grid().sync()``) after the cells and after the open ends.
Where a cooperative launch is refused (a driver or toolkit without it), a
warning says so and each step is launched on its own.

:func:`bootcamp.cfd.lbm.solve` uses it by itself when numba finds a CUDA GPU
(``device="auto"``). Without one, the tests check these kernels against the
CPU kernel in numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``), which runs
them, slowly, on the CPU.
"""

from __future__ import annotations

import functools
import time
import warnings

import numba
import numpy as np
from numba import cuda, float32
from numba.core.errors import NumbaPerformanceWarning

from bootcamp.cfd.lbm import CX, CY, OPP, OUTLET_PRESSURE_RELAXATION, W, Simulation

__all__ = ["CudaSimulation", "gpu_available", "warm_up_gpu"]

# float32 constants, so that the kernels stay in single precision
_F = np.float32
_0, _HALF, _1, _1_5, _3, _4_5, _9 = _F(0), _F(0.5), _F(1), _F(1.5), _F(3), _F(4.5), _F(9)
_RELAX = _F(OUTLET_PRESSURE_RELAXATION)
_CXF = CX.astype(np.float32)
_CYF = CY.astype(np.float32)
# The four directions whose opposites complete the set: (1, 3), (2, 4), (5, 7), (6, 8).
_PAIR_HEADS = np.array([1, 2, 5, 6], dtype=np.int64)
THREADS = (32, 8)  # x (contiguous in memory) by y


@functools.cache
def gpu_available() -> bool:
    """True when numba can reach a real CUDA GPU (its CUDA simulator does not count)."""
    if numba.config.ENABLE_CUDASIM:
        return False
    try:
        return bool(cuda.is_available()) and len(cuda.gpus) > 0
    except Exception:  # a broken driver or toolkit: the CPU solver is the answer
        return False


@cuda.jit(device=True, inline=True, fastmath=True)
def _cell(src, dst, walls, solid, y, x, op, om, gx, gy):
    """Stream (pull with bounce-back from the cells of ``walls``) and collide cell (y, x);
    a cell of ``solid`` gets zeros. Both are padded masks as in ``lbm._update_cell``."""
    nx = src.shape[2]
    if solid[y + 1, x]:
        for i in range(9):
            dst[i, y, x] = _0
        return
    h = cuda.local.array(9, float32)
    for i in range(9):
        ys = y - CY[i]  # the cell this population comes from; rows -1 and ny are the walls
        xs = x - CX[i]
        if xs < 0:
            xs += nx
        elif xs >= nx:
            xs -= nx
        if walls[ys + 1, xs]:
            h[i] = src[OPP[i], y, x]
        else:
            h[i] = src[i, ys, xs]

    drho = _0
    jx = _0
    jy = _0
    for i in range(9):
        drho += h[i]
        jx += _CXF[i] * h[i]
        jy += _CYF[i] * h[i]
    rho = _1 + drho
    ux = (jx + _HALF * gx) / rho
    uy = (jy + _HALF * gy) / rho
    usq15 = _1_5 * (ux * ux + uy * uy)
    ug3 = _3 * (ux * gx + uy * gy)
    sp = _1 - _HALF * op
    sm = _1 - _HALF * om

    rest_eq = drho
    rest_src = _0
    for k in range(4):
        i = _PAIR_HEADS[k]
        o = OPP[i]
        w = W[i]
        cu = _CXF[i] * ux + _CYF[i] * uy
        cg = _CXF[i] * gx + _CYF[i] * gy
        eq_sym = w * (drho + rho * (_4_5 * cu * cu - usq15))
        src_sym = w * (_9 * cu * cg - ug3)
        change_sym = op * (eq_sym - _HALF * (h[i] + h[o])) + sp * src_sym
        change_anti = om * (_3 * w * rho * cu - _HALF * (h[i] - h[o])) + sm * _3 * w * cg
        dst[i, y, x] = h[i] + change_sym + change_anti
        dst[o, y, x] = h[o] + change_sym - change_anti
        rest_eq -= eq_sym + eq_sym
        rest_src -= src_sym + src_sym
    dst[0, y, x] = h[0] + op * (rest_eq - h[0]) + sp * rest_src


@cuda.jit(fastmath=True)
def _bulk(src, dst, walls, solid, op, om, gx, gy):
    """One step of every cell, one thread per cell."""
    x, y = cuda.grid(2)
    if x < src.shape[2] and y < src.shape[1]:
        _cell(src, dst, walls, solid, y, x, op, om, gx, gy)


@cuda.jit(device=True, inline=True, fastmath=True)
def _ghost(h, links, coefs, k):
    """The population the interpolated wall sends back along link ``k``, written
    into the solid cell it is pulled from (see ``lbm._fill_ghosts``)."""
    i = links[k, 0]
    yf = links[k, 1]
    xf = links[k, 2]
    back = OPP[i]
    h[back, links[k, 5], links[k, 6]] = (coefs[k, 0] * h[i, yf, xf] + coefs[k, 1] * h[i, links[k, 3], links[k, 4]]
                                         + coefs[k, 2] * h[back, yf, xf])


@cuda.jit(fastmath=True)
def _ghosts(h, links, coefs, n_links):
    """The interpolated wall's pass before a step, one thread per boundary link."""
    k = cuda.grid(1)
    if k < n_links:
        _ghost(h, links, coefs, k)


@cuda.jit(device=True, inline=True)
def _feq_shifted(i, rho, ux, uy):
    cu = _CXF[i] * ux + _CYF[i] * uy
    return W[i] * (rho - _1 + rho * (_3 * cu + _4_5 * cu * cu - _1_5 * (ux * ux + uy * uy)))


@cuda.jit(device=True, inline=True)
def _column_moments(h, y, x, gx, gy):
    rho = _1
    jx = _0
    jy = _0
    for i in range(9):
        rho += h[i, y, x]
        jx += _CXF[i] * h[i, y, x]
        jy += _CYF[i] * h[i, y, x]
    return rho, (jx - _HALF * gx) / rho, (jy - _HALF * gy) / rho


@cuda.jit(device=True, inline=True, fastmath=True)
def _row_ends(dst, inlet_u, y, gx, gy):
    """Inlet and outlet columns of row y by non-equilibrium extrapolation (see lbm._open_ends)."""
    nx = dst.shape[2]
    rho_in, ux_in, uy_in = _column_moments(dst, y, 1, gx, gy)
    rho_n, ux_n, uy_n = _column_moments(dst, y, nx - 2, gx, gy)
    rho_out = rho_n + _RELAX * (_1 - rho_n)
    for i in range(9):
        dst[i, y, 0] = _feq_shifted(i, rho_in, inlet_u[y], _0) + dst[i, y, 1] - _feq_shifted(i, rho_in, ux_in, uy_in)
        dst[i, y, nx - 1] = (_feq_shifted(i, rho_out, ux_n, uy_n)
                             + dst[i, y, nx - 2] - _feq_shifted(i, rho_n, ux_n, uy_n))


@cuda.jit(fastmath=True)
def _ends(dst, inlet_u, gx, gy):
    """The open ends of every row, one thread per row."""
    y = cuda.grid(1)
    if y < dst.shape[1]:
        _row_ends(dst, inlet_u, y, gx, gy)


@cuda.jit(fastmath=True)
def _steps(a, b, walls, solid, links, coefs, n_links, inlet_u, periodic, op, om, gx, gy, steps):
    """``steps`` steps in one cooperative launch: for the interpolated wall its
    boundary links and a barrier of the whole grid, then a grid-stride loop
    over the cells, a barrier, the open ends, another barrier. Even steps go
    from ``a`` to ``b``, odd ones back."""
    grid = cuda.cg.this_grid()
    ny, nx = a.shape[1], a.shape[2]
    first = cuda.grid(1)
    stride = cuda.gridsize(1)
    for step in range(steps):
        if step % 2 == 0:
            src, dst = a, b
        else:
            src, dst = b, a
        if n_links > 0:
            for k in range(first, n_links, stride):
                _ghost(src, links, coefs, k)
            grid.sync()
        for cell in range(first, ny * nx, stride):
            y = cell // nx
            _cell(src, dst, walls, solid, y, cell - y * nx, op, om, gx, gy)
        grid.sync()
        if not periodic:
            for y in range(first, ny, stride):
                _row_ends(dst, inlet_u, y, gx, gy)
            grid.sync()


COOPERATIVE_THREADS = 256
_cooperative_failed = False  # set once a cooperative launch was refused: per-step launches from then on


def _cooperative_blocks(args: tuple, cells: int) -> int:
    """Blocks of the cooperative launch: enough for one cell per thread, at most what fits on the GPU at once."""
    wanted = -(-cells // COOPERATIVE_THREADS)
    if numba.config.ENABLE_CUDASIM:
        return 1  # the simulator runs cooperative grids of one block only
    kernel = _steps.compile(tuple(numba.typeof(arg) for arg in args))
    return max(1, min(wanted, kernel.max_cooperative_grid_blocks(COOPERATIVE_THREADS)))


class CudaSimulation(Simulation):
    """A :class:`~bootcamp.cfd.lbm.Simulation` stepped on the GPU.

    The populations stay on the GPU during a :meth:`run`; ``h`` is copied
    back at its end, so moments, forces and convergence checks work as on the
    CPU (``run_to_steady_state`` runs 100 steps between checks, so the copies
    cost little). ``cooperative=False`` launches each step on its own (the
    fallback; slower on small grids).
    """

    cooperative = True
    steps_interpolated_wall = True

    def _advance(self, steps: int) -> None:
        if not hasattr(self, "_device"):
            links, coefs = self._kernel_links
            n_links = len(links)
            if not n_links:  # one-row stand-ins, never read: no zero-size arrays on the device
                links, coefs = np.zeros((1, 7), dtype=np.int64), np.zeros((1, 3), dtype=np.float32)
            self._device = {
                "walls": cuda.to_device(self.pull_walls),
                "solid": cuda.to_device(self.walls),
                "links": cuda.to_device(links),
                "coefs": cuda.to_device(coefs),
                "n_links": np.int64(n_links),
                "inlet": cuda.to_device(self.inlet),
                "spare": cuda.device_array(self.h.shape, dtype=np.float32),
            }
        device = self._device
        a = cuda.to_device(self.h)
        b = device["spare"]
        op, om, gx, gy = self._kernel_scalars()
        if self.cooperative and self._launch_cooperative(a, b, steps):
            if steps % 2:  # odd steps end in b
                a, b = b, a
        else:
            blocks = ((self.nx + THREADS[0] - 1) // THREADS[0], (self.ny + THREADS[1] - 1) // THREADS[1])
            row_blocks = (self.ny + 63) // 64
            n_links = int(device["n_links"])
            link_blocks = (n_links + 63) // 64
            with warnings.catch_warnings():  # the ends and links kernels have few blocks on purpose
                warnings.simplefilter("ignore", NumbaPerformanceWarning)
                for _ in range(steps):
                    if n_links:
                        _ghosts[link_blocks, 64](a, device["links"], device["coefs"], device["n_links"])
                    _bulk[blocks, THREADS](a, b, device["walls"], device["solid"], op, om, gx, gy)
                    if not self.periodic:
                        _ends[row_blocks, 64](b, device["inlet"], gx, gy)
                    a, b = b, a
        a.copy_to_host(self.h)
        device["spare"] = b

    def _launch_cooperative(self, a, b, steps: int) -> bool:
        """Step ``a`` (and ``b``) ``steps`` times in one cooperative launch; False, with a
        warning the first time, where the GPU refuses it (then nothing was stepped)."""
        global _cooperative_failed
        if _cooperative_failed:
            return False
        device = self._device
        args = (a, b, device["walls"], device["solid"], device["links"], device["coefs"], device["n_links"],
                device["inlet"], bool(self.periodic), *self._kernel_scalars(), np.int64(steps))
        try:
            if "blocks" not in device:
                device["blocks"] = _cooperative_blocks(args, self.cells)
            _steps[device["blocks"], COOPERATIVE_THREADS](*args)
            cuda.synchronize()
        except Exception as err:  # no cooperative launch here: the caller steps one launch at a time
            _cooperative_failed = True
            warnings.warn(f"cooperative GPU launch failed ({type(err).__name__}: {err}); launching each step "
                          "on its own (slower)", RuntimeWarning, stacklevel=4)
            return False
        return True


@functools.cache
def warm_up_gpu() -> float:
    """Compile the GPU kernels, once per process (a second or two); returns the seconds spent."""
    start = time.perf_counter()
    CudaSimulation(np.zeros((4, 6), dtype=np.bool_)).run(2)
    return time.perf_counter() - start
