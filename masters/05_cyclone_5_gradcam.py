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
# * **Grad-CAM** (Selvaraju et al., 2017): the gradient with respect to the
#   last convolutional feature maps, used to weigh those maps: which
#   *regions* raised the score.
#
# We write both with `tf.GradientTape` on the Keras functional model of
# lesson 3, and look at correct and wrong predictions.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from bootcamp.checks import floor, record
from bootcamp.cyclone import dataset, gradcam, models, preprocess, scoring
from bootcamp.data.hurdat2 import CLASSES

# %% [markdown]
# ## A model to explain
#
# The compact CNN of lesson 3, trained the same way on the shared split
# (about 15 s in quick mode, 3-5 min in full mode on a CPU).

# %%
train, validation, test = dataset.standard()
print(f"image source: {train.source}")
config = models.settings()
keras.utils.set_random_seed(42)
model = models.compact_cnn(width=config["width"])
models.train_classifier(model, train, validation, epochs=config["epochs"])
x_test = preprocess.centre_crop(models.scaled(test), dataset.CROP)[..., None]
probabilities = model.predict(x_test, batch_size=256, verbose=0)
predicted = probabilities.argmax(axis=1)
scores = scoring.score(probabilities, test.labels, test.wind_kt)
print({k: round(v, 3) for k, v in scores.items()})
model.summary()

# %% [markdown]
# ## Grad-CAM, step by step
#
# For a batch of images and the class each was predicted as:
#
# 1. a second model, `probe`, with the same input, returns both the feature
#    maps of the last convolution (`conv4`, 7 x 7 here) and the class
#    probabilities; in Keras 3 a functional model exposes every layer's
#    symbolic output, so this is one line;
# 2. under `tf.GradientTape`, run the probe and pick each image's
#    probability of its class;
# 3. the tape gives the gradient of that probability with respect to every
#    feature map value; averaging it over each map gives one weight per map;
# 4. the weighted sum of the maps, through ReLU (keep only what *raised*
#    the score), divided by its maximum, is the heat map;
# 5. resize it to the input size to lay it over the image.
#
# ## Exercise 1: write Grad-CAM
#
# Fill in `grad_cam(model, images)` following the steps. It must return an
# array (N, 56, 56) with values in [0, 1].

# %% tags=["exercise"]
def grad_cam(model, images, layer_name="conv4"):
    images = tf.convert_to_tensor(images, dtype=tf.float32)
    probe = keras.Model(model.inputs, [model.get_layer(layer_name).output, model.outputs[0]])
    # TODO: steps 2-5 (use tf.GradientTape, tf.gather(..., batch_dims=1), tf.nn.relu, tf.image.resize)
    # BEGIN SOLUTION
    with tf.GradientTape() as tape:
        maps, class_probabilities = probe(images, training=False)
        classes = tf.cast(tf.argmax(class_probabilities, axis=1), tf.int32)
        chosen = tf.gather(class_probabilities, classes, axis=1, batch_dims=1)
    gradients = tape.gradient(chosen, maps)
    weights = tf.reduce_mean(gradients, axis=(1, 2))
    heat = tf.nn.relu(tf.reduce_sum(maps * weights[:, None, None, :], axis=-1))
    heat = heat / (tf.reduce_max(heat, axis=(1, 2), keepdims=True) + 1e-12)
    return tf.image.resize(heat[..., None], images.shape[1:3], method="bilinear")[..., 0].numpy()
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("compute the Grad-CAM heat maps")
    # END STARTER


# %% tags=["selfcheck"]
from bootcamp.selfcheck import cyclone

cyclone.grad_cam(grad_cam, model, x_test[:16])

# %% [markdown]
# The package holds a reference version of the same function
# (`gradcam.grad_cam`) and of gradient saliency (`gradcam.saliency`); the
# figures below use them, so they run before the exercise is done.
#
# ## Correct and wrong predictions
#
# Four correctly classified test frames of different classes, and four
# mistakes, each with its saliency map and its Grad-CAM map of the predicted
# class laid over the image.

# %%
rng = np.random.default_rng(1)
right_ones = [rng.choice(np.flatnonzero((predicted == test.labels) & (test.labels == c)))
              for c in np.unique(test.labels[predicted == test.labels])]
right_ones = list(rng.choice(right_ones, size=min(4, len(right_ones)), replace=False))
wrong_ones = list(rng.choice(np.flatnonzero(predicted != test.labels), size=4, replace=False))
chosen = np.array(right_ones + wrong_ones)
heat = gradcam.grad_cam(model, x_test[chosen])
salient = gradcam.saliency(model, x_test[chosen])

