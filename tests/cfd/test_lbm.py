"""The lattice-Boltzmann solver against analytic flows, conservation laws and its NumPy twin."""

from __future__ import annotations

import numpy as np
import pytest

from bootcamp.cfd.lbm import FlowResult, Simulation, parabolic_profile, run_to_steady_state, solve
from bootcamp.cfd.reference import ReferenceSimulation


def disc(ny: int, nx: int, cx: float, cy: float, r: float) -> np.ndarray:
    y, x = np.mgrid[:ny, :nx]
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def relative_l2(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@pytest.mark.parametrize("collision", ["trt", "bgk"])
def test_force_driven_channel_is_the_poiseuille_parabola(collision):
    """Periodic channel driven by a body force g: u(y) = g/(2 nu) (y + 1/2)(ny - 1/2 - y),
    walls half a cell beyond the first and last rows. Measured error: 3e-5 (TRT), 6e-4 (BGK)."""
    ny, nu, g = 32, 0.1, 1e-5  # peak 0.0128
    sim = Simulation(np.zeros((ny, 4), dtype=bool), nu=nu, periodic=True, force=(g, 0.0), collision=collision)
    sim.run(20_000)  # ~20 viscous times H^2 / (pi^2 nu)
    _, vx, vy = sim.macroscopic()
    y = np.arange(ny)
    exact = g / (2 * nu) * (y + 0.5) * (ny - 0.5 - y)
    for column in range(4):
        assert relative_l2(vx[:, column], exact) < 0.01
    assert np.abs(vy).max() < 1e-7


def test_open_channel_keeps_the_inflow_parabola_down_to_the_outlet():
    """No obstacle: the inflow profile is the steady solution, everywhere."""
    ny, nx = 24, 64
    flow = solve(np.zeros((ny, nx), dtype=bool), u_max=0.08, nu=0.05, tol=1e-6, max_steps=20_000)
    assert flow.converged
    exact = parabolic_profile(ny, 0.08)
    for column in (nx // 2, nx - 3):
        assert relative_l2(flow.vx[:, column], exact) < 0.01
    assert np.abs(flow.vy).max() < 1e-4


def test_mass_is_conserved_in_a_closed_periodic_box_with_an_obstacle():
    obstacle = disc(24, 40, 20, 11.5, 4.5)
    sim = Simulation(obstacle, nu=0.05, periodic=True, force=(2e-5, 1e-6))
    before = sim.total_mass()
    sim.run(3000)
    _, vx, _ = sim.macroscopic()
    assert vx.max() > 1e-3  # it does flow
    assert abs(sim.total_mass() - before) / before < 1e-6  # float32 rounding only


def test_steady_channel_flow_carries_the_inflow_to_the_outlet():
    """At steady state the mass flux through every column is the same (within 0.5%);
    the fluid goes round the obstacle and is at rest inside it."""
    ny, nx = 32, 96
    obstacle = disc(ny, nx, 24, 15.5, 5)
    flow = solve(obstacle, u_max=0.08, nu=0.04, tol=1e-6, max_steps=30_000)
    assert flow.converged
    flux = (flow.rho * flow.vx).sum(axis=0)
    assert np.abs(flux[1:-1] / flux[1] - 1).max() < 0.005
    assert np.all(flow.vx[obstacle] == 0) and np.all(flow.vy[obstacle] == 0)
    assert np.abs(flow.vy[:, 18:30]).max() > 0.01  # deflected round the disc
    assert flow.vx[16, 30] < 0  # recirculation just behind it


def test_result_holds_float32_fields_and_run_statistics():
    flow = solve(disc(20, 48, 12, 9.5, 3), max_steps=400, check_every=100, tol=1e-12)
    assert isinstance(flow, FlowResult)
    for field in (flow.vx, flow.vy, flow.rho):
        assert field.shape == (20, 48) and field.dtype == np.float32
    assert flow.steps == 400 and not flow.converged
    assert flow.seconds > 0 and flow.mlups == pytest.approx(20 * 48 * 400 / flow.seconds / 1e6)
    assert 0 < flow.change < 1


@pytest.mark.parametrize(
    "settings",
    [
        dict(u_max=0.1),
        dict(u_max=0.1, nu=0.02, collision="bgk"),
        dict(periodic=True, force=(1e-5, 2e-6)),
    ],
    ids=["channel-trt", "channel-bgk", "periodic-forced"],
)
def test_numba_kernel_agrees_with_the_numpy_reference(settings):
    obstacle = np.zeros((20, 40), dtype=bool)
    obstacle[7:12, 10:15] = True
    obstacle[3, 25] = True  # a lone solid cell next to the wall
    fast, slow = Simulation(obstacle, **settings), ReferenceSimulation(obstacle, **settings)
    noise = np.random.default_rng(0).normal(0, 1e-3, fast.h.shape).astype(np.float32)
    noise[:, obstacle] = 0
    fast.h += noise
    slow.h += noise
    fast.run(200)
    slow.run(200)
    np.testing.assert_allclose(fast.h, slow.h, rtol=0, atol=1e-5)  # measured: 5e-7
    for a, b in zip(fast.macroscopic(), slow.macroscopic()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)


def test_an_odd_number_of_steps_ends_in_the_right_buffer():
    obstacle = disc(16, 32, 10, 7.5, 3)
    one_go, in_parts = Simulation(obstacle), Simulation(obstacle)
    one_go.run(7)
    for steps in (3, 1, 3):
        in_parts.run(steps)
    np.testing.assert_array_equal(one_go.h, in_parts.h)
    assert in_parts.steps == 7


def test_bad_input_is_refused_with_a_hint():
    ok = np.zeros((16, 32), dtype=bool)
    with pytest.raises(TypeError, match="boolean"):
        Simulation(ok.astype(int))
    touching = ok.copy()
    touching[5:8, 0:3] = True
    with pytest.raises(ValueError, match="first or last column"):
        Simulation(touching)
    with pytest.raises(ValueError, match="positive"):
        Simulation(ok, nu=0.0)
    with pytest.raises(ValueError, match="u_max"):
        Simulation(ok, u_max=0.5)
    with pytest.raises(ValueError, match="'trt' or 'bgk'"):
        Simulation(ok, collision="mrt")  # type: ignore[arg-type]


def test_a_blow_up_is_reported_not_returned():
    """Far too little viscosity for a large obstacle: the flow goes unstable."""
    obstacle = disc(32, 64, 16, 15.5, 9)
    sim = Simulation(obstacle, nu=1e-5, u_max=0.3)
    with pytest.raises(FloatingPointError, match="unstable"):
        run_to_steady_state(sim, max_steps=20_000, check_every=50)


def test_small_grids_run_on_one_thread_and_give_the_same_flow():
    """Below SMALL_GRID_CELLS the kernel runs single-threaded (a barrier per step
    costs more than a second thread gains); the caller's thread count is restored."""
    import numba

    from bootcamp.cfd.lbm import SMALL_GRID_CELLS

    obstacle = disc(16, 32, 10, 7.5, 3)
    assert obstacle.size < SMALL_GRID_CELLS
    before = numba.get_num_threads()
    threads = min(2, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    try:
        small = Simulation(obstacle)
        small.run(50)
        assert numba.get_num_threads() == threads
    finally:
        numba.set_num_threads(before)
    reference = Simulation(obstacle)
    reference.run(50)  # one thread (the fixture)
    np.testing.assert_array_equal(small.h, reference.h)
