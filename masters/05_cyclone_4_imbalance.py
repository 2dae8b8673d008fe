# %% [markdown]
# # 05 · Tropical cyclones 4: countering class imbalance
#
# > **The images in this lesson are generated, not observed**: IR-like
# > pictures drawn by `bootcamp.cyclone.synth` from the intensity of real
# > HURDAT2 storms (lesson 2 shows them). To use real HURSAT-B1 frames
# > instead, fetch or import storm archives and start Jupyter with
# > `BOOTCAMP_CYCLONE_SOURCE=hursat`; `docs/cyclone.md` says how. The data
# > cell below prints which source is in use.
#
# Lesson 3's network rarely predicts the rare classes: with 40% of frames in
# one class, and a few percent in others, the loss is dominated by the
# common ones. Three standard remedies, each applied to the **training
# frames only**:
#
# 1. **class weights**: make an error on a rare class cost more in the loss;
# 2. **resampling**: draw training frames so that every class is equally
#    frequent;
# 3. **augmentation**: more varied training images, here rotations by
#    multiples of 90° (lesson 2: flips would reverse the spiral).
#
# All are compared with the plain network in one table, on the same untouched
# test storms.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from bootcamp.checks import floor, record
from bootcamp.cyclone import dataset, models, scoring
from bootcamp.data.hurdat2 import CLASSES

# %% [markdown]
# ## The imbalance
#
# The shared split, and the number of training frames per class.

# %%
train, validation, test = dataset.standard()
print(f"image source: {train.source}")
config = models.settings()
train_counts = train.class_counts()
test_counts_before = test.class_counts()
fig, ax = plt.subplots(figsize=(7, 3))
ax.bar(CLASSES, train_counts, color="tab:blue")
ax.set(title="Training frames per class", xlabel="class", ylabel="frames", yscale="log")
print(dict(zip(CLASSES, train_counts.tolist())), f"- largest / smallest = {train_counts.max() / train_counts.min():.0f}")

# %% [markdown]
# Why not just rebalance everything? Because the **test set must keep the
# real class frequencies**: it stands for the storms a forecaster will meet.
# A model scored on a balanced test set (or validated on a balanced
# validation set while tested on an unbalanced one, a mistake of the public
# lab) is scored on a world that does not exist. Rebalancing is a training
# trick; evaluation stays as it is.
#
# ## Exercise 1: class weights
#
# Keras' `fit(class_weight=...)` multiplies each frame's loss by the weight of
# its class. The usual "balanced" choice gives class $c$ the weight
# $w_c = n / (k \, n_c)$: $n$ training frames, $k$ classes present, $n_c$
# frames of class $c$. A class with the average number of frames gets weight 1.
# Build the dict `class_weight` {class index: weight} from `train.labels`.

# %% tags=["exercise"]
# TODO: class_weight = {c: n / (k * n_c) for every class c present in train.labels}
# BEGIN SOLUTION
present = np.flatnonzero(train_counts)
class_weight = {int(c): len(train) / (len(present) * train_counts[c]) for c in present}
# END SOLUTION
# BEGIN STARTER
class_weight = None
# END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import cyclone

cyclone.class_weights(class_weight, train.labels)

# %% [markdown]
# ## Exercise 2: resampling
#
# Instead of weighting, draw the training frames anew: the same total number
# as before, but an equal number from each class, drawing **with
# replacement** (rare classes repeat their frames). Write `balanced_index`, an
# array of indices into the training frames (never validation or test
# frames!), with `rng` for the draws.

# %% tags=["exercise"]
rng = np.random.default_rng(0)
# TODO: balanced_index = indices into train, about len(train) / k of each class
# BEGIN SOLUTION
per_class = len(train) // np.count_nonzero(train_counts)
balanced_index = np.concatenate([rng.choice(np.flatnonzero(train.labels == c), per_class, replace=True)
                                 for c in np.flatnonzero(train_counts)])
# END SOLUTION
# BEGIN STARTER
balanced_index = None
# END STARTER

# %% tags=["selfcheck"]
cyclone.oversampled(balanced_index, train.labels, len(train))

