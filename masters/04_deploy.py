# %% [markdown]
# # 04 · Keep it: augmentation, checkpoints, saving, deploying
#
# Every network of lesson 04 vanished when its kernel stopped. A model worth
# training is worth keeping: this notebook trains a small CNN on
# Fashion-MNIST once, keeps its best epoch, saves it, reloads it, and turns
# it into something another program can call on one new image.
#
# The plan:
#
# 1. **Augmentation layers**: random shifts, zooms, flips and contrast
#    changes of the training images, compared with no augmentation;
# 2. **Save and reload**: a checkpoint of the best epoch, a whole model
#    against its weights only, and what a saved file does not hold;
# 3. **Deploy**: the scaling of the pixels inside the model (and the bug when
#    it is not), one image against a batch, an exported SavedModel, and
#    optionally a TFLite file.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import json
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from bootcamp.checks import floor, record
from bootcamp.data import load_fashion_mnist
from bootcamp.plots_images import image_grid

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# %% [markdown]
# ## Data: the raw pixels, on purpose
#
# The split of lesson 04: the last training images are the **validation**
# set, on which every choice is made; the 10,000 **test** images are scored
# once, at the end, by the model we deploy.
#
# One change: lesson 04 divided the pixels by 255 in NumPy before training.
# Here they stay as the file stores them, whole numbers from 0 to 255
# (`uint8`), and the model does the scaling itself. A deployed model is
# handed images as a camera or a file gives them, and this is how it learns
# to take them. Only the channel axis is added, because `Conv2D` needs one.
#
# Quick mode trains on a small part of the training set: small enough that
# the plain network starts to memorise it within a few epochs, which is the
# problem augmentation addresses.

# %% tags=["split"]
(x_train_all, y_train_all), (x_test_raw, y_test) = load_fashion_mnist()
n_train = bootcamp.choose(full=54_000, quick=800)
n_val = bootcamp.choose(full=6_000, quick=1_000)
epochs = bootcamp.choose(full=15, quick=6)
width = bootcamp.choose(full=32, quick=8)           # filters in the first convolution
batch_size = bootcamp.choose(full=128, quick=64)


def batches(x, y, batch_size=batch_size, shuffle=False):
    data = tf.data.Dataset.from_tensor_slices((x, y)).cache()
    if shuffle:
        data = data.shuffle(len(x), seed=0, reshuffle_each_iteration=True)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)


x_train, y_train = x_train_all[:n_train, ..., None], y_train_all[:n_train]     # uint8, 0 to 255
x_val, y_val = x_train_all[-n_val:, ..., None], y_train_all[-n_val:]
x_test = x_test_raw[..., None]                      # kept aside until the final cells
train_data, val_data = batches(x_train, y_train, shuffle=True), batches(x_val, y_val, 1000)
print(f"{len(x_train):,} training, {len(x_val):,} validation, {len(x_test):,} test images of shape "
      f"{x_train.shape[1:]} and type {x_train.dtype}, values {x_train.min()} to {x_train.max()}; "
      f"{epochs} epochs, {width} filters in the first convolution")

