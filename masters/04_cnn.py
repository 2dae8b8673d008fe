# %% [markdown]
# # 04 · Convolutional networks
#
# Lesson 03's dense networks must learn a "7" separately at every position in
# the image. A **convolutional** network slides one small set of weights, a
# *kernel*, across the whole image, so a stroke detector learned in one corner
# works everywhere: far fewer parameters, and the right assumption for images.
#
# The plan: a convolution written out in NumPy; classic kernels (blur, edge
# detectors) applied to a real photograph with OpenCV; the arithmetic of
# stride, padding and pooling; then CNNs trained on MNIST and on the harder
# Fashion-MNIST, with a confusion matrix, the worst mistakes, TensorBoard, an
# optional residual network and a closing challenge.

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
from bootcamp.plots_images import filter_panels, image_grid

# %% [markdown]
# ## A convolution by hand
#
# Lay the kernel over a patch of the image, multiply element by element, and
# add up: that is one output pixel. Shift by one pixel and repeat. (Strictly
# this is a *cross-correlation*: the mathematical convolution flips the kernel
# first. Deep-learning libraries and OpenCV's `filter2D` skip the flip, and
# since a network learns its kernels, the difference does not matter.)

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
print("image:\n", image, "\nkernel:\n", vertical_edge, "\nresponse (4 x 4):\n", response)
assert np.allclose(response, correlate2d(image, vertical_edge, mode="valid"))   # SciPy agrees

# %% [markdown]
# The response is large only where the window straddles the edge, and zero on
# flat regions because the kernel's weights sum to zero. The output is smaller
# than the input: a 3 x 3 kernel fits $6 - 3 + 1 = 4$ times along each side.
#
# ## Classic kernels on a real photograph
#
# scikit-learn ships two real photographs. `china.jpg` is by Daniel Büchele,
# published on Flickr under the Creative Commons Attribution 2.0 licence
# (CC BY 2.0), as the README.txt next to the image in scikit-learn states.
# `load_sample_image` returns it as a 427 x 640 x 3 array in **RGB** channel
# order, so the grey conversion must be `COLOR_RGB2GRAY`. OpenCV's own
# `cv2.imread` gives **BGR** order instead; mixing the two swaps the red and
# blue weights of the grey conversion and the colours of every display, a
# classic silent bug.
#
# Four filters, each a small kernel slid over the grey image:
#
# * a 7 x 7 **box blur**: every weight 1/49, so each pixel becomes the mean of
#   its neighbourhood;
# * **Sobel Gx**: the kernel of the previous cell, the change from left to
#   right, which lights up *vertical* edges (positive dark-to-bright, negative
#   bright-to-dark);
# * **Sobel Gy**: its transpose, the change from top to bottom, *horizontal*
#   edges;
# * the **gradient magnitude** $G = \sqrt{G_x^2 + G_y^2}$: edge strength in
#   any direction.

# %%
photo = load_sample_image("china.jpg")                     # (427, 640, 3) uint8, RGB order
grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
box_blur = np.ones((7, 7), np.float32) / 49.0
blurred = cv2.filter2D(grey, -1, box_blur)
gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)            # d/dx: change from left to right
gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)            # d/dy: change from top to bottom
magnitude = np.sqrt(gx**2 + gy**2)
print(f"photo {photo.shape} {photo.dtype}; grey {grey.shape}, values {grey.min():.2f} to {grey.max():.2f}")

# %% [markdown]
# Is OpenCV doing what our loop does? On a small crop, its general-purpose
# `filter2D` with our Sobel kernel must match `convolve` (away from the border,
# where OpenCV pads and our "valid" loop stops), and `cv2.Sobel` must match
# both.

# %%
crop = grey[200:230, 300:330]
ours = convolve(crop, vertical_edge)
opencv = cv2.filter2D(crop, -1, vertical_edge.astype(np.float32))[1:-1, 1:-1]
print(f"largest difference, NumPy loop vs cv2.filter2D: {np.abs(ours - opencv).max():.1e}; "
      f"cv2.filter2D vs cv2.Sobel: {np.abs(opencv - gx[201:229, 301:329]).max():.1e}")

