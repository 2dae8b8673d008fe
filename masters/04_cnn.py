# %% [markdown]
# # 04 · Convolutional networks
#
# A dense network must learn a "7" separately at every position in the image.
# A **convolutional** network slides one small set of weights, a *kernel*,
# across the whole image, so a stroke detector learned in one corner works
# everywhere: far fewer parameters, and the right assumption for images.
# We build convolution up from a few lines of NumPy, apply classic kernels to a
# real photograph with OpenCV, work out layer shapes, and then train CNNs on
# MNIST and on the harder Fashion-MNIST.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import time

import cv2
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from scipy.signal import correlate2d
from sklearn.datasets import load_sample_image
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

from bootcamp.checks import floor, record
from bootcamp.data import load_fashion_mnist, load_mnist

# %% [markdown]
# ## A convolution by hand
#
# Lay the kernel over a patch of the image, multiply element by element, sum:
# that is one output pixel. Slide by one pixel and repeat. (Strictly this is a
# *cross-correlation*; deep-learning libraries call it convolution and skip
# flipping the kernel, since the kernel is learned anyway.)

# %%
def convolve(image, kernel):
    """'Valid' 2-D convolution as deep-learning layers compute it (no flip)."""
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh + 1, image.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


image = np.zeros((6, 6))
image[:, 3:] = 1.0                                  # dark left half, bright right half
vertical_edge = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)   # Sobel x
response = convolve(image, vertical_edge)
print("image:\n", image, "\nresponse (4 x 4):\n", response)
assert np.allclose(response, correlate2d(image, vertical_edge, mode="valid"))

# %% [markdown]
# The response is large only where the window straddles the edge, and the
# output is smaller than the input: a 3 x 3 kernel fits $6 - 3 + 1 = 4$ times
# along each side.
#
# ## Classic kernels on a real photograph
#
# scikit-learn ships two real photographs (from the ImageNet collection,
# under a Creative Commons licence). `load_sample_image` returns **RGB**
# channel order, so the grey conversion must use `COLOR_RGB2GRAY`; OpenCV's
# own image reader would give BGR, the classic source of swapped colours.

# %%
photo = load_sample_image("china.jpg")                     # (427, 640, 3) uint8, RGB
grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
box_blur = np.ones((7, 7), np.float32) / 49.0
blurred = cv2.filter2D(grey, -1, box_blur)
gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)            # change from left to right
gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)            # change from top to bottom
magnitude = np.sqrt(gx**2 + gy**2)

panels = [("original (RGB)", photo, None), ("7 x 7 box blur", blurred, "gray"),
          ("Sobel Gx: vertical edges", gx, "RdBu_r"), ("Sobel Gy: horizontal edges", gy, "RdBu_r"),
          ("gradient magnitude G = sqrt(Gx² + Gy²)", magnitude, "magma")]
fig, axes = plt.subplots(1, 5, figsize=(20, 3.6))
for ax, (title, img, cmap) in zip(axes, panels):
    signed = cmap == "RdBu_r"                       # Gx, Gy: symmetric colour scale around zero
    limit = np.percentile(np.abs(img), 99) if signed else None
    ax.imshow(img, cmap=cmap, vmin=-limit if signed else None, vmax=limit)
    ax.set_title(title, fontsize=10)
    ax.axis("off")

# %% [markdown]
# A CNN's first layer learns kernels much like these, edge and blob
# detectors, directly from the data; deeper layers combine them into strokes,
# textures and parts.
#
# ## Exercise 1: a horizontal-edge kernel
#
# Write a 3 x 3 `kernel` that responds to horizontal edges (brightness
# changing from top to bottom) but not to vertical ones.

# %% tags=["exercise"]
# TODO: kernel = a 3 x 3 NumPy array
# BEGIN SOLUTION
kernel = vertical_edge.T
# END SOLUTION
# BEGIN STARTER
kernel = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import cnn

cnn.horizontal_edge_kernel(kernel)

# %% [markdown]
# ## Stride, padding, pooling: the shape arithmetic
#
# For an input of width $n$, kernel $k$, padding $p$ and stride $s$ the
# output width is
#
# $$ n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 .$$
#
# Keras' `padding="valid"` means $p = 0$; `padding="same"` pads so that
# $n_\text{out} = \lceil n / s \rceil$. Pooling layers use the same formula
# with the pool size as $k$. Let's check the formula against Keras itself.

# %%
def out_width(n, k, s=1, p=0):
    return (n + 2 * p - k) // s + 1


print(f"{'layer':>38} {'formula':>8} {'Keras':>6}")
for k, s in [(3, 1), (5, 1), (3, 2), (5, 2)]:
    keras_width = keras.layers.Conv2D(8, k, strides=s).compute_output_shape((None, 28, 28, 1))[1]
    print(f"{f'Conv2D k={k} s={s} valid on 28 x 28':>38} {out_width(28, k, s):>8} {keras_width:>6}")
