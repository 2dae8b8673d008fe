# %% [markdown]
# # 05 · Tropical cyclones 1: the problem and the best-track data
#
# How strong is a hurricane right now? Aircraft fly into only a small share
# of the world's storms, so forecasters estimate the intensity of most of them
# from **satellite pictures**. The six cyclone lessons teach a CNN to do that,
# and to be evaluated honestly:
#
# 1. **this one**: the science problem and the labels (best-track data);
# 2. the images and how to prepare them;
# 3. a CNN classifier, and how a careless split inflates its score;
# 4. countering class imbalance;
# 5. what the network looks at (class activation maps: HiResCAM, Grad-CAM);
# 6. a competition on whole seasons locked away until then.
#
# This lesson uses no images at all: it is about the **labels**, where they
# come from, how to attach them to pictures taken between observations, and
# how unevenly the classes are spread.

# %%
import bootcamp

bootcamp.setup(seed=42)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from bootcamp.checks import floor
from bootcamp.cyclone import dataset
from bootcamp.cyclone.tracks import interpolate_track
from bootcamp.data.hurdat2 import CLASS_NAMES, CLASS_UPPER_KT, CLASSES, load_hurdat2

# %% [markdown]
# ## The Dvorak technique: intensity from cloud patterns
#
# Since the 1970s forecasters have estimated intensity with the **Dvorak
# technique**: they match the storm's cloud pattern in visible or infrared
# images to a set of patterns (a curved band wrapping round the centre, a
# central dense overcast, an eye), measure things such as how far the band
# wraps and how cold the cloud tops round the eye are, and read off a
# "T-number" that a table turns into a wind speed. It works, but it is a
# human judgement with rules: two analysts can disagree by one class.
#
# A CNN trained on images labelled with the best intensity estimates can
# learn the same cues from the data. That is the task here: **classify an
# infrared image into one of eight intensity classes**, and turn the class
# into a wind speed.
#
# ## Eight intensity classes, from three sources
#
# Intensity is the maximum 1-minute sustained wind at 10 m, in knots
# (1 kt = 1.852 km/h). The eight classes used throughout these lessons are
# not one scale but three, stacked:
#
# * **H1 to H5** are the five categories of the **Saffir-Simpson Hurricane
#   Wind Scale**, which only rates hurricanes (64 kt and more);
# * **TD** (tropical depression) and **TS** (tropical storm) are the National
#   Hurricane Center's names for the two stages below hurricane strength;
# * **NC** is the class Pradhan et al. (2018), whose study these lessons
#   follow, added for the weakest systems, below a depression's winds.
#
# Their bounds, as the package defines them:

# %%
SOURCE = {"NC": "Pradhan et al. (2018)", "TD": "National Hurricane Center", "TS": "National Hurricane Center"}
bounds = [0, *[int(b) + 1 for b in CLASS_UPPER_KT]]
for k, code in enumerate(CLASSES):
    upper = f"{CLASS_UPPER_KT[k]:>3} kt" if k < len(CLASS_UPPER_KT) else "  and above"
    name = CLASS_NAMES[code].split(" (")[0]
    print(f"{k}  {code}  from {bounds[k]:>3} kt to {upper}   {name:<25} "
          f"{SOURCE.get(code, 'Saffir-Simpson Hurricane Wind Scale')}")

# %% [markdown]
# ## The best track: HURDAT2
#
# After each season the National Hurricane Center re-analyses every Atlantic
# storm with all the data it has (satellites, aircraft, ships, buoys) and
# publishes the **best track**: every 6 hours, the position, maximum wind and
# minimum pressure. HURDAT2 covers 1851 to last year. These are the labels.
#
# `load_hurdat2` gets the file from the cache, a workshop mirror or NOAA, and
# checks its structure. With `allow_fallback=True`, when nothing can be
# downloaded, it falls back, with a loud notice, to the 2014-2018 seasons
# shipped with the course: all that quick mode uses anyway.

# %%
best_track = load_hurdat2(allow_fallback=True)
print(f"{best_track['storm_id'].nunique():,} storms, {len(best_track):,} fixes, "
      f"{best_track['time'].dt.year.min()}-{best_track['time'].dt.year.max()}")
