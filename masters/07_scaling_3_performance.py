# %% [markdown]
# # 07 · Scaling out 3: mixed precision, the profiler and scaling efficiency
#
# Before you ask for more GPUs, make the one you have work, and measure what
# a second one adds. A second GPU doubles the bill; it doubles the speed only
# when nothing else holds the training back. This notebook measures three
# things on the machine you run it on:
#
# 1. **Mixed precision**: the same network trained with 32-bit and with
#    16-bit arithmetic, its speed and its accuracy;
# 2. **The bottleneck**: a trace of a few training steps taken with the
#    TensorBoard profiler, and what happens when the input pipeline, not the
#    network, decides the pace;
# 3. **Scaling efficiency**: images per second with one and with two
#    replicas of the model, against the ideal of twice as many.
#
# Every number comes from this run and this machine. Run it on a laptop and
# on a GPU node and the readings differ. Each part explains why, so you can
# tell which reading to expect where.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %% [markdown]
# ## Two devices, before anything runs
#
# Part 3 trains one model on two devices at once. A machine with two GPUs has
# them. On any other machine, one with a single GPU included, we split the
# CPU into two **logical devices**, `/cpu:0` and `/cpu:1`: the code of part 3
# then runs unchanged, but the two devices share the same cores, which part
# 3 measures.
#
# TensorFlow fixes its list of devices when it starts its runtime, which
# happens at the first operation it runs, not at `import tensorflow`. The
# split must come before that, so it is the first cell after
# `bootcamp.setup()`. That function only seeds the random generators and asks
# for on-demand GPU memory, which does not start the runtime either. If you
# run this cell again later, TensorFlow keeps the split it already has.

# %%
import tensorflow as tf

gpus = tf.config.list_physical_devices("GPU")
if len(gpus) >= 2:
    replica_devices = ["/gpu:0", "/gpu:1"]
else:
    cpu = tf.config.list_physical_devices("CPU")[0]
    if len(tf.config.get_logical_device_configuration(cpu) or []) != 2:
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        except RuntimeError:                     # the runtime has started: too late to split
            raise RuntimeError("TensorFlow has already started, so the CPU cannot be split any more: "
                               "choose Kernel > Restart, then run the notebook from the top") from None
    replica_devices = ["/cpu:0", "/cpu:1"]
print("devices TensorFlow sees:", [device.name for device in tf.config.list_logical_devices()])
print("part 3 will put its two replicas on", replica_devices)

# %%
import json
import os
import platform
import time
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import ml_dtypes
import numpy as np

from bootcamp.checks import floor, record
from bootcamp.data import load_mnist

# %% [markdown]
# ## Data
#
# MNIST's training images, scaled to 0-1, split into a training and a
# validation part. The test images are not used: this notebook chooses
# nothing, it measures speed.

# %%
(x_all, y_all), _ = load_mnist()
n_train = bootcamp.choose(full=50_000, quick=4_096)
n_val = bootcamp.choose(full=10_000, quick=2_000)
x_train, y_train = (x_all[:n_train] / 255).astype("float32"), y_all[:n_train]
x_val, y_val = (x_all[-n_val:] / 255).astype("float32"), y_all[-n_val:]
print(f"{len(x_train):,} training and {len(x_val):,} validation images of shape {x_train.shape[1:]}")

# %% [markdown]
# ## Part 1 · Mixed precision
#
# ### Why fewer bits can be faster
#
# A float32 number takes 4 bytes; float16 and bfloat16 take 2. Half the bytes
# means half the memory traffic and twice the numbers in the same cache, but
# the large gain comes from hardware built for 16-bit arithmetic:
#
# * **NVIDIA Tensor Cores** multiply small matrices of 16-bit numbers and
#   add the products in 32 bits, many times faster than the ordinary float32
#   units. GPUs of **compute capability 7.0** (Volta: V100) and later have
#   them. Those of Volta and Turing (T4, compute capability 7.5) do float16
#   only; from 8.0 (Ampere: A100, then Hopper: H100) they also do bfloat16.
#   Older cards (K80, P100) have no Tensor Cores: float16 saves memory
#   there, little time.
# * **CPUs with bfloat16 instructions**: AVX-512 BF16 (Intel Cooper Lake,
#   AMD Zen 4 and later), AMX (Intel Sapphire Rapids and later), and BF16 on
#   recent Arm cores (AWS Graviton 3). Linux lists them in `/proc/cpuinfo` as
#   `avx512_bf16`, `amx_bf16` and `bf16`. A CPU without them has no 16-bit
#   arithmetic: it converts each bfloat16 number to float32, computes, and
#   converts back. That **emulation** is extra work: there bfloat16 can only
#   gain from the halved memory traffic, which may or may not pay for the
#   conversions.
#
# Tensor Cores are used best when the matrix sizes are multiples of 8, which
# is why the widths below are 512.
#
# ### The three formats
#
# The bits of a floating-point number are split between the **exponent**
# (the range: how large and how small a number can be) and the **mantissa**
# (the precision: how many significant digits). The cell prints both for
# each format.

