# %% [markdown]
# # 06 · CFD 5 · Surrogate vs solver: how wrong, how fast?
#
# A surrogate is worth having when it is **accurate enough** and **much
# faster** than the solver it replaces, on shapes it has never seen. This
# notebook chooses between notebook 4's two U-Nets on both counts, on the
# validation shapes, then measures the chosen one on held-out shapes, on
# this machine:
#
# * the relative L2 error of a U-Net's velocity field against the solver's;
# * the time per field of the solver (converging from scratch, one flow at a
#   time) and of the network (batched inference, many flows at once).
#
# Guo, Li & Iorio (2016) reported about 2-3% error, and a speed-up of about <!-- fixed -->
# $10^4$ over a CPU solver for a CNN on a GPU. Our quick mode uses a small
# grid and little data, so expect a larger error; the speed-up depends on
# the grid, because the solver's cost grows faster with the grid than the
# network's.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import matplotlib.pyplot as plt
import numpy as np

from bootcamp.cfd import models as cfd_models
from bootcamp.cfd import solve, warm_up
from bootcamp.cfd.flows import course_spec, load_flows, mean_relative_l2, relative_l2
from bootcamp.cfd.models import predict_seconds
from bootcamp.checks import floor, record
from bootcamp.selfcheck import cfd

# %% [markdown]
# ## Data and the two candidates
#
# The module's cached data set, and notebook 4's two U-Nets, gated and
# plain, from the course's model store (`bootcamp.saved`; notebook 4 says
# how the keys are made), each with the validation error and the training
# time notebook 4 recorded. Notebook 4 chose between them on accuracy
# alone; a surrogate also has to be fast, so this notebook chooses again,
# on both. If the store has none for this run mode, data and code
# (notebook 4 has not run yet, or its code changed since), this cell trains
# the missing ones with notebook 4's settings and stores them. The printed
# lines say which happened.
#
# **Slow cell** when nothing is stored: up to two trainings, and in full
# mode one line per epoch.

# %%
spec = course_spec()
data = load_flows(spec)
print(data.summary())
x_train, y_train = data.train.inputs("sdf"), data.train.targets()
x_val, y_val = data.val.inputs("sdf"), data.val.targets()
grid = x_train.shape[1:3]

unets = cfd_models.load_or_train_unets(x_train, y_train, x_val, y_val, notebook="06_cfd_5")
training_seconds = sum(stored["metrics"]["training seconds"] for _, stored in unets.values())
for name, (model, stored) in unets.items():
    print(f"{name}: {model.count_params():,} parameters, validation error "
          f"{stored['metrics']['validation error']:.1%}, {stored['metrics']['training seconds']:.0f} s of training "
          f"({'when it was saved' if stored['loaded'] else 'here'})")

# %% [markdown]
# ## Exercise 1: timing a network fairly
#
# Timing a Keras model has two traps. The first call to `predict` traces
# the model into a computation graph, which takes far longer than the
# prediction itself; a user who calls the network thousands of times pays
# it once, so it must not be in the measurement. And a per-field time
# should not depend on how many fields you timed.
#
# Write `time_per_field(model, x, batch_size)`: the wall time of one
# `model.predict(x, batch_size=batch_size, verbose=0)` over all of `x`,
# measured after a warm-up call, in seconds per field. Use
# `time.perf_counter()`.

# %% tags=["exercise"]
import time


def time_per_field(model, x, batch_size):
    # TODO: warm up, then time one pass over all of x; return seconds per field
    # BEGIN SOLUTION
    model.predict(x[:batch_size], batch_size=batch_size, verbose=0)
    start = time.perf_counter()
    model.predict(x, batch_size=batch_size, verbose=0)
    return (time.perf_counter() - start) / len(x)
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("write time_per_field")
    # END STARTER

# %% tags=["selfcheck"]
cfd.time_per_field(time_per_field)

# %% [markdown]
# ## Speed, measured on the validation shapes
#
# **The solver**: we solve some of the validation shapes again, here and
# now, exactly as the data set was made (from rest to convergence), one at
# a time, and time each. **The networks**: `bootcamp.cfd.models.predict_seconds`
# does what your `time_per_field` does, five times, and keeps the fastest
# pass (the slower ones measure other work on the machine, as Python's
# `timeit` assumes): batched inference of each U-Net on all validation
# flows. Why validation shapes? The choice below uses these times, and
# nothing that chooses may look at the held-out shapes.
#
# `solve` steps on the GPU when there is one, so on a GPU machine both
# sides of the comparison use the GPU, and on a laptop both use the CPU.
#
# **Slow cell** in full mode on a CPU: it prints each flow's time as it is
# solved.

