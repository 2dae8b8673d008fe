# %% [markdown]
# # 00 · Start here
#
# Welcome to the bootcamp. This first notebook is short. It makes
# sure that everything the later lessons need works on *your* machine:
# the Python packages, the processor that will train your networks, and the
# places where data and logs are kept. It ends with a tiny training run that
# proves this machine can learn.

# %% [markdown]
# ## The plan: two workshop days, and an optional third
#
# Each row is one notebook. Day 1 builds the tools, from a straight line to
# convolutional networks; day 2 applies them to two science problems,
# cyclone intensity from satellite images and flow past obstacles; day 3,
# for those who will train on a cluster, spreads the same training over
# several devices and machines and makes each one fast. Times are
# for a live workshop, talk and hands-on together; on your own, go at your
# own pace. The table is built from the course outline in
# `bootcamp/course.py`, so it always matches the notebooks in this folder.

# %%
from IPython.display import Markdown

from bootcamp.course import agenda_markdown

Markdown(agenda_markdown("."))

# %% [markdown]
# ## How a notebook works
#
# * A notebook is a list of **cells**. Text cells explain; code cells run
#   Python in a process called the **kernel**.
# * Select a code cell and press **Shift+Enter** to run it and move on. The
#   number that appears on its left, `[3]`, is the order in which it ran.
# * Variables live in the kernel, not in the page: running cells out of order
#   gives confusing results. When in doubt, use *Kernel > Restart Kernel and
#   Run All Cells*.
# * A cell marked `[*]` is still running. *Kernel > Interrupt* stops it.
# * Type a name followed by `?` (for example `np.linspace?`) to read its help.
# * Cells marked **TODO** are exercises. The cell right after each one is a
#   **self-check**: run it to learn whether your answer is right. Full answers
#   are in the `solutions/` folder, generated from the same source as this
#   notebook.

# %% [markdown]
# ## Quick mode and full mode
#
# Every notebook runs in one of two modes, chosen by the environment variable
# `BOOTCAMP_QUICK`. **Full mode** (the default) is what a workshop runs.
# **Quick mode** (`BOOTCAMP_QUICK=1`, set by `make test`) runs the *same
# code* on less data and for fewer epochs, so that the test suite can run all
# notebooks in minutes. The next cell says which mode you are in, seeds the
# random number generators so that your results match your neighbour's, and
# names the device that will train. The note at the top of every notebook
# says how to switch modes from inside Jupyter.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %% [markdown]
# ## Environment check
#
# Versions first: when you ask for help, these lines are the first thing an
# instructor needs.

# %%
import platform

import cv2
import keras
import matplotlib
import numpy as np
import sklearn
import tensorflow as tf

for name, version in [("Python", platform.python_version()), ("NumPy", np.__version__),
                      ("TensorFlow", tf.__version__), ("Keras", keras.__version__),
                      ("scikit-learn", sklearn.__version__), ("OpenCV", cv2.__version__),
                      ("Matplotlib", matplotlib.__version__)]:
    print(f"{name:>13}: {version}")

# %% [markdown]
# ### Processors and memory
#
# Deep learning is dominated by large matrix products, which a GPU computes
# many times faster than a CPU. Everything in this course also runs on a
# CPU, just more slowly. TensorFlow normally reserves *all* GPU memory the
# moment it starts; `bootcamp.setup()` switched on **memory growth**, so each
# notebook takes only what it needs.

# %%
import os

gpus = tf.config.list_physical_devices("GPU")
print(f"CPU cores: {os.cpu_count()}")
page, pages = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_PHYS_PAGES")
print(f"RAM: {page * pages / 2**30:.1f} GiB")
if gpus:
    for gpu in gpus:
        details = tf.config.experimental.get_device_details(gpu)
        growth = tf.config.experimental.get_memory_growth(gpu)
        print(f"GPU: {gpu.name} {details.get('device_name', '')} (memory growth: {growth})")
