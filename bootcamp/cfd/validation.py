"""A published benchmark for the solver: Schaefer & Turek (1996), case 2D-1.

M. Schaefer and S. Turek, "Benchmark computations of laminar flow around a
cylinder", in *Flow Simulation with High-Performance Computers II*, Notes on
Numerical Fluid Mechanics 52, Vieweg 1996, pp. 547-566.

Case 2D-1: a channel of height H = 0.41 and length L = 2.2, a cylinder of
diameter D = 0.1 centred at (0.2, 0.2) - slightly below the centre line, so
there is a small lift - a parabolic inflow with peak U_max = 0.3, and a
viscosity giving Re = U_mean D / nu = 20 with U_mean = 2/3 U_max. The flow is
steady; the drag and lift coefficients ``c = 2 F / (rho U_mean^2 D)`` lie in
5.57-5.59 and 0.0104-0.0110.

Here the cylinder is ``diameter`` cells wide, so the grid is
``4.1 diameter`` rows high; forces come from momentum exchange
(:meth:`~bootcamp.cfd.lbm.Simulation.obstacle_force`), summed over the
links of the wall in use. With ``wall="interpolated"`` the fraction ``q`` of
each boundary link on the fluid side comes from the circle in closed form
(:func:`circle_link_fractions`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from bootcamp.cfd.lbm import CX, CY, Simulation, Wall, _neighbour, run_to_steady_state

__all__ = ["SCHAEFER_TUREK_CD", "SCHAEFER_TUREK_CL", "CylinderResult", "circle_link_fractions", "diffusive_scaling",
           "schaefer_turek_2d1", "schaefer_turek_setup"]

SCHAEFER_TUREK_CD = (5.57, 5.59)
SCHAEFER_TUREK_CL = (0.0104, 0.0110)


@dataclass(frozen=True)
class CylinderResult:
    cd: float
    cl: float
    steps: int
    converged: bool
    shape: tuple[int, int]
    wall: str = "halfway"
    u_max: float = 0.05
    seconds: float = 0.0  # wall time of the solve (set-up and force included)
    # relative change of the mass flux from the inlet to the outlet (columns 1 and nx - 2): the
    # mass the wall adds (zero to float32 rounding for half-way bounce-back)
    mass_gain: float = 0.0


def circle_link_fractions(
    obstacle: np.ndarray, cx: float, cy: float, radius: float, *, periodic: bool = False
) -> np.ndarray:
    """Where a circle cuts each boundary link of its mask, in closed form.

    ``obstacle`` is the mask of the circle (cell centres with
    ``(x - cx)^2 + (y - cy)^2 <= radius^2``). For a fluid cell ``p`` whose
    neighbour ``p + c_i`` is solid, ``q`` is the smaller root ``t`` of
    ``|p + t c_i - centre|^2 = radius^2``: the fraction of the link that lies
    in the fluid, in (0, 1]. Returns float32 ``(9, ny, nx)``, NaN where there
    is no link (the ``link_q`` of :class:`~bootcamp.cfd.lbm.Simulation`).
    """
    mask = np.asarray(obstacle, dtype=bool)
    ny, nx = mask.shape
    q = np.full((9, ny, nx), np.nan, dtype=np.float32)
    for i in range(1, 9):
        yf, xf = np.nonzero(~mask & _neighbour(mask, CY[i], CX[i], periodic))
        dx, dy = xf - cx, yf - cy
        c2 = float(CX[i] ** 2 + CY[i] ** 2)
        half_b = CX[i] * dx + CY[i] * dy  # c . d, negative: the link points towards the centre
        gap = dx * dx + dy * dy - radius * radius  # > 0 outside
        root = np.sqrt(np.maximum(half_b * half_b - c2 * gap, 0.0))
        # the smaller root (-half_b - root) / c2, written without cancellation (the product of the roots is gap / c2)
        t = gap / (-half_b + root)
        q[i, yf, xf] = np.clip(t, 0.0, 1.0)
    return q


def schaefer_turek_2d1(
    diameter: int = 10,
    u_max: float = 0.05,
    length: float = 1.5,
    tol: float = 1e-6,
    wall: Wall = "halfway",
    check_every: int = 200,
) -> CylinderResult:
    """Drag and lift coefficients of case 2D-1 with a ``diameter``-cell cylinder.

    ``u_max`` is the lattice inflow peak (the Mach number: smaller is closer
    to incompressible, and slower); the viscosity follows from Re = 20.
    ``length`` is the channel length in units of 0.1 (the benchmark's 2.2;
    1.5 changes the drag by under 0.4% at D = 10 cells and saves a third of the time).
    ``wall``: ``"halfway"`` bounce-back on the staircase of cells, or
    ``"interpolated"`` with the circle's exact ``q`` on every link.
    ``tol`` is compared with the relative change of the velocity field over
    ``check_every`` steps (see :func:`~bootcamp.cfd.lbm.run_to_steady_state`):
    when comparing resolutions at a lower ``u_max``, scale ``check_every``
    with ``diameter / u_max`` so that it spans the same physical time.
    """
    start = time.perf_counter()
    sim, scale = schaefer_turek_setup(diameter, u_max, length, wall)
    flow = run_to_steady_state(sim, tol=tol, check_every=check_every, max_steps=2_000_000)
    fx, fy = sim.obstacle_force()
    flux = (flow.rho.astype(np.float64) * flow.vx).sum(axis=0)
    return CylinderResult(fx / scale, fy / scale, flow.steps, flow.converged, sim.obstacle.shape, wall, u_max,
                          time.perf_counter() - start, float(flux[-2] / flux[1] - 1))


def diffusive_scaling(diameter: int, u_max_10: float = 0.05, check_every_10: int = 200) -> tuple[float, int]:
    """``(u_max, check_every)`` for a ``diameter``-cell run of a convergence
    study whose 10-cell run has ``u_max_10`` and ``check_every_10``: the
    inflow peak shrinks as ``1 / D`` (so the Mach number's own error falls
    with the cell), and the check interval grows as ``D^2`` (the same
    physical time between checks at that smaller speed)."""
    return u_max_10 * 10 / diameter, round(check_every_10 * (diameter / 10) ** 2)


def schaefer_turek_setup(diameter: int = 10, u_max: float = 0.05, length: float = 1.5,
                         wall: Wall = "halfway") -> tuple[Simulation, float]:
    """The channel of case 2D-1 at rest, as :func:`schaefer_turek_2d1` solves
    it, and the force scale: ``(simulation, scale)`` with ``force / scale``
    the drag or lift coefficient. For following a run step by step."""
    ny = round(4.1 * diameter)
    nx = round(length * 10 * diameter)
    # walls lie at y = -0.5 and ny - 0.5, so the physical height 0.2 is row 2D - 0.5
    cx, cy = 2.0 * diameter, 2.0 * diameter - 0.5
    y, x = np.mgrid[:ny, :nx]
    obstacle = (x - cx) ** 2 + (y - cy) ** 2 <= (diameter / 2) ** 2
    u_mean = 2.0 / 3.0 * u_max
    link_q = circle_link_fractions(obstacle, cx, cy, diameter / 2) if wall == "interpolated" else None
    sim = Simulation(obstacle, nu=u_mean * diameter / 20.0, u_max=u_max, wall=wall, link_q=link_q)
    return sim, 0.5 * u_mean**2 * diameter
