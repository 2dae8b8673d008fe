"""CFD module: a D2Q9 lattice-Boltzmann solver, random obstacles and the flow data set.

The pieces, from the bottom up:

* :mod:`bootcamp.cfd.lbm` - the numba-compiled solver: :func:`solve` gives the
  steady flow round an obstacle mask, :class:`Simulation` steps one by hand;
  :mod:`bootcamp.cfd.lbm_cuda` steps it on a GPU when there is one.
* :mod:`bootcamp.cfd.reference` - the same physics in plain NumPy, for checks.
* :mod:`bootcamp.cfd.shapes` - random ellipses, rectangles, polygons and NACA
  aerofoils, and the signed distance function of a mask.
* :mod:`bootcamp.cfd.dataset` - many samples in parallel, sharded, saved as
  ``.npz`` (``python -m bootcamp.cfd.dataset --help``).
* :mod:`bootcamp.cfd.flows` - the one data set of the six CFD notebooks,
  cached, and the competition score.
* :mod:`bootcamp.cfd.validation` - the Schaefer & Turek cylinder benchmark.
* :mod:`bootcamp.cfd.models` and :mod:`bootcamp.cfd.plots` - the networks the
  later notebooks reuse, and the flow figures.

See ``docs/cfd.md`` for the physics, the checks and the measured speed.
"""

from bootcamp.cfd.lbm import FlowResult, Simulation, parabolic_profile, run_to_steady_state, solve, warm_up
from bootcamp.cfd.shapes import Obstacle, random_obstacle, signed_distance

__all__ = [
    "FlowResult",
    "Obstacle",
    "Simulation",
    "parabolic_profile",
    "random_obstacle",
    "run_to_steady_state",
    "signed_distance",
    "solve",
    "warm_up",
]