# %% [markdown]
# Resampling has a cost: the frames of the rarest class now appear many
# times each per epoch, and the model may learn them by heart. Random crops
# soften that a little.
#
# ## Four trainings, one table
#
# The same compact CNN as lesson 3 (`models.compact_cnn`) and the same
# training steps (`models.train_classifier`: Adam with cosine decay,
# cross-entropy, random crops), with the same seed, four ways:
#
# | variant | what changes in training |
# | --- | --- |
# | plain | nothing |
# | class weights | `class_weight` in the loss |
# | resampling | the frames of `balanced_index` |
# | rotations | each training image rotated by a random multiple of 90° |
#
# **This is the slow cell**: four trainings, about a minute in quick mode and
# 15 minutes in full mode on a CPU. When no exercise is done yet, the
# variants that need it are skipped.

# %%
epochs = bootcamp.choose(full=config["epochs"], quick=6)    # four trainings: quick mode takes 6 epochs, not 8
variants = {"plain": {}, "class weights": {"class_weight": class_weight},
            "resampling": {"train_index": balanced_index}, "rotations": {"rotate": True}}
results, recalls = {}, {}
for name, options in variants.items():
    if any(value is None for value in options.values()):
        print(f"{name}: skipped (finish the exercise above first)")
        continue
    keras.utils.set_random_seed(42)
    model = models.compact_cnn(width=config["width"])
    start = time.perf_counter()
    models.train_classifier(model, train, validation, epochs=epochs, **options)
    probabilities = models.predict(model, test)
    results[name] = scoring.score(probabilities, test.labels, test.wind_kt)
    recalls[name] = scoring.per_class_recall(test.labels, probabilities.argmax(axis=1))
    print(f"{name}: {time.perf_counter() - start:.0f} s, test top-1 {results[name]['top1']:.3f}")

# the test set was never touched by any of this
assert np.array_equal(test.class_counts(), test_counts_before)

# %%
rare = np.argsort(train_counts)[:3]                  # the three rarest classes in training
table = pd.DataFrame(results).T
table[f"recall of {', '.join(CLASSES[c] for c in rare)}"] = [np.nanmean(recalls[n][rare]) for n in results]
majority = scoring.score(scoring.constant_probabilities(train.labels, len(test)), test.labels, test.wind_kt)
table.loc["majority class"] = [majority["top1"], majority["top2"], majority["rmse_kt"], majority["balanced"], 0.0]
table.round(3)

# %% [markdown]
# Columns: top-1 and top-2 accuracy, the RMSE in knots, the **balanced
# accuracy** (the mean recall over classes: every class counts the same,
# however rare), and the mean recall of the three rarest classes.
#
# What to look for: weighting and resampling usually raise the recall of
# the rare classes and the balanced accuracy, and may lower the top-1
# accuracy, since the model now guesses rare classes more often, including
# wrongly. Which trade is right depends on the use: missing a category-5
# storm costs more than calling a tropical storm a depression. Rotations add
# variety without changing the class balance.

# %%
fig, ax = plt.subplots(figsize=(9, 3.5))
width = 0.8 / len(recalls)
for k, (name, recall) in enumerate(recalls.items()):
    ax.bar(np.arange(8) + k * width, recall, width, label=name)
ax.set(title="Test recall per class, by training variant", xlabel="true class", ylabel="recall",
       xticks=np.arange(8) + 0.4 - width / 2, xticklabels=CLASSES, ylim=(0, 1))
ax.legend(ncol=4, fontsize=8);

# %% [markdown]
# ## Did it work?
#
# The floors: the best variant beats the majority class in top-1 by at least
# 0.10 (0.15 in full mode), and the better rebalanced variant (weights or
# resampling) raises the balanced accuracy by at least 0.05 over the plain
# network.

# %%
for name, scores in results.items():
    record(f"{name} test top-1", scores["top1"])
    record(f"{name} test balanced accuracy", scores["balanced"])
    record(f"{name} test RMSE", scores["rmse_kt"], "kt")
floor("best variant top-1 minus majority", max(s["top1"] for s in results.values()) - majority["top1"],
      at_least=bootcamp.choose(full=0.15, quick=0.10))
if "class weights" in results and "resampling" in results:
    floor("rebalanced minus plain balanced accuracy",
          max(results["class weights"]["balanced"], results["resampling"]["balanced"]) - results["plain"]["balanced"],
          at_least=bootcamp.choose(full=0.05, quick=0.05))
else:
    print("The rebalancing floor is checked once both exercises are done.")

# %% [markdown]
# ## Summary
#
# * Rebalance **training** only, after the split; keep validation and test
#   at the real class frequencies.
# * Class weights and resampling trade some top-1 accuracy for recall of the
#   rare classes; report per-class recall or balanced accuracy, not only top-1.
# * Augment with transforms that produce possible images: rotations, no flips.
#
# Next: what the network looks at.
