# %% [markdown]
# # 06 · CFD 3 · A convolutional encoder-decoder: binary mask or signed distance?
#
# The dense networks of notebook 2 treat every cell as unrelated to its
# neighbours and need millions of weights. A flow has local structure: the
# fluid is deflected where the obstacle is, a wake forms behind it, and the
# same pattern would appear if the obstacle were a little further
# downstream. **Convolutions** capture exactly that: small filters, shared
# across the grid.
#
# An **encoder-decoder** (Guo, Li & Iorio, KDD 2016) squeezes the input
# through strided convolutions into a small, deep code that summarises the
# shape, then expands it with transposed convolutions back to a full-size
# velocity field.
#
# The question of this notebook: which **input** helps the network more,
# the binary obstacle mask or its signed distance function (SDF)? Both
# describe the same shape; the SDF also tells every cell how far away the
# obstacle is. We train the same network, with the same budget, on each.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

from bootcamp.cfd.flows import course_spec, load_flows, mean_relative_l2
from bootcamp.cfd.models import make_fc as bootcamp_fc
from bootcamp.cfd.plots import show_fields, show_history
from bootcamp.cfd.shapes import ellipse_mask, signed_distance
from bootcamp.checks import floor, record
from bootcamp.selfcheck import cfd

# %% [markdown]
# ## The data, two ways
#
# The cached data set of the module (solved first if this is the first CFD
# notebook you run). `inputs("mask")` and `inputs("sdf")` differ only in
# channel 0; channel 1 is the empty channel's inflow profile, which tells a
# convolution where the walls are (a 3 x 3 filter cannot know where in the
# image it is). As in notebook 2, the test flows stay out of sight until
# the end: the two inputs are compared on the validation flows.

# %%
data = load_flows(course_spec())
print(data.summary())
y_train, y_val = data.train.targets(), data.val.targets()
inputs = {kind: {split: getattr(data, split).inputs(kind) for split in ("train", "val")}
          for kind in ("mask", "sdf")}
ny, nx = y_train.shape[1:3]

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 2.8), layout="constrained")
for ax, (title, image, cmap) in zip(axes, [
        ("channel 0, mask input", inputs["mask"]["train"][0, ..., 0], "Greys"),
        ("channel 0, SDF input (distance / ny)", inputs["sdf"]["train"][0, ..., 0], "RdBu_r"),
        ("channel 1, both inputs: wall profile", inputs["sdf"]["train"][0, ..., 1], "viridis")]):
    im = ax.imshow(image, origin="lower", cmap=cmap)
    fig.colorbar(im, ax=ax, shrink=0.9)
    ax.set(title=title, xlabel="x (cells)", ylabel="y (cells)")
fig.suptitle("What the network sees for training flow 0");

# %% [markdown]
# ## Exercise 1: a signed distance by hand
#
# The SDF of a disc is simple: the distance from a cell to the centre, minus
# the radius (negative inside). Below, a disc of radius 6 cells centred at
# column 30, row 16 of a 32 x 64 grid. Compute `sdf_exact`, the exact SDF
# of every cell: an array of shape `(32, 64)` indexed `[row, column]`, made
# without a loop (`np.indices(disc.shape)` gives every cell's row and column).
# The check compares it with `signed_distance`, which measures from the
# rasterised mask's staircase edge instead of the true circle.

# %%
disc = ellipse_mask(32, 64, cx=30, cy=16, a=6, b=6, angle=0.0)
sdf_disc = signed_distance(disc)

# %% tags=["exercise"]
# TODO: sdf_exact = ...   (one value per cell, shape (32, 64))
# BEGIN SOLUTION
rows, columns = np.indices(disc.shape)
sdf_exact = np.hypot(columns - 30, rows - 16) - 6
# END SOLUTION
# BEGIN STARTER
sdf_exact = None
# END STARTER

# %% tags=["selfcheck"]
cfd.sdf_of_a_disc(sdf_exact, sdf_disc, centre=(30, 16), radius=6)