same = keras.layers.Conv2D(8, 3, strides=2, padding="same").compute_output_shape((None, 28, 28, 1))[1]
print(f"{'Conv2D k=3 s=2 same on 28 x 28':>38} {out_width(28, 3, 2, p=1):>8} {same:>6}")
pooled = keras.layers.MaxPooling2D(2).compute_output_shape((None, 28, 28, 8))[1]
print(f"{'MaxPooling2D 2 x 2 on 28 x 28':>38} {out_width(28, 2, 2):>8} {pooled:>6}")

# %% [markdown]
# ## Exercise 2: output size
#
# What is the output width of a 5 x 5 convolution with stride 2 and no
# padding on a 28 x 28 image?

# %% tags=["exercise"]
# TODO: out_size for n=28, k=5, s=2, p=0
# BEGIN SOLUTION
out_size = (28 - 5) // 2 + 1
# END SOLUTION
# BEGIN STARTER
out_size = None
# END STARTER

# %% tags=["selfcheck"]
cnn.output_size(out_size, n=28, k=5, s=2)

# %% [markdown]
# ## Data: MNIST again
#
# Same loader as lesson 03. Convolutional layers expect a channel axis, so
# each image becomes 28 x 28 x 1. In quick mode the same code trains on a
# subset for fewer epochs.

# %%
(x_train_all, y_train_all), (x_test_raw, y_test) = load_mnist(allow_fallback=True)
n_train = bootcamp.choose(full=54_000, quick=6_000)
n_val = bootcamp.choose(full=6_000, quick=1_000)
epochs = bootcamp.choose(full=12, quick=3)
width = bootcamp.choose(full=32, quick=16)          # filters in the first stage; quick mode halves them


def prepare(x):
    return (x.astype("float32") / 255.0)[..., None]


def batches(x, y, batch_size=128, shuffle=False):
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        data = data.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


x_train, y_train = prepare(x_train_all[:n_train]), y_train_all[:n_train]
x_val, y_val = prepare(x_train_all[-n_val:]), y_train_all[-n_val:]
x_test = prepare(x_test_raw)
train_data, val_data = batches(x_train, y_train, shuffle=True), batches(x_val, y_val, 512)
print(f"{len(x_train)} training, {len(x_val)} validation, {len(x_test)} test images, {epochs} epochs, "
      f"{width} filters in the first stage")

# %% [markdown]
# ## Three CNNs, built from the same pieces
#
# * **small**: two convolution + pooling stages, then the classifier;
# * **deeper**: two convolutions per stage before each pooling, a dense layer;
# * **regularised**: the deeper one with batch normalisation after each
#   convolution and dropout before the classifier (lesson 02's tools).
#
# Every one ends in 10 softmax units, as before.

# %%
def conv_block(x, filters, n_conv, batch_norm):
    for _ in range(n_conv):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm)(x)
        if batch_norm:
            # momentum 0.9: the running statistics used at test time settle
            # within tens of steps (the default, 0.99, needs hundreds)
            x = keras.layers.BatchNormalization(momentum=0.9)(x)
        x = keras.layers.Activation("relu")(x)
    return keras.layers.MaxPooling2D(2)(x)


def make_cnn(kind, dropout=0.4, input_shape=(28, 28, 1)):
    deep, regularised = kind in ("deeper", "regularised"), kind == "regularised"
    inputs = keras.Input(shape=input_shape)
    x = conv_block(inputs, width, 2 if deep else 1, regularised)
    x = conv_block(x, 2 * width, 2 if deep else 1, regularised)
    x = keras.layers.Flatten()(x)
    if regularised:
        x = keras.layers.Dropout(dropout)(x)
    if deep:
        x = keras.layers.Dense(128, activation="relu")(x)
    if regularised:
        x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name=f"cnn_{kind}")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


make_cnn("small").summary()

# %% [markdown]
# ## Exercise 3: parameters of a convolution
#
# A `Conv2D(64, 3)` layer on a 32-channel input: each of the 64 filters spans
# all 32 input channels with a 3 x 3 window, plus one bias. How many
# parameters? (In full mode this is the second `Conv2D` row of the summary
# above; quick mode halves the filters.)

# %% tags=["exercise"]
# TODO: n_params for Conv2D(64, 3) on 32 input channels
# BEGIN SOLUTION
n_params = 3 * 3 * 32 * 64 + 64
# END SOLUTION
# BEGIN STARTER
n_params = None
# END STARTER

# %% tags=["selfcheck"]
cnn.conv_parameters(n_params, k=3, c_in=32, c_out=64)

