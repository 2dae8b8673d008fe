# %% [markdown]
# # 06 · CFD 1 · Flow data from a lattice-Boltzmann solver
#
# Engineers simulate the air or water flowing round an object to learn its
# drag, its wake, where it heats or erodes. A fluid solver does this well but
# slowly: every flow takes thousands of time steps. Guo, Li and Iorio (KDD
# 2016) trained a convolutional network that maps the **shape** of an
# obstacle straight to the **steady velocity field** round it, in
# milliseconds instead of minutes, at a few per cent error. This module
# rebuilds that idea in six notebooks:
#
# 1. **flow data** (this one): what the solver computes, one sample up
#    close, and the data set every later notebook uses;
# 2. fully connected baselines;
# 3. a convolutional encoder-decoder, fed a binary mask or a signed distance;
# 4. a gated residual U-Net;
# 5. the surrogate against the solver: error and speed;
# 6. a competition on held-out shapes.
#
# The data are made here, by our own solver, and cached: the later notebooks
# load the very same samples.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np

from bootcamp.cfd import Simulation, run_to_steady_state
from bootcamp.cfd.flows import course_spec, load_flows
from bootcamp.cfd.plots import show_sample, show_snapshots
from bootcamp.cfd.shapes import ellipse_mask
from bootcamp.checks import floor, record

# %% [markdown]
# ## The lattice-Boltzmann method in one paragraph
#
# Instead of solving the Navier-Stokes equations for velocity and pressure,
# the lattice-Boltzmann method tracks *populations* of fluid particles. Each
# cell of a grid holds nine numbers $f_i$, the amount of fluid moving with
# each of the nine lattice velocities of the **D2Q9** model: at rest, to the
# four neighbours and to the four diagonal neighbours. One time step does
# two things:
#
# * **stream**: every population moves one cell along its velocity;
#   populations that would enter a solid cell bounce back where they came
#   from, which makes the velocity zero at the wall (no slip);
# * **collide**: in each cell the populations relax towards the equilibrium
#   of their own density $\rho = \sum_i f_i$ and velocity
#   $\vec u = \sum_i f_i \vec c_i / \rho$; the relaxation rate sets the
#   viscosity $\nu$.
#
# Repeated, these two local steps reproduce the Navier-Stokes equations for a
# slightly compressible fluid. Everything is in **lattice units**: one cell,
# one step. Our channel is `ny` cells high, with walls at the top and bottom,
# a parabolic inflow on the left with peak speed $u_{max} = 0.1$ and an
# outflow on the right. The demonstration flow below has the viscosity
# $\nu = 0.05$; the data set's flows use a viscosity that grows with the
# grid, as the data set section shows. The solver
# (`bootcamp.cfd.lbm`) is compiled with numba; `docs/cfd.md` describes its
# checks, including a published cylinder benchmark.
#
# ## Watching the solver work
#
# First a single obstacle, an ellipse, on a 48 x 144 grid. The flow starts
# as the inflow parabola everywhere, as if the obstacle were not there; we
# advance it by hand and look at the speed $|\vec u|$ after a few step
# counts.

# %%
ny, nx = 48, 144
obstacle = ellipse_mask(ny, nx, cx=40, cy=23.5, a=9, b=5, angle=0.4)
sim = Simulation(obstacle, nu=0.05, u_max=0.1)
snapshots = []
for target in [0, 20, 100, 400, 1500, 4000]:
    sim.run(target - sim.steps)
    _, vx, vy = sim.macroscopic()
    snapshots.append((sim.steps, vx, vy))
show_snapshots(snapshots, obstacle, "The flow round an ellipse settling to its steady state");

# %% [markdown]
# At first the fluid runs straight into the ellipse; pressure waves travel
# out from it, the fluid is pushed round, and a slow wake grows behind it.
# In the last snapshots the picture hardly changes any more: that **steady
# state** is what we want a network to predict.
#
# How does the solver know it is there? Every 100 steps it compares the
# velocity field with the one 100 steps before, and stops when the relative
# change $\lVert \vec u(t) - \vec u(t-100) \rVert / \lVert \vec u(t) \rVert$
# falls below $10^{-5}$.