# %% [markdown]
# ## Augmentation: new training images from old ones
#
# A network sees each training image once per epoch, and with enough epochs
# it starts to memorise them. **Augmentation** shows it a slightly different
# version each time, changed in ways that do not change the label: a coat
# shifted by two pixels, zoomed a little, or with less contrast, is still a
# coat. The network has to learn what makes a coat, not where its pixels were.
#
# Which changes keep the label is a question about the data, not about the
# code:
#
# * **left-right flip**: a mirrored sneaker is still a sneaker, so it is fine
#   for clothing. It would not be fine for digits: a mirrored 2 or 7 is no
#   digit at all, and the network would learn from nonsense.
# * **shift** and **zoom**: small ones only. Fashion-MNIST's items are
#   centred and fill the frame; a large shift would push a sleeve out of the
#   picture. The empty border is filled with zeros (`fill_mode="constant"`),
#   the value of these images' background; the default, `"reflect"`, would
#   mirror bits of the garment into it.
# * **contrast**: the same item photographed in other light.
#
# **Where the augmentation runs.** Keras' random layers can sit in the
# `tf.data` pipeline (`data.map(...)`), where they run on the CPU in
# parallel with training, or **inside the model**, where they run on the
# same device as the network and are saved with it. We put them inside the
# model: the images are tiny, so the work is small wherever it runs, and the
# saved model then records how it was trained. Keras' `fit` switches the
# random layers on; `predict` and `evaluate` switch them off, so validation
# and test images are never altered. One trap of this choice comes up in the
# deployment section.
#
# The pipeline of the model: scale the pixels to 0-1 first, then augment, so
# the contrast layer is told that its values run from 0 to 1.

# %%
def make_augmentation():
    return keras.Sequential([
        keras.layers.RandomFlip("horizontal"),                                # left-right only
        keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),      # up to 10% of the side
        keras.layers.RandomZoom(0.1, fill_mode="constant"),                  # 10% in or out
        keras.layers.RandomContrast(0.3, value_range=(0, 1)),
    ], name="augmentation")


augmentation = make_augmentation()
one_coat = np.flatnonzero(y_train == CLASS_NAMES.index("Coat"))[0]
copies = np.repeat(x_train[one_coat:one_coat + 1] / 255, 7, axis=0)       # seven copies of one coat
augmented = keras.ops.convert_to_numpy(augmentation(copies, training=True))   # training=True: switched on
image_grid([copies[0, ..., 0]] + [image[..., 0] for image in augmented],
           ["original"] + [f"augmented {i}" for i in range(1, 8)], ncols=8,
           title="One training coat and seven random augmentations of it");

# %% [markdown]
# ## The model: scaling, augmentation, network
#
# The model is three blocks in a row, each a Keras layer or model of its own,
# so each can be taken out later:
#
# 1. `Rescaling(1/255)` named `scale_pixels`: the preprocessing, inside the
#    model;
# 2. the augmentation (only in the augmented model);
# 3. the `network`: two stages of convolution and pooling, then the 10-way
#    softmax, lesson 04's small CNN.

# %%
def make_network():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(width, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(2 * width, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ], name="network")


def make_model(augment):
    blocks = [keras.Input(shape=(28, 28, 1)), keras.layers.Rescaling(1 / 255, name="scale_pixels")]
    if augment:
        blocks.append(make_augmentation())
    blocks.append(make_network())
    model = keras.Sequential(blocks, name="augmented" if augment else "plain")
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


make_model(augment=True).summary()

# %% [markdown]
# ## Keeping the best epoch: `ModelCheckpoint`
#
# The last epoch is not always the best one: a network that starts to
# memorise gets worse on the validation set while its training loss still
# falls. The callback `ModelCheckpoint(path, monitor="val_loss",
# save_best_only=True)` writes the whole model to `path` after every epoch
# whose validation loss is the lowest so far, and leaves the file alone
# otherwise. When training ends, the file holds the best epoch, whatever
# happened after it. (`EarlyStopping(restore_best_weights=True)` does the
# same in memory, and also stops early; a file survives the kernel.)
#
# The files go into `logs/04_deploy/` next to the notebook, a folder git
# ignores and each run of this notebook empties first. Model files are large
# and made by running code, so they never belong in a repository.
#
# **Slow cell**: two trainings of the same network, without and with
# augmentation, from the same starting weights. In full mode Keras prints a
# line per epoch, and the checkpoint a line each time it saves.