# %% [markdown]
# ## Train and compare
#
# Each run logs to TensorBoard: scalars (loss, accuracy), the model graph and
# weight histograms. A dense 64-64-10 network from lesson 03 is trained on the
# same images for reference.
#
# **Slow cell**: four trainings. In full mode each CNN takes many minutes on a
# laptop CPU and well under a minute on a GPU; README.md lists measured times.

# %%
log_root = bootcamp.logs_dir("04_cnn", fresh=True)


def dense_reference():
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")], name="dense_64_64")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def train(model, train_data, val_data, run_name):
    keras.utils.set_random_seed(42)
    board = keras.callbacks.TensorBoard(log_dir=str(log_root / run_name), histogram_freq=1, write_graph=True)
    start = time.perf_counter()
    history = model.fit(train_data, validation_data=val_data, epochs=epochs, callbacks=[board], verbose=0)
    return history.history, (time.perf_counter() - start) / epochs


mnist_results, mnist_histories, mnist_models = {}, {}, {}
for kind in ["dense 64-64", "small", "deeper", "regularised"]:
    keras.utils.set_random_seed(42)
    model = dense_reference() if kind.startswith("dense") else make_cnn(kind)
    mnist_histories[kind], seconds = train(model, train_data, val_data, f"mnist_{kind.split()[0]}")
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    mnist_results[kind] = (model.count_params(), accuracy, seconds)
    mnist_models[kind] = model
    print(f"{kind:>12}: {model.count_params():>9,} parameters, test accuracy {accuracy:.4f}, {seconds:5.1f} s/epoch")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for i, (kind, hist) in enumerate(mnist_histories.items()):
    ax.plot(np.arange(1, len(hist["val_accuracy"]) + 1), hist["val_accuracy"], f"C{i}-o", label=kind)
ax.set(xlabel="epoch", ylabel="validation accuracy", title="MNIST: dense vs convolutional networks")
ax.legend();

# %% [markdown]
# The small CNN typically beats the dense network with fewer parameters, the
# payoff of sharing weights across positions. Depth adds capacity; batch norm
# and dropout let it train fast without over-fitting. In full mode the
# regularised CNN reaches the level of Keras' reference MNIST CNN (README.md
# gives the measured accuracy).
#
# ## Fashion-MNIST: the drop-in harder problem
#
# Same shapes, same number of classes, but clothing instead of digits, and
# several classes (shirt, T-shirt, pullover, coat) look alike. The same code
# runs unchanged.

# %%
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
(fx_all, fy_all), (fx_test_raw, fy_test) = load_fashion_mnist(allow_fallback=True)
fx_train, fy_train = prepare(fx_all[:n_train]), fy_all[:n_train]
fx_val, fy_val = prepare(fx_all[-n_val:]), fy_all[-n_val:]
fx_test = prepare(fx_test_raw)
f_train_data, f_val_data = batches(fx_train, fy_train, shuffle=True), batches(fx_val, fy_val, 512)
# Harder to fit than MNIST: with MNIST's dropout the CNN under-fits (its training
# accuracy stays below its validation accuracy), so it gets less.
fashion_dropout = 0.2

fig, axes = plt.subplots(2, 8, figsize=(12, 3.6))
for ax, img, label in zip(axes.flat, fx_all, fy_all):
    ax.imshow(img, cmap="gray_r")
    ax.set_title(CLASS_NAMES[label], fontsize=8)
    ax.axis("off")

# %%
fashion_results, fashion_models = {}, {}
for kind in ["small", "regularised"]:
    model = make_cnn(kind, dropout=fashion_dropout)
    _, seconds = train(model, f_train_data, f_val_data, f"fashion_{kind}")
    _, accuracy = model.evaluate(fx_test, fy_test, verbose=0)
    fashion_results[kind], fashion_models[kind] = (model.count_params(), accuracy, seconds), model
    print(f"Fashion-MNIST {kind:>12}: test accuracy {accuracy:.4f}, {seconds:.1f} s/epoch")
best_kind = max(fashion_results, key=lambda k: fashion_results[k][1])
best_fashion = fashion_models[best_kind]

# %% [markdown]
# ### Where does it go wrong?
#
# A confusion matrix counts, for each true class (row), how the test images
# were classified (column). The labels come from the same `CLASS_NAMES` list
# as the training labels, so rows and columns cannot be mislabelled.

# %%
f_probabilities = best_fashion.predict(fx_test, verbose=0)
f_predicted = f_probabilities.argmax(axis=1)
matrix = confusion_matrix(fy_test, f_predicted, labels=range(10))
fig, ax = plt.subplots(figsize=(8, 7))
ConfusionMatrixDisplay(matrix, display_labels=CLASS_NAMES).plot(ax=ax, xticks_rotation=45, colorbar=False)
ax.set_title(f"Fashion-MNIST test set, {best_kind} CNN");

# %% [markdown]
# The most instructive errors are the *confident* ones: the test images where
# the network gave the wrong class the highest probability.