best_track.head()

# %% [markdown]
# Each row is one **fix**. `status` is the kind of system: TD (tropical
# depression), TS (tropical storm), HU (hurricane), EX (extratropical), SD/SS
# (subtropical), LO/WV/DB (a low, a wave, a disturbance).
#
# The lessons use the storms of the seasons chosen once for all six, in
# `bootcamp.cyclone.dataset`: 2014-2018 in quick mode, 1999-2018 in full mode.
#
# A few whole seasons among them (`dataset.LOCKED_SEASONS`) are **locked
# away** for the competition of lesson 6: no lesson before it trains on them,
# tunes on them, or even looks at their statistics. That way the competition
# scores every entry on storms nobody has seen. We drop them here, before
# anything else. (A storm's season is the year in its HURDAT2 id:
# AL112017 is the eleventh storm of 2017.)

# %%
first, last = dataset.seasons()
in_range = dataset.best_track(best_track, (first, last))
locked = dataset.in_locked_season(in_range["storm_id"])
storms = in_range[~locked].reset_index(drop=True)
locked_seasons = sorted(set(dataset.season_of(in_range["storm_id"][locked]).tolist()))
print(f"seasons {first}-{last}: {in_range['storm_id'].nunique()} storms; locked for the competition: "
      f"{', '.join(map(str, locked_seasons))}, {in_range['storm_id'][locked].nunique()} storms")
print(f"used in lessons 1-5: {storms['storm_id'].nunique()} storms, {len(storms):,} fixes with a known wind")

# %% [markdown]
# ## One storm's life
#
# Hurricane Irma (AL112017) went from a tropical depression to 155 kt, one of
# the strongest Atlantic storms on record, in a few days. Plotting its wind
# over time against the class boundaries shows what a label sequence looks
# like: smooth at 6-hour resolution, with fast jumps during rapid
# intensification.

# %%
irma = best_track[best_track["storm_id"] == "AL112017"].sort_values("time")
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.plot(irma["time"], irma["wind_kt"], "o-", ms=3, label="best-track fixes (6-hourly)")
for upper in CLASS_UPPER_KT:
    ax.axhline(upper + 0.5, color="grey", lw=0.6, ls=":")
ax.set(title="Irma 2017: maximum sustained wind", xlabel="time (UTC)", ylabel="wind (kt)")
ax.legend(loc="upper left")
fig.autofmt_xdate();

# %% [markdown]
# ## All the tracks
#
# Every storm of the lessons' seasons (less the locked ones) on a
# latitude/longitude plot, each fix coloured by its class. Storms form in the tropics, move west, then recurve
# north and east; the strongest classes appear over the warm western Atlantic
# and the Caribbean.

# %%
fig, ax = plt.subplots(figsize=(9, 5))
for _, track in storms.groupby("storm_id"):
    ax.plot(track["lon"], track["lat"], color="lightgrey", lw=0.7, zorder=1)
codes = storms["category"].cat.codes.to_numpy()
points = ax.scatter(storms["lon"], storms["lat"], c=codes, cmap="plasma", s=4, vmin=0, vmax=7, zorder=2)
colorbar = fig.colorbar(points, ax=ax, ticks=range(8))
colorbar.ax.set_yticklabels(CLASSES)
colorbar.set_label("intensity class")
ax.set(title=f"Atlantic best tracks {first}-{last}, locked seasons left out", xlabel="longitude (degrees east)",
       ylabel="latitude (degrees north)", xlim=(-110, 0), ylim=(0, 65));

# %% [markdown]
# ## How the intensities are spread
#
# A histogram of wind speed with the class boundaries, and the number of
# fixes per class. The imbalance is the first thing a classifier meets: most
# fixes are tropical storms, and category-5 hurricanes are rare.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
left.hist(storms["wind_kt"], bins=np.arange(10, 190, 5), color="tab:blue")
for upper in CLASS_UPPER_KT:
    left.axvline(upper + 0.5, color="k", lw=0.6, ls=":")