# %%
filter_panels([("original (RGB)", photo), ("7 x 7 box blur", blurred), ("Sobel Gx: vertical edges", gx),
               ("Sobel Gy: horizontal edges", gy), ("magnitude G = sqrt(Gx² + Gy²)", magnitude)],
              signed=("Sobel Gx: vertical edges", "Sobel Gy: horizontal edges"), size=3.6,
              title="One photograph, four kernels (red: positive, blue: negative response)");

# %% [markdown]
# The blur removes fine detail; Gx picks out the upright lines of the
# building, Gy the horizontal roof lines and steps; the magnitude combines
# both into an outline drawing. The first layer of a trained CNN ends up with
# kernels much like these, edge and blob detectors, learned from the data
# rather than designed; deeper layers combine them into strokes, textures and
# object parts.
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
# * **Stride** $s$: how far the kernel moves between outputs. Stride 2 skips
#   every other position and halves the output.
# * **Padding** $p$: zeros added around the border so the kernel can also sit
#   on edge pixels. Keras' `padding="valid"` adds none ($p = 0$);
#   `padding="same"` adds just enough that the output has $\lceil n / s \rceil$
#   pixels, the input size when $s = 1$.
# * **Pooling** summarises each window, `MaxPooling2D(2)` keeping the largest
#   of every 2 x 2 block: half the width and height, no weights, and a little
#   tolerance to small shifts.
#
# For an input of width $n$, a kernel (or pool) of width $k$, padding $p$ and
# stride $s$, the output width is
#
# $$ n_\text{out} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1 .$$
#
# Let's check the formula against the shapes Keras computes for its layers.

# %%
def out_width(n, k, s=1, p=0):
    return (n + 2 * p - k) // s + 1


checks = [("Conv2D 3x3, stride 1, valid", keras.layers.Conv2D(8, 3), 3, 1, 0),
          ("Conv2D 5x5, stride 1, valid", keras.layers.Conv2D(8, 5), 5, 1, 0),
          ("Conv2D 3x3, stride 2, valid", keras.layers.Conv2D(8, 3, strides=2), 3, 2, 0),
          ("Conv2D 3x3, stride 1, same", keras.layers.Conv2D(8, 3, padding="same"), 3, 1, 1),
          ("Conv2D 3x3, stride 2, same", keras.layers.Conv2D(8, 3, strides=2, padding="same"), 3, 2, 1),
          ("MaxPooling2D 2x2", keras.layers.MaxPooling2D(2), 2, 2, 0),
          ("MaxPooling2D 3x3, stride 2", keras.layers.MaxPooling2D(3, strides=2), 3, 2, 0)]
print(f"{'layer on a 28 x 28 input':>30} {'formula':>8} {'Keras':>6}")
for name, layer, k, s, p in checks:
    keras_width = layer.compute_output_shape((None, 28, 28, 1))[1]
    print(f"{name:>30} {out_width(28, k, s, p):>8} {keras_width:>6}")
    assert keras_width == out_width(28, k, s, p)

# %% [markdown]
# ## Exercise 2: output size
#
# What is the output width of a 5 x 5 convolution with stride 2 and no
# padding on a 28 x 28 image? Write it with the formula.

# %% tags=["exercise"]
# TODO: out_size for n=28, k=5, s=2, p=0
# BEGIN SOLUTION
out_size = (28 + 2 * 0 - 5) // 2 + 1
# END SOLUTION
# BEGIN STARTER
out_size = None
# END STARTER

# %% tags=["selfcheck"]
cnn.output_size(out_size, n=28, k=5, s=2)