# %%
print(f"{'format':>9} {'bits':>5} {'mantissa bits':>14} {'largest':>11} {'smallest normal':>16} "
      f"{'smallest > 0':>13} {'relative step':>14}")
for dtype in (np.float32, np.float16, ml_dtypes.bfloat16):
    info = ml_dtypes.finfo(dtype)
    print(f"{np.dtype(dtype).name:>9} {info.bits:>5} {info.nmant:>14} {float(info.max):>11.3g} "
          f"{float(info.tiny):>16.3g} {float(info.smallest_subnormal):>13.3g} {float(info.eps):>14.3g}")

# %% [markdown]
# Read the table by row. **float16** keeps more precision than bfloat16, but
# its range is tiny: anything beyond its largest value becomes infinity, and
# anything below its smallest positive value becomes zero. **bfloat16** has
# float32's exponent, so its range is float32's, with only two to three
# significant digits. Neural networks tolerate the lost digits well; they do
# not tolerate numbers that become zero or infinity. Two places in a
# training step hold such extreme numbers:
#
# * **The output**: a softmax probability can be very small, and the loss
#   takes its logarithm. Round a small probability to zero and the loss is
#   infinite.
# * **The gradients**: many are tiny, and float16 rounds them to zero, so
#   the weights stop learning. The cure is **loss scaling**: multiply the
#   loss by a large factor $S$ before the gradients are computed (every
#   gradient grows by $S$ too, out of the danger zone), then divide the
#   gradients by $S$, in float32, before the update.
#
# The next cell shows both with NumPy.

# %%
probability, gradient, scale = 1e-8, 1e-9, 2.0**15
with np.errstate(divide="ignore"):
    print(f"a probability of {probability:g} in float32: {np.float32(probability):.3g}, loss -log(p) = "
          f"{-np.log(np.float32(probability)):.2f}; in float16: {float(np.float16(probability)):g}, loss = "
          f"{-np.log(np.float16(probability))}")
print(f"a gradient of {gradient:g} in float16: {float(np.float16(gradient)):g}; scaled by {scale:g} first, "
      f"then unscaled in float32: {np.float32(np.float16(gradient * scale)) / scale:.4g}")

# %% [markdown]
# ### Mixed precision in Keras
#
# "Mixed" because both kinds of number are used, each where it is safe:
#
# * `keras.mixed_precision.set_global_policy("mixed_float16")` (for GPUs with
#   Tensor Cores) or `"mixed_bfloat16"` (for CPUs with bfloat16 instructions,
#   and TPUs) makes every layer built afterwards **compute** in 16 bits while
#   it **keeps its weights** in float32, so that small updates are not lost
#   when they are added to the weights;
# * the **output layer stays in float32**: give it `dtype="float32"`. Here
#   the last `Dense` layer computes the ten scores in 16 bits, and a separate
#   softmax `Activation` with `dtype="float32"` turns them into probabilities
#   in float32, and the loss is computed from those;
# * **loss scaling** is automatic: under `"mixed_float16"`, `compile` wraps
#   the optimiser in a `keras.optimizers.LossScaleOptimizer`, and `fit` uses
#   it without a line of your code. Its scale starts at $2^{15}$; when a
#   gradient overflows to infinity it skips that step and halves the scale,
#   and after 2,000 steps without overflow it doubles it. bfloat16 has
#   float32's range, so `"mixed_bfloat16"` needs no loss scaling.
#
# One model-building function serves every policy: the policy in force when
# it runs decides the layers' types.

# %%
def make_model(width=512):
    """A dense MNIST classifier; its layers take the dtype policy in force when it is called."""
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(width, activation="relu"),
        keras.layers.Dense(width, activation="relu"),
        keras.layers.Dense(10),                                  # ten scores, in the policy's compute type
        keras.layers.Activation("softmax", dtype="float32"),     # probabilities (and so the loss) in float32
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def describe_layers(model):
    for layer in model.layers:
        print(f"  {layer.name:>12}: computes in {layer.compute_dtype:>8}, weights in {layer.variable_dtype}")
    print(f"  optimiser: {type(model.optimizer).__name__}")


for policy in ["float32", "mixed_float16", "mixed_bfloat16"]:
    keras.mixed_precision.set_global_policy(policy)
    print(f"policy {policy}:")
    describe_layers(make_model())
keras.mixed_precision.set_global_policy("float32")       # back to the default

# %% [markdown]
# ### Which device is this?
#
# The next cell reads what the hardware offers: a GPU's compute capability
# (`tf.config.experimental.get_device_details`), or the CPU's feature flags
# from `/proc/cpuinfo` (Linux only; elsewhere they stay unknown). It
# describes the device as a small dictionary, the form exercise 1 uses, and
# picks the 16-bit policy to compare with float32: float16 on a GPU,
# bfloat16 on a CPU.

# %%
BF16_FLAGS = {"avx512_bf16", "amx_bf16", "bf16"}     # how Linux names bfloat16 instructions (x86, x86, Arm)


