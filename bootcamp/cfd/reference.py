"""The same D2Q9 BGK step in plain NumPy (``np.roll``), periodic in x.

Slow but short and obviously correct: the numba kernel is checked against it,
and the benchmark reports the speed ratio between the two.
"""

from __future__ import annotations

import numpy as np

from bootcamp.cfd.lbm import CX, CY, OPP, W


def step_numpy(f: np.ndarray, solid: np.ndarray, steps: int, *, nu: float,
               force: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """Periodic in x; rows outside the domain and solid cells bounce back."""
    omega = np.float32(1.0 / (3.0 * nu + 0.5))
    gx, gy = np.float32(force[0]), np.float32(force[1])
    ny, nx = solid.shape
    fluid = ~solid
    f = f.copy()
    for _ in range(steps):
        pulled = np.empty_like(f)
        for i in range(9):
            shifted = np.roll(f[i], shift=CX[i], axis=1)          # periodic in x
            blocked = np.roll(solid, shift=CX[i], axis=1)
            if CY[i]:
                shifted = np.roll(shifted, shift=CY[i], axis=0)
                blocked = np.roll(blocked, shift=CY[i], axis=0)
                edge = 0 if CY[i] > 0 else ny - 1                 # came from outside the domain
                blocked[edge, :] = True
            pulled[i] = np.where(blocked, f[OPP[i]], shifted)
        rho = pulled.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):  # solid cells: rho = 0, masked below
            ux = ((pulled * CX[:, None, None]).sum(axis=0) + 0.5 * gx) / rho
            uy = ((pulled * CY[:, None, None]).sum(axis=0) + 0.5 * gy) / rho
        ux, uy = np.where(fluid, ux, 0.0), np.where(fluid, uy, 0.0)
        cu = 3.0 * (CX[:, None, None] * ux + CY[:, None, None] * uy)
        feq = W[:, None, None] * rho * (1 + cu + 0.5 * cu**2 - 1.5 * (ux**2 + uy**2))
        ci_u = CX[:, None, None] * ux + CY[:, None, None] * uy
        source = W[:, None, None] * (1 - 0.5 * omega) * (
            3.0 * ((CX[:, None, None] - ux) * gx + (CY[:, None, None] - uy) * gy)
            + 9.0 * ci_u * (CX[:, None, None] * gx + CY[:, None, None] * gy))
        f = np.where(fluid, pulled + omega * (feq - pulled) + source, 0.0).astype(np.float32)
    return f
