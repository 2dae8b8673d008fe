# %% [markdown]
# # 05 · Tropical cyclones 2: satellite images and preprocessing
#
# > **The images in this lesson are generated, not observed.** Offline and in
# > CI the course draws storm-centred, infrared-like images from a simple
# > physical model (`bootcamp.cyclone.synth`), driven by the intensity of
# > **real** HURDAT2 storms: the storms, their lives, the class imbalance and
# > the correlation between consecutive frames are real; the pictures are
# > synthetic. To use real HURSAT-B1 satellite frames instead, fetch or import
# > storm archives and start Jupyter with `BOOTCAMP_CYCLONE_SOURCE=hursat`;
# > `docs/cyclone.md` says how. The data cell prints which source is in use.
#
# This lesson looks at what an infrared satellite image shows, then turns
# images into network input: a fixed temperature scale, resizing with the
# right interpolation, crops, augmentations that respect the physics, and a
# fast `tf.data` pipeline whose throughput we measure.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import time

import cv2
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from bootcamp.checks import floor, record
from bootcamp.cyclone import dataset, preprocess, synth
from bootcamp.data.hurdat2 import CLASSES

# %% [markdown]
# ## What the satellite sees
#
# Geostationary satellites measure infrared radiation in a "window" channel
# near 11 µm, where the atmosphere is nearly transparent. What they record
# is a **brightness temperature**: warm (near 295 K) over clear ocean, cold
# over high cloud tops, down to 190 K for the tallest thunderstorms. A
# tropical cyclone's infrared signature changes with intensity, which is what
# the Dvorak technique reads:
#
# * weak systems: scattered cold clusters, loosely curved bands, often pushed
#   to one side by wind shear;
# * storms: a **central dense overcast** (CDO) of cold cloud, with spiral bands
#   winding in (counter-clockwise in the northern hemisphere);
# * hurricanes: an **eye** appears in the CDO, and shrinks and warms as the
#   storm strengthens, ringed by very cold cloud.
#
# The lessons' data: one frame every 3 hours along each storm's track,
# 64 x 64 pixels covering 800 km (12.5 km per pixel), the same for all six
# lessons (`dataset.PIXELS`, `dataset.EXTENT_KM`). Loading renders them,
# and the cell prints how long that took. (The seasons locked away for the
# competition, lesson 1, are not among them.)

# %% tags=["split"]
start = time.perf_counter()
train, validation, test = dataset.standard()
print(f"source: {train.source}; {len(train)} training, {len(validation)} validation, {len(test)} test frames "
      f"({time.perf_counter() - start:.1f} s)")
print(f"image shape {train.images.shape[1:]}, {train.images.dtype}, "
      f"{train.images.min():.0f} K to {train.images.max():.0f} K")

# %% [markdown]
# One training frame of each class (the first frame of that class), coloured
# with a reversed grey scale so that cold cloud looks white, as forecasters
# are used to.

# %%
fig, axes = plt.subplots(1, 8, figsize=(15, 2.6))
for k, ax in enumerate(axes):
    i = np.flatnonzero(train.labels == k)[0]
    shown = ax.imshow(train.images[i], cmap="gray_r", vmin=185, vmax=300)
    ax.set_title(f"{CLASSES[k]}, {train.wind_kt[i]:.0f} kt\n{train.name[i].title()}", fontsize=9)
    ax.axis("off")
fig.colorbar(shown, ax=axes, fraction=0.015, label="brightness temperature (K)")
fig.suptitle("One synthetic frame per class (800 km across)");

# %% [markdown]
# ## A real frame beside generated ones
#
# How close are the generated pictures to what a satellite sees? The
# package ships one real HURSAT-B1 frame (`bootcamp.cyclone.real_frame()`,
# no download): storm Adeline in the South Indian Ocean, seen by GOES-9 on
# 1 April 2005 at 12 UTC, when its best-track wind was 13 kt, a weak
# system (class NC). We cut the same 800 km square around its best-track
# centre, shrink it to the lessons' 64 x 64 pixels (area averaging, see
# below), and set it beside generated frames of the same wind and
# latitude.

# %%
from bootcamp.cyclone import real_frame

real = real_frame()
print(f"{real.storm} ({real.sid}), {str(real.time)[:16]} UTC, {real.satellite}, best-track wind "
      f"{real.wind_kt:.0f} kt, centre {abs(real.lat):.1f} {'N' if real.lat >= 0 else 'S'} {real.lon:.1f} E, "
      f"{real.irwin.shape[0]} x "
      f"{real.irwin.shape[1]} pixels, {np.nanmin(real.irwin):.0f} K to {np.nanmax(real.irwin):.0f} K")

