# %% [markdown]
# # 03 · MNIST with dense networks
#
# Time for real data. MNIST holds 70,000 handwritten digits, 28 x 28 grey
# pixels each, labelled 0-9. It is small enough to train on a laptop and hard
# enough to show what classification needs: a **softmax** output that turns
# scores into probabilities, a **cross-entropy** loss, and accuracy measured on
# images the network never saw. We start with the classic 64-64-10 network,
# then ask whether a wider or a deeper one is worth what it costs.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from bootcamp.checks import floor, record
from bootcamp.data import load_mnist
from bootcamp.plots_images import compare_models, image_grid

# %% [markdown]
# ## Load and inspect
#
# One line gets MNIST: from the local cache, a workshop mirror or the
# internet, checked against its published checksums before use. It returns
# the same four arrays as `keras.datasets.mnist.load_data()`: training
# images and labels, test images and labels. The data layer prints where the
# files came from.

# %%
(x_train_all, y_train_all), (x_test, y_test) = load_mnist()
print(f"training images {x_train_all.shape} {x_train_all.dtype}, labels {y_train_all.shape}")
print(f"test images     {x_test.shape} {x_test.dtype}, labels {y_test.shape}")
print(f"pixel values from {x_train_all.min()} to {x_train_all.max()}; labels {sorted(set(y_train_all.tolist()))}")

# %% [markdown]
# Always look at the data before training on it: are the labels right, are
# the digits upright, is ink bright or dark?

# %%
image_grid(x_train_all[:24], [f"label {label}" for label in y_train_all[:24]], ncols=8,
           title="The first 24 training images and their labels");

# %% [markdown]
# The classes are roughly balanced, so plain accuracy is a fair score here
# (the cyclone lessons will not be so lucky).

# %%
counts = np.bincount(y_train_all, minlength=10)
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(range(10), counts)
ax.set(xlabel="digit", ylabel="training images", title="Images per class", xticks=range(10));

# %% [markdown]
# ## Prepare: validation split, scaling, flattening
#
# * **Validation**: the last 6,000 training images are held out to watch
#   over-fitting during training. The 10,000 **test** images are used only for
#   the final scores, always all of them, in quick mode too.
# * **Scaling**: pixels go from integers 0-255 to floats 0-1. Networks train
#   best when their inputs are of order one; with raw 0-255 values the first
#   layer's outputs would be hundreds of times larger than its initial
#   weights expect.
# * **Flattening**: a dense layer sees its input as one flat list of numbers,
#   so each 28 x 28 image becomes a vector of 784. A `Flatten` layer at the
#   start of the model does this, so the arrays keep their image shape.
#
# Quick mode trains on a subset of the training images.

# %%
n_train = bootcamp.choose(full=54_000, quick=12_000)
n_val = 6_000
x_train = x_train_all[:n_train].astype("float32") / 255.0
y_train = y_train_all[:n_train]
x_val = x_train_all[-n_val:].astype("float32") / 255.0
y_val = y_train_all[-n_val:]
x_test_scaled = x_test.astype("float32") / 255.0
print(f"{len(x_train)} training, {len(x_val)} validation, {len(x_test)} test images")
print(f"one image {x_train[0].shape} -> flattened {x_train[0].reshape(-1).shape}, "
      f"values {x_train.min():.1f} to {x_train.max():.1f}")

# %% [markdown]
# Lesson 02 showed that Keras converts NumPy arrays into a new input pipeline
# at every epoch, which costs more than the training itself for small
# networks. A `tf.data` pipeline built once, cached and prefetched, avoids it.
# Batches of 128 images: each optimiser step averages the gradient over them.

# %%
def batches(x, y, batch_size=128, shuffle=False):
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        data = data.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


train_data, val_data = batches(x_train, y_train, shuffle=True), batches(x_val, y_val, 1000)

# %% [markdown]
# ## Softmax and cross-entropy, with numbers
#
# The last layer has 10 units, one score (a **logit** $z_k$) per digit.
# **Softmax** turns scores into probabilities that are positive and sum to
# one:
#
# $$p_k = \frac{e^{z_k}}{\sum_j e^{z_j}} .$$
#
# The loss for one image is the **cross-entropy** $-\ln p_{\text{true}}$, the
# negative *natural* logarithm of the probability given to the right class:
# 0 when that probability is 1, large when the network is confident and wrong.
# Keras reports its mean over the images. Three classes, for clarity:

