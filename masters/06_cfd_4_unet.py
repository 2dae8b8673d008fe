# %% [markdown]
# # 06 · CFD 4 · A gated residual U-Net
#
# The encoder-decoder of notebook 3 pushes everything through a small code in
# the middle, and the fine detail near the obstacle, where the flow changes
# fastest, is hard to get back out. A **U-Net** (Ronneberger et al., 2015)
# keeps the encoder and the decoder but adds **skip connections**: each
# decoder level also receives the encoder's feature maps of the same size, so
# the coarse levels can work on the large-scale flow while the fine detail
# takes the short way round.
#
# Two more ideas from the public version of this lesson:
#
# * **residual blocks**: each block adds its result to its input, so a block
#   only has to learn a correction, and gradients flow easily through many
#   blocks (notebook 04);
# * **gates**: a block computes two sets of feature maps, $a$ and $g$, and
#   passes on $a \cdot \sigma(g)$; the sigmoid of $g$ (between 0 and 1)
#   decides, cell by cell and feature by feature, how much of $a$ gets
#   through.
#
# We build the U-Net with and without gates from Keras layers, train both
# with the same budget, and compare them with the fully connected baseline
# of notebook 2 on the **validation** flows. The better U-Net there is the
# one we keep; the test flows are scored once, at the very end, for that
# network alone.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import keras
import numpy as np

from bootcamp.cfd import models as cfd_models
from bootcamp.cfd.flows import course_spec, load_flows, mean_relative_l2
from bootcamp.cfd.models import fit, make_fc
from bootcamp.cfd.plots import show_fields, show_history
from bootcamp.checks import floor, record
from bootcamp.selfcheck import cfd

L = keras.layers

# %% [markdown]
# ## The data
#
# The module's cached data set, SDF inputs (notebook 3). The test flows stay
# out of sight until the last cell.

# %%
data = load_flows(course_spec())
print(data.summary())
x_train, y_train = data.train.inputs("sdf"), data.train.targets()
x_val, y_val = data.val.inputs("sdf"), data.val.targets()
grid = x_train.shape[1:3]

# %% [markdown]
# ## Exercise 1: the gate in NumPy
#
# Write `gate(a, g)` $= a \cdot \sigma(g)$ with $\sigma(g) = 1 / (1 + e^{-g})$,
# for NumPy arrays of any (equal) shape.

# %% tags=["exercise"]
def gate(a, g):
    # TODO: return a times the sigmoid of g
    # BEGIN SOLUTION
    return a / (1.0 + np.exp(-g))
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("write gate")
    # END STARTER

# %% tags=["selfcheck"]
cfd.gate(gate)

# %% [markdown]
# Where $g \gg 0$ the gate is open ($a$ passes), where $g \ll 0$ it is closed
# (0 passes); the network learns $g$ from the data, for instance to treat
# cells near the obstacle differently from the open channel.
#
# ## The building block
#
# One block: a 3 x 3 convolution with ELU, then either the gate (two 3 x 3
# convolutions $a$ and $g$, combined by `Multiply` after a sigmoid on $g$) or,
# for comparison, one plain 3 x 3 convolution; the result is added to the
# block's input (a 1 x 1 convolution matches the widths when they differ).

# %%
def gated_block(x, filters, gated=True):
    h = L.Conv2D(filters, 3, padding="same", activation="elu")(x)
    if gated:
        a = L.Conv2D(filters, 3, padding="same")(h)
        g = L.Conv2D(filters, 3, padding="same", activation="sigmoid")(h)
        h = L.Multiply()([a, g])
    else:
        h = L.Conv2D(filters, 3, padding="same")(h)
    shortcut = x if x.shape[-1] == filters else L.Conv2D(filters, 1)(x)
    return L.Activation("elu")(L.Add()([shortcut, h]))