# %% [markdown]
# ## The network
#
# Encoder: three 3 x 3 convolutions with stride 2, each halving the grid
# and doubling the filters. Decoder: three transposed convolutions with
# stride 2, each doubling the grid back. A last 3 x 3 convolution with **no
# activation** gives the two velocity components (signed, as in notebook 2).
# ELU activations are smooth and let small negative values through, which
# suits a regression.

# %%
def make_encoder_decoder(filters=16, levels=3, name="encoder_decoder"):
    inputs = keras.Input(shape=(ny, nx, 2))
    x = inputs
    for level in range(levels):
        x = keras.layers.Conv2D(filters * 2**level, 3, strides=2, padding="same", activation="elu")(x)
    for level in reversed(range(levels)):
        x = keras.layers.Conv2DTranspose(filters * 2**level, 3, strides=2, padding="same", activation="elu")(x)
    outputs = keras.layers.Conv2D(2, 3, padding="same")(x)          # linear: signed velocities
    return keras.Model(inputs, outputs, name=name)


model = make_encoder_decoder()
model.summary()

# %% [markdown]
# How does that compare with notebook 2's dense network on the same grid?

# %%
n_dense = bootcamp_fc((ny, nx), n_dense=3).count_params()
print(f"encoder-decoder: {model.count_params():,} parameters; 3-layer dense network: {n_dense:,} "
      f"({n_dense / model.count_params():.0f} times as many)")

# %% [markdown]
# A convolution's filters are shared over the whole grid, so its weights do
# not grow with the grid; a dense layer's grow with every cell.
#
# ## Exercise 2: how much of the grid does one code cell see?
#
# A cell of the code, the encoder's last output, is computed from a window
# of input cells only: its **receptive field**. One 3 x 3 convolution sees a
# window 3 cells wide. A further convolution with kernel size `k` widens the
# window by `k - 1` steps of the map it reads, and a stride-2 layer makes
# the step of the map it writes twice as many input cells as before.
#
# Write `receptive_field(kernels, strides)`: the width, in input cells, of
# the window that one output cell of a stack of convolutions sees, given
# each layer's kernel size and stride, first layer first.

# %% tags=["exercise"]
def receptive_field(kernels, strides):
    # TODO: follow the window's width and the step (in input cells) layer by layer
    # BEGIN SOLUTION
    width, step = 1, 1            # step: input cells between neighbouring cells of the current map
    for k, s in zip(kernels, strides):
        width += (k - 1) * step
        step *= s
    return width
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("write receptive_field")
    # END STARTER

# %% tags=["selfcheck"]
cfd.receptive_field(receptive_field, model)

# %% [markdown]
# The check printed the window of one code cell of our network: narrower
# than the channel. That cell cannot see both walls, or a whole obstacle and
# its wake, at once; the decoder has to assemble the flow from codes that
# each saw only a part. Exercise 3 asks what it would take to see it all.
#
# ## Training: mask vs SDF, the same budget
#
# Identical networks, the same random start, optimiser (Adam, learning rate
# $2 \times 10^{-3}$ decaying to zero along a cosine), batch size and
# epochs; only channel 0 of the input differs.
#
# **Slow cell**: two networks are trained. In full mode it prints one line
# per epoch.

# %%
epochs = bootcamp.choose(full=100, quick=20)
batch_size = 8
verbose = bootcamp.choose(full=2, quick=0)          # one line per epoch in full mode


def train(model, x_train, x_val):
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, verbose=verbose)
    return history.history, time.perf_counter() - start


models, histories, val_errors, predictions = {}, {}, {}, {}
for kind in ("mask", "sdf"):
    keras.utils.set_random_seed(42)
    if verbose:
        print(f"training on the {kind} input", flush=True)
    models[kind] = make_encoder_decoder(name=f"encoder_decoder_{kind}")
    histories[kind], seconds = train(models[kind], inputs[kind]["train"], inputs[kind]["val"])
    predictions[kind] = models[kind].predict(inputs[kind]["val"], verbose=0)
    val_errors[kind] = mean_relative_l2(predictions[kind], y_val)
    print(f"{kind:>4} input: validation error {val_errors[kind]:.1%} ({seconds:.0f} s)")