def cpu_name_and_flags():
    """The CPU's model name and feature flags from /proc/cpuinfo (Linux); elsewhere unknown."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or platform.machine(), set()
    name, flags = platform.machine(), set()
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            name = value.strip()
        elif key.strip() in ("flags", "Features"):
            flags |= set(value.split())
    return name, flags


def describe_this_device():
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return {"type": "GPU", "name": details.get("device_name", gpus[0].name),
                "compute_capability": details.get("compute_capability")}
    name, flags = cpu_name_and_flags()
    return {"type": "CPU", "name": name, "flags": flags}


this_device = describe_this_device()
if this_device["type"] == "GPU":
    mixed_policy = "mixed_float16"
    capability = this_device["compute_capability"]
    has_16bit_units = capability is not None and tuple(capability) >= (7, 0)
    print(f"GPU {this_device['name']}, compute capability {capability}: "
          + ("it has Tensor Cores; expect float16 to be faster." if has_16bit_units else
             "no Tensor Cores (they start at 7.0); expect little or no gain from float16."))
else:
    mixed_policy = "mixed_bfloat16"
    found = sorted(this_device["flags"] & BF16_FLAGS)
    has_16bit_units = bool(found)
    if found:
        reading = f"bfloat16 instructions {found}; expect bfloat16 to be faster."
    elif this_device["flags"]:
        reading = ("no bfloat16 instructions (no avx512_bf16, amx_bf16 or bf16 flag): bfloat16 is emulated "
                   "here, so expect little or no gain, possibly a loss.")
    else:
        reading = "its flags cannot be read here (no /proc/cpuinfo), so assume bfloat16 is emulated."
    print(f"CPU {this_device['name']}: {reading} The comparison runs anyway, so you see it.")

# %% [markdown]
# ### The measurement
#
# The same network, the same data, the same seed, once per policy. Two
# rules make the timing fair:
#
# * a **warm-up**: the first epoch includes tracing the training step into
#   a graph, which is paid once, so each model trains one warm-up epoch and
#   only the epochs after it are timed;
# * the **median** step: `StepTimer` keeps the time of every step, and the
#   median ignores the odd slow step when the machine does something else
#   (on a shared machine, it often does).
#
# Speed is then the batch size divided by the median step time. The
# validation accuracy is measured after training, by `evaluate`, outside the
# timed epochs.
#
# The first cell below defines the measurement; the second, a **slow
# cell**, runs it: two trainings.

# %%
class StepTimer(keras.callbacks.Callback):
    """Wall-clock seconds of every training step of a fit, one list per epoch."""

    def on_train_begin(self, logs=None):
        self.epochs = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append([])
        self.last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        float(logs["loss"])                      # wait until the device has finished this step
        now = time.perf_counter()
        self.epochs[-1].append(now - self.last)
        self.last = now

    def median_step(self, first_epoch=1):
        """Median seconds per step, from epoch ``first_epoch`` on (0 is the first: the warm-up)."""
        return float(np.median(np.concatenate(self.epochs[first_epoch:])))


batch_size = 128
timed_epochs = bootcamp.choose(full=3, quick=1)


def train_and_time(policy):
    """Train make_model() under ``policy``: images per second after a warm-up epoch, validation accuracy."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(42)
        model = make_model()
        timer = StepTimer()
        model.fit(x_train, y_train, batch_size=batch_size, epochs=1 + timed_epochs, callbacks=[timer], verbose=0)
        speed = batch_size / timer.median_step()
        accuracy = model.evaluate(x_val, y_val, batch_size=1000, verbose=0)[1]
    finally:
        keras.mixed_precision.set_global_policy("float32")     # back to the default, whatever happened
    return speed, accuracy, sum(timer.epochs[0])

# %%
precision_results = {policy: train_and_time(policy) for policy in ["float32", mixed_policy]}
print(f"{'policy':>15} {'images/s':>9} {'validation accuracy':>20} {'warm-up epoch, s':>17}")
for policy, (speed, accuracy, warm_up) in precision_results.items():
    print(f"{policy:>15} {speed:>9,.0f} {accuracy:>20.4f} {warm_up:>17.1f}")
    record(f"{policy} images per second", speed, "images/s")
print("the global policy is back to", keras.mixed_precision.global_policy().name)

# %%
speed_32, accuracy_32, _ = precision_results["float32"]
speed_16, accuracy_16, _ = precision_results[mixed_policy]
speed_ratio = speed_16 / speed_32
print(f"{mixed_policy} ran at {speed_ratio:.2f} times the speed of float32 on this device, and its "
      f"validation accuracy differs by {accuracy_16 - accuracy_32:+.4f}.")
if has_16bit_units and speed_ratio > 1.1:
    reading = "the 16-bit units paid off, as the hardware promised."
elif has_16bit_units:
    reading = ("the hardware has 16-bit units, but this small network gained little: each step is so short "
               "that launching it, and moving the data, costs as much as the arithmetic. Larger layers and "
               "batches let the 16-bit units show.")
elif speed_ratio < 0.9:
    reading = "no 16-bit units here, and the conversions to and from float32 made it slower, as expected."