# %% [markdown]
# ## The U-Net
#
# Down: a block, then 2 x 2 max pooling, three times, the filters doubling
# from level to level. Up: upsample by 2, **concatenate** the encoder's maps
# of the same size (the skip connection), a block. A linear 1 x 1
# convolution gives $(v_x, v_y)$.
#
# How many filters at the first level? The run mode's settings say
# (`cfd_models.unet_settings()`, shared with notebooks 5 and 6): 8 in quick <!-- fixed -->
# mode, where five epochs on a few flows need the width; 4 in full mode, <!-- fixed -->
# where notebook 5 also asks the network to be 1000 times faster than the <!-- fixed -->
# solver, and on a 2-core CPU only the 4-filter U-Nets are (the settings' <!-- fixed -->
# source says what was measured). Fewer filters cost accuracy when data and
# epochs are few; full mode has many of both.

# %%
settings = cfd_models.unet_settings()    # filters, levels, seed, epochs, batch size, learning rate: notebooks 5-6 reuse them


def make_unet(filters=settings["filters"], levels=settings["levels"], gated=True):
    inputs = keras.Input(shape=(*grid, 2))
    x, skips = inputs, []
    for level in range(levels):
        x = gated_block(x, filters * 2**level, gated)
        skips.append(x)
        x = L.MaxPooling2D(2)(x)
    x = gated_block(x, filters * 2**levels, gated)
    for level in reversed(range(levels)):
        x = L.UpSampling2D(2)(x)
        x = L.Concatenate()([x, skips[level]])
        x = gated_block(x, filters * 2**level, gated)
    outputs = L.Conv2D(2, 1)(x)                                   # linear: signed velocities
    return keras.Model(inputs, outputs, name="gated_unet" if gated else "plain_unet")


print(f"gated U-Net: {make_unet().count_params():,} parameters; "
      f"plain U-Net: {make_unet(gated=False).count_params():,}")
# notebooks 5 and 6 import this same network from the package instead of copying it
assert cfd_models.make_unet(grid).count_params() == make_unet().count_params()

# %% [markdown]
# ## Exercise 2: parameters of one block
#
# A gated block with 16 filters on an input with 8 channels has a 3 x 3
# convolution 8 -> 16, two 3 x 3 convolutions 16 -> 16, and a 1 x 1
# convolution 8 -> 16 on the shortcut, each with one bias per filter.
# Compute `n_params` by hand.

# %%
block_input = keras.Input(shape=(16, 16, 8))
one_block = keras.Model(block_input, gated_block(block_input, 16))

# %% tags=["exercise"]
# TODO: n_params = ...
# BEGIN SOLUTION
n_params = (3 * 3 * 8 * 16 + 16) + 2 * (3 * 3 * 16 * 16 + 16) + (8 * 16 + 16)
# END SOLUTION
# BEGIN STARTER
n_params = None
# END STARTER

# %% tags=["selfcheck"]
cfd.unet_parameters(n_params, one_block)

# %% [markdown]
# ## Training: gated, plain, and the dense baseline
#
# The same budget for all three: the same epochs, batch size and optimiser
# (Adam, learning rate $2 \times 10^{-3}$ with a cosine decay, via
# `bootcamp.cfd.models.fit`). The dense baseline is notebook 2's 3-layer
# network (`bootcamp.cfd.models.make_fc`, the code you saw there), trained
# with its own learning rate, `cfd_models.dense_learning_rate()`: $10^{-3}$
# in quick mode, $10^{-4}$ in full mode, where its many inputs make the
# larger rate's steps so big that it never gets past predicting the mean
# training field. Each is scored on the validation flows.
#
# **Slow cell**: the longest of this notebook; it prints each network's
# training time (in full mode, one line per epoch as well). In full mode
# `fit` keeps a backup after every epoch (`bootcamp.resume`): if the kernel
# is interrupted or dies, running this cell again goes on from the last
# finished epoch instead of the first, and loads the networks whose
# training had ended instead of training them again.

# %%
epochs, batch_size = settings["epochs"], settings["batch_size"]
runs = {"gated U-Net": (lambda: make_unet(gated=True), settings["learning_rate"]),
        "plain U-Net": (lambda: make_unet(gated=False), settings["learning_rate"]),
        "dense 3 layers": (lambda: make_fc(grid), cfd_models.dense_learning_rate())}
