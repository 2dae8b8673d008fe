# %% [markdown]
# # 06 · CFD 5 · Surrogate vs solver: how wrong, how fast?
#
# A surrogate is worth having when it is **accurate enough** and **much
# faster** than the solver it replaces, on shapes it has never seen. This
# notebook measures both on this machine, on the same held-out shapes:
#
# * the relative L2 error of the gated U-Net's velocity field against the
#   solver's;
# * the time per field of the solver (converging from scratch, one flow at a
#   time) and of the network (batched inference, many flows at once).
#
# Guo, Li & Iorio (2016) reported about 2-3% error, and a speed-up of about
# $10^4$ over a CPU solver for a CNN on a GPU. Our quick mode uses a small
# grid and little data, so expect a larger error; the speed-up depends on
# the grid, because the solver's cost grows faster with the grid than the
# network's.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

from bootcamp.cfd import solve, warm_up
from bootcamp.cfd.flows import course_spec, load_flows, relative_l2
from bootcamp.cfd.models import fit, make_unet, predict_seconds
from bootcamp.checks import floor, record
from bootcamp.selfcheck import cfd

# %% [markdown]
# ## Data and surrogate
#
# The module's cached data set, and notebook 4's gated U-Net
# (`bootcamp.cfd.models.make_unet`, the code you wrote there), trained here
# with the same recipe.
#
# **Slow cell**: about 40 s in quick mode on a 2-core CPU.

# %%
spec = course_spec()
data = load_flows(spec)
print(data.summary())
x_train, y_train = data.train.inputs("sdf"), data.train.targets()
x_val, y_val = data.val.inputs("sdf"), data.val.targets()
grid = x_train.shape[1:3]

keras.utils.set_random_seed(42)
surrogate = make_unet(grid)
history, training_seconds = fit(surrogate, x_train, y_train, x_val, y_val,
                                epochs=bootcamp.choose(full=100, quick=25))
print(f"trained in {training_seconds:.0f} s; best validation loss {min(history['val_loss']):.2e}")

# %% [markdown]
# ## The held-out shapes
#
# The test flows (ellipses, rectangles, polygons not seen in training) and
# the unseen family (NACA aerofoils), together.

# %%
held_out = {"mask": np.concatenate([data.test.mask, data.unseen.mask]),
            "x": np.concatenate([data.test.inputs("sdf"), data.unseen.inputs("sdf")]),
            "y": np.concatenate([data.test.targets(), data.unseen.targets()]),
            "family": np.concatenate([data.test.family, data.unseen.family])}
print(f"{len(held_out['x'])} held-out flows: "
      + ", ".join(f"{f} {n}" for f, n in zip(*np.unique(held_out["family"], return_counts=True))))

# %% [markdown]
# ## Accuracy

# %%
predicted = surrogate.predict(held_out["x"], verbose=0)
errors = relative_l2(predicted, held_out["y"])
families = sorted(set(held_out["family"]))
family_error = {f: float(errors[held_out["family"] == f].mean()) for f in families}
for f in families:
    print(f"{f:>10}: mean relative L2 error {family_error[f]:.1%}")

# %% [markdown]
# ## Speed
#
# **The solver**: we solve some of the held-out shapes again, here and now,
# exactly as the data set was made (from rest to convergence), and time each.
# **The network**: batched inference on all held-out flows (after one warm-up
# call, which builds the computation graph), best of three, divided by the
# number of flows; also one flow at a time, as an interactive user would call
# it.
#
# `solve` steps on the GPU when there is one, so on a GPU machine both
# sides of the comparison use the GPU, and on a laptop both use the CPU.
#
# **Slow cell** in full mode on a CPU: each 128 x 256 flow takes 5-10 s on
# two cores (on a GPU, well under a second).