fig, axes = plt.subplots(3, len(chosen), figsize=(2.0 * len(chosen), 6.4))
for j, i in enumerate(chosen):
    kelvin = test.images[i][4:60, 4:60]
    verdict = "right" if predicted[i] == test.labels[i] else "WRONG"
    axes[0, j].imshow(kelvin, cmap="gray_r", vmin=185, vmax=300)
    axes[0, j].set_title(f"{verdict}: true {CLASSES[test.labels[i]]}\npredicted {CLASSES[predicted[i]]}",
                         fontsize=8)
    axes[1, j].imshow(salient[j], cmap="magma")
    axes[2, j].imshow(kelvin, cmap="gray_r", vmin=185, vmax=300)
    axes[2, j].imshow(heat[j], cmap="jet", alpha=0.45)
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
axes[0, 0].set_ylabel("image (K)")
axes[1, 0].set_ylabel("saliency")
axes[2, 0].set_ylabel("Grad-CAM")
fig.suptitle("Where the evidence for the predicted class lies (left: correct, right: mistakes)")
fig.tight_layout();

# %% [markdown]
# How to read them: saliency is noisy, pixel by pixel; Grad-CAM is coarse
# (7 x 7 cells) but shows regions. For strong storms the evidence should sit
# on the central dense overcast and the eye; for weak ones on the scattered
# cold clusters. A map lighting up the image border or empty ocean would be
# a warning sign. Mistakes are often borderline cases: a frame of a storm
# near a class boundary, whose picture looks like the neighbouring class.
#
# ## Exercise 2: how central is the evidence?
#
# A single number to summarise many maps: the share of the Grad-CAM heat
# that lies within 200 km of the storm centre. Pixels are 12.5 km, so that
# is 16 pixels from the centre of the 56 x 56 crop (the centre of pixel
# $(i, j)$ is at distance $\sqrt{(i - 27.5)^2 + (j - 27.5)^2}$ pixels).
# Compute `central_share`, the mean over the maps in `maps` of
# (heat within 16 pixels) / (total heat).

# %%
maps = gradcam.grad_cam(model, x_test[:200])
maps = maps[maps.sum(axis=(1, 2)) > 0]          # a map can be all zero when nothing raised the score
radius_px = 16

# %% tags=["exercise"]
# TODO: central_share = mean over maps of (heat inside the 16-pixel circle / total heat)
# BEGIN SOLUTION
yy, xx = np.mgrid[:maps.shape[1], :maps.shape[2]]
inside = np.hypot(yy - (maps.shape[1] - 1) / 2, xx - (maps.shape[2] - 1) / 2) <= radius_px
central_share = float(np.mean((maps * inside).sum(axis=(1, 2)) / maps.sum(axis=(1, 2))))
# END SOLUTION
# BEGIN STARTER
central_share = None
# END STARTER

# %% tags=["selfcheck"]
cyclone.central_share(central_share, maps, radius_px)

# %% [markdown]
# Compare with the share of the **area** inside the circle, what a map
# spread evenly over the image would give: a larger share of heat means the
# network concentrates on the storm's core.

# %%
yy, xx = np.mgrid[:dataset.CROP, :dataset.CROP]
area_share = float(np.mean(np.hypot(yy - (dataset.CROP - 1) / 2, xx - (dataset.CROP - 1) / 2) <= radius_px))
heat_share = float(np.mean([(m * (np.hypot(yy - 27.5, xx - 27.5) <= radius_px)).sum() / m.sum() for m in maps]))
print(f"within 200 km of the centre: {area_share:.0%} of the area, {heat_share:.0%} of the Grad-CAM heat")

# %% [markdown]
# ## Checks
#
# The model must have learned (top-1 at least 0.10 above the majority class),
# and its evidence must concentrate on the storm: more Grad-CAM heat inside
# the 200-km circle than its share of the area.

# %%
majority = scoring.score(scoring.constant_probabilities(train.labels, len(test)), test.labels, test.wind_kt)
record("Grad-CAM heat within 200 km", heat_share)
floor("model top-1 minus majority", scores["top1"] - majority["top1"], at_least=bootcamp.choose(full=0.15, quick=0.10))
floor("central heat share minus area share", heat_share - area_share, at_least=bootcamp.choose(full=0.0, quick=0.0))

# %% [markdown]
# ## Summary
#
# * `tf.GradientTape` records the forward pass; `tape.gradient` gives the
#   gradient of a class score with respect to inputs (saliency) or to
#   feature maps (Grad-CAM).
# * A Keras 3 functional model exposes its layers' outputs, so a probe model
#   returning feature maps and predictions is one line.
# * Look at correct *and* wrong predictions; check that the evidence sits on
#   the storm, not on artefacts.
#
# Next: the competition.
