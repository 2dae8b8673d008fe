# %% [markdown]
# # 06 · CFD 2 · Fully connected baselines
#
# The simplest surrogate treats the whole grid as one long vector: the
# obstacle's signed distance in every cell goes in, the two velocity
# components of every cell come out, and dense layers in between learn the
# map. It ignores that neighbouring cells are related, so it will not be the
# best model; it is the **baseline** that the convolutional networks of the
# next notebooks must beat.
#
# Three details decide whether even a baseline is sound:
#
# * the **output** must be able to take negative values: velocities are
#   signed (the fluid goes down below an obstacle and back against the flow
#   in its wake), so a ReLU output layer is wrong;
# * the **loss** is a *mean* over samples, not a sum, so that its size does
#   not depend on the batch size or the grid;
# * a **validation set** the network never trains on tells us when it stops
#   generalising.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import time

import keras
import numpy as np

from bootcamp.cfd.flows import course_spec, load_flows, mean_relative_l2
from bootcamp.cfd.models import dense_learning_rate
from bootcamp.cfd.models import make_fc as bootcamp_fc
from bootcamp.cfd.plots import show_fields, show_history
from bootcamp.checks import floor, record
from bootcamp.selfcheck import cfd

# %% [markdown]
# ## The data
#
# The same data set as in notebook 1 (loaded from the cache; solved first,
# with a progress bar, if this is the first CFD notebook you run). Inputs
# have two channels: the signed distance to the obstacle
# divided by the channel height, and the empty channel's inflow profile, the
# same for every sample (it matters for the convolutional networks later).
# Targets are $(v_x, v_y) / u_{max}$. The test flows stay out of sight until
# the very end: the two networks are compared, and one is chosen, on the
# validation flows.

# %%
data = load_flows(course_spec())
print(data.summary())
x_train, y_train = data.train.inputs("sdf"), data.train.targets()
x_val, y_val = data.val.inputs("sdf"), data.val.targets()
ny, nx = x_train.shape[1:3]
print(f"inputs {x_train.shape}, targets {y_train.shape}; "
      f"target range {y_train.min():.2f} to {y_train.max():.2f}")

# %% [markdown]
# Note the target range: $v_x$ goes above 1 (the fluid speeds up beside the
# obstacle) and both components go below 0.
#
# ## The loss: a mean per sample
#
# Keras' `MeanSquaredError` averages the squared error over every value of a
# sample, then over the samples of the batch. Summing instead would make the
# loss 16 times larger with a batch of 16 than with one sample, and the
# right learning rate would change with the batch size and the grid.
#
# ## Exercise 1: the loss by hand
#
# Write `per_sample_mse(y_true, y_pred)` for arrays of shape
# `(batch, ny, nx, 2)`: the mean squared error of each sample, then the mean
# over the batch, using `keras.ops` (`keras.ops.mean`, `keras.ops.square`).

# %% tags=["exercise"]
def per_sample_mse(y_true, y_pred):
    # TODO: the mean over each sample's values, then over the batch
    # BEGIN SOLUTION
    per_sample = keras.ops.mean(keras.ops.square(y_true - y_pred), axis=(1, 2, 3))
    return keras.ops.mean(per_sample)
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("write per_sample_mse")
    # END STARTER

# %% tags=["selfcheck"]
cfd.per_sample_loss(per_sample_mse)

# %% [markdown]
# With equal-sized samples, this is exactly Keras' `"mse"` loss, which the
# training below uses.
#
# ## Exercise 2: which values can the output layer produce?
#
# The activation of the last layer decides which numbers the network can
# output at all: a ReLU gives values $\ge 0$, a tanh values strictly between
# $-1$ and $1$. Measure on the training targets `y_train` what each would
# make impossible: `relu_misses`, the fraction of all target values that a
# ReLU output can never produce, and `tanh_misses`, the fraction that a tanh
# output can never produce.