# %%
logits = np.array([2.0, 1.0, 0.1])
probabilities = np.exp(logits) / np.exp(logits).sum()
print("logits        :", logits)
print("softmax       :", probabilities.round(4), " sum =", probabilities.sum().round(6))
for true_class in range(3):
    print(f"true class {true_class}: cross-entropy = -ln({probabilities[true_class]:.4f}) "
          f"= {-np.log(probabilities[true_class]):.4f}")

# %% [markdown]
# Keras computes exactly this. Its loss takes either the probabilities (what
# a softmax output layer gives) or the logits (`from_logits=True`, slightly
# more accurate numerically); both agree with the hand computation. For a
# batch it returns the mean over the images:

# %%
labels = np.array([0, 1, 2])
batch_probabilities = np.tile(probabilities, (3, 1))     # the same prediction for three images
by_hand = np.mean(-np.log(probabilities[labels]))
from_probabilities = keras.losses.SparseCategoricalCrossentropy()(labels, batch_probabilities)
from_logits = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, np.tile(logits, (3, 1)))
print(f"mean cross-entropy by hand {by_hand:.4f}, Keras from probabilities {float(from_probabilities):.4f}, "
      f"Keras from logits {float(from_logits):.4f}")

# %% [markdown]
# A network that knows nothing gives each of the 10 digits probability 1/10,
# so its loss is $-\ln(1/10) = \ln 10 \approx 2.303$. That is the number to
# expect from an untrained network, and a quick sanity check of any new
# classifier. (Had the loss been defined with $\log_{10}$, this would be 1.0:
# a different number for the same model. Keras, PyTorch and information
# theory in *nats* all use $\ln$.)

# %% [markdown]
# ## The 64-64-10 network
#
# Two hidden layers of 64 ReLU units, then 10 softmax outputs. Adam with its
# default learning rate (0.001) and the cross-entropy loss; the "sparse"
# version takes labels as integers 0-9 rather than one-hot vectors.

# %%
def make_mlp(hidden=(64, 64), name="mlp_64_64"):
    layers = [keras.Input(shape=(28, 28)), keras.layers.Flatten()]
    layers += [keras.layers.Dense(units, activation="relu") for units in hidden]
    layers += [keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers, name=name)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


mlp = make_mlp()
mlp.summary()

# %% [markdown]
# Before training, check the claim above: the untrained network should score
# a loss near 2.30 and an accuracy near 10% (chance).

# %%
untrained_loss, untrained_acc = mlp.evaluate(x_test_scaled, y_test, batch_size=1000, verbose=0)
print(f"untrained: loss {untrained_loss:.3f} (ln 10 = {np.log(10):.3f}), accuracy {untrained_acc:.3f}")

# %% [markdown]
# ### Where the 55,050 parameters come from
#
# A `Dense` layer with $n$ inputs and $u$ units has one weight per
# (input, unit) pair and one bias per unit: $n \times u + u$ parameters.
# `Flatten` only reshapes, so it has none.
#
# | layer | weights | biases | total |
# | --- | --- | --- | --- |
# | 784 -> 64 | 784 x 64 = 50,176 | 64 | 50,240 |
# | 64 -> 64 | 64 x 64 = 4,096 | 64 | 4,160 |
# | 64 -> 10 | 64 x 10 = 640 | 10 | 650 |
# | **all** | | | **55,050** |
#
# Nine parameters in ten sit in the first layer, the one that sees every
# pixel. The same arithmetic in code, layer by layer, against Keras' own count:

# %%
n_in = 28 * 28
for layer in mlp.layers:
    if isinstance(layer, keras.layers.Dense):
        count = n_in * layer.units + layer.units
        print(f"{layer.name:>8}: {n_in:>3} x {layer.units:>2} + {layer.units:>2} = {count:>6,}   "
              f"Keras: {layer.count_params():>6,}")
        n_in = layer.units
print(f"   total: {mlp.count_params():,}")

# %% [markdown]
# ## Exercise 1: count parameters
#
# How many parameters does a 784 -> 128 -> 10 network have (one hidden layer
# of 128 units)? Write it as arithmetic, not as a number copied from a
# summary.

