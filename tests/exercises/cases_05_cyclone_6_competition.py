"""Exercise cases of 05_cyclone_6_competition (see test_exercises.py).

The entry's self-check judges a model on the validation storms: valid input
and output, trained, better than the majority class. Real training of the
lesson's CNN takes far longer than a case may, so the namespace holds a
stand-in for ``models`` with the same calls: ``compact_cnn`` builds a tiny
network (mean brightness, then class scores, then a softmax), and
``train_classifier`` fits it eagerly for the given epochs. The frames are
tiny too: cold (class H3) and warm (class TS) images that such a network
separates in one step. ``predict`` and the check itself are the real ones.
"""

from types import SimpleNamespace

import keras
import numpy as np
import pandas as pd
from exercise_case import Case

import bootcamp
from bootcamp.cyclone import dataset, models, scoring


def frames(labels, seed):
    labels = np.asarray(labels)
    n = len(labels)
    kelvin = np.where(labels[:, None, None] >= 5, 200.0, 290.0) + np.random.default_rng(seed).normal(0, 3, (n, 64, 64))
    return dataset.Frames(images=kelvin.astype(np.float32), labels=labels, wind_kt=np.where(labels >= 5, 100.0, 50.0),
                          storm_id=np.array([f"AL{i % 9 + 1:02d}2016" for i in range(n)]), name=np.array(["X"] * n),
                          time=np.zeros(n, "datetime64[s]"), lat=np.full(n, 20.0), lon=np.full(n, -60.0))


def tiny_cnn(width=8, name="compact_cnn"):
    inputs = keras.Input((dataset.CROP, dataset.CROP, 1))
    mean = keras.layers.GlobalAveragePooling2D()(inputs)
    logits = keras.layers.Dense(8, kernel_initializer="zeros", name="logits")(mean)
    return keras.Model(inputs, keras.layers.Softmax(name="probabilities")(logits), name=name)


def train_tiny(model, train, validation, *, epochs, learning_rate=2e-3, verbose=0, **options):
    x = models.preprocess.centre_crop(models.scaled(train), dataset.CROP)[..., None]
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy", run_eagerly=True)
    return model.fit(x, train.labels, epochs=epochs, batch_size=len(x), verbose=0)


def competition():
    stand_in = SimpleNamespace(compact_cnn=tiny_cnn, train_classifier=train_tiny, predict=models.predict)
    return {"np": np, "pd": pd, "keras": keras, "bootcamp": bootcamp, "scoring": scoring, "models": stand_in,
            "config": {"width": 2, "epochs": 1}, "train": frames([2] * 16 + [5] * 16, 0),
            "validation": frames([2] * 6 + [5] * 6, 1), "baseline_model": tiny_cnn()}


CASES = {
    1: Case(context=competition, wrongs=[
        ("my_model = models.compact_cnn(width=config['width'])", r"not been trained"),
        ("my_model = keras.Sequential([keras.Input((56, 56, 1)), keras.layers.GlobalAveragePooling2D(),\n"
         "                             keras.layers.Dense(8)])", r"probabilities"),
        ("my_model = keras.Sequential([keras.Input((64, 64, 1)), keras.layers.Flatten(),\n"
         "                             keras.layers.Dense(8, activation='softmax')])", r"56 x 56 x 1"),
        ("my_model = models.compact_cnn(width=config['width'])\n"
         "models.train_classifier(my_model, train, validation, epochs=1)\n"
         "my_model.get_layer('logits').set_weights([np.zeros((1, 8)), np.eye(8)[2]])", r"majority class"),
    ]),
}
