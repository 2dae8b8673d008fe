"""Exercise cases of 04_deploy (see test_exercises.py)."""

import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import deploy


def training_history():
    # six epochs: lowest validation loss at epoch 3, best validation accuracy at 4,
    # lowest training loss at 5, and the last epoch is none of them
    history = {"loss": [0.9, 0.7, 0.6, 0.55, 0.50, 0.52],
               "val_loss": [0.80, 0.62, 0.55, 0.57, 0.60, 0.66],
               "accuracy": [0.70, 0.76, 0.79, 0.80, 0.82, 0.81],
               "val_accuracy": [0.72, 0.77, 0.79, 0.81, 0.80, 0.78]}
    return {"np": np, "deploy": deploy, "histories": {"plain": history, "augmented": history}}


def timing_log():
    # seconds per call; the first call of each kind is slow (one-off costs), one single call is an outlier
    serving_log = {"single": [0.05, 0.0010, 0.0011, 0.0009, 0.006, 0.0010],
                   "batch": [0.012, 0.0040, 0.0041, 0.0039, 0.010, 0.0040]}
    return {"np": np, "deploy": deploy, "serving_log": serving_log, "n_batch": 256}


def small_network():
    import keras

    keras.utils.set_random_seed(0)
    network = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                                keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")],
                               name="network")
    x_val = np.random.default_rng(0).integers(0, 256, (24, 28, 28, 1), dtype=np.uint8)
    return {"np": np, "deploy": deploy, "keras": keras, "network": network, "x_val": x_val}


DEVICE_INPUT = "keras.Input(shape=(28, 28), dtype='uint8'), keras.layers.Reshape((28, 28, 1)), "

CASES = {
    1: Case(context=training_history, wrongs=[
        ("best_epoch = int(np.argmin(histories['augmented']['val_loss']))", r"counts from 0"),
        ("best_epoch = int(np.argmax(histories['augmented']['val_accuracy'])) + 1", r"monitor='val_loss'"),
        ("best_epoch = int(np.argmin(histories['augmented']['loss'])) + 1", r"\*training\* loss"),
        ("best_epoch = len(histories['augmented']['val_loss'])", r"need not be the last"),
        ("best_epoch = int(np.argmax(histories['augmented']['val_loss'])) + 1", r"best when it is smallest"),
    ]),
    2: Case(context=timing_log, wrongs=[
        ("speedup = np.median(serving_log['single'][1:]) / np.median(serving_log['batch'][1:])", r"per image"),
        ("speedup = (np.median(serving_log['batch'][1:]) / n_batch) / np.median(serving_log['single'][1:])",
         r"upside down"),
        ("speedup = np.mean(serving_log['single']) / (np.mean(serving_log['batch']) / n_batch)",
         r"leave out the first call"),
    ]),
    3: Case(context=small_network, wrongs=[
        ("device_model = keras.Sequential([" + DEVICE_INPUT + "network])", r"Rescaling\(1 / 255\)"),
        ("device_model = keras.Sequential([" + DEVICE_INPUT + "keras.layers.Rescaling(255), network])",
         r"not 255"),
        ("device_model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Rescaling(1 / 255), "
         "network])", r"Reshape"),
        ("def device_model(images):\n    return network(images[..., None] / 255)", r"not a Python function"),
        ("device_model = keras.Sequential([" + DEVICE_INPUT + "keras.layers.Rescaling(1 / 255), "
         "keras.layers.RandomFlip('horizontal'), network])", r"random augmentation"),
    ]),
}
