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
import matplotlib.pyplot as plt
import numpy as np

from bootcamp.cfd.flows import course_spec, load_flows, mean_relative_l2
from bootcamp.cfd.models import make_fc as bootcamp_fc
from bootcamp.cfd.plots import show_fields, show_history
from bootcamp.checks import floor, record
from bootcamp.selfcheck import cfd

# %% [markdown]
# ## The data
#
# The same data set as in notebook 1 (loaded from the cache; solved first if
# this is the first CFD notebook you run, which takes about half a minute in
# quick mode). Inputs have two channels: the signed distance to the obstacle
# divided by the channel height, and the empty channel's inflow profile, the
# same for every sample (it matters for the convolutional networks later).
# Targets are $(v_x, v_y) / u_{max}$.

# %%
data = load_flows(course_spec())
print(data.summary())
x_train, y_train = data.train.inputs("sdf"), data.train.targets()
x_val, y_val = data.val.inputs("sdf"), data.val.targets()
x_test, y_test = data.test.inputs("sdf"), data.test.targets()
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
# ## Exercise 2: the output activation
#
# The last layer must produce every velocity value. Which activation? Set
# `output_activation` to the name Keras uses for it. (`"relu"` clips every
# negative velocity to zero; `"tanh"` saturates at 1, below the fastest
# flow; so neither.)

# %% tags=["exercise"]
# TODO: output_activation = "..."
# BEGIN SOLUTION
output_activation = "linear"
# END SOLUTION
# BEGIN STARTER
output_activation = None          # None also means linear in Keras, so the notebook runs as it is
# END STARTER

# %% tags=["selfcheck"]
cfd.output_activation(output_activation)

# %% [markdown]
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
    model.add(keras.layers.Dense(ny * nx * 2, activation=output_activation))
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

# %% [markdown]
# Over two million parameters for a few hundred training flows: the first
# and the last layer connect every cell with every hidden unit. That is the
# price of ignoring the grid's structure.
#
# ## Training
#
# Both networks get the same budget: Adam at a learning rate of $10^{-3}$,
# batches of 16 flows, the same number of epochs, and the validation flows
# checked after every epoch. The weights of the epoch with the lowest
# validation loss are kept (`EarlyStopping(restore_best_weights=True)` with
# a patience longer than the run, so it never stops early here: it only
# remembers the best epoch).
#
# **Slow cell**: about 30 s in quick mode on a 2-core CPU; in full mode a few
# minutes on a GPU, much longer on a CPU.

# %%
epochs = bootcamp.choose(full=150, quick=40)
batch_size = 16


def train(model):
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    best = keras.callbacks.EarlyStopping(monitor="val_loss", patience=epochs, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=batch_size, callbacks=[best], verbose=0)
    return history.history, time.perf_counter() - start


models, histories = {}, {}
for n_dense in (3, 5):
    keras.utils.set_random_seed(42)
    name = f"{n_dense} layers"
    models[name] = make_fc(n_dense)
    histories[name], seconds = train(models[name])
    print(f"{name}: {models[name].count_params():,} parameters, best validation loss "
          f"{min(histories[name]['val_loss']):.2e}, {seconds:.0f} s")

# %%
show_history(histories, "Fully connected networks on the flow data");

# %% [markdown]
# ## How good are they?
#
# The score used throughout the module is the **relative L2 error** of each
# test flow, $\lVert u_{pred} - u_{solver} \rVert / \lVert u_{solver} \rVert$
# over all cells and both components, averaged over the flows
# (`bootcamp.cfd.flows.mean_relative_l2`). For reference: predicting the
# mean training field for every flow scores about 20%.

# %%
mean_field = np.broadcast_to(y_train.mean(axis=0), y_test.shape)
scores = {"mean training field": mean_relative_l2(mean_field, y_test)}
predictions = {}
for name, model in models.items():
    predictions[name] = model.predict(x_test, verbose=0)
    scores[name] = mean_relative_l2(predictions[name], y_test)
for name, score in scores.items():
    print(f"{name:>20}: mean relative L2 error on the test flows {score:.1%}")

# %%
k = 0
show_fields(data.test.mask[k], y_test[k], {name: p[k] for name, p in predictions.items()},
            f"Test flow {k} ({data.test.family[k]}): solver vs fully connected networks");

# %% [markdown]
# The networks get the broad flow right and blur the details near the
# obstacle, where the flow changes fastest. They also predict some flow
# *inside* the obstacle, where the solver's velocity is exactly zero: a
# dense network has no notion of "this cell is solid". Deeper is not clearly
# better here: with so few flows, the extra layers mostly add parameters.
#
# ## Learning floor
#
# The better network must beat the mean-field prediction clearly.

# %%
best_fc = min(scores[name] for name in models)
record("fc 3 layers test error", scores["3 layers"])
record("fc 5 layers test error", scores["5 layers"])
floor("best fc test error / mean-field error", best_fc / scores["mean training field"],
      at_most=bootcamp.choose(full=0.4, quick=0.85))
