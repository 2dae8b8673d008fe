"""The lattice-Boltzmann solver against analytic flows and its NumPy twin."""

import numpy as np

from bootcamp.cfd.lbm import initial_state, solve, step_numba
from bootcamp.cfd.reference import step_numpy


def test_poiseuille_channel_matches_the_analytic_parabola():
    """Body-force-driven flow between two walls: u(y) = g/(2 nu) (y - a)(b - y),
    walls half-way between the last fluid and the first solid row."""
    ny, nu, g = 34, 0.1, 1e-5                      # u_max = g H^2 / (8 nu) = 0.0128
    flow = solve(np.zeros((ny, 4), bool), nu=nu, periodic=True, force=(g, 0.0), tol=1e-5,
                 check_every=1000, max_steps=80_000)
    assert flow.converged
    y = np.arange(1, ny - 1)
    a, b = 0.5, ny - 1.5
    exact = g / (2 * nu) * (y - a) * (b - y)
    simulated = flow.vx[1:-1, 2]
    error = np.linalg.norm(simulated - exact) / np.linalg.norm(exact)
    assert error < 0.01, f"relative L2 error {error:.2%}"
    assert np.abs(flow.vy).max() < 1e-6


def test_mass_is_conserved_with_walls_and_an_obstacle():
    solid = np.zeros((24, 40), bool)
    solid[0] = solid[-1] = True
    solid[9:15, 12:18] = True
    f = initial_state(solid, 0.05)
    before = f.sum(dtype=np.float64)
    after = step_numba(f, solid, 500, nu=0.05, periodic=True).sum(dtype=np.float64)
    assert abs(after - before) / before < 1e-5


def test_numba_kernel_agrees_with_the_numpy_reference():
    rng = np.random.default_rng(0)
    solid = np.zeros((20, 32), bool)
    solid[0] = solid[-1] = True
    solid[7:12, 10:14] = True
    f = initial_state(solid, 0.04) * (1 + 0.01 * rng.standard_normal((9, 20, 32))).astype(np.float32)
    f[:, solid] = 0
    fast = step_numba(f, solid, 60, nu=0.05, periodic=True, force=(1e-5, 0.0))
    slow = step_numpy(f, solid, 60, nu=0.05, force=(1e-5, 0.0))
    np.testing.assert_allclose(fast, slow, atol=2e-6)


def test_open_channel_carries_the_inlet_flux_to_the_outlet():
    obstacle = np.zeros((34, 120), bool)
    obstacle[13:21, 30:38] = True
    flow = solve(obstacle, nu=0.05, u_max=0.05, tol=1e-5, check_every=500, max_steps=40_000)
    assert flow.converged
    inflow = (flow.rho[:, 1] * flow.vx[:, 1]).sum()
    outflow = (flow.rho[:, -2] * flow.vx[:, -2]).sum()
    assert abs(outflow - inflow) / inflow < 0.01
    assert np.all(flow.vx[obstacle] == 0) and np.all(flow.vy[obstacle] == 0)
    assert flow.vy[10:24, 25:45].std() > 1e-3          # the flow goes round the obstacle
