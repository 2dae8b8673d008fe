# %% [markdown]
# # 05 · Tropical cyclones 5: what does the network look at?
#
# > **The images in this lesson are generated, not observed**: IR-like
# > pictures drawn by `bootcamp.cyclone.synth` from the intensity of real
# > HURDAT2 storms (lesson 2 shows them). To use real HURSAT-B1 frames
# > instead, fetch or import storm archives and start Jupyter with
# > `BOOTCAMP_CYCLONE_SOURCE=hursat`; `docs/cyclone.md` says how. The data
# > cell below prints which source is in use.
#
# A score says how often a model is right, not why. Before trusting a model
# with a hurricane, check that it reads the storm (the cold central cloud,
# the eye, the bands) and not an artefact (an image border, a calibration
# offset, a tell-tale satellite). Two tools, both built on the gradient of a
# class score with respect to something the network computed:
#
# * **saliency**: the gradient with respect to the input pixels: which
#   pixels would change the score most;
# * **class activation maps**: the gradient with respect to the last
#   convolutional feature maps, used to weigh those maps: which *regions*
#   raised the score. Grad-CAM (Selvaraju et al., 2017) is the best known;
#   for our network its variant HiResCAM (Draelos and Carin, 2020) is the
#   exact one, and we will see why.
#
# We write them with `tf.GradientTape` on the Keras functional model of
# lesson 3, and look at correct and wrong predictions. Everything here uses
# the **validation** storms: looking at the test storms' frames and
# mistakes would be a choice made on them.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf

from bootcamp.checks import floor, record
from bootcamp.cyclone import dataset, gradcam, models, preprocess, scoring
from bootcamp.data.hurdat2 import CLASSES

# %% [markdown]
# ## A model to explain
#
# The compact CNN of lesson 3, loaded from the model store where lesson 3
# saved it (`bootcamp.saved`; lesson 3 says how the key is made). When the
# store has none for this run mode, data and code, it is trained here the
# same way (seconds in quick mode; in full mode one line per epoch); the
# printed line says which happened. This lesson never uses the test storms,
# so it keeps only the first two parts of the split.

# %%
train, validation, _ = dataset.standard()
print(f"image source: {train.source}; {len(train)} training and {len(validation)} validation frames")


model, _ = models.load_or_train_baseline(train, validation, notebook="05_cyclone_5")
x_val = preprocess.centre_crop(models.scaled(validation), dataset.CROP)[..., None]
probabilities = model.predict(x_val, batch_size=256, verbose=0)
predicted = probabilities.argmax(axis=1)
scores = scoring.score(probabilities, validation.labels, validation.wind_kt)
print("validation:", {k: round(v, 3) for k, v in scores.items()})
model.summary()

# %% [markdown]
# ## A class activation map, step by step
#
# Which class score do we differentiate? Not the probability. The softmax
# couples the classes: a class's probability rises when *other* classes'
# scores fall, so its gradient mixes in evidence against the other classes,
# and it shrinks towards zero as the model grows confident. Selvaraju et al.
# take the class score **before the softmax**, the logit, and so do we. The model of
# lesson 3 keeps its softmax as a layer of its own (`probabilities`), so the
# logits are the output of the layer before it, `logits`.
#
# For a batch of images and the class each was predicted as:
#
# 1. a second model, `probe`, with the same input, returns both the feature
#    maps of the last convolution (`conv4`) and the logits; in Keras 3 a
#    functional model exposes every layer's symbolic output
#    (`model.get_layer(name).output`), so this is one line;
# 2. under `tf.GradientTape`, run the probe and pick each image's logit of
#    its predicted class (`tf.gather(..., batch_dims=1)`);
# 3. the tape gives the gradient of that logit with respect to every
#    feature-map value; multiply gradient and maps element by element and
#    sum over the channels: one number per position;
# 4. through ReLU (keep only what *raised* the score), divided by its
#    maximum, that is the heat map;
# 5. resize it to the input size to lay it over the image.
#
# **Why element by element.** Lesson 3's head flattens the 7 x 7 maps of
# `conv4` into the logits: every position has its own weights, so the
# gradient at a position *is* that position's weight, and gradient x map,
# summed, is exactly the logit minus its bias. The map splits the score
# among positions (HiResCAM). Grad-CAM averages the gradient over each map
# first, one weight per map: exact for a head that averages each map
# (global average pooling, where every position of a map has the same
# weight anyway), but here it mixes the weights of the storm's centre with
# those of its surroundings.
#
# ## Exercise 1: write HiResCAM
#
# Fill in `hires_cam(model, images)` following the steps. It must return an
# array (N, 56, 56) with values in [0, 1].

