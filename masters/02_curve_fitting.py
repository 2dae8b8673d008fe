# %% [markdown]
# # 02 · Neural networks as curve fitting
#
# A neural network is a very flexible curve with many adjustable parameters,
# and training is curve fitting. This notebook makes that literal: we fit
# $y = \sin(10x)$ from noisy samples and look inside the network to see *how*
# it builds the curve. Then we meet the central problem of machine learning,
# fitting the data you have without memorising its noise, and the tools that
# manage it: validation data, capacity, early stopping, L1/L2 penalties,
# dropout, batch normalisation and TensorBoard.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from sklearn.model_selection import train_test_split

from bootcamp import plots
from bootcamp.checks import floor, record

# %% [markdown]
# ## Data, split three ways
#
# Samples of $\sin(10x)$ on $[-0.5, 0.5]$ with Gaussian noise of standard
# deviation 0.1, so no model can get below a mean squared error of
# $0.1^2 = 0.01$ on new points. We split them once, at random:
#
# * **training** (60%): the optimiser adjusts weights to fit these;
# * **validation** (20%): watched during training, used to choose between
#   models and settings;
# * **test** (20%): touched once, at the very end, to report an honest score.
#   Choosing anything by the test score would make it optimistic.

# %%
def target(x):
    return np.sin(10 * x)


noise = 0.1
n_points = bootcamp.choose(full=1000, quick=400)
rng = np.random.default_rng(seed=1)
x_all = rng.uniform(-0.5, 0.5, size=(n_points, 1)).astype("float32")
y_all = (target(x_all) + noise * rng.normal(size=x_all.shape)).astype("float32")

x_train, x_rest, y_train, y_rest = train_test_split(x_all, y_all, test_size=0.4, random_state=0)
x_val, x_test, y_val, y_test = train_test_split(x_rest, y_rest, test_size=0.5, random_state=0)
x_line = np.linspace(-0.5, 0.5, 400, dtype="float32").reshape(-1, 1)
print(f"train {len(x_train)}, validation {len(x_val)}, test {len(x_test)} points")

# %% [markdown]
# ## One hidden layer: a sum of bent lines
#
# A hidden `Dense` layer with ReLU activation computes, for each of its units
# $i$, the function $\max(0, w_i x + b_i)$: zero on one side of the point
# $x = -b_i / w_i$ and a straight line on the other, a "hinge". The output
# layer adds these hinges with weights $v_i$ plus a constant. So a one-layer
# ReLU network is a **piecewise-linear curve** whose kinks the optimiser moves
# around until the curve follows the data.

# %%
def make_shallow(width=32):
    return keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(width, activation="relu", name="hidden"),
        keras.layers.Dense(1, name="output"),
    ], name=f"shallow_{width}")


def batches(x, y, batch_size, shuffle=False):
    """A tf.data pipeline built once; Keras would otherwise rebuild one from
    the NumPy arrays at every epoch, which dominates the time of small fits."""
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        data = data.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def compile_and_fit(model, x, y, *, epochs, batch_size=32, callbacks=(), lr=1e-2):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="mse")
    return model.fit(batches(x, y, batch_size, shuffle=True), validation_data=batches(x_val, y_val, 256),
                     epochs=epochs, callbacks=list(callbacks), verbose=0)


epochs = bootcamp.choose(full=400, quick=120)
shallow = make_shallow()
hist_shallow = compile_and_fit(shallow, x_train, y_train, epochs=epochs)
print(f"shallow: validation MSE {hist_shallow.history['val_loss'][-1]:.4f} after {epochs} epochs")

# %% [markdown]
# Now open the network. Each coloured line is one hidden unit's contribution
# $v_i \max(0, w_i x + b_i)$; the black line is their sum plus the output bias,
# which is exactly the network's prediction. Grey ticks mark the kinks.

# %%
w1, b1 = (a.ravel() for a in shallow.get_layer("hidden").get_weights())
v, c = (a.ravel() for a in shallow.get_layer("output").get_weights())
contributions = v * np.maximum(0.0, x_line * w1 + b1)          # shape (400, width)