models, histories, val_scores, val_predictions, seconds = {}, {}, {}, {}, {}
for name, (build, rate) in runs.items():
    keras.utils.set_random_seed(settings["seed"])
    models[name] = build()
    histories[name], seconds[name] = fit(models[name], x_train, y_train, x_val, y_val, epochs=epochs,
                                         batch_size=batch_size, learning_rate=rate)
    val_predictions[name] = models[name].predict(x_val, verbose=0)
    val_scores[name] = mean_relative_l2(val_predictions[name], y_val)
    print(f"{name:>15}: {models[name].count_params():>9,} parameters, validation error {val_scores[name]:.1%}, "
          f"{seconds[name]:.0f} s")
ratio = models["dense 3 layers"].count_params() / models["gated U-Net"].count_params()
print(f"the dense network has {ratio:.0f} times as many parameters as the gated U-Net")

# %%
show_history(histories, "U-Nets and the dense baseline");

# %%
k = 2
show_fields(data.val.mask[k], y_val[k], {name: p[k] for name, p in val_predictions.items()},
            f"Validation flow {k} ({data.val.family[k]}): solver, U-Nets and the dense baseline");

# %% [markdown]
# The U-Nets see the obstacle's neighbourhood at every scale and place the
# wake and the acceleration beside the obstacle where they belong, with far
# fewer parameters than the dense network (the ratio is printed above).
# Whether the gates are worth their extra parameters and computing is a
# question for each budget of data and epochs; the validation errors above
# answer it for this run, and the choice at the end follows them.
#
# ## Optional: a physics penalty
#
# *This section is optional.* An incompressible flow conserves mass: its
# divergence $\partial v_x / \partial x + \partial v_y / \partial y$ is zero
# everywhere in the fluid. A network knows nothing of this; we can add the
# mean squared divergence of its prediction to the loss, weighted by a
# factor $\lambda$, so that training also pushes towards mass-conserving
# fields.
#
# ## Exercise 3 (optional): the divergence
#
# Write `divergence(u)` for `u` of shape `(batch, ny, nx, 2)` (channel 0 is
# $v_x$, channel 1 $v_y$, one cell = one unit of length), with **central
# differences** on the interior cells: $\partial v_x / \partial x \approx
# (v_x[y, x+1] - v_x[y, x-1]) / 2$ and likewise in $y$ (the first array
# axis after the batch). Return shape `(batch, ny - 2, nx - 2)`. Use slicing
# only, so it works on NumPy arrays and on Keras tensors.

# %% tags=["exercise"]
def divergence(u):
    # TODO: central differences of vx along x plus vy along y, interior cells
    # BEGIN SOLUTION
    dvx_dx = (u[:, 1:-1, 2:, 0] - u[:, 1:-1, :-2, 0]) / 2
    dvy_dy = (u[:, 2:, 1:-1, 1] - u[:, :-2, 1:-1, 1]) / 2
    return dvx_dx + dvy_dy
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("write divergence")
    # END STARTER

# %% tags=["selfcheck"]
cfd.divergence(divergence)

# %% [markdown]
# Where may we ask for zero divergence? In the solid cells the velocity is
# zero by definition, and a central difference taken beside the obstacle
# mixes fluid and solid cells (the wall lies half-way between them), so there
# even the solver's own field has a large divergence; so it has, to a lesser
# degree, a cell or two further out, where the flow turns sharply round the
# corners. The penalty must leave those cells alone, or it would push the
# network away from the solver's answer. `fluid_cells` keeps the cells of
# `divergence`'s interior grid that lie more than `margin` cells (in any
# direction, diagonals included) from every solid cell.

# %%
from scipy.ndimage import binary_dilation


def fluid_cells(mask, margin=2):
    """(n, ny - 2, nx - 2) bool: True where divergence() may be asked to vanish."""
    size = 2 * margin + 1
    near_solid = binary_dilation(mask, structure=np.ones((1, size, size), bool))
    return ~near_solid[:, 1:-1, 1:-1]


