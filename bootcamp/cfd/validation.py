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
(:meth:`~bootcamp.cfd.lbm.Simulation.obstacle_force`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bootcamp.cfd.lbm import Simulation, run_to_steady_state

__all__ = ["SCHAEFER_TUREK_CD", "SCHAEFER_TUREK_CL", "CylinderResult", "schaefer_turek_2d1"]

SCHAEFER_TUREK_CD = (5.57, 5.59)
SCHAEFER_TUREK_CL = (0.0104, 0.0110)


@dataclass(frozen=True)
class CylinderResult:
    cd: float
    cl: float
    steps: int
    converged: bool
    shape: tuple[int, int]


def schaefer_turek_2d1(
    diameter: int = 10, u_max: float = 0.05, length: float = 1.5, tol: float = 1e-6
) -> CylinderResult:
    """Drag and lift coefficients of case 2D-1 with a ``diameter``-cell cylinder.

    ``u_max`` is the lattice inflow peak (the Mach number: smaller is closer
    to incompressible, and slower); the viscosity follows from Re = 20.
    ``length`` is the channel length in units of 0.1 (the benchmark's 2.2;
    1.5 changes the drag by under 0.4% at D = 10 cells and saves a third of the time).
    """
    ny = round(4.1 * diameter)
    nx = round(length * 10 * diameter)
    # walls lie at y = -0.5 and ny - 0.5, so the physical height 0.2 is row 2D - 0.5
    cx, cy = 2.0 * diameter, 2.0 * diameter - 0.5
    y, x = np.mgrid[:ny, :nx]
    obstacle = (x - cx) ** 2 + (y - cy) ** 2 <= (diameter / 2) ** 2
    u_mean = 2.0 / 3.0 * u_max
    sim = Simulation(obstacle, nu=u_mean * diameter / 20.0, u_max=u_max)
    flow = run_to_steady_state(sim, tol=tol, check_every=200, max_steps=400_000)
    fx, fy = sim.obstacle_force()
    scale = 0.5 * u_mean**2 * diameter
    return CylinderResult(fx / scale, fy / scale, flow.steps, flow.converged, (ny, nx))