# %%
save_dir = bootcamp.logs_dir("04_deploy", fresh=True)          # files of earlier runs are removed
histories, final_models, checkpoints, seconds = {}, {}, {}, {}
for name in ["plain", "augmented"]:
    keras.utils.set_random_seed(42)                             # the same start for both
    model = make_model(augment=name == "augmented")
    checkpoints[name] = save_dir / f"best_{name}.keras"
    keep_best = keras.callbacks.ModelCheckpoint(str(checkpoints[name]), monitor="val_loss", save_best_only=True,
                                                verbose=bootcamp.choose(full=1, quick=0))
    start = time.perf_counter()
    history = model.fit(train_data, validation_data=val_data, epochs=epochs, callbacks=[keep_best],
                        verbose=bootcamp.choose(full=2, quick=0))
    seconds[name] = (time.perf_counter() - start) / epochs
    histories[name], final_models[name] = history.history, model
    print(f"{name:>10}: validation accuracy after the last epoch {history.history['val_accuracy'][-1]:.4f}, "
          f"{seconds[name]:.1f} s/epoch")

# %% [markdown]
# ### With and without augmentation
#
# The accuracy Keras reports during `fit` is measured on the *augmented*
# images, a harder test than the real ones. For a fair gap we score both
# networks, as they were after the last epoch, on the unaltered training
# images (`evaluate` switches augmentation off) and compare with validation.

# %%
print(f"{'model':>10} {'training acc.':>14} {'validation acc.':>16} {'gap':>7} {'s / epoch':>10}")
gaps = {}
for name, model in final_models.items():
    train_accuracy = model.evaluate(x_train, y_train, batch_size=1000, verbose=0)[1]
    val_accuracy = histories[name]["val_accuracy"][-1]
    gaps[name] = train_accuracy - val_accuracy
    print(f"{name:>10} {train_accuracy:>14.4f} {val_accuracy:>16.4f} {gaps[name]:>+7.4f} {seconds[name]:>10.1f}")
    record(f"{name} validation accuracy", val_accuracy)
    record(f"{name} training minus validation accuracy", gaps[name])
print(f"augmentation changes the gap by {gaps['augmented'] - gaps['plain']:+.4f} and the validation accuracy by "
      f"{histories['augmented']['val_accuracy'][-1] - histories['plain']['val_accuracy'][-1]:+.4f}")

# %%
fig, (ax_acc, ax_loss) = plt.subplots(1, 2, figsize=(13, 4))
for i, (name, history) in enumerate(histories.items()):
    epoch_numbers = np.arange(1, len(history["loss"]) + 1)
    ax_acc.plot(epoch_numbers, history["val_accuracy"], f"C{i}-o", label=name)
    ax_loss.plot(epoch_numbers, history["loss"], f"C{i}-", label=f"{name}: training (as fit saw it)")
    ax_loss.plot(epoch_numbers, history["val_loss"], f"C{i}--", label=f"{name}: validation")
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", title="Fashion-MNIST: without and with augmentation")
ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="Loss per epoch")
for ax in (ax_acc, ax_loss):
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(fontsize="small")

# %% [markdown]
# How to read it: augmentation is a regulariser, like dropout. It makes the
# training task harder, so expect it to **narrow the gap** between training
# and validation accuracy. Whether it also **raises the validation
# accuracy** depends on how long the network trains: the augmented network
# learns a harder task and often trails at first, and the plain one gains
# only until it starts to memorise. Quick mode shows the start of that race;
# full mode runs it longer, on far more images. (Which way full mode's race
# ends has not been measured with this notebook's code: run it and read the
# table.)
#
# ## Exercise 1: which epoch did the checkpoint keep?
#
# `ModelCheckpoint` kept one epoch of the augmented run. Which one? Work it
# out from `histories["augmented"]`, the dictionary of lists that `fit`
# returned (one value per epoch), as the number Keras prints: the first
# epoch is epoch 1. Think about which quantity the callback watched, and
# whether it wanted that quantity large or small.