# %% tags=["exercise"]
# TODO: relu_misses = ...; tanh_misses = ...   (fractions of all values in y_train)
# BEGIN SOLUTION
relu_misses = np.mean(y_train < 0)             # ReLU can output 0 itself, not below
tanh_misses = np.mean(np.abs(y_train) >= 1)    # tanh never reaches -1 or 1
# END SOLUTION
# BEGIN STARTER
relu_misses = None
tanh_misses = None
# END STARTER

# %% tags=["selfcheck"]
cfd.output_range(relu_misses, tanh_misses, y_train)

# %% [markdown]
# Both fractions are above zero. A ReLU output would clip the flow going
# down below the obstacle and back in its wake; a tanh output would cap the
# fast flow squeezing past it, right where the flow matters most. So the
# output layer gets no squashing at all: the identity, which Keras calls
# `"linear"`.
#
# ## Two networks: 3 and 5 dense layers
#
# `Flatten` turns the `(ny, nx, 2)` input into one vector; the hidden
# layers use `tanh`; the output layer has one unit per velocity value and is
# reshaped back to `(ny, nx, 2)`. The 3-layer network has two hidden layers,
# the 5-layer one four, each of 256 units.

# %%
def make_fc(n_dense, width=256):
    """n_dense Dense layers: n_dense - 1 hidden tanh layers and the linear output."""
    model = keras.Sequential(name=f"fc_{n_dense}_layers")
    model.add(keras.Input(shape=(ny, nx, 2)))
    model.add(keras.layers.Flatten())
    for _ in range(n_dense - 1):
        model.add(keras.layers.Dense(width, activation="tanh"))
    model.add(keras.layers.Dense(ny * nx * 2, activation="linear"))        # signed, unbounded velocities
    model.add(keras.layers.Reshape((ny, nx, 2)))
    return model


make_fc(3).summary()
# later notebooks import the same network (with a linear output) from the package
assert bootcamp_fc((ny, nx), n_dense=3).count_params() == make_fc(3).count_params()

# %% [markdown]
# ## Exercise 3: where are the parameters?
#
# Most of the parameters sit in two layers. Compute `n_params`, the total
# number of parameters of `make_fc(3)`, by hand: each Dense layer has
# (inputs x units) weights plus one bias per unit. The input vector has
# `ny * nx * 2` values.

# %% tags=["exercise"]
# TODO: n_params = ...
# BEGIN SOLUTION
n_in, hidden, n_out = ny * nx * 2, 256, ny * nx * 2
n_params = (n_in * hidden + hidden) + (hidden * hidden + hidden) + (hidden * n_out + n_out)
# END SOLUTION
# BEGIN STARTER
n_params = None
# END STARTER

# %% tags=["selfcheck"]
cfd.fc_parameters(n_params, make_fc(3))

# %%
n_fc = make_fc(3).count_params()
outer = 2 * (ny * nx * 2) * 256          # weights of the first and the last layer
print(f"{n_fc:,} parameters, {outer / n_fc:.0%} of them in the first and the last layer; "
      f"the {len(x_train):,} training flows hold {y_train.size:,} target values to fit them")

# %% [markdown]
# The first and the last layer connect every cell with every hidden unit,
# so they hold nearly all the parameters: every cell gets weights of its
# own, and nothing learned about the flow in one place carries over to
# another. Set the parameter count against the number of target values;
# that ratio is the price of ignoring the grid's structure.
#
# ## Training
#
# Both networks get the same budget: Adam at the course's learning rate for
# dense networks on these fields (`dense_learning_rate()`: $10^{-3}$ in quick
# mode; $10^{-4}$ in full mode, whose larger grid makes the larger rate's
# steps too big to get past predicting the mean training field),
# batches of 16 flows, the same number of epochs, and the validation flows
# checked after every epoch. The weights of the epoch with the lowest
# validation loss are kept (`EarlyStopping(restore_best_weights=True)` with
# a patience longer than the run, so it never stops early here: it only
# remembers the best epoch).
#
# **Slow cell**, the slowest of the notebook: two networks are trained. In
# full mode it prints one line per epoch, and takes long on a CPU.

