# %% [markdown]
# # 07 · Scaling out 2: several workers, a training loop of our own, and a worker that dies
#
# One machine has a few GPUs; a cluster job has many machines. On a
# cluster, data-parallel training runs one **worker** process per machine
# (or per GPU); each worker holds replicas of the model, and the workers
# all-reduce their gradients over the network after every step. TensorFlow
# calls this `MultiWorkerMirroredStrategy`.
#
# The plan:
#
# 1. how a worker learns who the others are (`TF_CONFIG`, or Slurm);
# 2. the **custom training loop**: `tf.GradientTape` inside `strategy.run`,
#    written out, and why this lesson does not use `model.fit`;
# 3. two workers on this machine, each a process of its own, training
#    exactly what one process trains;
# 4. **checkpoints and restart**: one worker killed mid-training, the job
#    started again, no finished epoch lost;
# 5. the same script on a cluster: Slurm, Apptainer, and Horovod.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %% [markdown]
# As in notebook 1, the replicas of this process come first, before any
# other TensorFlow operation: two GPUs where there are two, else two
# logical CPU devices.

# %%
from bootcamp.scaling.devices import replica_devices

devices = replica_devices(2)
print("replicas of this process:", devices)

# %%
import tempfile
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from bootcamp.checks import floor, record
from bootcamp.scaling import launch, loop
from bootcamp.selfcheck import parallel

# %% [markdown]
# ## 1. Who are the others?
#
# Every worker runs the same script. What makes worker 0 different from
# worker 1 is its environment: the variable `TF_CONFIG` holds, as JSON, the
# address (host and port) of every worker in the cluster and the index of
# this one. `MultiWorkerMirroredStrategy()` reads it when it is created,
# connects to the others, and from then on every `strategy.run` step ends
# with a collective all-reduce among all of them.
#
# For two workers on this machine, the launcher asks the operating system
# for two free ports (never hard-coded: another program may hold any fixed
# port) and gives each process this:

# %%
ports = launch.free_ports(2)
for index in range(2):
    print(f"worker {index}: TF_CONFIG={launch.tf_config(ports, index)}")

# %% [markdown]
# On a Slurm cluster nobody writes `TF_CONFIG`: `srun` starts one task per
# node and sets `SLURM_PROCID`, the node list and the tasks per node, and
# `tf.distribute.cluster_resolver.SlurmClusterResolver` turns them into the
# same cluster description (section 5).
#
# ## 2. The custom training loop
#
# `model.fit` hides the loop. Under `MultiWorkerMirroredStrategy`, Keras
# 3.15's `fit` fails with "Attempt to convert a value (PerReplica...) to a
# Tensor" (keras-team/keras#20585, open), so multi-worker training here is
# written out, which is also the best way to see what `fit` does:
#
# - `replica_step` runs on each replica, on its slice of the global batch:
#   forward pass under `tf.GradientTape`, the loss, the gradient, and
#   `optimizer.apply_gradients`, which all-reduces the gradients across
#   replicas and workers before it updates the mirrored weights;
# - `strategy.run(replica_step, ...)` runs it on every replica of this
#   worker and returns one value per replica; `strategy.reduce` adds them up;
# - `@tf.function` compiles the step into a graph (the all-reduce needs it,
#   and it is faster).
#
# The loss each replica differentiates is where notebook 1's trap waits.
#
# ## Exercise 1: each replica's loss
#
# Write `replica_loss(per_example_loss, global_batch)`: the number a
# replica differentiates, given the losses of the examples of its own slice
# (a tensor of shape `(per-replica batch,)`), such that the all-reduce (a
# sum over replicas) yields the gradient of the mean loss over the global
# batch. A function of `tf.nn` does it in one line; so does plain
# arithmetic.

# %% tags=["exercise"]
# TODO: def replica_loss(per_example_loss, global_batch): return a scalar tensor
# BEGIN SOLUTION
def replica_loss(per_example_loss, global_batch):
    # the sum over this replica's examples, divided by the GLOBAL batch: the sum over replicas is the mean
    return tf.nn.compute_average_loss(per_example_loss, global_batch_size=global_batch)
# END SOLUTION
# BEGIN STARTER
def replica_loss(per_example_loss, global_batch):
    raise NotImplementedError("divide the replica's sum of losses by the right batch size")
# END STARTER

# %% tags=["selfcheck"]
parallel.replica_loss(replica_loss)

# %% [markdown]
# Now the loop, on the two replicas of this process (`MirroredStrategy`).
# The data are synthetic so that every worker can make them without a
# download: points in 64 dimensions labelled by a fixed random linear
# "teacher" (`loop.load_data`); epoch `e` visits them in an order fixed by
# the seed and `e` (`loop.epoch_batches`), and each input pipeline takes
# its own slice of every global batch (`loop.distributed_batches`, the
# dataset function of notebook 1). Until exercise 1 is done, the cell uses
# `tf.nn.compute_average_loss` itself.

