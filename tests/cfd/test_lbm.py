"""The lattice-Boltzmann solver against analytic flows, conservation laws and its NumPy twin."""

from __future__ import annotations

import numpy as np
import pytest

from bootcamp.cfd.lbm import (
    FlowResult,
    Simulation,
    link_fractions_from_sdf,
    parabolic_profile,
    run_to_steady_state,
    solve,
)
from bootcamp.cfd.reference import ReferenceSimulation
from bootcamp.cfd.validation import circle_link_fractions


# |vy| in a channel driven along x: zero but for float32 rounding. 1e-7 is what a kernel loaded
# from numba's cache gives (BGK: 1e-9); the first process after the solver's source changes
# compiles it afresh, and that code rounds differently: 1.2e-7 (measured, BGK, the kernel of
# commit 590e6aa too). The peak vx is 0.0128.
VY_ROUNDING = 1e-6


def disc(ny: int, nx: int, cx: float, cy: float, r: float) -> np.ndarray:
    y, x = np.mgrid[:ny, :nx]
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def relative_l2(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def disc_wall(wall: str, ny: int, nx: int, cx: float, cy: float, r: float) -> tuple[np.ndarray, dict]:
    """A disc and the Simulation/solve keywords of ``wall`` for it (the interpolated wall on the real circle)."""
    obstacle = disc(ny, nx, cx, cy, r)
    if wall == "halfway":
        return obstacle, {}
    return obstacle, dict(wall="interpolated", link_q=circle_link_fractions(obstacle, cx, cy, r))


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
    assert np.abs(vy).max() < VY_ROUNDING


@pytest.mark.parametrize("collision", ["trt", "bgk"])
@pytest.mark.parametrize("q_low, q_high", [(0.3, 0.8), (0.1, 0.95), (0.7, 0.2)])
def test_force_driven_channel_between_walls_off_the_lattice(collision, q_low, q_high):
    """Walls anywhere between cell centres, as solid first and last rows whose real surface
    cuts the links at q_low and q_high (from the SDF of the two planes): the interpolated wall
    gives the parabola between the real walls, half-way bounce-back the one between the
    half-way planes. Measured: 8e-4 to 1.4e-3 relative error interpolated (TRT and BGK),
    2.6% to 4.2% half-way; mass constant to 1e-7 with either wall."""
    ny, nu, g = 34, 0.1, 1e-5
    obstacle = np.zeros((ny, 4), dtype=bool)
    obstacle[[0, -1]] = True
    y_low, y_high = 1 - q_low, ny - 2 + q_high
    y = np.broadcast_to(np.arange(ny, dtype=float)[:, None], obstacle.shape)
    sdf = np.minimum(y - y_low, y_high - y)
    rows = np.arange(1, ny - 1)
    exact = g / (2 * nu) * (rows - y_low) * (y_high - rows)
    errors = {}
    for wall, extra in (("interpolated", dict(sdf=sdf)), ("halfway", {})):
        sim = Simulation(obstacle, nu=nu, periodic=True, force=(g, 0.0), collision=collision, wall=wall, **extra)
        before = sim.total_mass()
        sim.run(20_000)  # ~20 viscous times
        _, vx, vy = sim.macroscopic()
        errors[wall] = max(relative_l2(vx[1:-1, column], exact) for column in range(4))
        assert np.abs(vy).max() < VY_ROUNDING
        assert abs(sim.total_mass() - before) / before < 1e-6
    assert errors["interpolated"] < 0.003, errors
    assert errors["halfway"] > 0.02, errors  # the staircase walls are in the wrong place


def test_interpolated_wall_at_q_one_half_is_halfway_bounce_back_bit_for_bit():
    """q = 1/2 on every link gives the weights (1, 0, 0) exactly: the same populations as
    the kernel's own select, in an open and a periodic channel (TRT and BGK)."""
    obstacle = disc(24, 40, 20, 11.5, 4.5)
    half = np.where(np.isnan(circle_link_fractions(obstacle, 20, 11.5, 4.5)), np.nan, 0.5)
    for settings in (dict(u_max=0.1), dict(u_max=0.1, collision="bgk"), dict(periodic=True, force=(2e-5, 1e-6))):
        halfway = Simulation(obstacle, **settings)
        interpolated = Simulation(obstacle, wall="interpolated", link_q=half, **settings)
        halfway.run(301)
        interpolated.run(301)
        np.testing.assert_array_equal(interpolated.h, halfway.h)
        assert interpolated.obstacle_force() == halfway.obstacle_force()


def test_link_fractions_from_a_signed_distance():
    """Plane walls: the linear zero crossing is exact on every link, diagonals included.
    A circle: close to the closed form, not equal (the SDF is not linear along a link, least
    of all along one that grazes the circle); measured for radius 6.3: mean difference 0.011,
    largest 0.098. NaN where there is no link."""
    ny, nx = 12, 8
    obstacle = np.zeros((ny, nx), dtype=bool)
    obstacle[:3] = True  # a wall at y = 2.35: the links from row 3 cut at q = 0.65
    y = np.broadcast_to(np.arange(ny, dtype=float)[:, None], (ny, nx))
    q = link_fractions_from_sdf(obstacle, y - 2.35)
    at_links = ~np.isnan(q)
    assert at_links.sum() == 3 * nx - 2  # from row 3: straight down everywhere, diagonally but at the sides
    np.testing.assert_allclose(q[at_links], 0.65, atol=1e-6)
    assert np.all(np.isnan(q[:, 4:])) and np.all(np.isnan(q[0]))

    yy, xx = np.mgrid[:30, :40]
    circle = (xx - 18.2) ** 2 + (yy - 14.7) ** 2 <= 6.3**2
    sdf = np.hypot(xx - 18.2, yy - 14.7) - 6.3
    from_sdf, exact = link_fractions_from_sdf(circle, sdf), circle_link_fractions(circle, 18.2, 14.7, 6.3)
    assert np.array_equal(np.isnan(from_sdf), np.isnan(exact))
    difference = np.abs(from_sdf - exact)[~np.isnan(exact)]
    assert difference.mean() < 0.02 and difference.max() < 0.15
    with pytest.raises(ValueError, match="disagree"):
        link_fractions_from_sdf(circle, -sdf)


def test_open_channel_keeps_the_inflow_parabola_down_to_the_outlet():
    """No obstacle: the inflow profile is the steady solution, everywhere."""
    ny, nx = 24, 64
    flow = solve(np.zeros((ny, nx), dtype=bool), u_max=0.08, nu=0.05, tol=1e-6, max_steps=20_000)
    assert flow.converged
    exact = parabolic_profile(ny, 0.08)
    for column in (nx // 2, nx - 3):
        assert relative_l2(flow.vx[:, column], exact) < 0.01
    assert np.abs(flow.vy).max() < 1e-4


@pytest.mark.parametrize("wall", ["halfway", "interpolated"])
def test_mass_is_conserved_in_a_closed_periodic_box_with_an_obstacle(wall):
    """Half-way bounce-back conserves mass to float32 rounding. Bouzidi's interpolated wall
    does not quite (what comes back along a link is not what left along it): measured 1.7e-4
    of the mass lost in these 3,000 steps, steadily; bound 3e-4. (Taking it back from the
    cells' rest populations made the loss vanish but cost the drag its second-order
    convergence: see bootcamp.cfd.lbm.)"""
    obstacle, extra = disc_wall(wall, 24, 40, 20, 11.5, 4.5)
    sim = Simulation(obstacle, nu=0.05, periodic=True, force=(2e-5, 1e-6), **extra)
    before = sim.total_mass()
    sim.run(3000)
    _, vx, _ = sim.macroscopic()
    assert vx.max() > 1e-3  # it does flow
    drift = abs(sim.total_mass() - before) / before
    assert drift < (1e-6 if wall == "halfway" else 3e-4)  # float32 rounding only / the interpolated wall's leak


@pytest.mark.parametrize("wall", ["halfway", "interpolated"])
def test_steady_channel_flow_carries_the_inflow_to_the_outlet(wall):
    """At steady state the mass flux through every column is the same (within 0.5%);
    the fluid goes round the obstacle and is at rest inside it.

    With the interpolated wall the flux is the same to float32 rounding in every column before
    the disc, and in every column after it, but the disc adds a little mass (measured: 0.41%
    of the flux here; 0.049% on a grid twice as fine, third order) and the columns through it
    sum the flux more crudely (the wall is not half-way between their cells). Within 0.5% all
    the same."""
    ny, nx = 32, 96
    obstacle, extra = disc_wall(wall, ny, nx, 24, 15.5, 5)
    flow = solve(obstacle, u_max=0.08, nu=0.04, tol=1e-6, max_steps=30_000, **extra)
    assert flow.converged
    flux = (flow.rho * flow.vx).sum(axis=0)
    assert np.abs(flux[1:-1] / flux[1] - 1).max() < 0.005
    span = np.flatnonzero(obstacle.any(axis=0))
    before, after = flux[1 : span[0] - 1], flux[span[-1] + 2 : -1]  # columns with no link to the disc
    assert np.abs(before / before[0] - 1).max() < 1e-5 and np.abs(after / after[0] - 1).max() < 1e-5
    if wall == "halfway":
        assert abs(after[0] / before[0] - 1) < 1e-5
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
    with pytest.raises(ValueError, match="'halfway' or 'interpolated'"):
        Simulation(ok, wall="bouzidi")  # type: ignore[arg-type]
    body, extra = disc_wall("interpolated", 16, 32, 10, 7.5, 3)
    with pytest.raises(ValueError, match="give sdf .* or link_q"):
        Simulation(body, wall="interpolated")
    with pytest.raises(ValueError, match="for wall='interpolated'"):
        Simulation(body, link_q=extra["link_q"])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Simulation(body, wall="interpolated", link_q=extra["link_q"] * 2)
    with pytest.raises(NotImplementedError, match="half-way bounce-back only"):
        ReferenceSimulation(body, **extra)  # not a half-way wall in disguise


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


FRESH_AND_CACHED = """
import sys
import numpy as np
from bootcamp.cfd.lbm import solve
from bootcamp.cfd.validation import circle_link_fractions
yy, xx = np.mgrid[:24, :48]
mask = (yy - 12) ** 2 + (xx - 12) ** 2 < 16
flows = [solve(mask, max_steps=600, check_every=100, tol=1e-12, device="cpu"),
         solve(mask, max_steps=300, check_every=100, tol=1e-12, device="cpu", wall="interpolated",
               link_q=circle_link_fractions(mask, 12.0, 12.0, 4.0)),
         solve(mask, max_steps=300, check_every=100, tol=1e-12, device="cpu", collision="bgk")]
np.save(sys.argv[1], np.concatenate([np.concatenate([f.vx.ravel(), f.vy.ravel(), f.rho.ravel()]) for f in flows]))
"""


def test_a_freshly_compiled_kernel_and_the_cached_one_agree_to_the_last_bit(tmp_path):
    """numba compiles the solver in the first process (an empty cache) and loads it in the next: a
    data set made in a fresh clone must be the one made later (see lbm.FASTMATH)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache"), "NUMBA_NUM_THREADS": "1"}
    for name in ("fresh", "cached"):
        subprocess.run([sys.executable, "-c", FRESH_AND_CACHED, str(tmp_path / f"{name}.npy")], env=env, check=True,
                       timeout=600)
    assert any((tmp_path / "numba-cache").rglob("*.nbi")), "the first process filled the cache"
    np.testing.assert_array_equal(np.load(tmp_path / "fresh.npy"), np.load(tmp_path / "cached.npy"))