# %% tags=["exercise"]
# TODO: best_epoch = the epoch (counted from 1) that best_augmented.keras holds
# BEGIN SOLUTION
val_losses = histories["augmented"]["val_loss"]
best_epoch = int(np.argmin(val_losses)) + 1        # argmin counts from 0, Keras' epochs from 1
print(f"epoch {best_epoch} of {len(val_losses)}: validation loss {min(val_losses):.4f}")
# END SOLUTION
# BEGIN STARTER
best_epoch = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import deploy

deploy.checkpoint_epoch(best_epoch, histories["augmented"])

# %% [markdown]
# ## Reload the checkpoints and choose
#
# `keras.models.load_model` rebuilds a model from its file. If the file
# holds the best epoch, the reloaded model must score exactly the lowest
# validation loss of its run. The model with the lower one is **chosen**:
# it is the one we keep, save and deploy.

# %%
best = {name: keras.models.load_model(path) for name, path in checkpoints.items()}
mismatch = 0.0
for name, model in best.items():
    reloaded_loss = model.evaluate(val_data, verbose=0)[0]
    lowest = min(histories[name]["val_loss"])
    mismatch = max(mismatch, abs(reloaded_loss - lowest))
    print(f"{name:>10}: reloaded checkpoint's validation loss {reloaded_loss:.5f}; lowest in its history {lowest:.5f}")
chosen_name = min(best, key=lambda name: min(histories[name]["val_loss"]))
chosen = best[chosen_name]
print(f"chosen on validation loss: the {chosen_name} model")
floor("checkpoint vs best epoch, validation loss difference", mismatch, at_most=1e-4)

# %% [markdown]
# ## Whole model or weights only
#
# Keras saves a model in two ways:
#
# * `model.save("name.keras")`: the **whole model**, one zip file holding the
#   architecture (every layer and its settings), the weights, the compile
#   settings (loss, metrics) and the **optimiser's state** (for Adam, a
#   running mean and variance per weight, and the step count). Reload it with
#   `keras.models.load_model` and you can predict, evaluate or resume
#   training where it stopped, without the code that built it.
# * `model.save_weights("name.weights.h5")`: the **weights only**. To use them
#   you need the code that builds the same architecture; `load_weights` then
#   fills that freshly built model. Its optimiser starts from nothing.
#
# We save the chosen model both ways and check the three copies against
# each other, to the last bit.

# %%
model_file = save_dir / "fashion_cnn.keras"
weights_file = save_dir / "fashion_cnn.weights.h5"
chosen.save(model_file)
chosen.save_weights(weights_file)

reloaded = keras.models.load_model(model_file)              # no code needed: the file has the architecture
rebuilt = make_model(augment=chosen_name == "augmented")    # our code builds the same architecture...
rebuilt.load_weights(weights_file)                          # ...and the file fills in the weights

reference = chosen.predict(x_val, batch_size=1000, verbose=0)
largest = 0.0
for what, model in [("whole model, reloaded", reloaded), ("weights into a rebuilt model", rebuilt)]:
    difference = np.abs(model.predict(x_val, batch_size=1000, verbose=0) - reference).max()
    largest = max(largest, difference)
    print(f"{what:>29}: largest difference from the original's predictions {difference:.1e}, "
          f"optimiser steps taken {int(model.optimizer.iterations.numpy()):,}")
print(f"{'the chosen model itself':>29}: optimiser steps taken {int(chosen.optimizer.iterations.numpy()):,}")
optimiser_numbers = sum(int(np.prod(variable.shape)) for variable in reloaded.optimizer.variables)
print(f"the model has {chosen.count_params():,} weights; the whole-model file also holds {optimiser_numbers:,} "
      "numbers of optimiser state")
floor("reloaded vs original, largest prediction difference", largest, at_most=1e-6)