# %% tags=["exercise"]
def hires_cam(model, images, layer_name="conv4"):
    images = tf.convert_to_tensor(images, dtype=tf.float32)
    # TODO: steps 1-5 (a probe model, tf.GradientTape, tf.gather, tf.nn.relu, tf.image.resize)
    # BEGIN SOLUTION
    probe = keras.Model(model.inputs, [model.get_layer(layer_name).output, model.get_layer("logits").output])
    with tf.GradientTape() as tape:
        maps, logits = probe(images, training=False)
        classes = tf.cast(tf.argmax(logits, axis=1), tf.int32)
        chosen = tf.gather(logits, classes, axis=1, batch_dims=1)
    gradients = tape.gradient(chosen, maps)
    heat = tf.nn.relu(tf.reduce_sum(maps * gradients, axis=-1))
    heat = heat / (tf.reduce_max(heat, axis=(1, 2), keepdims=True) + 1e-12)
    return tf.image.resize(heat[..., None], images.shape[1:3], method="bilinear")[..., 0].numpy()
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("compute the HiResCAM heat maps")
    # END STARTER


# %% tags=["selfcheck"]
from bootcamp.selfcheck import cyclone

cyclone.hires_cam(hires_cam, model, x_val[:16])

# %% [markdown]
# The package holds reference versions of HiResCAM (`gradcam.hires_cam`),
# Grad-CAM (`gradcam.grad_cam`) and gradient saliency (`gradcam.saliency`,
# the gradient of the logit too); the cells below use them, so they run
# before the exercise is done.
#
# First, the claim that the map splits the score: `gradcam.contributions`
# returns the maps and gradients of step 3 before ReLU, and their product
# summed should be each frame's logit minus the bias of its class.

# %%
maps, gradients, chosen_logits = gradcam.contributions(model, x_val[:256])
split = (maps * gradients).numpy().sum(axis=(1, 2, 3))
bias = model.get_layer("logits").bias.numpy()[probabilities[:256].argmax(axis=1)]
print(f"largest |sum of the map - (logit - bias)| over 256 frames: {np.abs(split - (chosen_logits - bias)).max():.2e} "
      f"(logits range {chosen_logits.min():.1f} to {chosen_logits.max():.1f})")

# %% [markdown]
# ## Which map, and of which score: does it matter?
#
# Three versions on every validation frame: HiResCAM of the logit, Grad-CAM
# of the logit, HiResCAM of the probability. For each, how many maps come
# out all zero (no region raised the score, so there is nothing to show),
# and how often it agrees with HiResCAM of the logit on the hottest cell.

# %%
heat_logit = gradcam.hires_cam(model, x_val)
heat_versions = {"HiResCAM, logit": heat_logit,
                 "Grad-CAM, logit": gradcam.grad_cam(model, x_val),
                 "HiResCAM, probability": gradcam.hires_cam(model, x_val, target="probability")}
zero_maps = {name: int((heat.sum(axis=(1, 2)) == 0).sum()) for name, heat in heat_versions.items()}
for name, heat in heat_versions.items():
    same_peak = np.mean(heat.reshape(len(x_val), -1).argmax(axis=1) == heat_logit.reshape(len(x_val), -1).argmax(axis=1))
    print(f"{name:>22}: {zero_maps[name]:4d} all-zero maps among {len(x_val)}; "
          f"hottest cell where HiResCAM of the logit has it: {same_peak:.0%} of the frames")

