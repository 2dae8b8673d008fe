# %% [markdown]
# # 02 · Neural networks as curve fitting
#
# A neural network is a very flexible curve with many adjustable parameters,
# and training is curve fitting. This notebook makes that literal: we fit
# $y = \sin(10x)$ from noisy samples and look inside the network to see *how*
# it builds the curve, why one hidden layer can in principle draw any curve,
# and why its weights must not all start at zero. Then we meet the central
# problem of machine learning, fitting the data you have without memorising
# its noise, and the tools that manage it: validation data, capacity, early
# stopping, L1/L2 penalties, dropout, batch normalisation and TensorBoard.

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
# $0.1^2 = 0.01$ on new points. We split them once, at random, into three
# parts (the `test_size` arguments below set their shares):
#
# * **training**, the largest part: the optimiser adjusts weights to fit these;
# * **validation**: watched during training, used to choose between models
#   and settings;
# * **test**: touched once, at the very end, to report an honest score.
#   Choosing anything by the test score would make it optimistic.

# %% tags=["split"]
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
# ## Feeding the data: a `tf.data` pipeline
#
# `fit` accepts NumPy arrays, but here we hand it a `tf.data.Dataset`, the
# input pipeline TensorFlow uses for data of any size. Each step below is one
# method call that returns a new dataset:
#
# 1. `from_tensor_slices((x, y))`: one element per sample, an `(x, y)` pair.
# 2. `cache()`: the first pass through the data stores the elements in
#    memory, and every later epoch reads them from there instead of running
#    the steps before it again. Our arrays are already in memory, so this saves
#    little here; when elements are read from files and decoded (lesson 05),
#    it saves that work at every epoch after the first.
# 3. `shuffle(...)`: a new random order at every epoch. It comes **after**
#    `cache()`: shuffling before it would store one order and replay it forever.
# 4. `batch(batch_size)`: groups samples into the mini-batches the optimiser
#    steps on.
# 5. `prefetch(tf.data.AUTOTUNE)`: prepares the next batches on the CPU while
#    the model is still training on the current one, so the two overlap
#    instead of taking turns. `AUTOTUNE` lets TensorFlow choose how many batches
#    to keep ready. This matters most on a GPU, which would otherwise wait
#    for its data.
#
# The pipeline describes the work; nothing runs until `fit` iterates over it.

# %%
def batches(x, y, batch_size, shuffle=False):
    """The arrays as a tf.data pipeline of mini-batches, built once and reused every epoch."""
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        data = data.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


first_x, first_y = next(iter(batches(x_train, y_train, 32, shuffle=True)))
print("one mini-batch:", first_x.shape, first_y.shape, first_x.dtype)

# %% [markdown]
# ## One hidden layer: a sum of bent lines
#
# A hidden `Dense` layer with ReLU activation computes, for each of its units
# $i$, the function $\max(0, w_i x + b_i)$: zero on one side of the point
# $x = -b_i / w_i$ and a straight line on the other, a "hinge". The output
# layer adds these hinges with weights $v_i$ plus a constant. So a one-layer
# ReLU network is a **piecewise-linear curve** whose kinks the optimiser moves
# around until the curve follows the data.
#
# `compile_and_fit` below is the training recipe for the whole notebook. It
# asks Keras to report the mean squared error as a **metric** (`mse`) besides
# the loss: the loss is what the optimiser minimises, and later it will
# include penalty terms; the metric is always the plain error of the fit. In
# full mode it prints a line every quarter of the run, so long fits show
# their progress.

# %%
def make_shallow(width=32, initializer="glorot_uniform"):
    return keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Dense(width, activation="relu", kernel_initializer=initializer, name="hidden"),
        keras.layers.Dense(1, kernel_initializer=initializer, name="output"),
    ], name=f"shallow_{width}")


def progress(model, every):
    """A callback that prints one short line every `every` epochs."""
    def show(epoch, logs):
        if (epoch + 1) % every == 0:
            print(f"  {model.name}, epoch {epoch + 1}: loss {logs['loss']:.4f}, "
                  f"validation MSE {logs['val_mse']:.4f}")
    return keras.callbacks.LambdaCallback(on_epoch_end=show)