# %% [markdown]
# ## Data: MNIST again
#
# Same loader and split as lesson 03: the last 6,000 training images for
# validation, and for the test score **always the full 10,000 test images**,
# in quick mode too. Convolutional layers expect a channel axis (1 for grey,
# 3 for colour), so each image becomes 28 x 28 x 1.
#
# Quick mode runs the same code on 6,000 training images for 3 epochs, with
# half the filters; full mode trains on 54,000 images for 15 epochs.

# %%
(x_train_all, y_train_all), (x_test_raw, y_test) = load_mnist()
n_train = bootcamp.choose(full=54_000, quick=6_000)
n_val = bootcamp.choose(full=6_000, quick=1_000)
epochs = bootcamp.choose(full=15, quick=3)
width = bootcamp.choose(full=32, quick=16)          # filters in the first stage; quick mode halves them
batch_size = 128


def prepare(x):
    return (x.astype("float32") / 255.0)[..., None]


def batches(x, y, batch_size=batch_size, shuffle=False):
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        data = data.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


x_train, y_train = prepare(x_train_all[:n_train]), y_train_all[:n_train]
x_val, y_val = prepare(x_train_all[-n_val:]), y_train_all[-n_val:]
x_test = prepare(x_test_raw)
train_data, val_data = batches(x_train, y_train, shuffle=True), batches(x_val, y_val, 1000)
print(f"{len(x_train)} training, {len(x_val)} validation, {len(x_test)} test images of shape {x_train.shape[1:]}; "
      f"{epochs} epochs, {width} filters in the first stage")

# %% [markdown]
# ## Three CNNs, built from the same pieces
#
# * **small**: two stages of convolution (3 x 3, ReLU) and 2 x 2 max pooling,
#   then the 10-way softmax classifier;
# * **deeper**: two convolutions per stage, and a dense layer of 128 units
#   before the classifier;
# * **regularised**: the deeper one with **batch normalisation** after each
#   convolution and **dropout** before and after the dense layer, lesson 02's
#   tools.
#
# The filters double from stage to stage (32 then 64 in full mode) while
# pooling halves the image: each stage trades resolution for more kinds of
# feature.
#
# All of them train with Adam at a learning rate of 0.002 for the first two
# thirds of the epochs and a tenth of that for the last third. The large
# steps make fast progress; the small ones at the end let the weights settle
# into a minimum instead of jittering around it, which is worth a few tenths
# of a percent of accuracy at this level.

# %%
steps_per_epoch = int(np.ceil(n_train / batch_size))