fig, (ax_parts, ax_fit) = plt.subplots(1, 2, figsize=(13, 4.5))
ax_parts.plot(x_line, contributions, linewidth=1)
ax_parts.plot(x_line, contributions.sum(axis=1) + c, "k", linewidth=2.5, label="sum + bias = prediction")
kinks_shown = -b1 / w1
ax_parts.plot(kinks_shown, np.full_like(kinks_shown, -1.6), "|", color="0.4", markersize=12, label="kinks")
ax_parts.set(xlim=(-0.5, 0.5), ylim=(-1.7, 1.7), xlabel="x", ylabel="contribution",
             title="Hidden ReLU units as basis functions")
ax_parts.legend(fontsize="small")
plots.fit_plot(x_train, y_train, {"sin(10x)": (x_line, target(x_line)),
                                  "shallow network": (x_line, shallow.predict(x_line, verbose=0))},
               title="The fitted curve", points_label="training data", ax=ax_fit);

# %% [markdown]
# ## Exercise 1: counting parameters
#
# A `Dense` layer with $n$ inputs and $u$ units has $n \times u$ weights and $u$
# biases. How many trainable parameters does a network with one input, two
# hidden layers of 32 units and one output have? Work it out by hand, then
# compare with `model.summary()` of the deep network below.

# %% tags=["exercise"]
# TODO: parameters of 1 -> 32 -> 32 -> 1
# BEGIN SOLUTION
n_params = (1 * 32 + 32) + (32 * 32 + 32) + (32 * 1 + 1)
# END SOLUTION
# BEGIN STARTER
n_params = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import curvefit

curvefit.parameter_count(n_params)

# %% [markdown]
# ## Exercise 2: where are the kinks?
#
# Using the hidden layer's weights `w1` and biases `b1` from above, compute
# the array `kinks` of $x$ positions where each hidden unit switches on or off.

# %% tags=["exercise"]
# TODO: kinks = positions where w1 * x + b1 == 0
# BEGIN SOLUTION
kinks = -b1 / w1
# END SOLUTION
# BEGIN STARTER
kinks = None
# END STARTER

# %% tags=["selfcheck"]
curvefit.kink_positions(kinks, w1, b1)

# %% [markdown]
# ## Depth
#
# Stacking layers composes hinges of hinges: each layer can fold the curve the
# previous one made, so a deep network creates many more linear pieces per
# parameter than a wide, shallow one. Here a network of two hidden layers of
# 32 units competes with the shallow one on the same data and budget.

# %%
def make_deep(width=32, depth=2, activation="relu"):
    layers = [keras.Input(shape=(1,))]
    layers += [keras.layers.Dense(width, activation=activation) for _ in range(depth)]
    layers += [keras.layers.Dense(1)]
    return keras.Sequential(layers, name=f"deep_{depth}x{width}")


deep = make_deep()
deep.summary()

# %%
hist_deep = compile_and_fit(deep, x_train, y_train, epochs=epochs)
plots.loss_curves({"shallow 1x32": hist_shallow.history, "deep 2x32": hist_deep.history},
                  title="Shallow vs deep: loss per epoch");

# %% [markdown]
# Loss curves belong on a **log scale**: the loss falls by orders of
# magnitude, and on a linear axis everything after the first few epochs looks
# flat. The dashed validation curve is the one that matters: it tells how well
# the model does on points it is not trained on.
#
# ## Activation functions
#
# ReLU is the default for hidden layers because it is cheap and its gradient
# does not vanish for positive inputs. Smooth alternatives give smooth fits.
# Whatever the hidden layers use, a regression **output** stays linear: it must
# be free to produce any real number.

# %%
z = np.linspace(-4, 4, 200, dtype="float32")
fig, ax = plt.subplots(figsize=(7, 4))
for name in ["relu", "leaky_relu", "elu", "gelu", "tanh", "sigmoid"]:
    ax.plot(z, keras.ops.convert_to_numpy(keras.activations.get(name)(z)), label=name)
ax.set(xlabel="input z", ylabel="activation(z)", title="Common activation functions", ylim=(-1.5, 4))
ax.legend()
ax.grid(alpha=0.3);