# %%
flow = run_to_steady_state(sim, tol=1e-5)
print(f"converged: {flow.converged} after {sim.steps} steps in total; last relative change {flow.change:.1e}; "
      f"{flow.seconds:.2f} s at {flow.mlups:.0f} million lattice updates per second")

# %% [markdown]
# ## Where exactly is the wall?
#
# The solver knows the obstacle only as a mask of solid cells. The simplest
# wall rule, **half-way bounce-back**, sends every particle population that
# would enter a solid cell back where it came from, which puts the wall
# half-way between a fluid cell and its solid neighbour: a round obstacle
# becomes a **staircase**. **Interpolated bounce-back** (Bouzidi, Firdaouss
# & Lallemand, 2001) also uses *where* the real surface cuts each link
# between a fluid and a solid cell (a fraction $q$ of the link, from the
# shape's exact outline) and interpolates between neighbouring populations,
# so the wall sits where the shape is.
#
# A classic test tells them apart: the Schäfer & Turek (1996) benchmark 2D-1,
# a cylinder in a channel at a Reynolds number of 20 (next section), whose
# drag coefficient is known to lie between 5.57 and 5.59. Below, the drag <!-- fixed -->
# with each wall at two or three resolutions (cylinder diameters in cells).
# **Slow cell**: about half a minute in quick mode; in full mode about ten
# minutes on a busy two-core CPU, most of it the 40-cell runs. <!-- measured: 2026-12-01, this cell's three diameters and two walls on the 2-core CPU with another job running: 636 s -->

# %%
from bootcamp.cfd.validation import schaefer_turek_2d1

diameters = bootcamp.choose(full=(10, 20, 40), quick=(10, 20))
reference_cd = (5.57, 5.59)                   # Schäfer & Turek (1996), case 2D-1
drag = {wall: [schaefer_turek_2d1(diameter=d, wall=wall).cd for d in diameters]
        for wall in ("halfway", "interpolated")}
for wall, values in drag.items():
    print(f"{wall:>12}: " + ", ".join(f"D = {d} cells: c_D {cd:.3f} ({cd / np.mean(reference_cd) - 1:+.1%})"
                                      for d, cd in zip(diameters, values)))

# %%
fig, (ax_mask, ax_cd) = plt.subplots(1, 2, figsize=(11, 4))
d = diameters[0]
yy, xx = np.mgrid[:d + 4, :d + 4]
centre = (d + 3) / 2
ax_mask.imshow((xx - centre) ** 2 + (yy - centre) ** 2 <= (d / 2) ** 2, cmap="Greys", origin="lower",
               extent=(-0.5, d + 3.5, -0.5, d + 3.5))
ax_mask.add_patch(plt.Circle((centre, centre), d / 2, fill=False, color="tab:red", lw=2, label="the real cylinder"))
ax_mask.set(title=f"A {d}-cell cylinder as solid cells (the staircase)", xlabel="x (cells)", ylabel="y (cells)")
ax_mask.legend(loc="upper right", fontsize=8)
for wall, values in drag.items():
    ax_cd.plot(diameters, values, "o-", label=f"{wall} bounce-back")
ax_cd.axhspan(*reference_cd, color="grey", alpha=0.3, label="reference, Schäfer & Turek (1996)")
ax_cd.set_xscale("log")
ax_cd.set_xticks(diameters, [str(d) for d in diameters])
ax_cd.set(title="Drag coefficient of the cylinder (benchmark 2D-1)", xlabel="cylinder diameter (cells, log scale)",
          ylabel="drag coefficient $c_D$")
ax_cd.legend(fontsize=8);

# %% [markdown]
# Compare the two lines with the grey band. The staircase's error comes
# from the wall being in the wrong place, so it shrinks only slowly as the
# grid is refined, and it also depends on how the circle happens to fall on
# the cells (on some grids the errors cancel by luck). With the
# interpolated wall the error left is mostly the solver's own, and smaller
# at the same resolution: a finite grid, a channel shortened to save time,
# and a fixed inflow speed whose small compressibility error puts a floor
# under the drag. `docs/cfd.md`'s study removes the last two (the published
# channel length, the inflow speed shrinking with the cell) at 10, 20 and
# 40 cells: the interpolated wall's error falls at second order (halved
# cell, a quarter of the error), the staircase's unevenly, as the luck of
# the grid comes and goes. The course's flows are solved with the
# interpolated wall (`course_spec().wall`).