def make_optimizer():
    """Adam at 2e-3, then 2e-4 for the last third of the epochs."""
    boundary = (2 * epochs // 3) * steps_per_epoch
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([boundary], [2e-3, 2e-4])
    return keras.optimizers.Adam(learning_rate=schedule)


def compile_classifier(model):
    model.compile(optimizer=make_optimizer(), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def conv_block(x, filters, n_conv, batch_norm):
    for _ in range(n_conv):
        # with batch norm right after, a bias would be cancelled by its mean subtraction
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
    return compile_classifier(keras.Model(inputs, outputs, name=f"cnn_{kind}"))


make_cnn("small").summary()

# %% [markdown]
# Read the *Output Shape* column with the formula: `same` padding keeps
# 28 x 28, each pooling halves it (28 -> 14 -> 7), and `Flatten` hands
# $7 \times 7 \times$ (filters) numbers to the classifier. Compare the
# parameter count with the 55,050 of lesson 03's 64-64-10 network.
#
# ## Exercise 3: parameters of a convolution
#
# A `Conv2D(64, 3)` layer on a 32-channel input: each of the 64 filters spans
# all 32 input channels with a 3 x 3 window, and has one bias. How many
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
# ## Train and compare on MNIST
#
# Lesson 03's 64-64-10 dense network is trained again on the same images,
# with the same optimiser and epochs, as the reference. Every run also writes
# TensorBoard logs (looked at further down): the scalars (loss and accuracy
# per epoch), the model graph, and histograms of every layer's weights after
# each epoch (`histogram_freq=1`).

# %%
def dense_reference():
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(64, activation="relu"), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")], name="dense_64_64")
    return compile_classifier(model)


def train(model, train_data, val_data, run_name):
    """Fit with TensorBoard logging; return the history and the seconds per epoch."""
    board = keras.callbacks.TensorBoard(log_dir=str(log_root / run_name), histogram_freq=1, write_graph=True)
    start = time.perf_counter()
    history = model.fit(train_data, validation_data=val_data, epochs=epochs, callbacks=[board], verbose=0)
    return history.history, (time.perf_counter() - start) / epochs


def test_accuracy(model, x, y):
    return float(model.evaluate(x, y, batch_size=1000, verbose=0)[1])

# %% [markdown]
# **Slow cell**: four trainings. In full mode each CNN takes several minutes on
# a laptop CPU (the regularised one the longest) and well under a minute on a
# GPU; README.md lists measured times per epoch.

# %%
log_root = bootcamp.logs_dir("04_cnn", fresh=True)        # logs of earlier runs are removed
mnist_results, mnist_histories = {}, {}
for kind in ["dense 64-64", "small", "deeper", "regularised"]:
    keras.utils.set_random_seed(42)                        # the same start for every network
    model = dense_reference() if kind.startswith("dense") else make_cnn(kind)
    mnist_histories[kind], seconds = train(model, train_data, val_data, f"mnist_{kind.split()[0]}")
    accuracy = test_accuracy(model, x_test, y_test)
    mnist_results[kind] = (model.count_params(), accuracy, seconds)
    print(f"{kind:>12}: {model.count_params():>9,} parameters, test accuracy {accuracy:.4f}, "
          f"{seconds:5.1f} s/epoch")

# %%
fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(13, 4))
for i, (kind, hist) in enumerate(mnist_histories.items()):
    epochs_axis = np.arange(1, len(hist["loss"]) + 1)
    ax_acc.plot(epochs_axis, hist["val_accuracy"], f"C{i}-o", label=kind)
    ax_loss.plot(epochs_axis, hist["loss"], f"C{i}-", label=f"{kind}: training")
    ax_loss.plot(epochs_axis, hist["val_loss"], f"C{i}--", label=f"{kind}: validation")
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="MNIST: dense vs convolutional networks")
ax_loss.set(xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log", title="Loss curves")
for ax in (ax_acc, ax_loss):
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
ax_acc.legend()
ax_loss.legend(fontsize="small");

# %% [markdown]
# The small CNN beats the dense network with fewer parameters: sharing one
# kernel across all positions is the right assumption for images. Depth and
# the dense layer add capacity; without regularisation the training loss of
# the deeper network falls well below its validation loss, while batch norm
# and dropout keep the two together. (Dropout is active only in training, so
# the regularised network's *training* accuracy is measured with a handicap
# and often sits below its validation accuracy.)
#
# The target for full mode is Keras' reference MNIST CNN, 0.9922 test
# accuracy; the regularised network should reach it (the floor at the end of
# the notebook checks; README.md records measured full-mode results).
#
# ## Fashion-MNIST: the drop-in harder problem
#
# Zalando's Fashion-MNIST has exactly MNIST's format (28 x 28 grey images,
# 60,000 + 10,000, 10 classes), so the same code runs unchanged, but the
# images are clothing, and several classes (T-shirt, shirt, pullover, coat)
# look alike. The label numbers mean:

# %%
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
(fx_all, fy_all), (fx_test_raw, fy_test) = load_fashion_mnist()
fx_train, fy_train = prepare(fx_all[:n_train]), fy_all[:n_train]
fx_val, fy_val = prepare(fx_all[-n_val:]), fy_all[-n_val:]
fx_test = prepare(fx_test_raw)
f_train_data, f_val_data = batches(fx_train, fy_train, shuffle=True), batches(fx_val, fy_val, 1000)
# Harder to fit than MNIST: with MNIST's dropout of 0.4 the CNN under-fits
# (its training accuracy stays below its validation accuracy), so it gets less.
fashion_dropout = 0.2
for number, name in enumerate(CLASS_NAMES):
    print(f"{number}: {name:<12} {np.sum(fy_train == number):>6} training images")

# %%
image_grid(fx_all[:24], [f"{label}: {CLASS_NAMES[label]}" for label in fy_all[:24]], ncols=8,
           title="The first 24 Fashion-MNIST training images and their labels");

# %% [markdown]
# **Slow cell**: the small and the regularised CNN on Fashion-MNIST.

# %%
fashion_results, fashion_models = {}, {}
for kind in ["small", "regularised"]:
    keras.utils.set_random_seed(42)
    model = make_cnn(kind, dropout=fashion_dropout)
    _, seconds = train(model, f_train_data, f_val_data, f"fashion_{kind}")
    accuracy = test_accuracy(model, fx_test, fy_test)
    fashion_results[kind], fashion_models[kind] = (model.count_params(), accuracy, seconds), model
    print(f"Fashion-MNIST {kind:>12}: test accuracy {accuracy:.4f}, {seconds:.1f} s/epoch")
best_kind = max(fashion_models, key=lambda kind: fashion_results[kind][1])
best_fashion = fashion_models[best_kind]

# %% [markdown]
# Published test accuracies on Fashion-MNIST, for scale: a multilayer
# perceptron about 0.88, TensorFlow's two-convolution tutorial network 0.916,
# small CNNs 0.925-0.934, the best listed model (a wide residual network)
# 0.967, and people labelling the images by eye 0.835. The target for this lesson's
# best model in full mode is 0.925.
#
# ### Where does it go wrong? The confusion matrix
#
# For every true class (row), how the test images of that class were
# classified (column): the diagonal holds the correct answers. scikit-learn
# counts; we pass the class numbers 0-9 explicitly, in the same order as
# `CLASS_NAMES`, so the names on the axes are the right ones even if some
# class were never predicted.

# %%
f_probabilities = best_fashion.predict(fx_test, batch_size=1000, verbose=0)
f_predicted = f_probabilities.argmax(axis=1)
matrix = confusion_matrix(fy_test, f_predicted, labels=np.arange(len(CLASS_NAMES)))
fig, ax = plt.subplots(figsize=(8, 7))
ConfusionMatrixDisplay(matrix, display_labels=CLASS_NAMES).plot(ax=ax, xticks_rotation=45, colorbar=False)
ax.set(xlabel="predicted class", ylabel="true class",
       title=f"Fashion-MNIST, all {len(fy_test):,} test images: {best_kind} CNN");

# %% [markdown]
# ## Exercise 4: the most confused pair
#
# Off the diagonal, which (true class, predicted class) pair holds the most
# test images? Find it from `matrix` with NumPy (hint: copy the matrix, set
# its diagonal to zero with `np.fill_diagonal`, then `np.unravel_index` of
# the `argmax`), and give the answer as a pair of names from `CLASS_NAMES`:
# `(true name, predicted name)`.

# %% tags=["exercise"]
# TODO: most_confused = (name of the true class, name of the predicted class)
# BEGIN SOLUTION
off_diagonal = matrix.copy()
np.fill_diagonal(off_diagonal, 0)
true_index, predicted_index = np.unravel_index(off_diagonal.argmax(), off_diagonal.shape)
most_confused = (CLASS_NAMES[true_index], CLASS_NAMES[predicted_index])
print(f"{off_diagonal.max()} test images of class {most_confused[0]} were called {most_confused[1]}")
# END SOLUTION
# BEGIN STARTER
most_confused = None
# END STARTER

# %% tags=["selfcheck"]
cnn.most_confused_pair(most_confused, matrix, CLASS_NAMES)

# %% [markdown]
# ### The worst mistakes
#
# The most instructive errors are the *confident* ones: test images where the
# network gave a wrong class the highest probability. Are they the network's
# fault, or would you have hesitated too?

# %%
wrong = np.flatnonzero(f_predicted != fy_test)
worst = wrong[np.argsort(-f_probabilities[wrong, f_predicted[wrong]])][:16]
image_grid(fx_test_raw[worst],
           [f"true: {CLASS_NAMES[fy_test[i]]}\nsaid: {CLASS_NAMES[f_predicted[i]]} "
            f"({f_probabilities[i, f_predicted[i]]:.0%})" for i in worst], ncols=8, size=1.6, fontsize=7,
           title=f"The 16 most confident mistakes of the {best_kind} CNN ({len(wrong)} mistakes in all)");

# %% [markdown]
# ## TensorBoard
#
# TensorBoard reads the logs the callback wrote for every run of this lesson:
#
# * **Scalars**: loss and accuracy per epoch, training and validation, for
#   all runs overlaid (tick runs on and off on the left);
# * **Graphs**: each model as a graph of operations; pick a run, and
#   double-click a layer to open it;
# * **Histograms** and **Distributions**: how the weights of every layer
#   spread out or shift from epoch to epoch. Layers whose histograms never
#   move are not learning.
#
# The helper binds TensorBoard to `127.0.0.1` (it has no login). In a
# terminal: `tensorboard --logdir notebooks/logs/04_cnn --host 127.0.0.1`.

# %%
from bootcamp import tensorboard

tensorboard.show(log_root)

# %% [markdown]
# ## Optional: residual connections
#
# > **Optional section.** Skip it in a short workshop: nothing after it
# > depends on it, except that its result joins the table and raises the bar
# > of the challenge.
#
# Adding layers should never hurt in principle, since the extra layers could
# learn to pass their input through unchanged. In practice plain deep stacks
# become *harder* to train as they grow: the gradient reaching the early
# layers is a product of many factors, one per layer, and tends to shrink or
# blow up on the way. A **residual block** outputs $x + F(x)$ instead of
# $F(x)$:
#
# * doing nothing ($F = 0$) is now the easy default, so a block only has to
#   learn a *correction* to its input;
# * the identity path passes the gradient straight back to earlier layers,
#   undiminished, whatever $F$ does.
#
# This skip connection is what made networks of 50 to 150 layers (ResNets)
# trainable. Ours is tiny: a first convolution (the "stem"), then one
# residual block at 14 x 14 and one at 7 x 7, and global average pooling (the
# mean of each feature map) instead of a large dense layer. When the block
# changes the number of channels, a 1 x 1 convolution adapts the shortcut.

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
    return keras.layers.Activation("relu")(keras.layers.Add()([shortcut, y]))   # x + F(x)


def make_resnet():
    inputs = keras.Input(shape=(28, 28, 1))
    x = keras.layers.Conv2D(width, 3, padding="same", use_bias=False)(inputs)   # stem
    x = keras.layers.BatchNormalization(momentum=0.9)(x)
    x = keras.layers.Activation("relu")(x)
    x = keras.layers.MaxPooling2D(2)(x)                                         # 14 x 14
    x = residual_block(x, width)
    x = keras.layers.MaxPooling2D(2)(x)                                         # 7 x 7
    x = residual_block(x, 2 * width)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return compile_classifier(keras.Model(inputs, outputs, name="small_resnet"))


keras.utils.set_random_seed(42)
resnet = make_resnet()
print(f"small ResNet: {resnet.count_params():,} parameters, {len(resnet.layers)} layers")

# %% [markdown]
# **Slow cell** (optional): the small ResNet on Fashion-MNIST.

# %%
_, seconds = train(resnet, f_train_data, f_val_data, "fashion_resnet")
resnet_accuracy = test_accuracy(resnet, fx_test, fy_test)
fashion_results["small ResNet"] = (resnet.count_params(), resnet_accuracy, seconds)
print(f"small ResNet: Fashion-MNIST test accuracy {resnet_accuracy:.4f}, {seconds:.1f} s/epoch")

# %% [markdown]
# Compare it with the regularised CNN in the table below on both columns,
# accuracy and parameters: global average pooling replaces the large dense
# layer, which holds most of the regularised CNN's weights. On images this
# small and this few epochs, skip connections have little to rescue; they
# pay off in networks tens of layers deep, on larger images and datasets.
#
# ## Results
#
# Every network of this lesson, trained with the same optimiser and epochs,
# scored on the full test sets. Lesson 03's dense network is the first row.

# %%
print(f"{'dataset':>14} {'model':>14} {'parameters':>11} {'test accuracy':>14} {'s / epoch':>10}")
for name, table in (("MNIST", mnist_results), ("Fashion-MNIST", fashion_results)):
    for kind, (params, accuracy, seconds) in table.items():
        print(f"{name:>14} {kind:>14} {params:>11,} {accuracy:>14.4f} {seconds:>10.1f}")
        record(f"{name} {kind} test accuracy", accuracy)

# %% [markdown]
# ## Mini-challenge: beat the best Fashion-MNIST accuracy
#
# The bar is the best Fashion-MNIST test accuracy in the table above. Rules:
#
# * train only on `fx_train` / `fy_train`, and choose settings by the
#   validation set `fx_val` / `fy_val`;
# * the score is the accuracy on the fixed test set, all 10,000 images of
#   `fx_test`, computed once by the scoring cell below. Looking at the test
#   set while choosing settings would make the score optimistic.
#
# Ideas: more filters (`width`), a third stage or another residual block,
# training longer, a different dropout, `keras.callbacks.EarlyStopping` with
# `restore_best_weights=True`, or augmentation with small random shifts
# (`keras.layers.RandomTranslation(0.1, 0.1)` as the first layer; it is
# active only during training). For example:
#
# ```python
# my_model = make_cnn("regularised", dropout=0.3)
# my_model.fit(f_train_data, validation_data=f_val_data, epochs=epochs)
# ```

# %%
target = max(accuracy for _, accuracy, _ in fashion_results.values())
my_model = None        # replace with your trained keras.Model
cnn.challenge(my_model, fx_test, fy_test, target);

# %% [markdown]
# ## Did it learn?
#
# The learning floors. Full mode: the best MNIST CNN at the level of Keras'
# reference CNN (0.992), the small CNN clearly ahead of the dense network,
# and the best Fashion-MNIST model at 0.925. Quick mode, on a ninth of the
# images for 3 epochs: 0.95 on MNIST and 0.80 on Fashion-MNIST.

# %%
floor("MNIST best CNN test accuracy", max(mnist_results[kind][1] for kind in ("small", "deeper", "regularised")),
      at_least=bootcamp.choose(full=0.992, quick=0.95))
floor("MNIST small CNN minus dense net", mnist_results["small"][1] - mnist_results["dense 64-64"][1],
      at_least=bootcamp.choose(full=0.005, quick=0.0))
floor("Fashion-MNIST best test accuracy", max(accuracy for _, accuracy, _ in fashion_results.values()),
      at_least=bootcamp.choose(full=0.925, quick=0.80))

# %% [markdown]
# ## What to remember
#
# * A convolution slides one small kernel over the image: few parameters, the
#   same detector everywhere. Blur and edge kernels are hand-made examples of
#   what a CNN's first layer learns.
# * Output width $= \lfloor (n + 2p - k)/s \rfloor + 1$; pooling and stride
#   shrink the image, `padding="same"` keeps its size at stride 1.
# * Channels: OpenCV reads BGR, almost everything else uses RGB. Convert
#   explicitly.
# * Read a confusion matrix and look at the confident mistakes before
#   trusting an accuracy.
# * Residual connections, $x + F(x)$, keep deep networks trainable.