# %% [markdown]
# ## Under- and over-fitting: capacity versus data
#
# A model's **capacity** is how complicated a curve it can make. Polynomials
# make the idea concrete: order 2 can only bend once, order 8 can wiggle
# through nine points exactly. We fit polynomials of order 2, 5 and 8 (by
# exact least squares, so only capacity and data differ) to training sets of
# 10, 30 and 300 points, and measure each on the validation set.

# %%
orders = (2, 5, 8)
sizes = (10, 30, min(300, len(x_train)))
capacity = {}
for n in sizes:
    for order in orders:
        coefs = np.polyfit(x_train[:n, 0], y_train[:n, 0], deg=order)
        capacity[order, n] = float(np.mean((np.polyval(coefs, x_val[:, 0]) - y_val[:, 0]) ** 2))

print("validation MSE     " + "".join(f"order {o:<6}" for o in orders))
for n in sizes:
    print(f"{n:>4} training points " + "".join(f"{capacity[o, n]:<12.4f}" for o in orders))

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4), sharey=True)
for ax, n in zip(axes, (10, 30, sizes[-1])):
    curves = {f"order {o}": (x_line, np.polyval(np.polyfit(x_train[:n, 0], y_train[:n, 0], o), x_line))
              for o in orders}
    plots.fit_plot(x_train[:n], y_train[:n], curves, title=f"{n} training points", ax=ax)
    ax.set_ylim(-2, 2)

# %% [markdown]
# Read the table row by row. With 10 points, order 8 threads every noisy point
# and swings wildly between them: **over-fitting** (low training error, high
# validation error). Order 2 cannot follow the sine at all, however much data
# it gets: **under-fitting**. With enough data the high-capacity model wins.
# The cures follow: for over-fitting, get more data or reduce (or constrain)
# capacity; for under-fitting, give the model more capacity.

# %% [markdown]
# ## Exercise 3: which capacity generalises best?
#
# Using the `capacity` table (keys are `(order, n_points)`), set `best_order`
# to the polynomial order with the lowest validation error for the *largest*
# training set.

# %% tags=["exercise"]
# TODO: best_order for the largest training set
# BEGIN SOLUTION
best_order = min(orders, key=lambda order: capacity[order, sizes[-1]])
# END SOLUTION
# BEGIN STARTER
best_order = None
# END STARTER

# %% tags=["selfcheck"]
curvefit.best_order(best_order, capacity)

# %% [markdown]
# ## Regularisation
#
# Neural networks usually have more capacity than the data can pin down, so
# instead of shrinking them we *regularise* their training. To make the
# problem visible we give a large network (three hidden layers of 128 units,
# about 33,000 parameters) only 30 noisy training points, and compare:
#
# | variant | what it does |
# | --- | --- |
# | plain | nothing: the baseline |
# | early stopping | stop when validation loss has not improved for a while, keep the best weights |
# | L2 penalty | add $\lambda\sum w^2$ to the loss: prefers small weights, smoother curves |
# | L1 penalty | add $\lambda\sum \lvert w\rvert$: drives many weights to exactly zero |
# | dropout | randomly silence 10% of units at each training step, so none can be relied on alone |
# | batch norm | normalise each layer's inputs over the mini-batch; steadier, often faster training |
#
# Each run writes TensorBoard logs to `logs/02_curve_fitting/<variant>`.
#
# **This is the slowest cell of the notebook**; README.md lists measured run
# times.

# %%
def make_big(variant):
    regularizer = {"L2 penalty": keras.regularizers.L2(1e-4),
                   "L1 penalty": keras.regularizers.L1(1e-5)}.get(variant)
    layers = [keras.Input(shape=(1,))]
    for _ in range(3):
        layers.append(keras.layers.Dense(128, kernel_regularizer=regularizer))
        if variant == "batch norm":
            layers.append(keras.layers.BatchNormalization(momentum=0.9))
        layers.append(keras.layers.Activation("relu"))
        if variant == "dropout":
            layers.append(keras.layers.Dropout(0.1))
    layers.append(keras.layers.Dense(1))
    return keras.Sequential(layers, name=variant.replace(" ", "_"))


n_small = 30
variants = ["plain", "early stopping", "L2 penalty", "L1 penalty", "dropout", "batch norm"]
big_epochs = bootcamp.choose(full=1000, quick=250)
log_root = bootcamp.logs_dir("02_curve_fitting", fresh=True)   # old runs removed