# %% [markdown]
# ## The Reynolds number
#
# A flow is characterised by its Reynolds number $Re = U L / \nu$: a
# typical speed times a typical size over the viscosity. It compares inertia
# with viscous friction; low values give smooth, symmetric flow, high values
# wakes, vortices and, eventually, turbulence. For a channel we take the
# **mean** inflow speed, which for a parabola is $2/3$ of the peak, and the
# size of the obstacle across the flow.
#
# ## Exercise 1: the Reynolds number of an obstacle
#
# Write `reynolds(mask, u_max, nu)`, the Reynolds number of the channel flow
# round the obstacle `mask`: a boolean `(ny, nx)` array, True in solid
# cells, with rows across the channel and the flow running along each row.
# Use the mean inflow speed for $U$ and, for $L$, the obstacle's size
# **across** the flow: the number of rows it reaches into. The data set
# section below uses your function on every training flow.

# %% tags=["exercise"]
def reynolds(mask, u_max, nu):
    # TODO: mean inflow speed x obstacle size across the flow / nu
    # BEGIN SOLUTION
    rows = np.any(mask, axis=1).sum()          # rows that hold at least one solid cell
    return (2 / 3) * u_max * rows / nu
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("write reynolds")
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import cfd

cfd.reynolds_number(reynolds, obstacle)

# %% [markdown]
# The check printed the Reynolds number of our ellipse: of order ten, a
# steady, laminar flow with a short recirculating wake. Much faster flows,
# or much larger obstacles, would shed vortices and never settle; our data
# set stays in the steady range.
#
# ## Exercise 2: does the solver conserve mass?
#
# In a steady flow as much fluid must leave through every cross-section of
# the channel as comes in. The flux through column $x$ is
# $\sum_y \rho\, v_x$ over its cells (`flow.rho`, `flow.vx`, arrays of shape
# `(ny, nx)`). Compute `flux`, the flux of every column (shape `(nx,)`).

# %% tags=["exercise"]
# TODO: flux = ... (one number per column)
# BEGIN SOLUTION
flux = (flow.rho * flow.vx).sum(axis=0)
# END SOLUTION
# BEGIN STARTER
flux = None
# END STARTER

# %% tags=["selfcheck"]
cfd.column_flux(flux, flow.rho, flow.vx)

# %%
if flux is not None:
    fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
    ax.plot(flux / flux[0])
    ax.axvspan(np.flatnonzero(obstacle.any(axis=0))[0], np.flatnonzero(obstacle.any(axis=0))[-1],
               color="grey", alpha=0.3, label="obstacle")
    ax.set(xlabel="column x", ylabel="flux / inflow flux", title="Mass flux through each column")
    ax.legend();

# %% [markdown]
# Flat to a fraction of a per cent: the fluid squeezes past the obstacle
# faster but none is lost.
#
# ## The data set
#
# Now many obstacles: random ellipses, (sheared) rectangles and polygons, and
# NACA aerofoils kept apart as a shape family the networks never see in
# training. `course_spec()` holds the one description of the data set every
# notebook of the module uses; `bootcamp.choose` sizes it by run mode:

# %%
spec = course_spec()
print(spec)

# %% [markdown]
# Note `nu` in the spec: it need not be the demonstration's 0.05. Obstacles
# are drawn in proportion to the channel, so on a taller grid they span more
# cells, and with a fixed viscosity the Reynolds number would grow with the
# grid until the flows shed vortices and never settle. `viscosity(ny)` keeps
# 0.05 up to 48 rows and scales it with `ny` above, which keeps the Reynolds
# numbers of the 48-row grid:

# %%
from bootcamp.cfd.flows import viscosity

print(f"this mode's grid has {spec.ny} rows: viscosity({spec.ny}) = {viscosity(spec.ny):.3f}, "
      f"the data set's nu = {spec.nu:.3f} (the demonstration flow above: {sim.nu})")