# %%
SETTINGS = {"epochs": bootcamp.choose(full=5, quick=3), "global_batch": 64, "learning_rate": 0.1, "seed": 3}
N_TRAIN = bootcamp.choose(full=16384, quick=2048)
x, y = loop.load_data("synthetic", N_TRAIN, seed=SETTINGS["seed"])
try:
    replica_loss(tf.zeros(2), 4)
    loss_for_replica = replica_loss
except NotImplementedError:
    loss_for_replica = lambda per_example, batch: tf.nn.compute_average_loss(per_example, global_batch_size=batch)  # noqa: E731


def train_here(strategy, epochs, global_batch, learning_rate, seed):
    """The custom training loop: what every worker runs (bootcamp.scaling.loop.train has the same steps)."""
    with strategy.scope():
        model = loop.build_model(x.shape[1], seed=seed)
        optimizer = keras.optimizers.SGD(learning_rate)
        optimizer.build(model.trainable_variables)
    loss_of = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")

    def replica_step(inputs, labels):
        with tf.GradientTape() as tape:
            loss = loss_for_replica(loss_of(labels, model(inputs, training=True)), global_batch)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))   # all-reduce, then update
        return loss

    @tf.function
    def train_step(inputs, labels):
        per_replica = strategy.run(replica_step, args=(inputs, labels))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    losses = []
    for epoch in range(epochs):
        batches = loop.distributed_batches(strategy, x, y, global_batch=global_batch, seed=seed, epoch=epoch)
        step_losses = [float(train_step(inputs, labels)) for inputs, labels in batches]
        losses.append(np.mean(step_losses))
        print(f"epoch {epoch + 1}: mean training loss {losses[-1]:.4f}")
    return model.get_weights(), losses


mirrored = tf.distribute.MirroredStrategy(devices)
weights_here, losses_here = train_here(mirrored, **SETTINGS)

# %% [markdown]
# The package's loop, which the worker processes run, on one device: the
# same weights, or the workers below would not be running what this
# notebook shows.

# %%
reference = loop.train(tf.distribute.OneDeviceStrategy(devices[0]), x, y, **SETTINGS)
gap_here = max(float(np.max(np.abs(a - b))) for a, b in zip(weights_here, reference["weights"]))
print(f"this notebook's loop on {mirrored.num_replicas_in_sync} replicas vs the package's loop on one device: "
      f"largest weight difference {gap_here:.1e}")
floor("notebook loop vs package loop, largest weight difference", gap_here, at_most=1e-5)

# %% [markdown]
# ## 3. Two workers, two processes
#
# `launch.run_local_workers(2, ...)` starts `python -m
# bootcamp.scaling.worker` twice, each with its `TF_CONFIG`, and prints
# their progress as it comes. Each worker has one replica here (two
# processes on two cores), makes the same synthetic data, and trains with
# the loop above. Starting a worker costs a few seconds (it imports
# TensorFlow and connects to the other); the training itself is short.
#
# If either worker fails, the launcher stops the other (in an all-reduce it
# would wait forever for its partner), and raises with the end of the
# failed worker's log.

# %%
ARGS = ["--epochs", SETTINGS["epochs"], "--global-batch", SETTINGS["global_batch"],
        "--lr", SETTINGS["learning_rate"], "--seed", SETTINGS["seed"], "--data", "synthetic", "--n-train", N_TRAIN]
work = Path(tempfile.mkdtemp(prefix="workers-"))
workers = launch.run_local_workers(2, out_dir=work / "plain", args=ARGS)
for result in workers:
    print(f"worker {result['worker']} of {result['workers']}: final loss {result['losses'][-1]:.4f}, "
          f"{result['images_per_second']:,.0f} images/s")

# %%
gap_workers = max(float(np.max(np.abs(a - b))) for result in workers
                  for a, b in zip(result["weights"], reference["weights"]))
print(f"2 workers vs one process: largest weight difference {gap_workers:.1e}")
floor("2 workers vs 1 process, largest weight difference", gap_workers, at_most=1e-5)

# %% [markdown]
# Same weights, to rounding: two processes that shared nothing but
# gradients trained what one process trains. That is the whole promise of
# synchronous data parallelism, and the test to run first on any new
# cluster, with a small model, before the real job.
#
# ## 4. A worker dies
#
# On a cluster of hundreds of GPUs for days, something fails: a node, a
# network link, a job pre-empted by the scheduler. Synchronous training
# cannot go on without a worker (the all-reduce waits for everyone), so the
# job fails as a whole and is started again. What decides how much work is
# lost is the **checkpoint**: here every worker saves the model and the
# optimiser after every epoch (`tf.train.CheckpointManager`: the chief into
# the checkpoint folder, the others into a scratch folder they delete at
# once), and a worker that starts restores the latest checkpoint and goes on
# from the next epoch. Keras users get the same from the
# `keras.callbacks.BackupAndRestore` callback with `fit`.
#
# The demonstration: worker 1 is killed (SIGKILL, as a node failure) right
# after the chief saved epoch 1; the launcher stops worker 0 and starts the
# job again, as Slurm's `--requeue` does.

# %%
progress = []


def show(line):
    progress.append(line)
    print(line)


checkpoints = work / "checkpoints"
restarted = launch.run_local_workers(2, out_dir=work / "killed", args=[*ARGS, "--checkpoint-dir", checkpoints],
                                     kill_after_epoch=1, echo=show)