elif speed_ratio <= 1.1:
    reading = "no 16-bit units here and no gain worth having: float32 is the simpler choice on this device."
else:
    reading = ("faster even without 16-bit units: here the halved memory traffic paid for the conversions. "
               "The rule (16 bits where the hardware has units for it) is where to start; a measurement on "
               "your own model decides.")
print("Reading:", reading)
record(f"{mixed_policy} speed relative to float32", speed_ratio)
floor("float32 validation accuracy", accuracy_32, at_least=bootcamp.choose(full=0.96, quick=0.88))
floor(f"validation accuracy lost by {mixed_policy}", accuracy_32 - accuracy_16, at_most=0.02)

# %% [markdown]
# The accuracy floor is the point of "mixed": with the output and the loss in
# float32 (and loss scaling for float16), 16-bit arithmetic gives up no
# accuracy worth mentioning. If it did, the speed would not be worth having.
#
# ## Exercise 1: which policy for which machine?
#
# You will train on machines you have not seen yet. Write
# `choose_policy(device)`: given a device described as above (a dictionary
# with `"type"`, `"name"`, and `"compute_capability"` for a GPU or `"flags"`
# for a CPU), return the Keras policy name to train with:
# `"mixed_float16"`, `"mixed_bfloat16"` or `"float32"`. Choose a 16-bit policy
# only where the hardware has units for it. A GPU description has no
# `"flags"`, and a CPU description no `"compute_capability"`. Some examples:
#
# ```python
# {"type": "GPU", "name": "Tesla T4", "compute_capability": (7, 5)}
# {"type": "CPU", "name": "Intel Xeon Platinum 8480+", "flags": {"avx512f", "amx_bf16", "avx512_bf16"}}
# ```

# %% tags=["exercise"]
def choose_policy(device):
    """The Keras dtype policy to train with on ``device``."""
    # TODO: return "mixed_float16", "mixed_bfloat16" or "float32"
    # BEGIN SOLUTION
    if device["type"] == "GPU":
        capability = device.get("compute_capability")
        if capability is not None and tuple(capability) >= (7, 0):
            return "mixed_float16"       # Tensor Cores; Volta and Turing (7.x) have no bfloat16 ones
        return "float32"                 # no Tensor Cores: 16 bits would save memory, not time
    if set(device.get("flags", ())) & BF16_FLAGS:
        return "mixed_bfloat16"          # a CPU with bfloat16 instructions
    return "float32"                     # bfloat16 would be emulated: little or nothing to gain
    # END SOLUTION
    # BEGIN STARTER
    return None
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import scaling

scaling.mixed_policy_choice(choose_policy)

# %% [markdown]
# ## Part 2 · Finding the bottleneck with the profiler
#
# A training step needs two things: a batch from the **input pipeline**
# (reading files, decoding, augmenting, usually on the CPU) and the
# **computation** of the step on the device. If the pipeline delivers
# batches more slowly than the device computes them, the device waits and
# the training is **input-bound**: a faster GPU, more GPUs or mixed precision
# will not make it faster. Only a faster pipeline will. If the computation is
# the slower part, the training is **compute-bound**, and part 1's tools
# apply.
#
# Guessing which one it is goes wrong often. A **profiler** records what every
# thread did during a few steps, with timestamps. TensorFlow's profiler writes
# a trace that TensorBoard shows in its **Profile** tab (the package
# `tensorboard-plugin-profile`, which `requirements.txt` installs). Its overview
# page splits the step time into input and compute and says, in words,
# whether the program is input-bound; the *trace viewer* shows each thread's
# timeline.
#
# ### A slow pipeline on purpose
#
# `read_slowly` stands for reading one image from a slow shared file system:
# it waits for two milliseconds, then scales the pixels. (It waits rather than
# computes, as a file read does, so it costs time, not CPU.) It is plain
# Python, so the pipeline calls it through `tf.py_function`. The pipeline is
# as naive as it gets: read one image at a time, batch, and nothing else.
# tf.data has an optimisation (`inject_prefetch`) that adds a small prefetch
# at the end of a pipeline by itself. The cell switches it off, so the naive
# pipeline really is naive.

# %%
read_wait = 0.002                                  # seconds per image: a slow file system
n_pipe = bootcamp.choose(full=8_192, quick=1_024)
pipe_batch = 64
steps_per_epoch = n_pipe // pipe_batch
pipe_images, pipe_labels = x_all[:n_pipe], y_all[:n_pipe]     # raw uint8 pixels, as a file holds them


def read_slowly(image):
    time.sleep(read_wait)
    return image.numpy().astype("float32") / 255


def load(image, label):
    """Read one image with read_slowly, inside a tf.data pipeline."""
    pixels = tf.py_function(read_slowly, [image], tf.float32)
    pixels.set_shape((28, 28))
    return pixels, label


naive = tf.data.Options()
naive.experimental_optimization.inject_prefetch = False
slow_data = (tf.data.Dataset.from_tensor_slices((pipe_images, pipe_labels))
             .map(load)                            # one image at a time
             .batch(pipe_batch)
             .with_options(naive))
