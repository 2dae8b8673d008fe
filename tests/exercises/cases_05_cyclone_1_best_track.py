"""Exercise cases of 05_cyclone_1_best_track (see test_exercises.py).

Small stand-ins for the notebook's objects: a storm track with fixes that are
not evenly spaced (as HURDAT2's extra landfall fixes are not), and a frame
table whose training and validation parts have different majority classes.
"""

import numpy as np
import pandas as pd
from exercise_case import Case

from bootcamp.selfcheck import cyclone


def a_track():
    times = pd.to_datetime(["2017-09-01 00:00", "2017-09-01 06:00", "2017-09-01 12:00", "2017-09-01 15:00",
                            "2017-09-01 18:00", "2017-09-02 00:00"])
    track = pd.DataFrame({"storm_id": "AL112017", "time": times, "wind_kt": [40.0, 50, 65, 95, 110, 150]})
    return {"np": np, "pd": pd, "irma": track}


def a_split():
    labels = np.array([2] * 30 + [1] * 20 + [3] * 10 + [1] * 9 + [2] * 6 + [7] * 3)
    masks = [np.arange(len(labels)) < 60, np.arange(len(labels)) >= 60, np.zeros(len(labels), bool)]
    # the exercise cell defines train_labels and val_labels itself; a wrong answer replaces the whole cell
    return {"np": np, "cyclone": cyclone, "frames": pd.DataFrame({"label": labels}), "masks": masks,
            "train_labels": labels[masks[0]], "val_labels": labels[masks[1]]}


CASES = {
    1: Case(context=a_track, wrongs=[
        ("def wind_at(track, time):\n"
         "    return float(track[track['time'] <= time]['wind_kt'].iloc[-1])", r"fix before"),
        ("def wind_at(track, time):\n"
         "    return float(np.interp(np.searchsorted(track['time'], time), np.arange(len(track)),\n"
         "                           track['wind_kt']))", r"expected about"),
    ]),
    2: Case(context=a_split, wrongs=[
        ("majority_accuracy = np.bincount(val_labels).max() / len(val_labels)", r"training frames"),
        ("majority_accuracy = np.bincount(train_labels).max() / len(train_labels)", r"validation frames"),
        ("majority_accuracy = np.bincount(train_labels).argmax()", r"index"),
    ]),
}