left.set(title="Wind of all fixes (dotted: class boundaries)", xlabel="wind (kt)", ylabel="fixes")
fix_counts = np.bincount(codes[codes >= 0], minlength=8)
right.bar(CLASSES, fix_counts, color="tab:orange")
right.set(title="Fixes per intensity class", xlabel="class", ylabel="fixes")
fig.tight_layout()
print("share of fixes per class:", dict(zip(CLASSES, np.round(fix_counts / fix_counts.sum(), 3))))

# %% [markdown]
# ## Labels between fixes: interpolation, and its limits
#
# Satellite frames come every 3 hours (HURSAT-B1) or more often; best-track
# fixes every 6 hours. The label of a frame is the best-track wind
# **interpolated linearly in time** between the two fixes of the same storm
# around it. Be aware of what that means:
#
# * a fix is itself an analysis, uncertain by several knots (more when no
#   aircraft flew into the storm), so labels are noisy before any
#   interpolation;
# * rapid intensification between two fixes is smoothed over: the label may
#   lag the picture;
# * nothing is extrapolated before a storm's first fix or after its last.
#
# ## Exercise 1: the wind between two fixes
#
# Write `wind_at(track, time)`: the wind (kt) of one storm at `time`, by
# linear interpolation in time between the fixes just before and just after.
# (Hint: `np.interp` works on numbers; convert times with
# `.to_numpy("datetime64[s]").astype(np.int64)`, seconds since 1970.)

# %% tags=["exercise"]
def wind_at(track, time):
    """Wind (kt) of one storm at ``time``, linear in time between its fixes."""
    # TODO: interpolate track["wind_kt"] between track["time"] values
    # BEGIN SOLUTION
    seconds = track["time"].to_numpy("datetime64[s]").astype(np.int64)
    when = np.datetime64(time, "s").astype(np.int64)
    return float(np.interp(when, seconds, track["wind_kt"].to_numpy(float)))
    # END SOLUTION
    # BEGIN STARTER
    raise NotImplementedError("interpolate the wind between the fixes")
    # END STARTER

# %% tags=["selfcheck"]
from bootcamp.selfcheck import cyclone

cyclone.interpolated_wind(wind_at, irma)

# %% [markdown]
# How good is linear interpolation? We can measure it with the data we have:
# drop every other fix, interpolate the dropped ones from their neighbours
# **12** hours apart, and compare with the truth. A frame is never more than
# 3 hours from a fix, so this over-states the error of our 3-hourly labels,
# but it shows where interpolation struggles.

# %%
errors, changes = [], []
for _, track in storms.groupby("storm_id"):
    track = track.sort_values("time")
    if len(track) < 5:
        continue
    kept, dropped = track.iloc[::2], track.iloc[1:-1:2]
    guess = interpolate_track(kept, dropped["time"])
    errors.append(guess["wind_kt"].to_numpy() - dropped.set_index("time").loc[guess["time"], "wind_kt"].to_numpy())
    changes.append(np.abs(np.diff(kept["wind_kt"].to_numpy()))[:len(dropped)])   # change across each 12-h gap
errors, changes = np.concatenate(errors), np.concatenate(changes)
interp_rmse = float(np.sqrt(np.mean(errors**2)))
fast = changes >= 20
print(f"interpolating across 12 h: RMSE {interp_rmse:.2f} kt, {np.mean(np.abs(errors) > 10):.1%} "
      f"of fixes off by more than 10 kt (n = {len(errors):,})")
print(f"  where the wind changed by 20 kt or more in those 12 h: RMSE {np.sqrt(np.mean(errors[fast]**2)):.2f} kt "
      f"(n = {fast.sum():,}); elsewhere: {np.sqrt(np.mean(errors[~fast]**2)):.2f} kt")

# %% [markdown]
# Compare the two lines printed: where the storm changed steadily, a straight
# line between fixes is close to the truth; where it changed fast (rapid
# intensification, landfall), a 12-hour gap hides what happened in between.
#
# ## From fixes to frames
#
# `dataset.frame_table` places a frame every 3 hours along each storm (as
# HURSAT-B1 does), interpolates wind and position, and keeps frames while the
# storm is tropical (extratropical stages look different and are not what
# the Dvorak technique reads). This table is the skeleton of the image data
# set of the next lessons.