val_fluid = fluid_cells(data.val.mask)
print(f"{val_fluid.mean():.1%} of the interior cells of the validation flows are kept")

# %% [markdown]
# How large is the divergence of the solver's fields inside and outside
# that mask, and how large is the gated U-Net's inside it? (The
# lattice-Boltzmann fluid is very slightly compressible, so even the
# solver's is not exactly zero.) Then, if you wrote `divergence`, we continue
# training the gated U-Net for a few epochs (one in quick mode) with the penalty
# ($\lambda = 10$, a small learning rate) and compare, on the validation
# flows. (The fair control is the same extra epochs with $\lambda = 0$:
# try it, by changing the 10.0 below, to see how much of the change is the
# penalty's.)

# %%
def rms_divergence(u, where):
    return float(np.sqrt(np.mean(np.asarray(divergence(u))[where] ** 2)))


try:
    penalty_ready = rms_divergence(y_val, val_fluid) >= 0
except NotImplementedError:
    penalty_ready = False
    print("Write divergence (Exercise 3) to run this part.")

if penalty_ready:
    print(f"solver's RMS divergence: {rms_divergence(y_val, val_fluid):.2e} in the kept cells, "
          f"{rms_divergence(y_val, ~val_fluid):.2e} in the cells left out")
    print(f"gated U-Net's RMS divergence in the kept cells: "
          f"{rms_divergence(val_predictions['gated U-Net'], val_fluid):.2e}")

# %% [markdown]
# The loss only sees `y_true` and `y_pred`, not the obstacle, so we hand it
# the mask as a third channel of the targets: channels 0 and 1 are the
# velocities, channel 2 is 1 where the divergence counts.

# %%
def with_fluid_channel(y, mask):
    fluid = np.zeros(y.shape[:3], "float32")
    fluid[:, 1:-1, 1:-1] = fluid_cells(mask)
    return np.concatenate([y, fluid[..., None]], axis=-1)


def penalised_loss(weight):
    def loss(y_true, y_pred):
        velocity, fluid = y_true[..., :2], y_true[:, 1:-1, 1:-1, 2]
        mse = keras.ops.mean(keras.ops.square(velocity - y_pred))
        squared = keras.ops.square(divergence(y_pred)) * fluid
        return mse + weight * keras.ops.sum(squared) / keras.ops.maximum(keras.ops.sum(fluid), 1.0)
    return loss


extra_epochs = bootcamp.choose(full=20, quick=1)
if penalty_ready:
    keras.utils.set_random_seed(42)
    tuned_model = make_unet(gated=True)
    tuned_model.set_weights(models["gated U-Net"].get_weights())
    tuned_model.compile(optimizer=keras.optimizers.Adam(2e-4), loss=penalised_loss(10.0))
    tuned_model.fit(x_train, with_fluid_channel(y_train, data.train.mask), epochs=extra_epochs, batch_size=8,
                    verbose=bootcamp.choose(full=2, quick=0))
    tuned = tuned_model.predict(x_val, verbose=0)
    print(f"before: validation error {val_scores['gated U-Net']:.1%}, RMS divergence "
          f"{rms_divergence(val_predictions['gated U-Net'], val_fluid):.2e}")
    print(f"after {extra_epochs} more epoch(s) with lambda = 10: validation error {mean_relative_l2(tuned, y_val):.1%}, "
          f"RMS divergence {rms_divergence(tuned, val_fluid):.2e}")

# %% [markdown]
# Compare the two printed lines: the penalty lowers the divergence of the
# predictions; what it does to the error depends on $\lambda$, since the two
# goals can compete, and $\lambda$ sets the balance (try the control above
# before you credit the penalty with a change in the error). With little
# data such physical knowledge is a cheap extra
# source of information; it cannot replace the data, since many
# divergence-free fields are wrong.
#
# ## The choice, on validation
#
# We keep the U-Net with the lower validation error. The gated U-Net must
# also beat the dense baseline there, with the same budget.