# %%
histories, val_mse, models = {}, {}, {}
for variant in variants:
    keras.utils.set_random_seed(7)                    # same initial weights for a fair comparison
    callbacks = [keras.callbacks.TensorBoard(log_dir=str(log_root / variant.replace(" ", "_")),
                                             histogram_freq=big_epochs // 5)]
    if variant == "early stopping":
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=big_epochs // 10,
                                                       restore_best_weights=True))
    model = make_big(variant)
    histories[variant] = compile_and_fit(model, x_train[:n_small], y_train[:n_small], epochs=big_epochs,
                                         batch_size=n_small, callbacks=callbacks, lr=1e-2).history
    val_mse[variant] = float(model.evaluate(x_val, y_val, verbose=0))
    models[variant] = model
    print(f"{variant:>15}: {len(histories[variant]['loss']):5d} epochs, "
          f"final training MSE {histories[variant]['loss'][-1]:.4f}, validation MSE {val_mse[variant]:.4f}")

# %%
fig, (ax_curves, ax_fits) = plt.subplots(1, 2, figsize=(14, 4.5))
plots.loss_curves({v: histories[v] for v in ("plain", "early stopping", "L2 penalty", "dropout")},
                  title="30 points, big network: loss per epoch", ax=ax_curves)
plots.fit_plot(x_train[:n_small], y_train[:n_small],
               {v: (x_line, models[v].predict(x_line, verbose=0)) for v in variants},
               title="What each variant learned", points_label="the 30 training points", ax=ax_fits)
ax_fits.set_ylim(-2, 2);

# %% [markdown]
# In the plain run, watch the gap open between the two curves: the training
# loss keeps falling long after the validation loss stopped improving, the
# signature of a network memorising noise. Early stopping simply keeps the
# weights from the best validation epoch. The penalties and dropout change what the
# optimiser prefers, and usually give smoother curves; batch norm is mainly a
# help for training speed and stability in deep networks, and is not a
# reliable regulariser on its own. It also behaves differently at inference:
# it then uses running averages of the batch statistics (kept with
# `momentum=0.9` here, since this run has few steps), so a validation curve far
# above the training curve can simply mean those averages lag behind. Which variant wins here depends on the
# draw of 30 points: judge by the validation column, not by a rule of thumb.

# %% [markdown]
# ## TensorBoard
#
# TensorBoard reads the logs the callback wrote and shows loss curves,
# the model graph and weight histograms in the browser. In Jupyter the magic
# command `%tensorboard --logdir logs/02_curve_fitting` starts it below a
# cell; the helper here does the same, bound to `127.0.0.1` (TensorBoard has
# no login, so it must never listen on the network). In a terminal:
# `tensorboard --logdir notebooks/logs/02_curve_fitting --host 127.0.0.1`.

# %%
from bootcamp import tensorboard

tensorboard.show(log_root)

# %% [markdown]
# ## The final score, on the test set
#
# Model selection is over: we choose by validation error, then report that
# model's **test** error once. For the full training set we also report the
# deep network from above.

# %%
best_variant = min(val_mse, key=val_mse.get)
test_small = float(models[best_variant].evaluate(x_test, y_test, verbose=0))
test_deep = float(deep.evaluate(x_test, y_test, verbose=0))
print(f"best regularised variant (30 points): {best_variant}, test MSE {test_small:.4f}")
print(f"deep 2x32 on {len(x_train)} points: test MSE {test_deep:.4f} (noise floor {noise**2:.4f})")

# %%
record("plain 30-point validation MSE", val_mse["plain"])
record(f"best variant ({best_variant}) validation MSE", val_mse[best_variant])
floor("deep net test MSE", test_deep, at_most=0.03)
floor("best 30-point test MSE", test_small, at_most=0.1)

# %% [markdown]
# ## What to remember
#
# * A ReLU network is a piecewise-linear curve; depth multiplies its pieces.
# * Split data three ways; choose with validation, report with test.
# * Too little capacity under-fits; too much for the data over-fits. Plot both
#   losses on a log scale to see which you have.
# * Early stopping, weight penalties and dropout keep a large model from
#   memorising noise; batch norm steadies training.