print("checkpoints kept:", sorted(p.name for p in checkpoints.glob("epoch-*.index")))

# %%
resumed_from = restarted[0]["resumed_from"]
gap_restart = max(float(np.max(np.abs(a - b))) for result in restarted
                  for a, b in zip(result["weights"], reference["weights"]))
print(f"the restarted job resumed after epoch {resumed_from} and ended "
      f"{gap_restart:.1e} from the uninterrupted one-process run")
record("epochs kept through the kill", resumed_from)
floor("killed and restarted vs uninterrupted, largest weight difference", gap_restart, at_most=1e-5)

# %% [markdown]
# ## Exercise 2: what a kill costs
#
# Here the workers saved after every epoch, so the kill cost only the epoch
# in progress. Saving takes time, so long runs often save every few epochs
# instead. Write `resume_epoch(killed_during, every)`: a job saves a
# checkpoint after epochs `every`, `2 * every`, `3 * every`, ...; a worker
# dies **during** epoch `killed_during` (counted from 1; that epoch did not
# finish); return the number of the first epoch the restarted job trains.
# The run above had `every=1` and died during epoch 2.

# %% tags=["exercise"]
# TODO: def resume_epoch(killed_during, every): return the first epoch trained after the restart
# BEGIN SOLUTION
def resume_epoch(killed_during, every):
    finished = killed_during - 1                  # the epoch in progress did not finish
    saved = (finished // every) * every           # the last checkpoint at or before it
    return saved + 1
# END SOLUTION
# BEGIN STARTER
def resume_epoch(killed_during, every):
    raise NotImplementedError("find the last checkpoint before the kill")
# END STARTER

# %% tags=["selfcheck"]
parallel.resume_epoch(resume_epoch, progress)

# %% [markdown]
# The restarted job ends with the weights of a run that was never
# interrupted, because everything that decides epoch $e$ (the weights and
# the optimiser's state at its start, the order of its batches) is either
# in the checkpoint or a fixed function of the seed and $e$. Had the data
# order depended on how many epochs this *process* had run, or had the
# optimiser's state not been saved, the restarted job would have trained a
# different model, silently.
#
# The losses, epoch by epoch, of the uninterrupted run and of the two
# attempts of the killed one:

# %%
fig, ax = plt.subplots(figsize=(6, 3))
epochs_all = np.arange(1, SETTINGS["epochs"] + 1)
ax.plot(epochs_all, reference["losses"], marker="o", label="uninterrupted, one process")
ax.plot(epochs_all[resumed_from:], restarted[0]["losses"], marker="x", linestyle="--",
        label=f"2 workers, restarted after epoch {resumed_from}")
ax.set(xlabel="epoch", ylabel="mean training loss", title="A killed job resumes from its checkpoint")
ax.legend()
plt.show()

# %% [markdown]
# ## 5. The same script on a cluster
#
# Nothing in the worker is specific to this laptop. On a Slurm cluster:
#
# - `cluster/train.sbatch` asks for nodes (one task each, the GPUs of each
#   node), and runs the worker on every node with `srun apptainer exec --nv
#   dl-bootcamp.sif python3 -m bootcamp.scaling.worker --slurm ...`: `srun`
#   starts the tasks, Apptainer runs them in the course's image with the
#   node's GPUs (`--nv`), and `--slurm` builds the cluster with
#   `SlurmClusterResolver` instead of `TF_CONFIG`;
# - the checkpoint folder lives on the shared file system and is named
#   after the job id, so `#SBATCH --requeue` (Slurm starting the job again
#   after a node failure) resumes where the job stopped, as in section 4;
# - `docs/scaling.md` has the rest: building the image, the environment
#   variables, and making the CFD flow set with a Slurm job array.
#
# The job script, as it is in the repository:

# %%
print((Path(bootcamp.__file__).resolve().parents[1] / "cluster" / "train.sbatch").read_text())

# %% [markdown]
# **Horovod**, which the slides use, does the same with its own all-reduce
# (`hvd.DistributedOptimizer`, one process per GPU started by `horovodrun`
# or `srun`). Its last release, 0.28.1, dates from June 2023, long
# before TensorFlow 2.21, and it no longer builds against it: its
# TensorFlow extension includes XLA headers that need files the TensorFlow
# wheel does not ship (`docs/scaling.md` has the details).
# `tf.distribute` is part of TensorFlow itself, so this course teaches it.
#
# ## What to remember
#
# - A worker is a process; `TF_CONFIG` (or Slurm, through
#   `SlurmClusterResolver`) tells it the cluster and its place in it.
# - The custom loop: `GradientTape` inside `strategy.run`, the loss divided
#   by the **global** batch, `apply_gradients` all-reduces.
# - Two processes, one model: checked to rounding against one process.
# - A synchronous job fails as a whole; checkpoints after every epoch, a
#   data order fixed by seed and epoch, and a restart make the failure cost
#   at most one epoch and change nothing in the result.
#
# Next: making each replica fast (mixed precision, the profiler) and
# measuring how well the replicas scale.