# %% [markdown]
# An all-zero map would have to be dropped before averaging maps (it has no
# heat to divide by); the lines above say how many appear with each version
# for this model. The versions do not always agree on where the evidence
# lies; from here on we use HiResCAM of the logit, the one that is exact for
# this network. (Exercise 2's measure, below, is printed for Grad-CAM too.)
#
# ## Correct and wrong predictions
#
# Four correctly classified validation frames of different classes, and four
# mistakes, each with its saliency map and its HiResCAM map of the predicted
# class laid over the image.

# %%
rng = np.random.default_rng(1)
right_ones = [rng.choice(np.flatnonzero((predicted == validation.labels) & (validation.labels == c)))
              for c in np.unique(validation.labels[predicted == validation.labels])]
right_ones = list(rng.choice(right_ones, size=min(4, len(right_ones)), replace=False))
wrong_ones = list(rng.choice(np.flatnonzero(predicted != validation.labels), size=4, replace=False))
chosen = np.array(right_ones + wrong_ones)
heat = heat_logit[chosen]
salient = gradcam.saliency(model, x_val[chosen])

fig, axes = plt.subplots(3, len(chosen), figsize=(2.0 * len(chosen), 6.4))
for j, i in enumerate(chosen):
    kelvin = preprocess.centre_crop(validation.images[i][None], dataset.CROP)[0]
    verdict = "right" if predicted[i] == validation.labels[i] else "WRONG"
    axes[0, j].imshow(kelvin, cmap="gray_r", vmin=185, vmax=300)
    axes[0, j].set_title(f"{verdict}: true {CLASSES[validation.labels[i]]}\npredicted {CLASSES[predicted[i]]}",
                         fontsize=8)
    axes[1, j].imshow(salient[j], cmap="magma")
    axes[2, j].imshow(kelvin, cmap="gray_r", vmin=185, vmax=300)
    axes[2, j].imshow(heat[j], cmap="jet", alpha=0.45)
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
axes[0, 0].set_ylabel("image (K)")
axes[1, 0].set_ylabel("saliency")
axes[2, 0].set_ylabel("HiResCAM")
fig.suptitle("Where the evidence for the predicted class lies (left: correct, right: mistakes)")
fig.tight_layout();

# %% [markdown]
# How to read them: saliency is noisy, pixel by pixel; HiResCAM is coarse
# (one cell per position of the `conv4` maps) but shows regions. A map
# lighting up the image border or empty ocean would be a warning sign.
# Mistakes are often borderline cases: a frame of a storm near a class
# boundary, whose picture looks like the neighbouring class.
#
# ## Exercise 2: how central is the evidence?
#
# Eight pictures are anecdotes. To test "the network looks at the storm's
# core" on every validation frame, we need one number per map. Write
# `central_share(maps, radius_px)`: for each map of `maps` (N, H, W), the
# share of its heat that lies within `radius_px` pixels of the image centre
# (heat inside the circle over the map's total heat), an array of N numbers.
# Measure distances between pixel centres; the centre of the image lies
# between pixels when H and W are even.
#
# What share would a map get that spreads its heat evenly, looking nowhere
# in particular? Your function answers that too: give it a map of ones.

# %% tags=["exercise"]
def central_share(maps, radius_px):
    # TODO: one share per map: heat within radius_px of the centre / total heat
    # BEGIN SOLUTION
    maps = np.asarray(maps, dtype=float)
    yy, xx = np.mgrid[:maps.shape[1], :maps.shape[2]]
    inside = np.hypot(yy - (maps.shape[1] - 1) / 2, xx - (maps.shape[2] - 1) / 2) <= radius_px
    return (maps * inside).sum(axis=(1, 2)) / maps.sum(axis=(1, 2))
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("compute the share of heat near the centre, map by map")
    # END STARTER


# %% tags=["selfcheck"]
cyclone.central_share(central_share, radius_px=16)

# %% [markdown]
# Pixels are 12.5 km, so 16 pixels from the centre of the crop are 200 km:
# comparable to the size of a hurricane's central dense overcast. The cell below
# measures each HiResCAM map's share of heat within that circle, with the
# package's version of your function, and compares it, class by class, with
# the share of an even map (the share of the **area** inside the circle).