print(f"{n_pipe:,} images in {steps_per_epoch} batches of {pipe_batch}; reading one takes {read_wait * 1e3:g} ms "
      "plus Python's overhead")

# %% [markdown]
# ### A trace of a few steps
#
# Profile a few steps, not the first ones: they include the one-off tracing
# of the training step into a graph. Keras' TensorBoard callback offers
# `profile_batch=(first, last)` for this, but in Keras 3.15 it marks the
# steps in a way the Profile tab's step analysis does not recognise, so the
# overview page reports "No step time measured". The callback below does
# what TensorFlow's profiler guide shows for custom training loops:
# `tf.profiler.experimental.start(folder)` before the first profiled step,
# each step wrapped in `tf.profiler.experimental.Trace("train",
# step_num=..., _r=1)` (the `_r=1` makes it a step marker), and
# `tf.profiler.experimental.stop()` after the last. The TensorBoard
# callback still logs the loss.
#
# The trace lands in `plugins/profile/<date>/<host>.xplane.pb` under the
# run's folder. The cell checks that the file exists, and reads the
# overview page's verdict from it with the Profile tab's own converter.

# %%
class ProfileSteps(keras.callbacks.Callback):
    """Profile training steps ``first`` to ``last`` of the first epoch, each marked as a step."""

    def __init__(self, log_dir, first, last):
        super().__init__()
        self.log_dir, self.first, self.last = str(log_dir), first, last
        self.running, self.done = False, False

    def on_train_batch_begin(self, batch, logs=None):
        if batch == self.first and not self.done:
            tf.profiler.experimental.start(self.log_dir)
            self.running = True
        if self.running:
            self.step = tf.profiler.experimental.Trace("train", step_num=batch, _r=1)
            self.step.__enter__()

    def on_train_batch_end(self, batch, logs=None):
        if self.running:
            self.step.__exit__(None, None, None)
            if batch == self.last:
                self.stop()

    def on_train_end(self, logs=None):
        self.stop()                                # an epoch shorter than `last`: stop anyway

    def stop(self):
        if self.running:
            tf.profiler.experimental.stop()
            self.running, self.done = False, True


def profile_verdict(traces):
    """The overview page's conclusion, read from the traces with the Profile tab's converter."""
    try:
        from xprof.convert import raw_to_tool_data       # installed with tensorboard-plugin-profile
        data, _ = raw_to_tool_data.xspace_to_tool_data([str(trace) for trace in traces], "overview_page", {})
        return next(table["p"]["input_conclusion"] for table in json.loads(data)
                    if "input_conclusion" in table.get("p", {}))
    except Exception as error:                           # not installed, or another version's format
        return f"not readable here ({type(error).__name__}): open the Profile tab in TensorBoard"

# %%
log_root = bootcamp.logs_dir("07_scaling_3_performance", fresh=True)
run_dir = log_root / "slow_pipeline"
keras.utils.set_random_seed(42)
pipe_model = make_model()                          # float32: the policy is back to the default
profile_steps = (3, 7)
pipe_model.fit(slow_data.take(profile_steps[1] + 1), epochs=1, verbose=0,     # just the steps up to the last
               callbacks=[keras.callbacks.TensorBoard(log_dir=str(run_dir)), ProfileSteps(run_dir, *profile_steps)])
traces = sorted(run_dir.rglob("*.xplane.pb"))
for trace in traces:
    print(f"trace of steps {profile_steps[0]} to {profile_steps[1]}: {trace} ({trace.stat().st_size / 1024:,.0f} KiB)")
print("the profiler's verdict:", profile_verdict(traces) if traces else "no trace")
floor("profiler trace files written", len(traces), at_least=1)

# %%
from bootcamp import tensorboard

tensorboard.show(log_root)

# %% [markdown]
# In TensorBoard, open **Profile** (in the menu at the top right when it is
# not a tab), choose the run, then:
#
# * **overview_page**: the step-time graph, with each step split into
#   input and compute, and the verdict printed above, with the share of the
#   step spent waiting for input;
# * **input_pipeline_analyzer**: which tf.data stage costs the time (here
#   the `map` that calls `read_slowly`);
# * **trace_viewer**: one row per thread, against time. Each step waits
#   while the pipeline reads its images one at a time, and the step's own
#   computation is a short block at the end.
#
# ### The same diagnosis with a stopwatch
#
# The profiler tells you where to look; a stopwatch confirms it. Time the
# three parts separately, per step:
#
# 1. **input alone**: draw batches from the pipeline and do nothing with them;
# 2. **compute alone**: train on batches already in memory;
# 3. **both**: train on the pipeline.
#
# Without any overlap, a step costs input plus compute. The larger of the two
# is the bottleneck.

# %%
def seconds_per_step_of_input(data, steps):
    """Median seconds to draw one batch from ``data``."""
    seconds, last = [], time.perf_counter()
    for _ in data.take(steps):
        now = time.perf_counter()
        seconds.append(now - last)
        last = now
    return float(np.median(seconds))


