"""The solver against a published benchmark: Schaefer & Turek (1996), cylinder case 2D-1."""

from __future__ import annotations

from bootcamp.cfd.validation import SCHAEFER_TUREK_CD, SCHAEFER_TUREK_CL, schaefer_turek_2d1


def test_drag_and_lift_of_the_schaefer_turek_cylinder():
    """Case 2D-1 (Re = 20, cylinder slightly below the centre line), reference
    drag 5.57-5.59 and lift 0.0104-0.0110 (Schaefer & Turek 1996).

    Coarse on purpose, to run in seconds: a 10-cell cylinder on a 41 x 150
    grid, inflow peak 0.05. Measured: Cd 5.855 (+4.9% from 5.58), Cl 0.0126.
    The gap is the staircase cylinder of a 10-cell grid: at 20 cells
    (``benchmarks/bench_lbm.py --cylinder``) the same code gives Cd 5.755
    (+3.1%) and Cl 0.0104, inside the published range. So the bounds here are
    6% on the drag and 25% on the lift; a sign error, a wrong viscosity or a
    force summed over the wrong links misses them by far more.
    """
    result = schaefer_turek_2d1(diameter=10, u_max=0.05)
    assert result.converged
    cd_ref = sum(SCHAEFER_TUREK_CD) / 2
    cl_ref = sum(SCHAEFER_TUREK_CL) / 2
    assert abs(result.cd - cd_ref) / cd_ref < 0.06, result
    assert abs(result.cl - cl_ref) / cl_ref < 0.25, result
    assert result.cd > cd_ref  # a coarse staircase cylinder over-predicts the drag
