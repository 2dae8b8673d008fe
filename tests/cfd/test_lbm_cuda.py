"""The GPU solver: its kernels against the CPU kernel, and how ``solve`` chooses a device.

No GPU here, so the CUDA kernels run in numba's CUDA simulator, which must be
switched on before numba is imported: that part runs in a fresh interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from bootcamp.cfd import lbm, lbm_cuda

SIMULATOR_CHECK = textwrap.dedent(
    """
    import itertools
    import warnings

    import numpy as np
    from numba import config
    from bootcamp.cfd import lbm_cuda
    from bootcamp.cfd.lbm import CX, CY, Simulation
    from bootcamp.cfd.lbm_cuda import CudaSimulation, gpu_available
    from bootcamp.cfd.validation import circle_link_fractions

    assert config.ENABLE_CUDASIM and not gpu_available()
    mask = np.zeros((6, 12), dtype=bool)
    mask[2:4, 4:6] = True
    mask[1, 5] = True  # a corner, so that diagonal bounce-back is exercised
    # the interpolated wall: a disc 4.4 cells wide whose real surface cuts its links anywhere in (0, 1],
    # with links of both Bouzidi branches, and a solid cell touching the first row
    yy, xx = np.mgrid[:8, :14]
    disc = (xx - 6.3) ** 2 + (yy - 3.2) ** 2 <= 2.2**2
    disc_q = circle_link_fractions(disc, 6.3, 3.2, 2.2)
    disc[1, 11] = True  # a lone solid cell next to the first row, its links at q = 0.3: those from
    for i in range(1, 9):  # row 0 have no second fluid cell (x_ff is beyond the wall) and fall back
        disc_q[i, 1 - CY[i], 11 - CX[i]] = 0.3
    near, far = (disc_q < 0.5).sum(), (disc_q >= 0.5).sum()
    assert near > 5 and far > 5, (near, far)
    interpolated = dict(wall="interpolated", link_q=disc_q)
    cases = [
        (mask, dict(nu=0.05, u_max=0.1)),
        (mask, dict(nu=0.1, periodic=True, force=(1e-5, 2e-6))),
        (mask, dict(nu=0.05, u_max=0.08, collision="bgk")),
        (disc, dict(nu=0.05, u_max=0.1, **interpolated)),
        (disc, dict(nu=0.1, periodic=True, force=(1e-5, 2e-6), **interpolated)),
    ]
    for (obstacle, kwargs), cooperative in itertools.product(cases, (True, False)):
        cpu, gpu = Simulation(obstacle, **kwargs), CudaSimulation(obstacle, **kwargs)
        gpu.cooperative = cooperative  # all steps of a run in one launch, or one launch per step
        cpu.run(13)
        gpu.run(7)
        gpu.run(6)  # two runs (odd step counts): the populations go to the GPU and back in between
        scale = float(np.abs(cpu.h).max())
        error = float(np.abs(cpu.h - gpu.h).max())
        assert scale > 0 and error <= 1e-5 * scale, (kwargs, cooperative, error, scale)
        assert np.all(gpu.h[:, obstacle] == 0)
        force_cpu, force_gpu = np.array(cpu.obstacle_force()), np.array(gpu.obstacle_force())
        assert np.abs(force_cpu - force_gpu).max() <= 1e-5 * np.abs(force_cpu).max(), (force_cpu, force_gpu)
        print("agree", kwargs.get("wall", "halfway"), kwargs.get("periodic", False), cooperative, error)

    # a GPU that refuses cooperative launches: a warning, then one launch per step, same answer
    def refused(args, cells):
        raise RuntimeError("cooperative launch not supported")

    lbm_cuda._cooperative_blocks = refused
    cpu, gpu = Simulation(mask, nu=0.05, u_max=0.1), CudaSimulation(mask, nu=0.05, u_max=0.1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gpu.run(13)
    cpu.run(13)
    assert [str(w.message) for w in caught] == [
        "cooperative GPU launch failed (RuntimeError: cooperative launch not supported); "
        "launching each step on its own (slower)"]
    assert lbm_cuda._cooperative_failed
    assert float(np.abs(cpu.h - gpu.h).max()) <= 1e-5 * float(np.abs(cpu.h).max())
    print("fell back")
    """
)


@pytest.mark.slow
def test_cuda_kernels_step_exactly_like_the_cpu_kernel():
    """Open channel with an obstacle (TRT and BGK) and a force-driven periodic channel, half-way
    bounce-back; an open and a periodic channel round a disc with the interpolated wall; each with
    the cooperative kernel (one launch per run) and with one launch per step.

    Measured: largest difference 3e-8 on populations of size 0.08 (float32 rounding)."""
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    done = subprocess.run([sys.executable, "-c", SIMULATOR_CHECK], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("agree") == 10 and "fell back" in done.stdout


def test_device_choice(monkeypatch):
    monkeypatch.setattr(lbm_cuda, "gpu_available", lambda: False)
    assert not lbm._use_gpu("auto", 1_000_000)
    assert not lbm._use_gpu("cpu", 1_000_000)
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        lbm._use_gpu("gpu", 100)
    with pytest.raises(ValueError, match="'auto', 'cpu' or 'gpu'"):
        lbm._use_gpu("cuda", 100)
    monkeypatch.setattr(lbm_cuda, "gpu_available", lambda: True)
    assert lbm._use_gpu("auto", lbm.SMALL_GRID_CELLS)
    assert not lbm._use_gpu("auto", lbm.SMALL_GRID_CELLS - 1)  # launch-bound on a GPU: the CPU is as fast
    assert lbm._use_gpu("gpu", 100)


def test_a_failing_gpu_falls_back_to_the_cpu_with_a_warning(monkeypatch):
    def broken(self, steps):
        raise OSError("libNVVM cannot be found")

    monkeypatch.setattr(lbm_cuda, "gpu_available", lambda: True)
    monkeypatch.setattr(lbm_cuda.CudaSimulation, "_advance", broken)
    monkeypatch.setattr(lbm, "_gpu_failed", False)
    mask = np.zeros((128, 128), dtype=bool)
    mask[50:70, 30:40] = True
    with pytest.warns(RuntimeWarning, match="libNVVM cannot be found.*on the CPU"):
        flow = lbm.solve(mask, max_steps=200)
    expected = lbm.solve(mask, max_steps=200, device="cpu")
    np.testing.assert_array_equal(flow.vx, expected.vx)
    assert lbm._gpu_failed and not lbm._use_gpu("auto", 10**6)  # not tried again
    with pytest.raises(OSError, match="libNVVM"):  # asked for explicitly: the error is the answer
        lbm.solve(mask, max_steps=200, device="gpu")