# %% [markdown]
# The reloaded whole model carries on counting the optimiser's steps; the
# rebuilt one starts at zero, so resuming its training would restart Adam's
# running averages as if from scratch. Those averages are not small: Adam
# keeps two numbers per weight, as the count above shows.
#
# ### What a saved model does not hold
#
# A `.keras` file holds the layers and the numbers in them, nothing else:
#
# * **the data pipeline**: the split, the shuffling, the batching, the
#   augmentation done in `tf.data` (ours is a layer, so it is in the file);
# * **the preprocessing done outside the model**: had we divided by 255 in
#   NumPy, as lesson 04 did, nothing in the file would say so. Our
#   `Rescaling` layer is in the file, and so is the scaling;
# * **the meaning of the outputs**: output 6 is "Shirt" only because of the
#   list in this notebook;
# * **how it was made**: the data version, the settings, the library
#   versions.
#
# Whatever the file does not hold has to travel beside it. A small JSON file
# next to the model is the simplest way:

# %%
card = {"model_file": model_file.name, "input": "28 x 28 x 1 uint8 pixels, 0-255, scaled inside the model",
        "class_names": CLASS_NAMES, "trained_on": f"Fashion-MNIST, first {n_train:,} training images",
        "validation_loss": float(min(histories[chosen_name]["val_loss"])), "keras": keras.__version__,
        "mode": bootcamp.mode_name()}
card_file = save_dir / "fashion_cnn.json"
card_file.write_text(json.dumps(card, indent=2), encoding="utf-8")
print(card_file.read_text(encoding="utf-8"))

# %% [markdown]
# ## Deploy: one raw image at a time
#
# A deployed model lives in another program: a web service, a microscope's
# software, a phone app. It receives images one by one, as they come, with
# none of this notebook around it.
#
# ### The bug when the preprocessing is not in the model
#
# Inside the chosen model, `network` has only ever seen pixels divided by
# 255, since `scale_pixels` came first. Take it out on its own, as if the
# scaling had been done in NumPy, and make the two classic mistakes of the
# program that later feeds it: forget the scaling (raw pixels from 0 to
# 255), or apply it twice (once in the caller, once more in a helper). For
# each, the accuracy, the mean probability the network gives its own answer,
# and the share of answers given with more than 0.99 probability:

# %%
network = chosen.get_layer("network")           # the layers after the scaling: trained on pixels / 255
print(f"{'network fed':>36} {'accuracy':>9} {'mean confidence':>16} {'answers > 0.99':>15}  first 5 answers")
for what, pixels in [("pixels / 255, as in training", x_val / 255),
                     ("raw pixels 0-255 (scaling forgotten)", x_val.astype("float32")),
                     ("pixels / 255 / 255 (scaled twice)", x_val / 255 / 255)]:
    probabilities = network.predict(pixels, batch_size=1000, verbose=0)
    predicted, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
    print(f"{what:>36} {np.mean(predicted == y_val):>9.4f} {confidence.mean():>16.4f} "
          f"{np.mean(confidence > 0.99):>15.2%}  {[CLASS_NAMES[k] for k in predicted[:5]]}")
print(f"{'the true classes':>36} {'':>42}  {[CLASS_NAMES[k] for k in y_val[:5]]}")

# %% [markdown]
# Nothing crashes and nothing warns. Forgetting the scaling is the sneaky
# one: a ReLU network without much bias roughly multiplies its outputs
# before the softmax by the factor its inputs grew, so many classes survive,
# but the probabilities become near-certainties, for the wrong answers too;
# anything downstream that trusts them (a threshold, a "not sure, ask a
# person" rule) is broken. Scaling twice shrinks the inputs until the
# biases decide alone: nearly the same answer for every image. With the scaling
# inside the model, as a layer, the model file cannot be separated from its
# preprocessing and neither mistake can happen.
#
# ### The trap of augmentation inside the model
#
# Keras' `predict` and `evaluate` switch the random layers off. Calling the
# model directly, `model(images)`, as a serving program often does, does
# **not** unless you pass `training=False`: in Keras 3 the random layers'
# own default is to be on. `model.export`, below, traces exactly that plain
# call. The augmented model shows it:

# %%
augmented_model = best["augmented"]
some = x_val[:200]
by_predict = augmented_model.predict(some, verbose=0).argmax(axis=1)
by_call = keras.ops.convert_to_numpy(augmented_model(some)).argmax(axis=1)
by_call_off = keras.ops.convert_to_numpy(augmented_model(some, training=False)).argmax(axis=1)
print(f"of {len(some)} validation images, a plain call model(x) changes the predicted class of "
      f"{np.sum(by_call != by_predict)}; model(x, training=False) of {np.sum(by_call_off != by_predict)}")

# %% [markdown]
# So the model we deploy is built for inference: the chosen model's scaling
# and network, the *same layer objects* (no copy of the weights), without
# the random layers. Its input is declared as `uint8` and named `pixels`,
# so whoever calls the exported model sees what to send.

# %%
inference_model = keras.Sequential([keras.Input(shape=(28, 28, 1), dtype="uint8", name="pixels"),
                                    chosen.get_layer("scale_pixels"), network], name="fashion_classifier")
agree = np.abs(inference_model.predict(x_val, batch_size=1000, verbose=0) - reference).max()
print(f"inference model vs chosen model, largest difference on validation: {agree:.1e}")

# %% [markdown]
# ### One image against a batch: latency
#
# A deployed model is often asked about **one** image and must answer fast:
# its **latency**, the time from question to answer, is what a user waits.
# Training ran on batches, and so can inference when many images wait.
# How to time it fairly:
#
# * a **warm-up** call first: the first call may trace the model into a
#   graph and allocates memory, a one-off cost a running service pays once;
# * the **median** of repeated calls, which ignores the odd slow call when
#   the operating system does something else;
# * time **per image**: a batch call's time divided by its images.
#
# `model.predict` is built for large arrays: it sets up a data pipeline on
# every call, which costs more than the network on one small image. For one
# image, call the model directly.

# %%
def median_seconds(call, images, repeats):
    call(images)                                   # warm-up: tracing and memory, paid once
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call(images)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


