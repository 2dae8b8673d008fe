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
# outflow on the right; the viscosity is $\nu = 0.05$. The solver
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
# After a few thousand steps the picture stops changing: that **steady
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
# ## The Reynolds number
#
# A flow is characterised by its Reynolds number $Re = U L / \nu$: a
# typical speed times a typical size over the viscosity. It compares inertia
# with viscous friction; low values give smooth, symmetric flow, high values
# wakes, vortices and, eventually, turbulence. For a channel we take the
# **mean** inflow speed, which for a parabola is $2/3$ of the peak, and the
# size of the obstacle across the flow.
#
# ## Exercise 1: the Reynolds number of our ellipse
#
# The ellipse above blocks `blocked` cells across the flow (computed below).
# Compute `reynolds` $= U_{mean} \cdot$ `blocked` $/ \nu$ with
# $U_{mean} = \frac{2}{3} u_{max}$, $u_{max} = 0.1$, $\nu = 0.05$.

# %%
blocked = int(obstacle.any(axis=1).sum())      # rows that contain solid cells
print(f"the ellipse spans {blocked} of the {ny} rows")

# %% tags=["exercise"]
# TODO: reynolds = ...
# BEGIN SOLUTION
reynolds = (2 / 3) * 0.1 * blocked / 0.05
# END SOLUTION
# BEGIN STARTER
reynolds = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import cfd

cfd.reynolds_number(reynolds, blocked)

# %% [markdown]
# A Reynolds number between ten and twenty: a steady, laminar flow, with a short
# recirculating wake. Much faster flows, or much larger obstacles, would
# shed vortices and never settle; our data set stays in the steady range.
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
# **Possibly slow cell.** The first call solves every flow (all CPU cores, a
# progress bar) and caches the result; later calls, in this or any other CFD
# notebook, load it in a fraction of a second. Quick mode: a few hundred
# 32 x 64 flows, 10-30 s on two cores. Full mode: 3,400 flows of
# 128 x 256 cells, several CPU hours, so make them once beforehand (on a
# cluster, in shards: see `docs/cfd.md`), or point `BOOTCAMP_MIRRORS` at a
# folder that holds them.

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
# ## Statistics
#
# How long did the solver take per flow, and how different are the flows?
# Each sample's solver steps and seconds (one CPU thread) were saved with it.

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.5), layout="constrained")
for name in ["train", "test", "unseen"]:
    split = getattr(data, name)
    axes[0].hist(split.steps, bins=15, alpha=0.6, label=name)
    axes[1].hist(1000 * split.solve_seconds, bins=15, alpha=0.6, label=name)
axes[0].set(xlabel="solver steps to converge", ylabel="flows", title="Steps per flow")
axes[1].set(xlabel="solver time per flow (ms, one thread)", ylabel="flows", title="Solver time per flow")
mean_speed = np.sqrt(data.train.vx**2 + data.train.vy**2).mean(axis=0)
im = axes[2].imshow(mean_speed, origin="lower", cmap="viridis")
fig.colorbar(im, ax=axes[2], label="mean speed (lattice units)")
axes[2].set(xlabel="x (cells)", ylabel="y (cells)", title="Mean speed over the training set")
for ax in axes[:2]:
    ax.legend()
print(f"converged: {np.mean(np.concatenate([getattr(data, s).converged for s in ['train', 'val', 'test', 'unseen']])):.0%} "
      f"of the flows; median {np.median(data.train.steps):.0f} steps, "
      f"{1000 * np.median(data.train.solve_seconds):.0f} ms per flow")

# %% [markdown]
# The mean field is mostly the channel's parabola, blurred by obstacles in
# different places: a network that predicted only this would already get the
# bulk of the flow right. Its relative error is the bar every model in the
# next notebooks must clear, so it is worth a number.
#
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
# converged, and in the ellipse flow above mass is conserved column by
# column. We also record the mean-field baseline: the relative L2 error of
# predicting the mean training field for every test flow.

# %%
from bootcamp.cfd.flows import mean_relative_l2

converged = np.mean(np.concatenate([data.train.converged, data.val.converged, data.test.converged]))
column_flux = (flow.rho * flow.vx).sum(axis=0)
mean_field = data.train.targets().mean(axis=0)
baseline = mean_relative_l2(np.broadcast_to(mean_field, data.test.targets().shape), data.test.targets())
print(f"predicting the mean training field for every test flow: relative L2 error {baseline:.1%}")
record("mean-field baseline error", baseline)
record("solver ms per flow", 1000 * np.median(data.train.solve_seconds), "ms")
floor("converged flows", converged, at_least=0.95)
floor("column flux spread", np.ptp(column_flux) / column_flux.mean(), at_most=0.01)