# %% tags=["exercise"]
# TODO: parameters of 784 -> 128 -> 10 (weights and biases)
# BEGIN SOLUTION
n_params = (784 * 128 + 128) + (128 * 10 + 10)
# END SOLUTION
# BEGIN STARTER
n_params = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import mnist_dense

mnist_dense.dense_parameters(n_params)

# %% [markdown]
# ## Train
#
# A small callback records the wall time of each epoch, so we can compare the
# cost of the networks later. The first epoch also includes building the
# computation graph, so we compare the *median* epoch.

# %%
class EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


epochs = bootcamp.choose(full=15, quick=5)
timer = EpochTimer()
history = mlp.fit(train_data, validation_data=val_data, epochs=epochs, callbacks=[timer], verbose=2)

# %%
test_loss, test_acc = mlp.evaluate(x_test_scaled, y_test, batch_size=1000, verbose=0)
print(f"64-64-10: test accuracy {test_acc:.4f}, test loss {test_loss:.3f}, "
      f"{np.median(timer.seconds):.2f} s per epoch")

# %% [markdown]
# ## Exercise 2: cross-entropy by hand
#
# The network gives one image these probabilities for classes 0-9; its true
# label is 3. Compute the cross-entropy loss Keras would report for it.

# %% tags=["exercise"]
example_probabilities = np.array([0.01, 0.02, 0.05, 0.70, 0.02, 0.05, 0.05, 0.05, 0.03, 0.02])
# TODO: loss = cross-entropy of example_probabilities for true label 3
# BEGIN SOLUTION
loss = -np.log(example_probabilities[3])
# END SOLUTION
# BEGIN STARTER
loss = None
# END STARTER

# %% tags=["selfcheck"]
mnist_dense.cross_entropy(loss, example_probabilities, 3)

# %% [markdown]
# ## Exercise 3: from probabilities to predictions
#
# `mlp.predict` returns one row of 10 probabilities per image. Turn the rows
# for the first 500 test images into predicted digits (`np.argmax` with the
# right `axis`).

# %% tags=["exercise"]
test_probabilities = mlp.predict(x_test_scaled[:500], verbose=0)
# TODO: predicted = one digit per row of test_probabilities
# BEGIN SOLUTION
predicted = np.argmax(test_probabilities, axis=1)
# END SOLUTION
# BEGIN STARTER
predicted = None
# END STARTER

# %% tags=["selfcheck"]
mnist_dense.predicted_classes(predicted, test_probabilities)

# %% [markdown]
# ## Wider and deeper: is brute force worth it?
#
# Two variants of the baseline, trained on the same images for the same
# number of epochs with the same optimiser; only the shape changes:
#
# * **wide**: two hidden layers of 512 units;
# * **deep**: six hidden layers of 64 units.
#
# **Slow cell**: it trains two more networks; the wide one costs several times
# more per epoch than the baseline (README.md lists measured times).

# %%
variants = {"512-512 (wide)": ((512, 512), "mlp_512_512"), "64 x 6 (deep)": ((64,) * 6, "mlp_64x6")}
histories = {"64-64 (baseline)": history.history}
results = {"64-64 (baseline)": {"parameters": mlp.count_params(), "test accuracy": test_acc,
                                "s / epoch": float(np.median(timer.seconds))}}
for label, (hidden, name) in variants.items():
    keras.utils.set_random_seed(42)
    model = make_mlp(hidden, name=name)
    timer = EpochTimer()
    histories[label] = model.fit(train_data, validation_data=val_data, epochs=epochs, callbacks=[timer],
                                 verbose=0).history
    _, accuracy = model.evaluate(x_test_scaled, y_test, batch_size=1000, verbose=0)
    results[label] = {"parameters": model.count_params(), "test accuracy": accuracy,
                      "s / epoch": float(np.median(timer.seconds))}

print(f"{'network':>18} {'parameters':>11} {'test accuracy':>14} {'s / epoch':>10}")
for label, row in results.items():
    print(f"{label:>18} {row['parameters']:>11,} {row['test accuracy']:>14.4f} {row['s / epoch']:>10.2f}")

# %% [markdown]
# The same numbers as a picture: what each network buys (accuracy) and what
# it costs (parameters, time).