n_batch = 256
one_image, batch_images = x_val[:1], x_val[:n_batch]
repeats = bootcamp.choose(full=50, quick=12)
latency = {                                        # seconds per image; predict is slow, so fewer repeats of it
    "predict(), one image": median_seconds(lambda x: inference_model.predict(x, verbose=0), one_image,
                                           repeats // 3),
    "direct call, one image": median_seconds(inference_model, one_image, repeats),
    f"direct call, batch of {n_batch}": median_seconds(inference_model, batch_images, repeats) / n_batch,
}
for what, per_image in latency.items():
    print(f"{what:>26}: {per_image * 1e3:8.3f} ms per image")
keras_speedup = latency["direct call, one image"] / latency[f"direct call, batch of {n_batch}"]
print(f"per image, a batch is {keras_speedup:.0f} times faster than single calls")
record("direct call ms per image, one image", latency["direct call, one image"] * 1e3, "ms")
record(f"direct call ms per image, batch of {n_batch}", latency[f"direct call, batch of {n_batch}"] * 1e3, "ms")
record("direct call, speed-up of batching", keras_speedup)

# %% [markdown]
# Batching wins because a call has a fixed cost (Python, launching the
# operations) that a batch shares among its images, and because many images
# at once keep the processor's vector units, or a GPU, busy. The price is
# waiting: a service that collects images into batches makes the first one
# wait for the last. Services with many users do exactly that, with a limit
# on the wait.
#
# ## Export: a SavedModel for programs without Keras
#
# `model.export(folder)` writes a TensorFlow **SavedModel**: a folder with
# the computation as a graph and the weights, which TensorFlow Serving, the
# TensorFlow C++ and Java libraries or `tf.saved_model.load` can run without
# Keras and without this notebook's code. Its **serving signature**,
# `serving_default`, is the entry point such programs call: named inputs in,
# a dictionary of named outputs back.

# %%
export_dir = save_dir / "fashion_classifier"
inference_model.export(str(export_dir), verbose=False)
deployed = tf.saved_model.load(str(export_dir))                # plain TensorFlow from here on
serving = deployed.signatures["serving_default"]
print("files:", sorted(path.name for path in export_dir.iterdir()))
print("the signature takes", serving.structured_input_signature[1], "\nand returns", serving.structured_outputs)

exported_probabilities = serving(pixels=tf.constant(x_val))["output_0"].numpy()
exported_difference = np.abs(exported_probabilities - reference).max()
print(f"exported vs Keras, largest difference on validation {exported_difference:.1e}; same class for "
      f"{np.mean(exported_probabilities.argmax(axis=1) == reference.argmax(axis=1)):.2%} of the images")
floor("exported vs Keras, largest probability difference", exported_difference, at_most=1e-5)

# %% [markdown]
# Any difference there is rounding: the graph may order the same
# floating-point sums differently. A serving program calls this signature one image at a
# time, or with whatever batch it has. The next cell does that and keeps
# every call's time in a log, as a service would, the first call included.

# %%
serving_log = {"single": [], "batch": []}
for kind, images in [("single", one_image), ("batch", batch_images)]:
    pixels = tf.constant(images)
    for _ in range(repeats + 1):                   # the first call of each kind included
        start = time.perf_counter()
        serving(pixels=pixels)
        serving_log[kind].append(time.perf_counter() - start)
print(f"{len(serving_log['single'])} single-image and {len(serving_log['batch'])} batch calls "
      f"of {n_batch} images logged, in seconds; the first three single ones: "
      f"{[round(t, 5) for t in serving_log['single'][:3]]}")

# %% [markdown]
# ## Exercise 2: the speed-up of batching, from a log
#
# From `serving_log` (seconds per call; each batch call carries `n_batch`
# images), compute `speedup`: how many times less time **per image** the
# exported model needs in a batch than alone. Treat the log as a service's
# log: the first call of each kind may include one-off costs, and a busy
# machine adds the odd slow call. Is the signature faster than the direct
# Keras call measured above?

# %% tags=["exercise"]
# TODO: speedup = seconds per image alone / seconds per image in a batch
# BEGIN SOLUTION
alone = np.median(serving_log["single"][1:])                # leave out the first call, take the median
in_batch = np.median(serving_log["batch"][1:]) / n_batch     # per image: a batch call holds n_batch images
speedup = alone / in_batch
print(f"{alone * 1e3:.3f} ms alone, {in_batch * 1e3:.4f} ms per image in a batch: {speedup:.0f} times faster")
# END SOLUTION
# BEGIN STARTER
speedup = None
# END STARTER

# %% tags=["selfcheck"]
deploy.batching_speedup(speedup, serving_log, n_batch)

# %% [markdown]
# ## Exercise 3: a model for the device's images
#
# The camera of a sorting machine sends images as `uint8` arrays of shape
# `(28, 28)`: no channel axis, pixels from 0 to 255. Build `device_model`, a
# Keras model that takes a batch of those, shape `(n, 28, 28)`, and answers
# with the chosen model's probabilities. Reuse `network` (trained on pixels
# divided by 255, with a channel axis) and do all the preparation with
# layers, so that saving or exporting `device_model` keeps it.
# `keras.layers.Reshape` adds an axis. Leave augmentation out.

# %% tags=["exercise"]
# TODO: device_model = a keras model: (n, 28, 28) uint8 in, (n, 10) probabilities out
# BEGIN SOLUTION
device_model = keras.Sequential([
    keras.Input(shape=(28, 28), dtype="uint8"),
    keras.layers.Reshape((28, 28, 1)),             # the channel axis the convolutions expect
    keras.layers.Rescaling(1 / 255),               # the scaling network was trained with
    network,
], name="device_classifier")
# END SOLUTION
# BEGIN STARTER
device_model = None
# END STARTER

# %% tags=["selfcheck"]
deploy.device_model(device_model, network, x_val[:200, ..., 0])

# %% [markdown]
# ## Optional: TFLite, for phones and small devices
#
# TFLite converts a model into one compact file for phones and embedded
# boards. In TensorFlow 2.21 the converter still works, but its interpreter
# warns that it is deprecated in favour of Google's separate LiteRT package
# (`ai_edge_litert`), so this section only converts the SavedModel, and
# measures the file and one image's latency with the old interpreter.

# %%
tflite_bytes = tf.lite.TFLiteConverter.from_saved_model(str(export_dir)).convert()
tflite_file = save_dir / "fashion_classifier.tflite"
tflite_file.write_bytes(tflite_bytes)
interpreter = tf.lite.Interpreter(model_content=tflite_bytes)
interpreter.allocate_tensors()
slot_in, slot_out = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]