# %%
frames = dataset.frame_table(storms)
frame_counts = np.bincount(frames["label"], minlength=8)
print(f"{len(frames):,} frames of {frames['storm_id'].nunique()} storms")
print(pd.DataFrame({"frames": frame_counts, "share": np.round(frame_counts / frame_counts.sum(), 3)},
                   index=list(CLASSES)).T)

# %% [markdown]
# ## Splitting by storm
#
# Frames 3 hours apart show nearly the same storm with nearly the same label.
# If some frames of a storm go to training and others to testing, a model
# can score well by recognising the storm instead of reading its intensity.
# So we split **whole storms** (of the unlocked seasons), 70/15/15 of them
# for training, validation and test. To give every part weak and strong storms, the storms are sorted by peak intensity and
# dealt out in blocks (a stratified split), with a fixed seed shared by all
# six lessons.
#
# The three parts have three jobs. Training frames fit the weights.
# Validation frames make every **choice**: which model, which variant, how
# many epochs. Test frames are scored **once**, at the end, for the model
# already chosen, so that their score is a fair estimate of what the model
# will do on new storms.

# %% tags=["split"]
peak = frames.groupby("storm_id")["wind_kt"].transform("max").to_numpy()
masks = dataset.split_storms(frames["storm_id"].to_numpy(), peak)
summary = {}
for part, mask in zip(("train", "validation", "test"), masks):
    summary[part] = np.bincount(frames["label"][mask], minlength=8)
    print(f"{part:>10}: {frames['storm_id'][mask].nunique():3d} storms, {mask.sum():5d} frames")
train_storms, val_storms, test_storms = (set(frames["storm_id"][m]) for m in masks)
assert not (train_storms & val_storms or train_storms & test_storms or val_storms & test_storms)
classes_in_every_part = min(int((counts > 0).sum()) for counts in summary.values())
pd.DataFrame(summary, index=list(CLASSES)).T

# %% [markdown]
# ## Exercise 2: the score to beat
#
# Before any model: what top-1 accuracy does a "classifier" get that
# ignores the image and always answers one class, the most frequent one?
#
# That "most frequent class" is already a choice, the only thing this
# model learns, so it follows the rule above: **choose it on the training
# frames**, then **measure** how often it is right on the validation frames.
# Compute `majority_accuracy`, a fraction between 0 and 1, from
# `train_labels` and `val_labels`.

# %% tags=["exercise"]
train_labels = frames["label"].to_numpy()[masks[0]]
val_labels = frames["label"].to_numpy()[masks[1]]
# TODO: majority_accuracy = validation top-1 accuracy of always answering one class chosen on training frames
# BEGIN SOLUTION
majority_class = np.bincount(train_labels).argmax()
majority_accuracy = float(np.mean(val_labels == majority_class))
# END SOLUTION
# BEGIN STARTER
majority_accuracy = None
# END STARTER

# %% tags=["selfcheck"]
cyclone.majority_baseline(majority_accuracy, train_labels, val_labels)

# %% [markdown]
# A model must clear that bar by a clear margin before it has learned
# anything.
#
# The check below guards this lesson's claims: linear interpolation of the
# best track stays within a few knots (both modes), and the split keeps
# every class in each of its three parts.

# %%
floor("12-h interpolation RMSE", interp_rmse, at_most=bootcamp.choose(full=8.0, quick=8.0), unit="kt")
floor("classes present in every part of the split", classes_in_every_part, at_least=8)

# %% [markdown]
# ## Summary
#
# * Intensity is the maximum sustained wind, binned into 8 classes: NC
#   (Pradhan et al.), TD and TS (NHC), and the Saffir-Simpson hurricane
#   categories H1 to H5.
# * Labels come from HURDAT2 fixes every 6 h, interpolated linearly in time
#   to the frames (a few knots of error, more during rapid changes).
# * The classes are very imbalanced: TS is most common, H5 rare.
# * Whole seasons are locked away for the competition; the rest is split by
#   storm, never by frame.
# * Validation makes the choices; the test set is scored once, at the end.
#   The majority class, chosen on training frames, is the baseline to beat.
#
# Next: what the satellite sees, and how to turn it into network input.