def compile_and_fit(model, x, y, *, epochs, batch_size=32, callbacks=(), lr=1e-2):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="mse", metrics=["mse"])
    every = bootcamp.choose(full=max(1, epochs // 4), quick=None)      # quick runs are short: no progress lines
    if every:
        callbacks = [*callbacks, progress(model, every)]
    return model.fit(batches(x, y, batch_size, shuffle=True), validation_data=batches(x_val, y_val, 256),
                     epochs=epochs, callbacks=list(callbacks), verbose=0)


epochs = bootcamp.choose(full=400, quick=60)
shallow = make_shallow()
hist_shallow = compile_and_fit(shallow, x_train, y_train, epochs=epochs)
print(f"shallow: validation MSE {hist_shallow.history['val_mse'][-1]:.4f} after {epochs} epochs")

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
kinks = -b1 / w1
ax_parts.plot(kinks, np.full_like(kinks, -1.6), "|", color="0.4", markersize=12, label="kinks")
ax_parts.set(xlim=(-0.5, 0.5), ylim=(-1.7, 1.7), xlabel="x", ylabel="contribution",
             title="Hidden ReLU units as basis functions")
ax_parts.legend(fontsize="small")
plots.fit_plot(x_train, y_train, {"sin(10x)": (x_line, target(x_line)),
                                  "shallow network": (x_line, shallow.predict(x_line, verbose=0))},
               title="The fitted curve", points_label="training data", ax=ax_fit);

# %% [markdown]
# ## Exercise 1: the slope of a sum of hinges
#
# Between two kinks the network's curve is a straight line. Its slope there
# is the sum of the slopes of the units that are switched on. Complete
# `slope_at(x, w, b, v)`: for each point of the 1-D array `x`, return the
# slope of $\sum_i v_i \max(0, w_i x + b_i) + c$, for 1-D arrays of hidden
# weights `w`, biases `b` and output weights `v` (like `w1`, `b1`, `v`
# above). Think about which side of its kink a unit is on when $w_i < 0$.

# %% tags=["exercise"]
def slope_at(x, w, b, v):
    """Slope of the one-hidden-layer ReLU network at each point of x."""
    # TODO: which units are switched on at each x, and what slope does each add?
    # BEGIN SOLUTION
    switched_on = np.outer(x, w) + b > 0          # shape (len(x), units)
    return switched_on @ (v * w)
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("return one slope per point of x")
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import curvefit

curvefit.slope(slope_at)

# %% [markdown]
# ## One hidden layer can draw any curve
#
# Hinges are enough to draw *any* continuous curve on an interval, as closely
# as we like. Mark $n + 1$ evenly spaced points on the curve and join them
# with straight lines: the more points, the closer the broken line follows
# the curve (for a smooth curve the largest gap shrinks like $1/n^2$). Such a
# broken line is exactly a one-hidden-layer ReLU network with $n$ units: unit
# $k$ gets $w_k = 1$ and $b_k = -t_k$, so it switches on at knot $t_k$, and its
# output weight $v_k$ is the change of slope at that knot. Below we set those
# weights by hand for several widths. Nothing is trained.

# %%
def hinge_network(f, n_units, lo=-0.5, hi=0.5):
    """A 1 -> n_units -> 1 ReLU network, weights set by hand, that joins
    n_units + 1 evenly spaced points of f with straight lines."""
    knots = np.linspace(lo, hi, n_units + 1)
    slopes = np.diff(f(knots)) / np.diff(knots)              # slope of each straight piece
    w = np.ones((1, n_units))                                # every unit rises to the right...
    b = -knots[:-1]                                          # ...of its own knot
    v = np.diff(slopes, prepend=0.0).reshape(-1, 1)          # the change of slope at that knot
    net = make_shallow(n_units)
    net.set_weights([w, b, v, f(knots[:1])])                 # output bias: the value at the left end
    return net


hand_built = {n: hinge_network(target, n) for n in (4, 8, 16, 32, 64)}
for n, net in hand_built.items():
    gap = np.max(np.abs(keras.ops.convert_to_numpy(net(x_line)) - target(x_line)))
    print(f"{n:3d} hidden units, set by hand: largest gap to sin(10x) {gap:.4f}")
gap_trained = np.max(np.abs(shallow.predict(x_line, verbose=0) - target(x_line)))
print(f" 32 hidden units, trained on noisy data: largest gap {gap_trained:.4f}")

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(x_line, target(x_line), "k", linewidth=3, alpha=0.3, label="sin(10x)")
for n in (4, 8, 16):
    ax.plot(x_line, keras.ops.convert_to_numpy(hand_built[n](x_line)), label=f"{n} hand-set hinges")
ax.set(xlabel="x", ylabel="y", title="Broken lines made of ReLU units, no training")
ax.legend(fontsize="small");

# %% [markdown]
# This is the **universal approximation theorem** in its simplest form: a
# network with one hidden layer and enough units can approximate any
# continuous function on a bounded region as closely as we want (the theorem
# covers many inputs and most non-linear activations, not only ReLU). It
# promises less than it seems to. It does not say how many units are needed:
# with many inputs, a grid of knots needs astronomically many. And it does
# not say that training will find the weights: the trained network above has
# as many units as one of the hand-built ones (it had to learn from noisy
# samples while the hand-built ones were given the true curve, so the
# comparison flatters them, but the weights exist).

# %% [markdown]
# ## Starting from zero? Weight initialisation
#
# Before training, every weight needs a value. The obvious choice, zero, is
# the one that fails. With all weights at zero every hidden unit outputs
# $\max(0, 0) = 0$. The hidden weights get no gradient (it would have to pass
# through the zero output weights and through ReLU's slope at zero, which is
# taken as zero), and the output weights get none either (they multiply
# outputs that are all zero): only the output bias learns, and the network
# stays a constant. Any other single
# value fails too, less obviously: units that start equal compute the same
# output, receive the same gradient, take the same step, and so stay equal
# forever. A layer of identical units is one unit, one hinge. The starting
# values must differ to **break the symmetry**, and random numbers do that.
#
# Keras's `Dense` draws its kernel from the **Glorot uniform** distribution
# unless told otherwise (its biases start at zero, which is harmless once the
# weights differ). Below, the shallow network trains three times with the
# same data and settings and a short budget, changing only the initial
# kernels; each line counts the distinct hidden units $(w_i, b_i)$ at the end.
# (Where the plot shows fewer curves than its legend, curves lie on top of
# each other.)

# %%
init_epochs = bootcamp.choose(full=100, quick=10)
initializers = {"all zeros": "zeros", "all equal (0.5)": keras.initializers.Constant(0.5),
                "Glorot uniform": "glorot_uniform"}
init_nets = {}
for name, initializer in initializers.items():
    keras.utils.set_random_seed(3)
    net = init_nets[name] = make_shallow(initializer=initializer)
    hist = compile_and_fit(net, x_train, y_train, epochs=init_epochs)
    w, b = net.get_layer("hidden").get_weights()
    n_distinct = len(np.unique(np.round(np.c_[w.ravel(), b], 6), axis=0))
    print(f"{name:>16}: {n_distinct:2d} distinct hidden units of {w.size}, "
          f"validation MSE {hist.history['val_mse'][-1]:.4f} after {init_epochs} epochs")

# Calling a model on one small array, model(x), skips the set-up that predict() makes for large inputs.
plots.fit_plot(x_train, y_train, {name: (x_line, net(x_line)) for name, net in init_nets.items()},
               title="Same network, same training, three starting points", points_label="training data");

# %% [markdown]
# Random, then, but how large? A unit adds up its $n_\text{in}$ inputs (the
# layer's `fan_in`), each times a weight. If the inputs have variance 1 and
# the weights variance $\sigma^2$, the sum has variance $n_\text{in}\,\sigma^2$.
# Too large a $\sigma$ and the signal grows at every layer; too small and it
# fades away; the gradients flowing back through the layers do the same.
# Glorot and Bengio (2010) picked $\sigma^2 = 2 / (n_\text{in} + n_\text{out})$,
# where $n_\text{out}$ (the `fan_out`) is the number of units in the layer, a
# compromise that keeps both the signal going forward and the gradient coming
# back at about the same size from layer to layer. The cell below sends
# random inputs through a stack of plain (linear) layers with three weight
# scales. (For ReLU layers, which switch about half their units off, He et
# al. use $2 / n_\text{in}$, about twice as much: Keras's `he_uniform`. Same
# idea.)

# %%
def signal_size(weight_std, depth=20, width=128, seed=0):
    """Standard deviation of the signal after each of `depth` linear layers of `width` units."""
    generator = np.random.default_rng(seed)
    h = generator.normal(size=(256, width))
    sizes = []
    for _ in range(depth):
        h = h @ generator.normal(0.0, weight_std, size=(width, width))
        sizes.append(h.std())
    return np.array(sizes)


fig, ax = plt.subplots(figsize=(7, 4))
for label, weight_std in {"too small (0.01)": 0.01, "Glorot": np.sqrt(2 / (128 + 128)),
                          "too large (1)": 1.0}.items():
    ax.semilogy(np.arange(1, 21), signal_size(weight_std), marker="o", label=f"weights: {label}")
ax.set(xlabel="layer", ylabel="std of the signal (log scale)", title="Signal size through 20 layers of 128 units")
ax.legend(fontsize="small")
ax.grid(True, which="both", alpha=0.3);

# %% [markdown]
# ## Exercise 2: Glorot initialisation by hand
#
# A uniform distribution on $[-L, L]$ has variance $L^2 / 3$. Complete
# `glorot_uniform(fan_in, fan_out, rng)`: return a kernel of shape
# `(fan_in, fan_out)` (the shape of a `Dense` layer's weight matrix) drawn
# uniformly on $[-L, L]$, with $L$ chosen so that the variance is Glorot's
# $2 / (n_\text{in} + n_\text{out})$. Draw with the NumPy generator
# `rng`: `rng.uniform(low, high, size=shape)`. The self-check draws large
# kernels and compares their spread with Glorot's.

# %% tags=["exercise"]
def glorot_uniform(fan_in, fan_out, rng):
    """A (fan_in, fan_out) kernel drawn uniformly with Glorot's variance."""
    # TODO: choose the limit L, then draw
    # BEGIN SOLUTION
    limit = np.sqrt(3 * 2 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("draw a (fan_in, fan_out) kernel")
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import curvefit

curvefit.glorot(glorot_uniform)

# %% [markdown]
# ## Exercise 3: counting parameters
#
# A `Dense` layer with $n$ inputs and $u$ units has an $n \times u$ kernel and
# $u$ biases. Complete `dense_params(sizes)`: the number of trainable
# parameters of a stack of `Dense` layers, where `sizes` lists the number of
# inputs and then the units of each layer, so `[1, 32, 1]` is the shallow
# network. The self-check tries your function on several networks; the
# next section prints Keras's own count, `count_params()`, for two of them.

# %% tags=["exercise"]
def dense_params(sizes):
    """Trainable parameters of Dense layers: sizes = [inputs, units of layer 1, ..., units of the last]."""
    # TODO: add up each layer's weights and biases
    # BEGIN SOLUTION
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("count the parameters")
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import curvefit

curvefit.parameter_count(dense_params)

# %% [markdown]
# ## Depth
#
# Stacking layers composes hinges of hinges: each layer can fold the curve the
# previous one made, so a deep network *can* make many more linear pieces per
# parameter than a wide, shallow one (whether training uses them is another
# matter). Here a network of two hidden layers of 32 units competes with the
# shallow one. The budget that is equal is the **training**: the same data,
# the same number of epochs, batch size and optimiser. The number of
# parameters is not equal; the cell prints both.

# %%
def make_deep(width=32, depth=2, activation="relu"):
    layers = [keras.Input(shape=(1,))]
    layers += [keras.layers.Dense(width, activation=activation) for _ in range(depth)]
    layers += [keras.layers.Dense(1)]
    return keras.Sequential(layers, name=f"deep_{depth}x{width}")


deep = make_deep()
deep.summary()
print(f"parameters: shallow 1x32 {shallow.count_params():,}, deep 2x32 {deep.count_params():,}; "
      f"both train for {epochs} epochs")

# %%
hist_deep = compile_and_fit(deep, x_train, y_train, epochs=epochs)
plots.loss_curves({"shallow 1x32": hist_shallow.history, "deep 2x32": hist_deep.history},
                  title="Shallow vs deep: loss per epoch");

full_data_models = {"shallow 1x32": shallow, "deep 2x32": deep}
full_data_val = {name: model.evaluate(x_val, y_val, verbose=0, return_dict=True)["mse"]
                 for name, model in full_data_models.items()}
for name, mse in full_data_val.items():
    print(f"{name}: validation MSE {mse:.4f}")

# %% [markdown]
# Loss curves belong on a **log scale**: the loss falls by orders of
# magnitude, and on a linear axis everything after the first few epochs looks
# flat. The dashed validation curve is the one that matters: it tells how well
# the model does on points it is not trained on, and it is the one we will
# use to choose between the two networks at the end.
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
# 10 points, 30 points and a large one (the tables print its size), and
# measure each on the points it was fitted to and on the validation set.

# %%
def mse(prediction, truth):
    return float(np.mean((prediction - truth) ** 2))


orders = (2, 5, 8)
sizes = (10, 30, min(300, len(x_train)))
poly_train_mse, poly_val_mse = {}, {}
for n in sizes:
    for order in orders:
        coefs = np.polyfit(x_train[:n, 0], y_train[:n, 0], deg=order)
        poly_train_mse[order, n] = mse(np.polyval(coefs, x_train[:n, 0]), y_train[:n, 0])
        poly_val_mse[order, n] = mse(np.polyval(coefs, x_val[:, 0]), y_val[:, 0])

for title, table in (("training MSE", poly_train_mse), ("validation MSE", poly_val_mse)):
    print(f"{title:<21}" + "".join(f"order {o:<6}" for o in orders))
    for n in sizes:
        print(f"{n:>4} training points " + "".join(f"{table[o, n]:<12.4f}" for o in orders))

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4), sharey=True)
for ax, n in zip(axes, sizes):
    curves = {f"order {o}": (x_line, np.polyval(np.polyfit(x_train[:n, 0], y_train[:n, 0], o), x_line))
              for o in orders}
    plots.fit_plot(x_train[:n], y_train[:n], curves, title=f"{n} training points", ax=ax)
    ax.set_ylim(-2, 2)

# %% [markdown]
# Compare the two tables. The training error can only fall as the order rises:
# a higher-order polynomial can do everything a lower one can, and least
# squares finds its best. The validation error need not. With 10 points,
# order 8 has nearly as many coefficients as there are points, so it threads
# them, noise included, and swings between them: **over-fitting** (low
# training error, high validation error). Order 2 cannot follow the sine
# however much data it gets: **under-fitting**. The cures follow: for
# over-fitting, get more data or reduce (or constrain) capacity; for
# under-fitting, give the model more capacity.

# %% [markdown]
# ## Exercise 4: choose the capacity
#
# For each training-set size in `sizes`, choose the polynomial order you
# would use. Set `best_order` to a dict `{n_points: order}`, using the
# tables `poly_train_mse` and `poly_val_mse` (both keyed by
# `(order, n_points)`).

# %% tags=["exercise"]
# TODO: best_order = {n: chosen order for n in sizes}
# BEGIN SOLUTION
best_order = {n: min(orders, key=lambda order: poly_val_mse[order, n]) for n in sizes}
# END SOLUTION
# BEGIN STARTER
best_order = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import curvefit

curvefit.best_order(best_order, poly_val_mse, poly_train_mse)

# %% [markdown]
# ## Regularisation
#
# Neural networks usually have more capacity than the data can pin down, so
# instead of shrinking them we *regularise* their training. To make the
# problem visible we give a large network (three hidden layers of 128 units)
# only 30 noisy training points, and compare:
#
# | variant | what it does |
# | --- | --- |
# | plain | nothing: the baseline |
# | early stopping | stop when the validation error has not improved for a while, keep the best weights |
# | L2 penalty | add $\lambda\sum w^2$ to the loss: prefers small weights, smoother curves |
# | L1 penalty | add $\lambda\sum \lvert w\rvert$: a constant pull of every weight towards zero |
# | dropout | at each training step, silence a random fraction of the units (the rate, 0.1 here), so none can be relied on alone |
# | batch norm | normalise each layer's inputs over the mini-batch; steadier, often faster training |
#
# Each run writes TensorBoard logs to `logs/02_curve_fitting/<variant>`.

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
big_epochs = bootcamp.choose(full=1000, quick=80)
log_root = bootcamp.logs_dir("02_curve_fitting", fresh=True)   # old runs removed
print(f"the plain big network has {make_big('plain').count_params():,} parameters "
      f"for {n_small} training points; {big_epochs} epochs per variant")

# %% [markdown]
# Three numbers per variant come out of the next cell. The **training MSE**
# and the **validation MSE** are the `mse` metric, measured with the final
# weights in inference mode (dropout off, batch norm on its running
# averages). The **validation loss** is what Keras calls `val_loss`: for the
# L1 and L2 variants it is the MSE *plus the penalty*, which measures the
# weights as much as the fit. Comparing variants by it would handicap the
# penalised ones, so we compare, and choose, by validation MSE.
#
# This is the slowest cell of the notebook: it trains six networks (in full
# mode it prints their progress).

# %%
histories, val_mse, models = {}, {}, {}
for variant in variants:
    keras.utils.set_random_seed(7)                    # same initial weights for a fair comparison
    callbacks = [keras.callbacks.TensorBoard(log_dir=str(log_root / variant.replace(" ", "_")),
                                             histogram_freq=big_epochs // 5)]
    if variant == "early stopping":
        stopper = keras.callbacks.EarlyStopping(monitor="val_mse", patience=big_epochs // 10,
                                                restore_best_weights=True)
        callbacks.append(stopper)
    model = make_big(variant)
    histories[variant] = compile_and_fit(model, x_train[:n_small], y_train[:n_small], epochs=big_epochs,
                                         batch_size=n_small, callbacks=callbacks, lr=1e-2).history
    on_train = model.evaluate(x_train[:n_small], y_train[:n_small], verbose=0, return_dict=True)
    on_val = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    val_mse[variant] = on_val["mse"]
    models[variant] = model
    print(f"{variant:>15}: {len(histories[variant]['loss']):5d} epochs, training MSE {on_train['mse']:.4f}, "
          f"validation MSE {on_val['mse']:.4f}, validation loss {on_val['loss']:.4f}")
print(f"early stopping kept the weights of epoch {stopper.best_epoch + 1}")

# %%
fig, (ax_curves, ax_fits) = plt.subplots(1, 2, figsize=(14, 4.5))
plots.loss_curves({v: {"loss": histories[v]["mse"], "val_loss": histories[v]["val_mse"]}
                   for v in ("plain", "early stopping", "L2 penalty", "dropout")},
                  title="30 points, big network: MSE per epoch (penalties left out)", ax=ax_curves)
plots.fit_plot(x_train[:n_small], y_train[:n_small],
               {v: (x_line, models[v](x_line)) for v in variants},
               title="What each variant learned", points_label="the 30 training points", ax=ax_fits)
ax_fits.set_ylim(-2, 2);

# %% [markdown]
# In the plain run, watch the gap open between the two curves: the training
# error keeps falling, towards the noise level of the data and, given enough
# epochs, below it, while the validation error stalls, the signature of a network memorising noise. (The training curves are measured
# during the training steps, with dropout active, so the dropout run's
# training curve sits higher than its error in inference mode.) Early
# stopping simply keeps the weights from the best validation epoch; since it
# chose that epoch by looking at the validation set, its validation MSE is a
# little flattering, which is one more reason to keep a test set for the end.
# The penalties and dropout change what the optimiser prefers, and usually
# give smoother curves; batch norm is mainly a help for training speed and
# stability in deep networks, and is not a reliable regulariser on its own.
# It also behaves differently at inference: it then uses running averages of
# the batch statistics (kept with `momentum=0.9` here, since this run has few
# steps), so a validation curve far above the training curve can simply mean
# those averages lag behind. Which variant wins here depends on the draw of
# 30 points: judge by the validation column, not by a rule of thumb.
#
# ## Does L1 make weights exactly zero?
#
# The L1 penalty's gradient is $\lambda\,\mathrm{sign}(w)$: the same pull
# towards zero for a tiny weight as for a large one. As an optimisation
# problem, its best solution often has weights at exactly zero, which is why
# L1 is used to switch inputs off (the "lasso"). But Adam only takes steps
# along that gradient: a weight near zero steps over it, its sign flips, the
# next step pulls it back, and it ends up hovering near zero, not on it. The
# cell counts the kernel weights that are small and those that are exactly
# zero, for the plain and the penalised networks.

# %%
threshold = 1e-3
print(f"{'variant':>12}   |w| < {threshold:g}   w == 0   (all kernel weights)")
for variant in ("plain", "L2 penalty", "L1 penalty"):
    kernels = np.concatenate([layer.get_weights()[0].ravel() for layer in models[variant].layers
                              if isinstance(layer, keras.layers.Dense)])
    print(f"{variant:>12}   {np.mean(np.abs(kernels) < threshold):10.1%}   {np.mean(kernels == 0):6.1%}")

# %% [markdown]
# Read the last column before believing that a penalty has made a model
# sparse. To get weights that are exactly zero, and a smaller model, set the
# small ones to zero after training and check the validation error again
# ("pruning"), or use an optimiser built for L1 (a proximal step sets a
# weight to zero when the penalty outweighs the data's pull). Compare the L2
# row too: a weight the data do not need is pulled towards zero by either
# penalty. On paper L1's pull stays the same as the weight shrinks while
# L2's fades, but Adam divides every gradient by its own running size, so
# even a fading pull makes steps of about the learning rate: under Adam the
# two penalties act more alike than their formulas suggest. (This is why
# `keras.optimizers.AdamW` applies weight decay as a separate shrinking step
# instead of through the gradient.)

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
# Model selection is over, and every choice was made on validation data: the
# network for the full training set (shallow or deep) and the regularisation
# variant for 30 points. Now, and only now, each chosen model meets the
# **test** set, once. Its test error may come out a little worse than the
# validation error it was chosen by: that difference is the optimism that
# choosing on the validation set adds.

# %%
record("plain 30-point validation MSE", val_mse["plain"])
chosen_full = min(full_data_val, key=full_data_val.get)
chosen_variant = min(val_mse, key=val_mse.get)
record(f"chosen full-data network ({chosen_full}) validation MSE", full_data_val[chosen_full])
record(f"chosen 30-point variant ({chosen_variant}) validation MSE", val_mse[chosen_variant])
print(f"chosen on validation: {chosen_full} for the full training set, {chosen_variant} for {n_small} points")

# %% tags=["final"]
test_full = full_data_models[chosen_full].evaluate(x_test, y_test, verbose=0, return_dict=True)["mse"]
test_small = models[chosen_variant].evaluate(x_test, y_test, verbose=0, return_dict=True)["mse"]
print(f"{chosen_full} on {len(x_train)} points: validation MSE {full_data_val[chosen_full]:.4f}, "
      f"test MSE {test_full:.4f} (noise floor {noise**2:.4f})")
print(f"{chosen_variant} on {n_small} points: validation MSE {val_mse[chosen_variant]:.4f}, "
      f"test MSE {test_small:.4f}")
floor("chosen full-data network test MSE", test_full, at_most=0.03)
floor("chosen 30-point variant test MSE", test_small, at_most=0.05)

# %% [markdown]
# ## What to remember
#
# * A ReLU network is a piecewise-linear curve; with enough units one hidden
#   layer can approximate any continuous curve, but nothing promises that
#   training finds those weights. Depth can multiply the pieces.
# * Weights must start different (random) to break the symmetry between
#   units, and at a scale that keeps signals from growing or fading (Glorot).
# * Split data three ways; choose with validation, report with test.
# * Too little capacity under-fits; too much for the data over-fits. Plot both
#   losses on a log scale to see which you have.
# * Early stopping, weight penalties and dropout keep a large model from
#   memorising noise; batch norm steadies training. Compare them on the
#   error, not on a loss that includes their penalties.
# * A `tf.data` pipeline caches, shuffles, batches and prefetches the data.