# %% [markdown]
# **Possibly slow cell.** The first call solves every flow (one solver
# process per CPU core, with a progress bar and an estimate of the time per
# flow) and caches the result; later calls, in this or any other CFD
# notebook, load it in a fraction of a second. Quick mode's small grid takes
# a short while; full mode's 128 x 256 flows take many CPU hours, so make them
# once beforehand (on a cluster, in shards: see `docs/cfd.md`), or point
# `BOOTCAMP_MIRRORS` at a folder that holds them.

# %%
start = time.perf_counter()
data = load_flows(spec)
print(data.summary())
print(f"{time.perf_counter() - start:.1f} s")

# %% [markdown]
# Four splits: `train` and `val` (training and validation, the same three
# families), `test` (the same families, other shapes), and `unseen` (the
# aerofoils). Each sample holds the obstacle **mask**, its **signed distance
# function** (SDF: the distance to the nearest obstacle surface, negative
# inside it), and the steady velocity components `vx`, `vy`.

# %%
i = 0
show_sample(data.train.mask[i], data.train.sdf[i], data.train.vx[i], data.train.vy[i],
            f"Training sample {i}: a {data.train.family[i]}");

# %%
j = 0
show_sample(data.unseen.mask[j], data.unseen.sdf[j], data.unseen.vx[j], data.unseen.vy[j],
            f"Unseen sample {j}: a NACA aerofoil, a family never used in training");

# %% [markdown]
# The mask says only *inside or outside*; the SDF says *how far* from the
# surface every cell is, so each cell of the input carries information about
# the obstacle even far from it. Notebook 3 tests whether a network cares.
#
# ## The Reynolds numbers of the data set
#
# Your `reynolds` from Exercise 1, applied to every training obstacle with
# the data set's viscosity, and with the demonstration's 0.05 for
# comparison:

# %%
try:
    re_data = np.array([reynolds(m, spec.u_max, spec.nu) for m in data.train.mask])
    re_fixed = np.array([reynolds(m, spec.u_max, 0.05) for m in data.train.mask])
    print(f"nu = {spec.nu:.3f} (the data set): Re from {re_data.min():.1f} to {re_data.max():.1f}, "
          f"median {np.median(re_data):.1f}")
    print(f"nu = 0.05 on this grid would give: Re from {re_fixed.min():.1f} to {re_fixed.max():.1f}, "
          f"median {np.median(re_fixed):.1f}")
except NotImplementedError:
    print("Exercise 1's reynolds() is not written yet: write it, then run this cell again.")

# %% [markdown]
# In quick mode the two lines agree: the grid is small and the viscosity is
# the demonstration's. In full mode the second line shows the Reynolds
# numbers that the unscaled viscosity would give, where most flows keep
# changing (`docs/cfd.md` tells how that was measured).
#
# ## Statistics
#
# How many solver steps did each flow need, and how long did they take?
# Each sample's steps and solver wall time were saved with it.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.5), layout="constrained")
for name in ["train", "test", "unseen"]:
    split = getattr(data, name)
    axes[0].hist(split.steps, bins=15, alpha=0.6, label=name)
    axes[1].hist(1000 * split.solve_seconds, bins=15, alpha=0.6, label=name)
axes[0].set(xlabel="solver steps to converge", ylabel="flows", title="Steps per flow")
axes[1].set(xlabel="solver wall time per flow while the data set was made (ms)", ylabel="flows",
            title="Solver time per flow (all processes at once)")
mean_speed = np.sqrt(data.train.vx**2 + data.train.vy**2).mean(axis=0)
im = axes[2].imshow(mean_speed, origin="lower", cmap="viridis")
fig.colorbar(im, ax=axes[2], label="mean speed (lattice units)")
axes[2].set(xlabel="x (cells)", ylabel="y (cells)", title="Mean speed over the training set")
for ax in axes[:2]:
    ax.legend()
print(f"median {np.median(data.train.steps):.0f} steps, "
      f"{1000 * np.median(data.train.solve_seconds):.0f} ms per training flow")

