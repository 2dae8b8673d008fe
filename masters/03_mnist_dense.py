# %% [markdown]
# # 03 · MNIST with dense networks
#
# Time for real data. MNIST holds 70,000 handwritten digits, 28 x 28 grey
# pixels each, labelled 0-9. It is small enough to train on a laptop and hard
# enough to show what classification needs: a **softmax** output that turns
# scores into probabilities, a **cross-entropy** loss, and accuracy measured on
# images the network never saw. We start with the classic 64-64-10 network,
# then ask whether a wider or deeper one is worth its cost.

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

# %% [markdown]
# ## Load and inspect
#
# One line fetches MNIST (or finds it in the cache), checks it against its
# published checksums, and returns the same arrays `keras.datasets.mnist`
# would. Without any network or mirror it falls back, loudly, to a small
# built-in digits set so the notebook still runs.

# %%
(x_train_all, y_train_all), (x_test, y_test) = load_mnist(allow_fallback=True)
print("train:", x_train_all.shape, x_train_all.dtype, " test:", x_test.shape,
      " pixel range:", x_train_all.min(), "-", x_train_all.max())

# %%
fig, axes = plt.subplots(3, 8, figsize=(10, 4.2))
for ax, image, label in zip(axes.flat, x_train_all, y_train_all):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(f"label {label}", fontsize=9)
    ax.axis("off")
fig.suptitle("The first 24 training images and their labels");

# %% [markdown]
# The classes are roughly balanced, so plain accuracy is a fair score here
# (the cyclone lessons will not be so lucky).

# %%
counts = np.bincount(y_train_all, minlength=10)
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(range(10), counts)
ax.set(xlabel="digit", ylabel="training images", title="Images per class", xticks=range(10));

# %% [markdown]
# ## Prepare: validation split and scaling
#
# We hold out the last 10% of the training images for **validation**; the
# 10,000 test images are only for the final score. Pixels go from 0-255
# integers to 0-1 floats: networks train best on inputs of order one. A
# `Flatten` layer inside the model will turn each 28 x 28 image into a vector
# of 784 numbers, because a dense layer sees its input as a flat list.
#
# In quick mode the same code runs on a subset of the training images.

# %%
n_train = bootcamp.choose(full=54_000, quick=12_000)
n_val = bootcamp.choose(full=6_000, quick=2_000)
x_train = x_train_all[:n_train].astype("float32") / 255.0
y_train = y_train_all[:n_train]
x_val = x_train_all[-n_val:].astype("float32") / 255.0
y_val = y_train_all[-n_val:]
x_test_scaled = x_test.astype("float32") / 255.0
print(f"{len(x_train)} training, {len(x_val)} validation, {len(x_test)} test images")


def batches(x, y, batch_size=128, shuffle=False):
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        data = data.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


train_data, val_data = batches(x_train, y_train, shuffle=True), batches(x_val, y_val, 512)

# %% [markdown]
# ## Softmax and cross-entropy, with numbers
#
# The last layer has 10 units, one score (a **logit**) per digit. Softmax
# turns scores into probabilities that are positive and sum to one:
# $p_k = e^{z_k} / \sum_j e^{z_j}$. The loss for one image is the
# **cross-entropy** $-\ln p_{\text{true}}$: zero when the network gives the
# right class probability 1, large when it is confident and wrong. Keras uses
# the natural logarithm, as here. Take three classes for clarity:

# %%
logits = np.array([2.0, 1.0, 0.1])
probabilities = np.exp(logits) / np.exp(logits).sum()
print("softmax:", probabilities.round(3), " sum =", probabilities.sum())
for true_class in range(3):
    print(f"if the true class is {true_class}: cross-entropy = -ln({probabilities[true_class]:.3f}) "
          f"= {-np.log(probabilities[true_class]):.3f}")
keras_loss = keras.losses.SparseCategoricalCrossentropy()(np.array([0]), probabilities[None, :])
print(f"Keras agrees for class 0: {float(keras_loss):.3f}")

# %% [markdown]
# Guessing uniformly among 10 classes gives $-\ln(1/10) \approx 2.30$: the
# loss of an untrained network should start near that value.