else:
    print("GPU: none found. Lessons run on the CPU; on Colab, pick a GPU under "
          "Runtime > Change runtime type.")

# %% [markdown]
# ### When the GPU is full
#
# A GPU's memory belongs to the process that allocated it until that process
# ends. A notebook you left running still holds its share, and the next one
# may fail with `ResourceExhaustedError`, `OOM when allocating tensor` or
# `Failed to get convolution algorithm`. To recover:
#
# 1. In JupyterLab open the **Running Terminals and Kernels** panel (the
#    square-in-a-circle icon on the left) and **shut down** every kernel you
#    are not using. Before moving to the next notebook, use *Kernel > Shut Down
#    Kernel*.
# 2. In a terminal, `nvidia-smi` lists the processes holding GPU memory; the
#    cell below runs it when it is available.
# 3. Inside one notebook, `keras.backend.clear_session()` drops models you no
#    longer need, but only a kernel restart returns all memory.

# %%
import shutil
import subprocess

if shutil.which("nvidia-smi"):
    print(subprocess.run(["nvidia-smi"], capture_output=True, text=True, check=False).stdout)
else:
    print("nvidia-smi is not installed here (no NVIDIA driver): nothing to check.")

# %% [markdown]
# ## Where data and logs live
#
# * **Datasets** are downloaded once, checked against a known checksum or
#   structure, and kept in a cache directory (below). A workshop room can
#   point `BOOTCAMP_MIRRORS` at a local copy so that nobody downloads anything;
#   with no network at all, each lesson says which built-in or generated data
#   it uses instead. `python -m data_scripts list` shows what is cached.
# * **TensorBoard logs** go to `logs/` next to the notebooks; delete the
#   folder at any time.

# %%
from bootcamp import data

print(f"Dataset cache  : {data.cache_dir()}")
print(f"Mirrors        : {data.mirrors() or 'none configured (set BOOTCAMP_MIRRORS)'}")
print(f"TensorBoard logs: {bootcamp.logs_dir().resolve()}")

# %% [markdown]
# ## Exercise 0: how much memory does a dataset take?
#
# Memory is the first limit you meet on a GPU, so learn to estimate it. The
# MNIST training set (lesson 03) holds 60,000 grey images of 28 x 28 pixels.
# Networks train on `float32` numbers, 32 bits each (a byte is 8 bits);
# NumPy's default, `float64`, takes twice as much, which is why the lessons
# convert their data with `.astype("float32")`. How many **bytes** does the
# training set take as `float32`? Replace `None` with an expression (let
# Python do the arithmetic), then run the self-check.

# %% tags=["exercise"]
# TODO: number of bytes of 60,000 float32 images of 28 x 28 pixels
# BEGIN SOLUTION
n_bytes = 60_000 * 28 * 28 * 4
# END SOLUTION
# BEGIN STARTER
n_bytes = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import start_here

start_here.mnist_bytes(n_bytes)

# %% [markdown]
# ## Can this machine learn?
#
# A last check that TensorFlow trains end to end: a single neuron learns the
# line $y = 2x + 1$ from 256 exact points. You will meet every piece of this in
# the next lesson; for now, watch the loss fall.

# %%
x = np.linspace(-1, 1, 256, dtype="float32").reshape(-1, 1)
y = 2 * x + 1

model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
history = model.fit(x, y, epochs=bootcamp.choose(full=100, quick=20), batch_size=32, verbose=0)
print(f"loss: first epoch {history.history['loss'][0]:.3f}, last epoch {history.history['loss'][-1]:.2e}")

# %% [markdown]
# The cell below is a **learning floor**: it fails loudly if training did not
# reach the expected loss. Every lesson ends with one; the test suite relies on
# them to prove that each notebook still teaches what it claims.

# %%
from bootcamp.checks import floor

floor("smoke-test MSE", history.history["loss"][-1], at_most=1e-3)

# %% [markdown]
# All set. Before opening the next notebook, shut this kernel down
# (*Kernel > Shut Down Kernel*) so that it releases its memory.