km_north = (real.lats - real.lat) * 111.2                                 # km from the centre, per row
km_east = (real.lons - real.lon) * 111.2 * np.cos(np.deg2rad(real.lat))   # and per column
rows = np.flatnonzero(np.abs(km_north) <= dataset.EXTENT_KM / 2)
cols = np.flatnonzero(np.abs(km_east) <= dataset.EXTENT_KM / 2)
real_square = real.irwin[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
real_64 = cv2.resize(real_square, (dataset.PIXELS, dataset.PIXELS), interpolation=cv2.INTER_AREA)
generated = synth.render_many(np.full(3, real.wind_kt), lats=np.full(3, real.lat), seed=7,
                              pixels=dataset.PIXELS, extent_km=dataset.EXTENT_KM)
print(f"the 800 km square: {real_square.shape[0]} x {real_square.shape[1]} real pixels -> {real_64.shape}")

# %%
fig, axes = plt.subplots(1, 4, figsize=(12, 3.2))
panels = [(real_64, f"real: {real.storm.title()}, {real.wind_kt:.0f} kt")] + [
    (image, f"generated {k + 1}, {real.wind_kt:.0f} kt") for k, image in enumerate(generated)]
for ax, (image, title) in zip(axes, panels):
    shown = ax.imshow(image, cmap="gray_r", vmin=185, vmax=300)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
fig.colorbar(shown, ax=axes, fraction=0.015, label="brightness temperature (K)")
fig.suptitle("A real weak system and generated frames of the same wind (800 km across, north up)");

# %% [markdown]
# Two summaries put numbers on the difference: the **histogram** of
# brightness temperatures (how much of the square is cold cloud, and how
# cold), and the **radial profile**, the mean temperature at each distance
# from the centre (how the cloud is organised around it).

# %%
def radial_profile(image, edges_km):
    """Mean brightness temperature in rings around the image centre (the storm's best-track position)."""
    n = image.shape[0]
    axis = (np.arange(n) - (n - 1) / 2) * dataset.EXTENT_KM / n
    radius = np.hypot(*np.meshgrid(axis, axis))
    ring = np.digitize(radius, edges_km) - 1
    return np.array([np.nanmean(image[ring == k]) for k in range(len(edges_km) - 1)])


edges = np.arange(0, 425, 25.0)
middles = (edges[:-1] + edges[1:]) / 2
fig, (ax_hist, ax_prof) = plt.subplots(1, 2, figsize=(11, 3.5))
bins = np.arange(185, 305, 5)
ax_hist.hist(real_64.ravel(), bins=bins, density=True, alpha=0.6, label="real")
ax_hist.hist(generated.reshape(-1), bins=bins, density=True, alpha=0.6, label="generated (3 frames)")
ax_hist.set(xlabel="brightness temperature (K)", ylabel="density", title="Histogram")
ax_prof.plot(middles, radial_profile(real_64, edges), "o-", label="real")
for k, image in enumerate(generated):
    ax_prof.plot(middles, radial_profile(image, edges), "--", alpha=0.7, label=f"generated {k + 1}")
ax_prof.set(xlabel="distance from the centre (km)", ylabel="mean brightness temperature (K)",
            title="Radial profile")
for ax in (ax_hist, ax_prof):
    ax.legend(fontsize=8)
plt.tight_layout()

# %% [markdown]
# Three generated frames are anecdotes. Where does the real frame lie among
# 200 generated frames of its wind and latitude? For each summary, the
# range of the middle 90% of the generated frames, and the share of them <!-- fixed -->
# below the real frame's value (its rank: near 0% or 100% would mean the <!-- fixed -->
# generator never makes a frame like it).

# %%
many = synth.render_many(np.full(200, real.wind_kt), lats=np.full(200, real.lat), seed=11,
                         pixels=dataset.PIXELS, extent_km=dataset.EXTENT_KM)
summaries = {"share colder than 240 K (high cloud)": lambda image: np.mean(image < 240),
             "mean within 100 km of the centre (K)": lambda image: radial_profile(image, edges)[:4].mean(),
             "mean beyond 300 km (K)": lambda image: radial_profile(image, edges)[12:].mean(),
             "spread of temperatures (K)": np.std}
for name, summary in summaries.items():
    values = np.array([summary(image) for image in many])
    low, high = np.percentile(values, [5, 95])
    value = summary(real_64)
    print(f"{name:>38}: real {value:6.2f}; generated, middle 90% {low:6.2f} to {high:6.2f}; "
          f"rank of the real frame {np.mean(values < value):4.0%}")
record("share colder than 240 K, real frame", np.mean(real_64 < 240))
record("share colder than 240 K, generated frames (median of 200)", np.median(np.mean(many < 240, axis=(1, 2))))

# %% [markdown]
# Read the panels and the ranks before trusting the generated data. In the
# real frame cloud of every temperature fills the square and no organised
# centre stands out: a weak system is one cloud cluster among others, and
# its best-track centre is itself uncertain by tens of kilometres. The
# satellite also looked at it from far off vertical (its viewing angle is
# printed above), which makes cloud tops look colder and wider than seen
# from overhead.
#
# The generator draws surroundings for that reason: besides the storm, other
# cloud over a random share of the frame, at a random height, with deep
# cells; most around weak systems, less as a storm organises; and a weak
# storm's pattern sits off the frame's centre by tens of kilometres. Those
# settings were chosen against this real frame, so that it lies inside the
# generated spread on every summary above (`tests/cyclone/test_synth.py`
# checks the 5-95% range). Before they were added, no generated frame of <!-- fixed -->
# this wind came close on the share of cold cloud.
#
# What that does *not* show: one frame says the generated range is wide
# enough to hold it, not that the generated distribution is right. What the
# generator does not reproduce: the shapes of real weather around a storm
# (monsoon troughs, fronts, land), the viewing geometry, and the variety of
# real storms of one intensity; weak systems are where it is least
# realistic. Calibrating the distribution would need many real frames per
# class, which is what `docs/cyclone.md`'s real-data run
# (`BOOTCAMP_CYCLONE_SOURCE=hursat`) uses instead of generated images.

# %% [markdown]
# Consecutive frames of one storm are alike, and so are their labels: the
# reason the split must keep storms whole. Here are 8 frames, 6 hours apart,
# from the life of the strongest storm in the training set.

# %%
strongest = train.storm_id[np.argmax(train.wind_kt)]
rows = np.flatnonzero(train.storm_id == strongest)[::2]
rows = rows[np.linspace(0, len(rows) - 1, 8).astype(int)]
fig, axes = plt.subplots(1, 8, figsize=(15, 2.4))
for ax, i in zip(axes, rows):
    ax.imshow(train.images[i], cmap="gray_r", vmin=185, vmax=300)
    ax.set_title(f"{str(train.time[i])[5:13]}\n{train.wind_kt[i]:.0f} kt {CLASSES[train.labels[i]]}", fontsize=8)
    ax.axis("off")
fig.suptitle(f"The life of {train.name[rows[0]].title()} ({strongest})");

# %% [markdown]
# ## How fast is the generator?
#
# Generated data is only useful if it is cheap. Rendering a batch of 500
# images at the lessons' size:

# %%
winds = np.random.default_rng(0).uniform(20, 160, 500)
start = time.perf_counter()
synth.render_many(winds, seed=1)
render_rate = len(winds) / (time.perf_counter() - start)
print(f"{render_rate:,.0f} images per second (64 x 64, one CPU core)")

# %% [markdown]
# ## The hemisphere sets the spiral's sense
#
# Air flows into a low counter-clockwise in the northern hemisphere and
# clockwise in the southern. The same storm drawn at 20°N and 20°S is a
# mirror image. Keep that in mind for augmentation below.

# %%
north = synth.render(synth.Frame(70, lat=20, shear=0.2), pixels=128, rng=np.random.default_rng(3))
south = synth.render(synth.Frame(70, lat=-20, shear=0.2), pixels=128, rng=np.random.default_rng(3))
fig, axes = plt.subplots(1, 2, figsize=(6.5, 3.3))
for ax, image, title in zip(axes, (north, south), ("20°N: counter-clockwise", "20°S: clockwise")):
    ax.imshow(image, cmap="gray_r", vmin=185, vmax=300)
    ax.set(title=title, xticks=[], yticks=[])
fig.suptitle("The same 70-kt storm in each hemisphere");

# %% [markdown]
# ## Scaling: one fixed temperature scale
#
# Networks train best on inputs of order one. We map brightness temperature
# to `(245 K - T) / 65 K`: about -0.8 over warm ocean, +0.9 for the coldest
# tops. The constants are **fixed**, the same for every image and every
# split. Normalising each image by its own minimum and maximum would erase
# exactly what intensity is read from: how cold the cold cloud is.

# %%
scaled_train = preprocess.scale_temperature(train.images)
fig, ax = plt.subplots(figsize=(6, 3))
ax.hist(scaled_train[::7].ravel(), bins=80, color="tab:blue")
ax.set(title="Scaled training pixels (fixed constants)", xlabel="(245 K - T) / 65 K", ylabel="pixels");

# %% [markdown]
# ## Resizing: the right interpolation
#
# Real frames rarely arrive at the size a network wants: HURSAT-B1 gives
# 301 x 301 pixels of 8 km, and the published network took 232 x 232.
# When **shrinking**, each output pixel should average the input pixels under
# it: `cv2.INTER_AREA`. Nearest-neighbour sampling keeps one pixel in
# several and aliases fine texture into noise; bilinear only looks at 4
# neighbours. OpenCV takes the target size as **(width, height)**.
#
# Below a 256-pixel rendering of one storm, shrunk to 32 pixels both ways.

# %%
sharp = synth.render(synth.Frame(120, shear=0.3), pixels=256, rng=np.random.default_rng(5))
nearest = cv2.resize(sharp, (32, 32), interpolation=cv2.INTER_NEAREST)
area = cv2.resize(sharp, (32, 32), interpolation=cv2.INTER_AREA)
fig, axes = plt.subplots(1, 3, figsize=(10, 3.5))
for ax, image, title in zip(axes, (sharp, nearest, area),
                            ("256 px original", "32 px, INTER_NEAREST", "32 px, INTER_AREA")):
    ax.imshow(image, cmap="gray_r", vmin=185, vmax=300)
    ax.set(title=title, xticks=[], yticks=[])
fig.suptitle("Shrinking by 8: sampling vs area averaging")
reference = sharp.reshape(32, 8, 32, 8).mean(axis=(1, 3))         # the exact 8 x 8 block means
print(f"RMS difference from the block means: nearest {np.sqrt(np.mean((nearest - reference)**2)):.2f} K, "
      f"area {np.sqrt(np.mean((area - reference)**2)):.2f} K")

# %% [markdown]
# ## Exercise 1: shrink an image
#
# Write `shrink(image, size)` returning a `size` x `size` version of a 2-D
# image with OpenCV and the interpolation that suits shrinking.

# %% tags=["exercise"]
def shrink(image, size):
    # TODO: return cv2.resize(...) of image to size x size
    # BEGIN SOLUTION
    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("resize with OpenCV")
    # END STARTER


# %% tags=["selfcheck"]
from bootcamp.selfcheck import cyclone

cyclone.shrink(shrink, sharp)

# %% [markdown]
# ## Crops: random for training, central for evaluation
#
# The network sees a 56 x 56 window (`dataset.CROP`) of each 64 x 64 frame.
# In **training** the window is placed at random: storm centres in real
# imagery are uncertain by a few pixels, and the shifts teach the model not
# to depend on the exact position. In **evaluation** the window is always
# the central one, so a test score never depends on a random draw.

# %%
image = train.images[np.argmax(train.wind_kt)]
rng = np.random.default_rng(0)
fig, axes = plt.subplots(1, 5, figsize=(12, 2.8))
axes[0].imshow(image, cmap="gray_r", vmin=185, vmax=300)
axes[0].set_title("64 x 64 frame")
for ax in axes[1:4]:
    top, left = rng.integers(0, 64 - dataset.CROP + 1, size=2)
    ax.imshow(image[top:top + dataset.CROP, left:left + dataset.CROP], cmap="gray_r", vmin=185, vmax=300)
    ax.set_title(f"random crop at ({top}, {left})")
axes[4].imshow(preprocess.centre_crop(image[None], dataset.CROP)[0], cmap="gray_r", vmin=185, vmax=300)
axes[4].set_title("centre crop")
for ax in axes:
    ax.set(xticks=[], yticks=[])
fig.suptitle("Training sees shifted windows; evaluation the central one");

# %% [markdown]
# ## Exercise 2: the centre crop
#
# Write `centre_crop(image, crop)` for one 2-D image: the central `crop` x
# `crop` window. When the margin is odd, put the extra pixel after the window
# (start at `(H - crop) // 2`).

# %% tags=["exercise"]
def centre_crop(image, crop):
    # TODO: slice the central crop x crop window out of image
    # BEGIN SOLUTION
    top, left = (image.shape[0] - crop) // 2, (image.shape[1] - crop) // 2
    return image[top:top + crop, left:left + crop]
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("slice the central window")
    # END STARTER


# %% tags=["selfcheck"]
cyclone.centre_crop(centre_crop, train.images[0])

# %% [markdown]
# ## Augmentation that keeps the physics
#
# Augmenting (making new training images by transforming old ones) helps a
# small data set, but only with transforms that produce images that could
# exist. A satellite looks straight down, so a storm rotated by any angle is
# still a possible storm. A **mirror image** is not: flipping reverses the
# spiral, turning a northern-hemisphere storm into a southern one, or
# into nothing real. So the pipeline offers rotations by multiples of 90°
# only (exact, no interpolation), and no flips.
#
# ## Exercise 3: which transforms keep a storm valid?
#
# For a northern-hemisphere storm, mark each transform `True` if the result
# still turns counter-clockwise, `False` if not.

# %% tags=["exercise"]
# TODO: fill in True or False for each transform
# BEGIN SOLUTION
keeps_rotation = {"rotate 90": True, "rotate 180": True, "flip left-right": False, "flip up-down": False,
                  "transpose": False}
# END SOLUTION
# BEGIN STARTER
keeps_rotation = None
# END STARTER

# %% tags=["selfcheck"]
cyclone.valid_augmentations(keeps_rotation)

# %% [markdown]
# ## The input pipeline, and its throughput
#
# `preprocess.make_dataset` builds the `tf.data` pipeline all lessons use:
# the scaled images are **cached** in memory, shuffled, cropped (and, when
# asked, rotated) in a **parallel map**, batched, and **prefetched** so that
# the next batch is prepared while the model trains on this one. The random
# draws are stateless and seeded, so a run is reproducible.
#
# How many images per second can it deliver? We time two passes over the
# training frames (the first one fills the cache), and compare with the
# same steps done one element at a time, without parallelism or prefetching.

# %%
def throughput(data, passes=2):
    """Images per second over the last of ``passes`` full passes."""
    for _ in range(passes):
        count, start = 0, time.perf_counter()
        for images, _ in data:
            count += int(images.shape[0])
    return count / (time.perf_counter() - start)


fast = preprocess.make_dataset(scaled_train, train.labels, crop=dataset.CROP, training=True, rotate=True)


def crop_one(image, label):
    return tf.image.random_crop(image, (dataset.CROP, dataset.CROP, 1), seed=0), label


plain = (tf.data.Dataset.from_tensor_slices((scaled_train[..., None], train.labels))
         .map(crop_one).batch(64))                 # no cache, sequential map, no prefetch
pipeline_rate = throughput(fast)
plain_rate = throughput(plain)
print(f"tuned pipeline: {pipeline_rate:,.0f} images/s; plain: {plain_rate:,.0f} images/s")
batch_images, batch_labels = next(iter(fast))
print("one batch:", batch_images.shape, batch_images.dtype, "labels", batch_labels[:10].numpy())

# %% [markdown]
# Whether loading can hold training back depends on how fast the model
# trains. Lesson 3's training log shows it: compare the images per second of
# a training epoch there (frames per epoch over the seconds Keras prints)
# with the two rates above. While the pipeline delivers images faster than
# the model consumes them, loading is not the bottleneck. A GPU consumes
# them many times faster than a CPU, and then `cache`, a parallel `map` and
# `prefetch` pay off, most of all when real netCDF files are decoded from
# disk.
#
# The checks below: the generator and the pipeline are fast enough for the
# lessons (images per second, both modes). The bounds are low on purpose:
# they catch a broken pipeline, not a busy machine.

# %%
floor("tf.data pipeline images per second", pipeline_rate, at_least=bootcamp.choose(full=500, quick=500))
floor("generator images per second", render_rate, at_least=bootcamp.choose(full=50, quick=50))

# %% [markdown]
# ## Summary
#
# * Infrared brightness temperature: cold = high cloud. Intensity shows in
#   the CDO, the eye and the spiral bands.
# * One fixed temperature scale for every image; no per-image normalisation.
# * `INTER_AREA` to shrink; OpenCV sizes are (width, height).
# * Random crops in training, the centre crop in evaluation.
# * Augment with rotations only: a flip reverses the spiral.
# * `tf.data`: cache, parallel map, prefetch; measure the throughput.