# %%
radius_px = 16
area_share = float(gradcam.central_share(np.ones((1, dataset.CROP, dataset.CROP)), radius_px)[0])
shares = gradcam.central_share(heat_logit, radius_px)
by_class = pd.DataFrame({"frames": np.bincount(validation.labels, minlength=8),
                         "heat share within 200 km": [np.nanmean(shares[validation.labels == c])
                                                      if (validation.labels == c).any() else np.nan
                                                      for c in range(8)]}, index=list(CLASSES))
strong = validation.labels >= CLASSES.index("H2")
heat_share_strong = float(np.nanmean(shares[strong]))
heat_share_weak = float(np.nanmean(shares[~strong]))
print(by_class.round(3).T)
print(f"area share {area_share:.3f}; heat share: hurricanes of category 2 and above {heat_share_strong:.3f}, "
      f"weaker systems {heat_share_weak:.3f}")
grad_cam_shares = gradcam.central_share(heat_versions["Grad-CAM, logit"], radius_px)
print(f"the same with Grad-CAM's maps: category 2 and above {np.nanmean(grad_cam_shares[strong]):.3f}, "
      f"weaker systems {np.nanmean(grad_cam_shares[~strong]):.3f}")

fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(CLASSES, by_class["heat share within 200 km"], color="tab:red")
ax.axhline(area_share, color="k", ls="--", label="share of the area (an even map)")
ax.set(title="HiResCAM heat within 200 km of the centre (validation)", xlabel="true class",
       ylabel="share of the heat", ylim=(0, 1))
ax.legend();

# %% [markdown]
# Compare each bar with the dashed line. Where a class's heat share is
# well above the area share, the network's evidence for its answer sits on
# the storm's core; where it is close to the line, the evidence is spread
# over the whole window. Read the numbers printed above this way: for the
# strongest storms, the core (eye and central dense overcast) is what the
# Dvorak technique reads too; for weak systems the cues (scattered cold
# clusters, bands) are not concentrated at the centre, and other cloud
# systems often crowd the frame around them, so an even spread of the heat
# is what one would expect there. Compare the Grad-CAM line: averaging the
# gradient over each map, it cannot say where on the map the evidence was.
#
# ## Checks
#
# The model must have learned (validation top-1 at least 0.10 above the
# majority class), and for hurricanes of category 2 and above the evidence
# must sit on the core: their heat share within 200 km beats the area share
# by at least 0.15. The full-mode floors have been seen to pass with this
# code, on a 2-core CPU (`make full-report`; README's full-mode table).

# %%
majority = scoring.score(scoring.constant_probabilities(train.labels, len(validation)), validation.labels,
                         validation.wind_kt)
record("HiResCAM heat within 200 km, H2-H5", heat_share_strong)
record("HiResCAM heat within 200 km, NC-H1", heat_share_weak)
record("Grad-CAM heat within 200 km, H2-H5", float(np.nanmean(grad_cam_shares[strong])))
for name, count in zero_maps.items():
    record(f"all-zero maps, {name}", count)
floor("model validation top-1 minus majority", scores["top1"] - majority["top1"],
      at_least=bootcamp.choose(full=0.15, quick=0.10))
floor("H2-H5 central heat share minus area share", heat_share_strong - area_share,
      at_least=bootcamp.choose(full=0.15, quick=0.15))

# %% [markdown]
# ## Summary
#
# * `tf.GradientTape` records the forward pass; `tape.gradient` gives the
#   gradient of a class score with respect to inputs (saliency) or to
#   feature maps (class activation maps).
# * Differentiate the class score before the softmax (the logit), as
#   Grad-CAM is defined; keep the softmax as a layer of its own so that the
#   logits can be read.
# * Match the map to the network's head: Grad-CAM's one weight per map is
#   exact behind global average pooling; behind a head that flattens,
#   gradient x map element by element (HiResCAM) splits the score exactly.
# * A Keras 3 functional model exposes its layers' outputs, so a probe model
#   returning feature maps and logits is one line.
# * Look at correct *and* wrong predictions, then summarise all the maps
#   with a number, against what an uninformative map would give.
#
# Next: the competition.
