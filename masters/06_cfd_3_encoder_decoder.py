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
# image it is).

# %%
data = load_flows(course_spec())
print(data.summary())
y_train, y_val, y_test = data.train.targets(), data.val.targets(), data.test.targets()
inputs = {kind: {split: getattr(data, split).inputs(kind) for split in ("train", "val", "test")}
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
# The SDF of a disc is simple: the distance from a point to the centre,
# minus the radius (negative inside). Below, a disc of radius 6 cells
# centred at (30, 16). Compute `distance`, the SDF at the cell with
# column 45 and row 20, from this formula. (`signed_distance` works on the
# rasterised mask, so the two agree to about half a cell.)

# %%
disc = ellipse_mask(32, 64, cx=30, cy=16, a=6, b=6, angle=0.0)
sdf_disc = signed_distance(disc)
print(f"signed_distance of the rasterised disc at row 20, column 45: {sdf_disc[20, 45]:.2f} cells")

# %% tags=["exercise"]
# TODO: distance = ... (from the centre, the radius and the cell's position)
# BEGIN SOLUTION
distance = np.hypot(45 - 30, 20 - 16) - 6
# END SOLUTION
# BEGIN STARTER
distance = None
# END STARTER

# %% tags=["selfcheck"]
cfd.sdf_of_a_disc(distance, float(sdf_disc[20, 45]))

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
# ## Exercise 2: the shapes through the encoder
#
# Write `shapes`, the list of feature-map sizes `(height, width)`: the
# input grid first, then the output of each of the three encoder
# convolutions. Check against the summary above.

# %% tags=["exercise"]
# TODO: shapes = [(ny, nx), ...]   four pairs
# BEGIN SOLUTION
shapes = [(ny // 2**level, nx // 2**level) for level in range(4)]
# END SOLUTION
# BEGIN STARTER
shapes = None
# END STARTER

# %% tags=["selfcheck"]
cfd.decoder_shapes(shapes, (ny, nx), levels=3)

# %% [markdown]
# About 80,000 parameters, against two million for the dense network: the
# filters are shared over the whole grid.
#
# ## Training: mask vs SDF, the same budget
#
# Identical networks, the same random start, optimiser (Adam, learning rate
# $2 \times 10^{-3}$ decaying to zero along a cosine), batch size and
# epochs; only channel 0 of the input differs.
#
# **Slow cell**: about 40 s in quick mode on a 2-core CPU.

# %%
epochs = bootcamp.choose(full=100, quick=30)
batch_size = 8


def train(model, x_train, x_val):
    steps = epochs * int(np.ceil(len(x_train) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, verbose=0)
    return history.history, time.perf_counter() - start


models, histories, scores, predictions = {}, {}, {}, {}
for kind in ("mask", "sdf"):
    keras.utils.set_random_seed(42)
    models[kind] = make_encoder_decoder(name=f"encoder_decoder_{kind}")
    histories[kind], seconds = train(models[kind], inputs[kind]["train"], inputs[kind]["val"])
    predictions[kind] = models[kind].predict(inputs[kind]["test"], verbose=0)
    scores[kind] = mean_relative_l2(predictions[kind], y_test)
    print(f"{kind:>4} input: test error {scores[kind]:.1%} ({seconds:.0f} s)")

# %%
show_history(histories, "Encoder-decoder: mask input vs SDF input");

# %%
k = 1
show_fields(data.test.mask[k], y_test[k], {f"{kind} input": predictions[kind][k] for kind in models},
            f"Test flow {k} ({data.test.family[k]}): solver vs encoder-decoder");

# %% [markdown]
# With the SDF every input cell carries information about the shape, even
# far from it; with the mask, most cells read 0 and the early layers must
# spread the information themselves. Guo et al. found the SDF input better,
# and on larger data sets the gap is clear. On our small quick-mode data set
# the two are often close; which wins can depend on the random start, so
# compare the curves, not only the last digit.
#
# This encoder-decoder has an information bottleneck: every detail of the
# flow near the obstacle must pass through a 4 x 8 code in quick mode. The
# U-Net of notebook 4 adds connections that skip past it.
#
# ## Exercise 3: one level deeper
#
# Build `deeper`, an encoder-decoder with four levels (down to 1/16 of the
# grid) with the function above. You do not need to train it.

# %% tags=["exercise"]
# TODO: deeper = ...
# BEGIN SOLUTION
deeper = make_encoder_decoder(levels=4, name="deeper")
# END SOLUTION
# BEGIN STARTER
deeper = None
# END STARTER

# %% tags=["selfcheck"]
cfd.encoder_decoder(deeper, (ny, nx))

# %% [markdown]
# ## Learning floor
#
# Both networks must beat the mean training field (about 20% error) clearly.

# %%
mean_field = np.broadcast_to(y_train.mean(axis=0), y_test.shape)
baseline = mean_relative_l2(mean_field, y_test)
record("encoder-decoder mask test error", scores["mask"])
record("encoder-decoder sdf test error", scores["sdf"])
floor("worse encoder-decoder error / mean-field error", max(scores.values()) / baseline,
      at_most=bootcamp.choose(full=0.4, quick=0.9))