# %%
chosen = min(["gated U-Net", "plain U-Net"], key=val_scores.get)
print(f"chosen on validation: the {chosen} ({val_scores[chosen]:.1%}; the other U-Net "
      f"{max(val_scores['gated U-Net'], val_scores['plain U-Net']):.1%}, dense {val_scores['dense 3 layers']:.1%})")
for name, score in val_scores.items():
    record(f"{name} validation error", score)
print(bootcamp.choose(
    full="Full mode: nobody has yet seen this notebook's two full-mode floors (here and in the last cell) pass "
         "with its own code on the full grid (python benchmarks/full_mode_cfd.py --lessons 06_cfd_4_unet runs it); "
         "the first is set from a run on a coarser grid, 64 x 128 (--grid 64x128), where both passed (README).",
    quick="Quick mode: the floors are the quick mode's, checked by CI on every change."))
floor("gated U-Net error / dense baseline error (validation)",
      val_scores["gated U-Net"] / val_scores["dense 3 layers"], at_most=bootcamp.choose(full=0.85, quick=0.95),
      seen_in_full_mode=False)

# %% [markdown]
# ## Keeping the U-Nets for notebooks 5 and 6
#
# Notebooks 5 and 6 use the U-Nets trained here: notebook 6 the one chosen
# above, notebook 5 both (it weighs speed as well as accuracy, and the
# plain U-Net is the faster). Rather than train them again, they load them
# from the course's model store, `bootcamp.saved`: a folder in
# the data cache (never in the repository), where `model.save` writes one
# `.keras` file (architecture and weights) and a small record of where it
# came from.
#
# A saved model is only worth loading if it is the right one, so the store
# files it under a key made of everything that decided it: the run mode (a
# quick-mode model is never loaded in full mode), the data (a hash of the
# training and validation flows), gated or plain, the settings above, and the source code
# of the package functions that notebooks 5 and 6 would train it with
# (`make_unet`, `gated_block` and `fit` of `bootcamp.cfd.models`);
# `cfd_models.unet_key` makes it, and notebooks 5 and 6 load through the
# same function (`cfd_models.load_or_train_unet`). Change any of them and
# they train their own instead of loading a stale one.
# When they find none, they train the missing one with the same settings
# and store it. Each record keeps the U-Net's validation error, so
# notebook 6 can make this notebook's choice again
# (`cfd_models.most_accurate`).
#
# We built the U-Nets from our own copy of the code, so first we check
# that each is the package's network: the package's `make_unet`, given our
# weights, must compute the same fields. (If you edit the network above,
# notebooks 5 and 6 will train their own.)

# %%
for name, gated in cfd_models.UNETS.items():
    twin = cfd_models.make_unet(grid, gated=gated)
    same_network = twin.count_params() == models[name].count_params()
    if same_network:
        twin.set_weights(models[name].get_weights())
        same_network = np.allclose(twin(x_val[:8]), models[name](x_val[:8]), atol=1e-5)
    if same_network:
        cfd_models.save_unet(twin, x_train, y_train, x_val, y_val, gated=gated, notebook="06_cfd_4",
                             metrics={"gated": gated, "validation error": val_scores[name],
                                      "training seconds": seconds[name]})
    else:
        print(f"the {name} is no longer the package's network, so notebooks 5 and 6 will train their own")

# %% [markdown]
# ## The test flows, once
#
# Nothing is chosen or trained after this point. The chosen U-Net meets the
# test flows for the first time; its test error is the number to report
# (the validation error helped choose it, so it is a little optimistic).

# %% tags=["final"]
x_test, y_test = data.test.inputs("sdf"), data.test.targets()
test_error = mean_relative_l2(models[chosen].predict(x_test, verbose=0), y_test)
print(f"{chosen}: test error {test_error:.1%} (validation {val_scores[chosen]:.1%})")
floor(f"{chosen} test error", test_error, at_most=bootcamp.choose(full=0.05, quick=0.2),
      seen_in_full_mode=False)