# %% [markdown]
# ## The 64-64-10 network
#
# Two hidden layers of 64 ReLU units, then 10 softmax outputs.

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
# Where the 55,050 parameters come from: each `Dense` layer has one weight
# per (input, unit) pair plus one bias per unit.
#
# | layer | weights | biases | total |
# | --- | --- | --- | --- |
# | 784 -> 64 | 784 x 64 = 50,176 | 64 | 50,240 |
# | 64 -> 64 | 64 x 64 = 4,096 | 64 | 4,160 |
# | 64 -> 10 | 64 x 10 = 640 | 10 | 650 |
#
# Nearly all of them sit in the first layer, which sees every pixel.

# %% [markdown]
# ## Exercise 1: count parameters
#
# How many parameters does a 784 -> 128 -> 10 network have?

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
# cost of the networks later.

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
test_loss, test_acc = mlp.evaluate(x_test_scaled, y_test, verbose=0)
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
# Same data, same number of epochs, same optimiser; only the shape changes.
# Watch three numbers: test accuracy, parameters, and time per epoch.
#
# **Slow cell**: it trains two more networks (README.md lists measured times
# per epoch).

# %%
variants = {"512-512 (wide)": ((512, 512), "mlp_512_512"), "64 x 6 (deep)": ((64,) * 6, "mlp_64x6")}
results, histories = {}, {"64-64 (baseline)": history.history}
results["64-64 (baseline)"] = (mlp.count_params(), test_acc, float(np.median(timer.seconds)))
for label, (hidden, name) in variants.items():
    keras.utils.set_random_seed(42)
    model = make_mlp(hidden, name=name)
    timer = EpochTimer()
    histories[label] = model.fit(train_data, validation_data=val_data, epochs=epochs, callbacks=[timer],
                                 verbose=0).history
    _, accuracy = model.evaluate(x_test_scaled, y_test, verbose=0)
    results[label] = (model.count_params(), accuracy, float(np.median(timer.seconds)))

print(f"{'network':>18} {'parameters':>11} {'test accuracy':>14} {'s / epoch':>10}")
for label, (params, accuracy, seconds) in results.items():
    print(f"{label:>18} {params:>11,} {accuracy:>14.4f} {seconds:>10.2f}")

# %%
fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(13, 4))
for i, (label, hist) in enumerate(histories.items()):
    epochs_axis = np.arange(1, len(hist["loss"]) + 1)
    ax_acc.plot(epochs_axis, hist["val_accuracy"], f"C{i}-o", label=label)
    ax_loss.plot(epochs_axis, hist["loss"], f"C{i}-", label=f"{label}: training")
    ax_loss.plot(epochs_axis, hist["val_loss"], f"C{i}--", label=f"{label}: validation")
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="Accuracy on held-out images")
ax_loss.set(xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log", title="Loss curves")
ax_acc.legend()
ax_loss.legend(fontsize="small");

# %% [markdown]
# What the table and curves usually show (full mode makes it clearer):
# twelve times the parameters buy a small gain in accuracy; the wide network's
# training loss keeps falling while its validation loss flattens or rises, the
# over-fitting signature from lesson 02; the deep one trains no better and
# costs more per epoch. A dense network treats a pixel in the top-left corner
# as unrelated to its neighbour, so it must learn every stroke at every
# position separately. The next lesson's convolutional networks build in what
# we know about images, and do better with far fewer parameters.

# %% [markdown]
# ## Did it learn?

# %%
for label, (params, accuracy, seconds) in results.items():
    record(f"{label} seconds per epoch", seconds, "s")
floor("64-64-10 test accuracy", test_acc, at_least=bootcamp.choose(full=0.965, quick=0.90))
floor("best dense test accuracy", max(r[1] for r in results.values()), at_least=bootcamp.choose(full=0.975, quick=0.90))

# %% [markdown]
# ## What to remember
#
# * Softmax turns scores into probabilities; cross-entropy, $-\ln p_{\text{true}}$,
#   punishes confident mistakes hardest. Chance level on 10 classes is 2.30.
# * Parameter counts follow from the layer shapes; the first dense layer of an
#   image model dominates.
# * Bigger dense networks cost much more for little gain: the architecture,
#   not the size, is what needs to change.