# %%
wrong = np.flatnonzero(f_predicted != fy_test)
worst = wrong[np.argsort(-f_probabilities[wrong, f_predicted[wrong]])][:12]
fig, axes = plt.subplots(2, 6, figsize=(13, 5))
for ax, i in zip(axes.flat, worst):
    ax.imshow(fx_test_raw[i], cmap="gray_r")
    ax.set_title(f"true: {CLASS_NAMES[fy_test[i]]}\nsaid: {CLASS_NAMES[f_predicted[i]]} "
                 f"({f_probabilities[i, f_predicted[i]]:.0%})", fontsize=8)
    ax.axis("off")
fig.suptitle("The 12 most confident mistakes");

# %% [markdown]
# ## TensorBoard
#
# The *Scalars* tab overlays the runs of this lesson, *Graphs* shows each
# model, *Histograms* how the weights of every layer moved during training.

# %%
from bootcamp import tensorboard

tensorboard.show(log_root)

# %% [markdown]
# ## Optional: residual connections
#
# *This section is optional: skip it in a short workshop.*
#
# Stacking more layers should never hurt, since extra layers could learn to
# pass their input through unchanged. In practice plain deep networks get
# *harder* to train as they grow: gradients shrink on their way back through
# many layers. A **residual block** computes $x + F(x)$ instead of $F(x)$:
# doing nothing is now the easy default ($F = 0$), and the identity path
# carries gradients straight back to early layers. This is what made networks
# of 50-150 layers (ResNets) trainable.

# %%
def residual_block(x, filters):
    shortcut = x
    if x.shape[-1] != filters:                              # match channels with a 1 x 1 convolution
        shortcut = keras.layers.Conv2D(filters, 1, use_bias=False)(x)
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    y = keras.layers.BatchNormalization(momentum=0.9)(y)
    y = keras.layers.Activation("relu")(y)
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = keras.layers.BatchNormalization(momentum=0.9)(y)
    return keras.layers.Activation("relu")(keras.layers.Add()([shortcut, y]))


def make_resnet():
    inputs = keras.Input(shape=(28, 28, 1))
    x = residual_block(inputs, width)
    x = keras.layers.MaxPooling2D(2)(x)
    x = residual_block(x, 2 * width)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="small_resnet")
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


resnet = make_resnet()
_, seconds = train(resnet, f_train_data, f_val_data, "fashion_resnet")
_, resnet_accuracy = resnet.evaluate(fx_test, fy_test, verbose=0)
fashion_results["small ResNet"] = (resnet.count_params(), resnet_accuracy, seconds)
print(f"small ResNet: {resnet.count_params():,} parameters, Fashion-MNIST test accuracy {resnet_accuracy:.4f}")

# %% [markdown]
# ## Results

# %%
print(f"{'dataset':>14} {'model':>14} {'parameters':>11} {'test accuracy':>14} {'s / epoch':>10}")
for name, table in (("MNIST", mnist_results), ("Fashion-MNIST", fashion_results)):
    for kind, (params, accuracy, seconds) in table.items():
        print(f"{name:>14} {kind:>14} {params:>11,} {accuracy:>14.4f} {seconds:>10.1f}")
        record(f"{name} {kind} test accuracy", accuracy)

# %% [markdown]
# ## Mini-challenge: beat the best Fashion-MNIST accuracy
#
# Rules: train only on `fx_train` / `fy_train` (validate on `fx_val`),
# touch `fx_test` only through the scoring cell, report one number. Ideas:
# more filters, another block, a learning-rate schedule, longer training with
# early stopping, small random shifts as augmentation.

# %%
target = max(acc for _, acc, _ in fashion_results.values())
my_model = None        # replace with your trained keras.Model
cnn.challenge(my_model, fx_test, fy_test, target);

# %% [markdown]
# ## Did it learn?

# %%
floor("MNIST best CNN test accuracy", max(mnist_results[k][1] for k in ("small", "deeper", "regularised")),
      at_least=bootcamp.choose(full=0.992, quick=0.95))
floor("MNIST small CNN beats the dense net", mnist_results["small"][1] - mnist_results["dense 64-64"][1],
      at_least=bootcamp.choose(full=0.005, quick=0.0))
floor("Fashion-MNIST best CNN test accuracy", max(acc for _, acc, _ in fashion_results.values()),
      at_least=bootcamp.choose(full=0.92, quick=0.78))

# %% [markdown]
# ## What to remember
#
# * A convolution slides one small kernel over the image: few parameters,
#   the same detector everywhere.
# * Output width $= \lfloor (n + 2p - k)/s \rfloor + 1$; pooling shrinks,
#   `padding="same"` keeps the size.
# * Read a confusion matrix and look at confident mistakes before trusting an
#   accuracy.
# * Residual connections make deep networks trainable.