# %%
epochs = bootcamp.choose(full=150, quick=25)
batch_size = 16
verbose = bootcamp.choose(full=2, quick=0)          # one line per epoch in full mode


def train(model):
    model.compile(optimizer=keras.optimizers.Adam(dense_learning_rate()), loss="mse")
    best = keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, callbacks=[best], verbose=verbose)
    return history.history, time.perf_counter() - start


models, histories = {}, {}
for n_dense in (3, 5):
    keras.utils.set_random_seed(42)
    name = f"{n_dense} layers"
    if verbose:
        print(f"training the {name} network", flush=True)
    models[name] = make_fc(n_dense)
    histories[name], seconds = train(models[name])
    print(f"{name}: {models[name].count_params():,} parameters, best validation loss "
          f"{min(histories[name]['val_loss']):.2e}, {seconds:.0f} s")

# %%
show_history(histories, "Fully connected networks on the flow data");

# %% [markdown]
# ## How good are they? Compared on the validation flows
#
# The score used throughout the module is the **relative L2 error** of each
# flow, $\lVert u_{pred} - u_{solver} \rVert / \lVert u_{solver} \rVert$
# over all cells and both components, averaged over the flows
# (`bootcamp.cfd.flows.mean_relative_l2`). Predicting the mean training
# field for every flow is the reference any network must beat.

# %%
mean_field = y_train.mean(axis=0)
val_errors = {"mean training field": mean_relative_l2(np.broadcast_to(mean_field, y_val.shape), y_val)}
predictions = {}
for name, model in models.items():
    predictions[name] = model.predict(x_val, verbose=0)
    val_errors[name] = mean_relative_l2(predictions[name], y_val)
for name, error in val_errors.items():
    print(f"{name:>20}: mean relative L2 error on the validation flows {error:.1%}")
record("fc 3 layers validation error", val_errors["3 layers"])
record("fc 5 layers validation error", val_errors["5 layers"])
chosen = min(models, key=val_errors.get)
print(f"chosen on the validation flows: the {chosen} network")

# %%
k = 0
show_fields(data.val.mask[k], y_val[k], {name: p[k] for name, p in predictions.items()},
            f"Validation flow {k} ({data.val.family[k]}): solver vs fully connected networks");

# %% [markdown]
# The networks get the broad flow right and blur the details near the
# obstacle, where the flow changes fastest. They also predict some flow
# *inside* the obstacle, where the solver's velocity is exactly zero: a
# dense network has no notion of "this cell is solid". Whether the deeper
# network wins depends on how many flows there are to fit its extra
# parameters: compare the two validation errors above.
#
# The validation flows picked each network's best epoch and then the
# network, so their errors flatter the choice a little. The test flows,
# unused so far, give an honest number, once, for the chosen network only.
#
# ## Learning floor: the chosen network on the test flows
#
# It must beat the mean-field prediction clearly. (The full-mode bound has
# not yet been seen to pass: no full-mode run of this notebook has been
# recorded.)

# %% tags=["final"]
x_test, y_test = data.test.inputs("sdf"), data.test.targets()
test_error = mean_relative_l2(models[chosen].predict(x_test, verbose=0), y_test)
mean_field_test_error = mean_relative_l2(np.broadcast_to(mean_field, y_test.shape), y_test)
print(f"the chosen {chosen} network on the test flows: {test_error:.1%} "
      f"(the mean training field: {mean_field_test_error:.1%})")
record("chosen fc test error", test_error)
floor("chosen fc test error / mean-field test error", test_error / mean_field_test_error,
      at_most=bootcamp.choose(full=0.4, quick=0.85), seen_in_full_mode=False)