# %% [markdown]
# The mean field is mostly the channel's parabola, blurred by obstacles in
# different places: a network that predicted only this would already get the
# bulk of the flow right. Its relative error is the bar every model in the
# next notebooks must clear, so it is worth a number (in the checks below).
#
# ## What that time measures
#
# `load_flows` solves the flows in one process per CPU core, all at once, and
# each process times its own flows: the saved seconds are **wall time per
# flow while every core was busy** with the other solvers (and with whatever
# else the machine was doing then), not the speed of the solver alone.
# Notebook 5 times the solver alone, one flow at a time, so its number can
# be quite different for the same grid. To see how different on this
# machine, we solve a few training shapes again, one at a time, and compare
# with the times saved for the same shapes.

# %%
from bootcamp.cfd import solve

n_again = bootcamp.choose(full=3, quick=4)
alone, steps_again = [], []
for m in data.train.mask[:n_again]:
    again = solve(m, nu=spec.nu, u_max=spec.u_max, tol=spec.tol, max_steps=spec.max_steps)
    alone.append(again.seconds)
    steps_again.append(again.steps)
    if not bootcamp.is_quick():
        print(f"  solved again: {again.steps} steps in {again.seconds:.1f} s", flush=True)
saved = data.train.solve_seconds[:n_again]
made = "just now" if data.generated_seconds else "earlier (loaded from the cache)"
print(f"the data set was made {made}, one solver process per core; this machine has {os.cpu_count()} cores")
print(f"the same {n_again} flows: {1000 * np.median(saved):.1f} ms each as saved while the data set was made, "
      f"{1000 * np.median(alone):.1f} ms each solved again now, one at a time "
      f"({np.median(saved) / np.median(alone):.1f}x)")
print(f"same step counts as saved: {np.array_equal(steps_again, data.train.steps[:n_again])}")

# %% [markdown]
# ## Exercise 3: the peak speed of every flow
#
# An obstacle narrows the channel, so the fluid speeds up beside it. Compute
# `peak`, the largest speed $\sqrt{v_x^2 + v_y^2}$ of each training flow
# divided by $u_{max}$ = `spec.u_max` (shape `(n_train,)`).

# %% tags=["exercise"]
# TODO: peak = ... (one number per training flow)
# BEGIN SOLUTION
peak = np.sqrt(data.train.vx**2 + data.train.vy**2).max(axis=(1, 2)) / spec.u_max
# END SOLUTION
# BEGIN STARTER
peak = None
# END STARTER

# %% tags=["selfcheck"]
cfd.peak_speed(peak, data.train.vx, data.train.vy, spec.u_max)

# %% [markdown]
# ## Checks
#
# The data must be sound before anything learns from it: (nearly) every flow
# of every split converged, and in the ellipse flow above mass is conserved
# column by column. We also record the mean-field baseline: the relative L2
# error of predicting the mean training field for every **validation** flow.
# The later notebooks compare their models on the validation flows too, and
# score the test flows once, at the end, for the model they chose. (In full
# mode every one of the complete data set's 2,131 flows converged when it
# was solved, over 2026-11-30 and 12-01; this cell itself has not yet been
# run on it.)

# %% tags=["split"]
# the convergence flags of every split, test included: a check of the data, not of a model
converged = np.mean(np.concatenate([data.train.converged, data.val.converged, data.test.converged,
                                    data.unseen.converged]))

# %%
from bootcamp.cfd.flows import mean_relative_l2

column_flux = (flow.rho * flow.vx).sum(axis=0)
mean_field = data.train.targets().mean(axis=0)
baseline = mean_relative_l2(np.broadcast_to(mean_field, data.val.targets().shape), data.val.targets())
print(f"predicting the mean training field for every validation flow: relative L2 error {baseline:.1%}")
record("mean-field validation error", baseline)
record("solver ms per flow, saved (parallel generation)", 1000 * np.median(data.train.solve_seconds), "ms")
record("solver ms per flow, alone", 1000 * np.median(alone), "ms")
floor("converged flows", converged, at_least=0.95)
floor("column flux spread", np.ptp(column_flux) / column_flux.mean(), at_most=0.01)