def seconds_per_step_of_training(model, data, epochs=1):
    """Train ``epochs`` epochs; the median seconds per step of the last one."""
    timer = StepTimer()
    model.fit(data, epochs=epochs, callbacks=[timer], verbose=0)
    return timer.median_step(first_epoch=epochs - 1)


in_memory = (tf.data.Dataset.from_tensor_slices(((pipe_images / 255).astype("float32"), pipe_labels))
             .batch(pipe_batch).cache())
step_time = {
    "input alone (slow pipeline)": seconds_per_step_of_input(slow_data, min(steps_per_epoch, 8)),
    "compute alone (batches in memory)": seconds_per_step_of_training(pipe_model, in_memory, epochs=2),
    "training on the slow pipeline": seconds_per_step_of_training(pipe_model, slow_data),
}
for what, seconds in step_time.items():
    print(f"{what:>34}: {seconds * 1e3:7.1f} ms per step")
input_share = step_time["input alone (slow pipeline)"] / step_time["training on the slow pipeline"]
print(f"drawing the input alone takes {input_share:.0%} of the time of a whole training step"
      + (" (past 100%: the two were timed separately, and times vary)" if input_share > 1 else "")
      + (": the training is INPUT-bound." if input_share > 0.5 else ": the training is compute-bound."))

# %% [markdown]
# ### A fast pipeline
#
# Three changes, each aimed at one cost:
#
# * `map(load, num_parallel_calls=tf.data.AUTOTUNE)` reads several images at
#   once, on several threads, and tf.data tunes how many;
# * `.cache()` keeps every element that reaches it in memory during the first
#   epoch; from the second epoch on, nothing before the cache runs again. The
#   images are read once, not once per epoch. (`cache(filename)` keeps them in
#   a file instead, for data larger than memory.)
# * `.prefetch(tf.data.AUTOTUNE)` at the very end prepares the next batches
#   while the device computes the current one: input and compute overlap, and
#   a step costs the larger of the two instead of their sum.
#
# The shuffle comes after the cache: the cache stores one fixed order, and a
# shuffle after it draws a new order every epoch. The first epoch pays for
# the reading and fills the cache: its row is the mean step, which includes
# the steps before tf.data has tuned its parallel reads. The second epoch
# shows the steady state.

# %%
fast_data = (tf.data.Dataset.from_tensor_slices((pipe_images, pipe_labels))
             .map(load, num_parallel_calls=tf.data.AUTOTUNE)
             .cache()
             .shuffle(n_pipe, seed=0)
             .batch(pipe_batch)
             .prefetch(tf.data.AUTOTUNE))
timer = StepTimer()
pipe_model.fit(fast_data, epochs=2, callbacks=[timer], verbose=0)
step_time["fast pipeline, first epoch (reads, fills the cache)"] = float(np.mean(timer.epochs[0]))   # ramp-up too
step_time["fast pipeline, second epoch (from the cache)"] = timer.median_step(first_epoch=1)
for what, seconds in step_time.items():
    print(f"{what:>52}: {seconds * 1e3:7.1f} ms per step")
slow_step = step_time["training on the slow pipeline"]
fast_step = step_time["fast pipeline, second epoch (from the cache)"]
pipeline_speedup = slow_step / fast_step
print(f"the fast pipeline, once cached, trains {pipeline_speedup:.1f} times as many steps per second as the slow one")
record("slow pipeline ms per step", slow_step * 1e3, "ms")
record("fast pipeline ms per step, cached", fast_step * 1e3, "ms")
floor("fast over slow pipeline, steps per second", pipeline_speedup, at_least=3)

# %%
fig, ax = plt.subplots(figsize=(9, 3.6))
labels = list(step_time)
ax.barh(labels, [step_time[label] * 1e3 for label in labels],
        color=["C2" if label.startswith("fast") else "C3" if "slow" in label else "C0" for label in labels])
ax.invert_yaxis()
ax.set(xlabel=f"milliseconds per training step (batch of {pipe_batch})", title="Where a training step's time goes")
fig.tight_layout()

# %% [markdown]
# With the slow pipeline, a step costs the input time plus the compute time:
# the input alone is most of it. With the cached pipeline, the compute time
# is left, and the overlap from `prefetch` hides what little input work
# remains. The first epoch of the fast pipeline still reads every image,
# several at a time as far as tf.data's tuning allows: with few cores it
# allows few, and Python functions called through `tf.py_function` share
# one interpreter, so on a small machine parallel reads help far less than
# the cache. On a GPU the compute bar shrinks, and the slow pipeline's
# share of the step grows. The faster the device, the more the input
# pipeline matters.
#
# ## Exercise 2: cache, but keep the augmentation random
#
# A training set needs **augmentation** (lesson 04): random changes of each
# image, new in every epoch. Write `augmented_pipeline(images, labels, load,
# augment, batch_size)`, which returns a `tf.data.Dataset` of batches that:
#
# * reads each image with `load` (an expensive function like the one above)
#   **once** over all the epochs, with parallel reads;
# * applies `augment` (a random function of `(image, label)`) so that every
#   epoch sees **new** random changes;
# * shuffles the order anew each epoch, and overlaps input with computation.
#
# Think about what `.cache()` keeps, and so where it must go. The self-check
# runs your function on a few tiny images with its own `load` (which counts
# its calls) and `augment`, for two epochs. To try it on this notebook's
# images, with the `load` above and the `augment` below:
# `augmented_pipeline(pipe_images, pipe_labels, load, augment, pipe_batch)`.