mean_field = y_train.mean(axis=0)
baseline = mean_relative_l2(np.broadcast_to(mean_field, y_val.shape), y_val)
chosen = min(val_errors, key=val_errors.get)
record("encoder-decoder mask validation error", val_errors["mask"])
record("encoder-decoder sdf validation error", val_errors["sdf"])
print(f"mean training field: validation error {baseline:.1%}")
print(f"chosen on the validation flows: the {chosen} input")

# %%
show_history(histories, "Encoder-decoder: mask input vs SDF input");

# %%
k = 1
show_fields(data.val.mask[k], y_val[k], {f"{kind} input": predictions[kind][k] for kind in models},
            f"Validation flow {k} ({data.val.family[k]}): solver vs encoder-decoder");

# %% [markdown]
# With the SDF every input cell carries information about the shape, even
# far from it; with the mask, most cells read 0 and the early layers must
# spread the information themselves. Guo et al. found the SDF input better.
# On our small quick-mode data set the two are often close, and which wins
# can depend on the random start: compare the curves, not only the last
# digit.
#
# This encoder-decoder has an information bottleneck: every detail of the
# flow near the obstacle must pass through the small code at the bottom
# (an eighth of the grid each way; see the summary). The U-Net of notebook
# 4 adds connections that skip past it.
#
# ## Exercise 3: an encoder that sees the whole channel
#
# How many levels (3 x 3 convolutions with stride 2) does the encoder need
# so that one code cell sees at least the full height `ny` of the channel?
# Find `levels_needed` with your `receptive_field`, then build `deeper`,
# an encoder-decoder with that many levels, with `make_encoder_decoder`.
# You do not need to train it.

# %% tags=["exercise"]
# TODO: levels_needed = ...; deeper = ...
# BEGIN SOLUTION
levels_needed = 1
while receptive_field([3] * levels_needed, [2] * levels_needed) < ny:
    levels_needed += 1
deeper = make_encoder_decoder(levels=levels_needed, name="deeper")
# END SOLUTION
# BEGIN STARTER
levels_needed = None
deeper = None
# END STARTER

# %% tags=["selfcheck"]
cfd.deep_enough(levels_needed, deeper, (ny, nx))

# %% [markdown]
# Each level doubles the step, so the window grows exponentially with the
# depth: a few more levels cover the whole channel. The price is a code
# only a cell or two across, through which every detail must pass; notebook
# 4's U-Net keeps a wide view and the details both.
#
# ## Learning floors
#
# Both networks must beat the mean training field clearly on the validation
# flows. Then, once, the chosen input's network on the test flows, unused so
# far. (The full-mode bounds have not yet been seen to pass: no full-mode
# run of this notebook has been recorded.)

# %%
floor("worse encoder-decoder validation error / mean-field validation error", max(val_errors.values()) / baseline,
      at_most=bootcamp.choose(full=0.4, quick=0.9), seen_in_full_mode=False)

# %% tags=["final"]
x_test, y_test = data.test.inputs(chosen), data.test.targets()
test_error = mean_relative_l2(models[chosen].predict(x_test, verbose=0), y_test)
mean_field_test_error = mean_relative_l2(np.broadcast_to(mean_field, y_test.shape), y_test)
print(f"encoder-decoder on the {chosen} input, test flows: {test_error:.1%} "
      f"(the mean training field: {mean_field_test_error:.1%})")
record("chosen encoder-decoder test error", test_error)
floor("chosen encoder-decoder test error / mean-field test error", test_error / mean_field_test_error,
      at_most=bootcamp.choose(full=0.4, quick=0.9), seen_in_full_mode=False)