def tflite_predict(image):
    interpreter.set_tensor(slot_in, image)
    interpreter.invoke()
    return interpreter.get_tensor(slot_out)


tflite_difference = np.abs(tflite_predict(one_image) - reference[:1]).max()
tflite_seconds = median_seconds(tflite_predict, one_image, repeats)
print(f"TFLite file {tflite_file.stat().st_size / 1024:,.0f} KiB (the .keras file: "
      f"{model_file.stat().st_size / 1024:,.0f} KiB); one image {tflite_seconds * 1e3:.3f} ms; "
      f"largest difference from Keras {tflite_difference:.1e}")

# %% [markdown]
# A real deployment adds versioning, so that every answer can be traced to
# the exact model file, data and code that produced it and a bad version can
# be rolled back. It adds monitoring too, which watches the incoming images
# and the answers for drift away from what the model was trained on, and
# tells a person when the model needs retraining.
#
# ## The test set, once
#
# Every choice is made: augmentation or not, the epoch, the model. Now the
# deployed artefact itself, the SavedModel loaded with plain TensorFlow and
# called through its signature, meets the 10,000 test images in their raw
# form, once.
#
# In full mode the floor asks for a test accuracy of 0.90, a little below
# the 0.916 that TensorFlow's two-convolution tutorial network reaches on <!-- fixed -->
# Fashion-MNIST. It has been seen to pass with this notebook's code, in a
# full-mode run of the solution on a 2-core CPU without a GPU (`make
# full-report`, 2026-11-30; `reports/full-mode.md` keeps what it reached).

# %% tags=["final"]
test_probabilities = serving(pixels=tf.constant(x_test))["output_0"].numpy()
test_accuracy = float(np.mean(test_probabilities.argmax(axis=1) == y_test))
print(f"the deployed {chosen_name} model: test accuracy {test_accuracy:.4f} on all {len(y_test):,} raw test "
      f"images (validation: {np.mean(reference.argmax(axis=1) == y_val):.4f})")
floor("deployed model test accuracy", test_accuracy, at_least=bootcamp.choose(full=0.90, quick=0.65))

# %% [markdown]
# ## What to remember
#
# * Augmentation makes new training images from old ones, with changes that
#   keep the label; which changes do is a question about the data (a flip is
#   fine for a shirt, not for a 7). It narrows the gap between training and
#   validation and needs epochs to pay off.
# * `ModelCheckpoint(monitor="val_loss", save_best_only=True)` keeps the best
#   epoch in a file; `model.save` / `keras.models.load_model` keep the whole
#   model, optimiser included; `save_weights` keeps the numbers and needs
#   the code.
# * Put the preprocessing in the model, and keep class names and provenance
#   in a file beside it.
# * Leave random layers out of what you deploy, or call the model with
#   `training=False`: a plain call runs them.
# * Time inference with a warm-up and a median, per image; batches are
#   cheaper per image, single images are what a user waits for.
# * `model.export` writes a SavedModel that plain TensorFlow serves through
#   its signature; check that it agrees with Keras before you ship it.