# %%
warm_up()
n_timed = bootcamp.choose(full=4, quick=12)
show_progress = bootcamp.choose(full=True, quick=False)
solver_seconds = []
for number, mask in enumerate(data.val.mask[:n_timed], 1):
    flow = solve(mask, nu=spec.nu, u_max=spec.u_max, tol=spec.tol, max_steps=spec.max_steps)
    solver_seconds.append(flow.seconds)
    if show_progress:
        print(f"flow {number} of {n_timed}: {flow.steps} steps, {flow.seconds:.1f} s", flush=True)
solver_seconds = np.array(solver_seconds)
print(f"solver: {1000 * solver_seconds.mean():.1f} ms per field (mean of {len(solver_seconds)}, solved one at a "
      f"time); the same flows when the data set was made: {1000 * data.val.solve_seconds[:n_timed].mean():.1f} ms")

candidates = {}
for name, (model, _) in unets.items():
    seconds = predict_seconds(model, x_val, batch_size=128, repeats=5)
    candidates[name] = {"validation error": mean_relative_l2(model.predict(x_val, verbose=0), y_val),
                        "ms per field": 1000 * seconds, "speed-up": solver_seconds.mean() / seconds}
    print(f"{name}: batches of 128, {1000 * seconds:.3f} ms per field, {candidates[name]['speed-up']:.0f}x the "
          f"solver; validation error {candidates[name]['validation error']:.1%}")

# %% [markdown]
# Why two solver times for the same flows? The data set was made by several
# processes at once, one per core, each solving its own flows on one thread
# while the others competed for the memory and the cores (and, on a laptop,
# for the clock speed); here one flow is solved at a time, by `solve`, which
# may use several threads or the GPU. Both also depend on whatever else the
# machine was doing at the time, and a data set copied from a workshop
# mirror was made on another machine altogether. The speed-up uses the time
# measured here: that is what a user who calls the solver for one shape
# would wait.
#
# ## The choice, on validation: accurate enough and fast enough
#
# The course's target for the speed-up is printed below (the learning floor
# at the end checks it). We keep the more accurate U-Net on the validation
# flows among those that reach it on this machine; if neither does, the
# faster one, and the floor will say that it missed. The gated U-Net spends
# two convolutions and a gate per block where the plain one has one
# convolution, so the plain one is the faster: on a slow machine speed can
# decide against the more accurate network.

# %%
speed_target = bootcamp.choose(full=1000, quick=10)
fast_enough = [name for name, c in candidates.items() if c["speed-up"] >= speed_target]
if fast_enough:
    chosen = min(fast_enough, key=lambda name: candidates[name]["validation error"])
else:
    chosen = max(candidates, key=lambda name: candidates[name]["speed-up"])
surrogate = unets[chosen][0]
print(f"target: at least {speed_target}x the solver; fast enough here: {', '.join(fast_enough) or 'neither'}; "
      f"chosen: the {chosen}")

# %% [markdown]
# ## The held-out shapes
#
# The test flows (ellipses, rectangles, polygons not seen in training) and
# the unseen family (NACA aerofoils), together. Nothing is trained or chosen
# after this point: this notebook measures the surrogate it has.

# %% tags=["split"]
held_out = {"mask": np.concatenate([data.test.mask, data.unseen.mask]),
            "x": np.concatenate([data.test.inputs("sdf"), data.unseen.inputs("sdf")]),
            "y": np.concatenate([data.test.targets(), data.unseen.targets()]),
            "family": np.concatenate([data.test.family, data.unseen.family])}
print(f"{len(held_out['x'])} held-out flows: "
      + ", ".join(f"{f} {n}" for f, n in zip(*np.unique(held_out["family"], return_counts=True))))

# %% [markdown]
# ## Accuracy

# %% tags=["final"]
predicted = surrogate.predict(held_out["x"], verbose=0)
errors = relative_l2(predicted, held_out["y"])
families = sorted(set(held_out["family"]))
family_error = {f: float(errors[held_out["family"] == f].mean()) for f in families}
for f in families:
    print(f"{f:>10}: mean relative L2 error {family_error[f]:.1%} ({np.sum(held_out['family'] == f)} flows)")