# %% [markdown]
# One trap before you start. `tf.random.uniform` inside a `map` draws the
# *same* numbers in every epoch when a global seed is set, as
# `bootcamp.setup()` does: each epoch starts a new iterator, and its random
# operations start again from the seed. A `tf.random.Generator` keeps its
# state between epochs, and so do Keras' random layers (lesson 04). This
# notebook's `augment` uses a generator:

# %%
shifter = tf.random.Generator.from_seed(7)      # its state carries over from one epoch to the next


def augment(image, label):
    """Shift the digit by up to two pixels in each direction: a new shift on every call."""
    shift = shifter.uniform([2], minval=-2, maxval=3, dtype=tf.int32)
    return tf.roll(image, shift=shift, axis=[0, 1]), label

# %% tags=["exercise"]
def augmented_pipeline(images, labels, load, augment, batch_size):
    data = tf.data.Dataset.from_tensor_slices((images, labels))
    # TODO: read with load once, augment anew each epoch, shuffle, batch, prefetch
    # BEGIN SOLUTION
    data = data.map(load, num_parallel_calls=tf.data.AUTOTUNE).cache()   # read once, kept in memory
    data = data.shuffle(len(images))                                      # a new order every epoch
    data = data.map(augment, num_parallel_calls=tf.data.AUTOTUNE)         # after the cache: new every epoch
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    # END SOLUTION
    # BEGIN STARTER
    return None
    # END STARTER

# %% tags=["selfcheck"]
scaling.cached_augmented_pipeline(augmented_pipeline)

# %% [markdown]
# ## Part 3 · Scaling efficiency: one replica against two
#
# ### Data parallelism, measured
#
# `tf.distribute.MirroredStrategy(devices)` puts a **replica** (a full copy
# of the model) on each device. Each step, the **global batch** is split
# among the replicas; each computes the gradients of its share; an
# **all-reduce** adds the gradients of all replicas, so that every copy
# applies the same update and the copies stay identical. Keras' `fit` does
# all of it for a model built inside `strategy.scope()` (notebook 1 of this
# lesson takes it apart). Here the question is what it gains.
#
# How well it pays is measured by **throughput** $T_n$, images per second
# with $n$ replicas:
#
# * **speed-up** $S_n = T_n / T_1$, ideally $n$;
# * **scaling efficiency** $E_n = S_n / n = T_n / (n\,T_1)$, ideally 1.
#
# Keep the **global batch** the same for both counts (here 256, so 128 per
# replica with two). This is **strong scaling**: the same work, shared out.
# Its updates are the same as with one replica, so both runs should learn
# the same, which the second cell checks. (The other way, **weak scaling**,
# keeps the batch per replica and lets the global batch grow with $n$:
# exercise 3.)
#
# Both runs go through `MirroredStrategy`, the one-replica run over one
# device, so the two differ only in the number of replicas.
#
# The first cell below defines the measurement; the second, a **slow
# cell**, runs it: two trainings.

# %%
tf.get_logger().setLevel("WARNING")      # silences a line per all-reduce set-up: too many to read
global_batch = 256
scale_epochs = bootcamp.choose(full=2, quick=1)
x_scale, y_scale = x_train, y_train


def throughput_with(devices):
    """Images per second of make_model() trained under MirroredStrategy(devices), after a warm-up epoch,
    and the training loss of the last epoch."""
    strategy = tf.distribute.MirroredStrategy(devices)
    with strategy.scope():
        keras.utils.set_random_seed(42)
        model = make_model()
    data = (tf.data.Dataset.from_tensor_slices((x_scale, y_scale)).cache()      # a new pipeline per run:
            .shuffle(len(x_scale), seed=0).batch(global_batch).prefetch(tf.data.AUTOTUNE))   # the same order
    timer = StepTimer()
    history = model.fit(data, epochs=1 + scale_epochs, callbacks=[timer], verbose=0)
    return global_batch / timer.median_step(), history.history["loss"][-1]

# %%
scaling_results = {n: throughput_with(replica_devices[:n]) for n in (1, 2)}
(speed_1, loss_1), (speed_2, loss_2) = scaling_results[1], scaling_results[2]
efficiency_2 = speed_2 / (2 * speed_1)
print(f"{'replicas':>8} {'devices':>18} {'images/s':>9} {'speed-up':>9} {'efficiency':>11} {'last loss':>10}")
for n, (speed, loss) in scaling_results.items():
    print(f"{n:>8} {', '.join(replica_devices[:n]):>18} {speed:>9,.0f} {speed / speed_1:>9.2f} "
          f"{speed / (n * speed_1):>11.2f} {loss:>10.4f}")