# %%
compare_models(results, {"test accuracy": "test accuracy", "parameters": "trainable parameters",
                         "s / epoch": "seconds per epoch (median)"},
               title=f"Three dense networks, {epochs} epochs on {len(x_train):,} images");

# %% [markdown]
# ### What over-fitting looks like
#
# Training loss (solid) against validation loss (dashed), epoch by epoch. A
# model that generalises keeps the two close. A model that memorises shows a
# widening gap: training loss keeps falling while validation loss flattens and
# then rises, although validation accuracy may still creep up a little (the
# loss also punishes over-confident mistakes, which accuracy does not count).

# %%
fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(13, 4))
for i, (label, hist) in enumerate(histories.items()):
    epochs_axis = np.arange(1, len(hist["loss"]) + 1)
    ax_acc.plot(epochs_axis, hist["val_accuracy"], f"C{i}-o", label=label)
    ax_loss.plot(epochs_axis, hist["loss"], f"C{i}-", label=f"{label}: training")
    ax_loss.plot(epochs_axis, hist["val_loss"], f"C{i}--", label=f"{label}: validation")
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="Accuracy on held-out images")
ax_loss.set(xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log", title="Loss curves")
for ax in (ax_acc, ax_loss):
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
ax_acc.legend()
ax_loss.legend(fontsize="small");

# %% [markdown]
# What to read in the table and the curves (full mode shows it most clearly):
#
# * The wide network has about twelve times the parameters and costs several
#   times more per epoch, for a gain of around one percentage point.
# * Its training loss keeps falling while its validation loss levels off and
#   turns up after a few epochs: the over-fitting signature from lesson 02.
#   With 670,000 parameters and 54,000 images it can start memorising.
# * The deep network trains no better than the baseline here and costs more
#   per epoch: depth helps when layers can build on each other's features,
#   which a stack of small dense layers on raw pixels barely does.
#
# The underlying problem is the architecture. A dense network treats a pixel
# as unrelated to its neighbours, and a "7" shifted by two pixels as an
# entirely new input: it has to learn every stroke at every position
# separately. The next lesson's convolutional networks build in what we know
# about images and do better with far fewer parameters.

# %% [markdown]
# ## Exercise 4: build a variant
#
# Build `my_mlp`, a network with **two hidden layers of 256 and 128** ReLU
# units and the usual 10-way softmax output, on 28 x 28 inputs. `make_mlp`
# does most of the work. The self-check inspects its layers and parameter
# count; it does not train it. If you have time, train it afterwards with
# `my_mlp.fit(train_data, validation_data=val_data, epochs=epochs)` and see
# where it lands in the table.

# %% tags=["exercise"]
# TODO: my_mlp = a compiled Keras model 784 -> 256 -> 128 -> 10
# BEGIN SOLUTION
my_mlp = make_mlp((256, 128), name="mlp_256_128")
# END SOLUTION
# BEGIN STARTER
my_mlp = None
# END STARTER

# %% tags=["selfcheck"]
mnist_dense.mlp_variant(my_mlp, hidden=(256, 128))

# %% [markdown]
# ## Did it learn?
#
# The learning floors. In full mode the 64-64-10 network should reach about
# 97% on the test set and the best dense network about 98%; quick mode, with
# a quarter of the images and a third of the epochs, asks for 90%.

# %%
for label, row in results.items():
    record(f"{label} seconds per epoch", row["s / epoch"], "s")
record("untrained loss", untrained_loss)
floor("64-64-10 test accuracy", test_acc, at_least=bootcamp.choose(full=0.965, quick=0.90))
floor("best dense test accuracy", max(row["test accuracy"] for row in results.values()),
      at_least=bootcamp.choose(full=0.975, quick=0.90))

# %% [markdown]
# ## What to remember
#
# * Softmax turns scores into probabilities; cross-entropy, $-\ln p_{\text{true}}$
#   in natural log, punishes confident mistakes hardest. Chance level on 10
#   classes is $\ln 10 \approx 2.30$: an untrained network starts there.
# * A dense layer has $n \times u + u$ parameters; in an image model the
#   first dense layer holds most of them.
# * Bigger dense networks cost much more for little gain and start to
#   over-fit: the architecture, not the size, is what needs to change.