# %% [markdown]
# ## Speed on the held-out flows
#
# The chosen U-Net once more, on the held-out inputs: in batches of 128,
# and one flow at a time, as an interactive user would call it.

# %%
batched_seconds = predict_seconds(surrogate, held_out["x"], batch_size=128, repeats=5)
one_at_a_time = predict_seconds(surrogate, held_out["x"][:8], batch_size=1)
print(f"{chosen}, batches of 128: {1000 * batched_seconds:.3f} ms per field; one at a time: "
      f"{1000 * one_at_a_time:.2f} ms per field")

# %% [markdown]
# ## One table, one plot

# %%
speed = solver_seconds.mean() / batched_seconds
rows = [("solver (lattice Boltzmann)", 0.0, 1000 * solver_seconds.mean(), 1.0),
        ("U-Net, one at a time", float(errors.mean()), 1000 * one_at_a_time, solver_seconds.mean() / one_at_a_time),
        ("U-Net, batches of 128", float(errors.mean()), 1000 * batched_seconds, speed)]
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
# trades the error in the table for a large factor in time, and the factor
# grows with the batch: one flow at a time, the fixed overheads of each call
# weigh more. The grey marks are the families' mean errors.
#
# ## Exercise 2: when does the surrogate pay off?
#
# The surrogate was not free. Before it could predict anything, every
# training and validation flow (`len(x_train) + len(x_val)` of them) had to
# be solved, at the solver's cost per field you measured above, and then
# the networks were trained (`training_seconds`: both U-Nets' training
# times, as recorded when they were trained, here or in notebook 4, since
# choosing is part of making the surrogate). After that, each field the
# network predicts instead of the solver saves the difference between the
# solver's time and the network's batched time per field.
#
# Compute `n_break_even`: the number of fields after which the surrogate,
# its data and training included, has cost less than solving them all
# would have (round up).

# %% tags=["exercise"]
# TODO: n_break_even = ...
# BEGIN SOLUTION
n_made = len(x_train) + len(x_val)
investment = n_made * solver_seconds.mean() + training_seconds
n_break_even = int(np.ceil(investment / (solver_seconds.mean() - batched_seconds)))
# END SOLUTION
# BEGIN STARTER
n_break_even = None
# END STARTER

# %% tags=["selfcheck"]
cfd.break_even(n_break_even, solver_seconds.mean(), training_seconds, batched_seconds, len(x_train) + len(x_val))

# %% [markdown]
# The data dominate: a surrogate pays off only when it is used many times
# more often than the data set is large, e.g. inside a design optimisation
# that evaluates thousands of shapes.
#
# ## Exercise 3: is the unseen family really harder?
#
# The aerofoils look worse than the training families, but the held-out set
# is small, and the errors vary from flow to flow. Is the gap larger than
# chance would give? Compare it with its **standard error**: the standard
# error of a mean of $n$ values is their standard deviation (with
# `ddof=1`) divided by $\sqrt{n}$, and the standard error of a difference
# of two independent means is $\sqrt{s_a^2 + s_b^2}$ for the two standard
# errors $s_a$ and $s_b$.
#
# Set `gap_in_standard_errors`: the mean error of the aerofoils (`"naca"`)
# minus the mean error of all the other held-out flows, divided by the
# standard error of that difference. Use `errors` and
# `held_out["family"]`.

# %% tags=["exercise"]
# TODO: gap_in_standard_errors = ...
# BEGIN SOLUTION
naca = errors[held_out["family"] == "naca"]
others = errors[held_out["family"] != "naca"]
standard_error = np.sqrt(naca.var(ddof=1) / len(naca) + others.var(ddof=1) / len(others))
gap_in_standard_errors = (naca.mean() - others.mean()) / standard_error
# END SOLUTION
# BEGIN STARTER
gap_in_standard_errors = None
# END STARTER

# %% tags=["selfcheck"]
cfd.family_gap(gap_in_standard_errors, errors, held_out["family"])

# %%
if gap_in_standard_errors is not None:
    print(f"aerofoils minus the training families: {gap_in_standard_errors:+.1f} standard errors "
          f"({np.sum(held_out['family'] == 'naca')} aerofoils, {np.sum(held_out['family'] != 'naca')} others)")