record("1 replica images per second", speed_1, "images/s")
record("2 replicas images per second", speed_2, "images/s")
record("scaling efficiency, 2 replicas", efficiency_2)
floor("training loss, 2 replicas minus 1 replica (same global batch)", abs(loss_2 - loss_1), at_most=0.02)

# %%
fig, ax = plt.subplots(figsize=(5.5, 4))
counts = np.array([1, 2])
ax.plot(counts, counts * speed_1, "k--", label="ideal: n times one replica")
ax.plot(counts, [speed_1, speed_2], "C0o-", label="measured")
for n, speed in zip(counts, [speed_1, speed_2]):
    ax.annotate(f"{speed:,.0f}", (n, speed), textcoords="offset points", xytext=(6, -14))
ax.set(xlabel="replicas", ylabel="images per second", xticks=counts, xlim=(0.8, 2.3), ylim=(0, None),
       title=f"Throughput on {', '.join(replica_devices)} (global batch {global_batch})")
ax.legend()
fig.tight_layout()

# %%
if replica_devices[0].startswith("/gpu"):
    print(f"two GPUs: efficiency {efficiency_2:.2f}. What is missing to 1 is the cost of the all-reduce, and of "
          "the smaller batch per GPU, which keeps each GPU less busy.")
else:
    print(f"two logical devices on {os.cpu_count()} CPU cores: efficiency {efficiency_2:.2f}, two replicas "
          f"{'slower' if speed_2 < speed_1 else 'faster'} than one. The replicas share the same cores, so there "
          "is no extra hardware to gain from; see below.")

# %% [markdown]
# Why two logical CPU devices do not double the throughput: they are two
# names for the **same cores**. TensorFlow runs each operation on one pool of
# threads, and with one replica that pool already keeps every core busy
# (matrix products are split across threads). Two replicas do the same
# arithmetic on the same cores, in smaller pieces, and add work: splitting
# each batch, one more set of small operations to launch per step, and the
# all-reduce of the gradients (every weight of the model, each step). So the
# efficiency on a CPU split this way is well below 1, and two replicas can be
# slower than one. The split is for running and testing data-parallel code
# anywhere; only separate hardware (GPUs, or machines) can speed it up.
#
# On real GPUs the efficiency is usually high for large models and batches,
# and falls when the all-reduce takes as long as the computation: small
# models, small batches per GPU, slow links between the GPUs (PCIe rather
# than NVLink) or between machines. Strong scaling also shrinks the batch per
# GPU as GPUs are added, until each is too small to keep its GPU busy. This
# is why large trainings keep the batch per GPU and grow the global batch
# (weak scaling), and raise the learning rate with it.
#
# ## Exercise 3: a colleague's scaling log
#
# A colleague trained with weak scaling: 64 images per GPU in every step, so
# the global batch is $64\,n$ with $n$ GPUs. Their log holds the seconds per
# step for each number of GPUs. Compute `efficiency`, a dictionary from the
# number of GPUs to the scaling efficiency $E_n = T_n / (n\,T_1)$, where $T_n$
# is the throughput in images per second.

# %%
colleague_log = {1: 0.0480, 2: 0.0502, 4: 0.0551, 8: 0.0697}     # GPUs -> seconds per step
per_gpu_batch = 64

# %% tags=["exercise"]
# TODO: efficiency = {n: E_n for each n in colleague_log}
# BEGIN SOLUTION
throughput = {n: n * per_gpu_batch / seconds for n, seconds in colleague_log.items()}   # images per second
efficiency = {n: throughput[n] / (n * throughput[1]) for n in colleague_log}
print({n: round(e, 3) for n, e in efficiency.items()})
# END SOLUTION
# BEGIN STARTER
efficiency = None
# END STARTER

# %% tags=["selfcheck"]
scaling.weak_scaling_efficiency(efficiency, colleague_log, per_gpu_batch)

# %% [markdown]
# ## What to remember
#
# * **Mixed precision** (`keras.mixed_precision.set_global_policy`) pays
#   where the hardware has 16-bit units: `"mixed_float16"` on GPUs of compute
#   capability 7.0 and later (Tensor Cores), `"mixed_bfloat16"` on CPUs with
#   bfloat16 instructions and on TPUs. Elsewhere it is emulated and can be
#   slower: measure. Keep the output layer in float32
#   (`dtype="float32"`); under `"mixed_float16"`, `fit` scales the loss for
#   you.
# * **Find the bottleneck before you buy hardware**: a profiler trace of a
#   few steps, each marked with `tf.profiler.experimental.Trace("train",
#   step_num=..., _r=1)`, read in TensorBoard's Profile tab; and a stopwatch
#   on input alone, compute alone and both. An input-bound training gains
#   nothing from a faster device.
# * **A fast tf.data pipeline**: parallel `map` for the expensive reads,
#   `cache()` after what is the same every epoch and before what is random,
#   `shuffle` after the cache, `prefetch` last.
# * **Scaling efficiency** $E_n = T_n / (n\,T_1)$, measured with the same
#   code and a warm-up. Strong scaling keeps the global batch; weak scaling
#   keeps the batch per replica. Logical CPU devices share the same cores:
#   they test distributed code, they do not speed it up.