# %%
warm_up()
n_timed = bootcamp.choose(full=4, quick=12)
solver_seconds = []
for mask in held_out["mask"][::max(1, len(held_out["mask"]) // n_timed)][:n_timed]:
    flow = solve(mask, nu=spec.nu, u_max=spec.u_max, tol=spec.tol, max_steps=spec.max_steps)
    solver_seconds.append(flow.seconds)
solver_seconds = np.array(solver_seconds)
batched_seconds = predict_seconds(surrogate, held_out["x"], batch_size=64)
one_at_a_time = predict_seconds(surrogate, held_out["x"][:8], batch_size=1)
print(f"solver: {1000 * solver_seconds.mean():.1f} ms per field (mean of {len(solver_seconds)})")
print(f"U-Net, batches of 64: {1000 * batched_seconds:.3f} ms per field; one at a time: "
      f"{1000 * one_at_a_time:.2f} ms per field")

# %% [markdown]
# ## Exercise 1: the speed-up
#
# Compute `speedup`: the solver's mean time per field divided by the
# network's batched time per field.

# %% tags=["exercise"]
# TODO: speedup = ...
# BEGIN SOLUTION
speedup = solver_seconds.mean() / batched_seconds
# END SOLUTION
# BEGIN STARTER
speedup = None
# END STARTER

# %% tags=["selfcheck"]
cfd.speedup(speedup, solver_seconds, batched_seconds)

# %% [markdown]
# ## One table, one plot

# %%
speed = solver_seconds.mean() / batched_seconds
rows = [("solver (lattice Boltzmann)", 0.0, 1000 * solver_seconds.mean(), 1.0),
        ("U-Net, one at a time", float(errors.mean()), 1000 * one_at_a_time, solver_seconds.mean() / one_at_a_time),
        ("U-Net, batches of 64", float(errors.mean()), 1000 * batched_seconds, speed)]
print(f"{'method':<28}{'mean rel. L2 error':>20}{'ms per field':>15}{'speed-up':>12}")
for name, err, ms, factor in rows:
    print(f"{name:<28}{err:>20.1%}{ms:>15.3f}{factor:>11.0f}x")
print(f"(grid {grid[0]} x {grid[1]}, {len(errors)} held-out flows; errors by family: "
      + ", ".join(f"{f} {e:.1%}" for f, e in family_error.items()) + ")")

# %%
fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
for (name, err, ms, _), marker in zip(rows, ["s", "o", "D"]):
    ax.scatter(ms, 100 * err, s=80, marker=marker, label=name)
for f in families:
    ax.scatter(1000 * batched_seconds, 100 * family_error[f], s=25, marker="_", color="grey")
    ax.annotate(f, (1000 * batched_seconds, 100 * family_error[f]), xytext=(6, -3), textcoords="offset points",
                fontsize=8, color="grey")
ax.set_xscale("log")
ax.set(xlabel="time per velocity field (ms, log scale)", ylabel="mean relative L2 error (%)",
       title=f"Surrogate vs solver on {len(errors)} held-out shapes ({grid[0]} x {grid[1]} grid, this machine)")
ax.legend(loc="center right");

# %% [markdown]
# The solver is exact by definition here (it made the targets); the network
# trades a few per cent of error for a large factor in time, and the factor
# grows with the batch: one flow at a time, fixed overheads per call
# dominate. Aerofoils, a family the network never saw, come out worse
# than the training families on average (the grey marks: the thin, sharp
# rectangles can be nearly as hard).
#
# ## Exercise 2: when does training pay off?
#
# Training cost `training_seconds`. Each field the network predicts instead
# of the solver saves (solver time - network time). Compute `n_break_even`,
# the number of fields after which the network, training included, has
# cost less than the solver would have (round up).

# %% tags=["exercise"]
# TODO: n_break_even = ...
# BEGIN SOLUTION
n_break_even = int(np.ceil(training_seconds / (solver_seconds.mean() - batched_seconds)))
# END SOLUTION
# BEGIN STARTER
n_break_even = None
# END STARTER

# %% tags=["selfcheck"]
cfd.break_even(n_break_even, solver_seconds.mean(), training_seconds, batched_seconds)

# %% [markdown]
# Making the training data cost solver time too: count it, and a surrogate
# pays off only when it is used many times more than the data set's size,
# e.g. inside a design optimisation that evaluates thousands of shapes.
#
# ## Exercise 3: the hardest family
#
# Set `worst` to the name of the shape family with the largest mean error
# (use `family_error`).

# %% tags=["exercise"]
# TODO: worst = "..."
# BEGIN SOLUTION
worst = max(family_error, key=family_error.get)
# END SOLUTION
# BEGIN STARTER
worst = None
# END STARTER

# %% tags=["selfcheck"]
cfd.worst_family(worst, family_error)

# %% [markdown]
# ## Learning floor
#
# In full mode (128 x 256, thousands of flows) the target is at most 3%
# error on the held-out shapes of the training families, at least 1000 times
# faster than the solver (`benchmarks/full_mode_cfd.py` measures both). Quick
# mode checks a looser version.

# %%
seen_families = [f for f in families if f != "naca"]
seen_error = float(np.mean(errors[np.isin(held_out["family"], seen_families)]))
record("held-out unseen-family error", family_error.get("naca", float("nan")))
record("batched ms per field", 1000 * batched_seconds, "ms")
record("solver ms per field", 1000 * solver_seconds.mean(), "ms")
floor("held-out error, training families", seen_error, at_most=bootcamp.choose(full=0.03, quick=0.2))
floor("speed-up of batched inference", speed, at_least=bootcamp.choose(full=1000, quick=10))