# %% [markdown]
# A gap of more than two standard errors would rarely come from chance
# alone; a gap of less than one says that this many held-out flows cannot
# tell the families apart. Either way, a surrogate is only as general as
# the shapes it was trained on.
#
# ## Learning floor
#
# The full-mode targets (the course's design, after Guo et al.): at most
# 3% mean error on the held-out shapes of the training families, and at least 1000 times faster than the solver. <!-- fixed -->
# Quick mode checks a looser version (its floors run in CI on every
# change).
#
# On the full grid this notebook's own code has **not yet been seen** to
# pass the full-mode floors: `python benchmarks/full_mode_cfd.py --lessons
# 06_cfd_4_unet 06_cfd_5_surrogate_vs_solver` runs notebook 4 (which saves
# the U-Nets) and this one in full mode to find out; it needs the course's
# full flow set, hours of solving on a CPU (see `docs/cfd.md`). What has
# been measured:
#
# * two reduced runs of notebooks 4 and 5's own cells in full mode (the
#   full data set's sizes, networks, epochs and floors) on a grid of
#   64 x 128 cells instead of 128 x 256, on a 2-core CPU. Both **missed**
#   the error target: the gated U-Net, chosen once, 3.6% on the held-out <!-- measured: python benchmarks/full_mode_cfd.py --grid 64x128 (2026-12-01) -->
#   shapes of the training families and 4.2% on the aerofoils, at 1,181x <!-- measured: python benchmarks/full_mode_cfd.py --grid 64x128 (2026-12-01) -->
#   the solver; the plain one, chosen when the gated one reached only 843x, <!-- measured: python benchmarks/full_mode_cfd.py --grid 64x128 (2026-12-01) -->
#   3.8% and 4.4% at 1,452x (timings on this CPU vary from run to run); <!-- measured: python benchmarks/full_mode_cfd.py --grid 64x128 (2026-12-01) -->
# * the speed of notebook 4's full-mode U-Nets (three levels from four
#   filters), untrained (speed does not depend on the weights), at
#   128 x 256 on a 2-core CPU: 1,340x the solver gated, 1,733x plain; <!-- measured: python benchmarks/full_mode_cfd.py --speed-only [--plain] (2026-11-30) -->
#   with eight filters, as in quick mode, 709x and 874x, which is why full <!-- measured: python benchmarks/full_mode_cfd.py --speed-only --filters 8 [--plain] (2026-11-30) -->
#   mode uses four;
# * the error of a close relative: a plain U-Net of four levels from four
#   filters, 100 epochs in batches of 8 on the same 1,600 training flows,
#   trained by the benchmark's earlier version outside the notebook, on the
#   same kind of CPU: 2.94% and 1,177x. <!-- measured: git checkout 63cbd18 && python benchmarks/full_mode_cfd.py --grid 128x256 --samples 1600 --epochs 100 --batch-size 8 --filters 4 --plain -->
#   At 64 x 128 that network reached 2.2% (on flows solved with the <!-- measured: git checkout 63cbd18 && python benchmarks/full_mode_cfd.py --grid 64x128 --samples 1600 --epochs 100 --filters 4 --plain -->
#   staircase wall): the fourth level may be what three levels lack.
#   If the floor below fails in full mode, that is the likely reason, not
#   your run.

# %% tags=["final"]
seen_families = [f for f in families if f != "naca"]
seen_error = float(np.mean(errors[np.isin(held_out["family"], seen_families)]))
record("held-out unseen-family error", family_error.get("naca", float("nan")))
record("batched ms per field", 1000 * batched_seconds, "ms")
record("solver ms per field", 1000 * solver_seconds.mean(), "ms")
print(bootcamp.choose(
    full="Full mode: these two floors have not yet been seen to pass with this notebook's own code on the full "
         "grid (on a coarser one the error floor was missed: see the notes above).",
    quick="Quick mode: the floors are the quick mode's, checked by CI on every change."))
floor("held-out error, training families", seen_error, at_most=bootcamp.choose(full=0.03, quick=0.2),
      seen_in_full_mode=False)
floor("speed-up of batched inference", speed, at_least=bootcamp.choose(full=1000, quick=10),
      seen_in_full_mode=False)
