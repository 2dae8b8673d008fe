"""Exercise cases of 08_transfer (see test_exercises.py)."""

import keras
import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import transfer as check


def context():
    return {"keras": keras, "np": np, "check": check}


FROZEN = "def frozen_model(backbone):\n"
HEAD = ("    inputs = keras.Input(shape=(28, 28, 1))\n"
        "    features = keras.layers.Dropout(0.2)(backbone(inputs, training=False))\n")
DENSE = "    outputs = keras.layers.Dense(10, activation='softmax', name='head')(features)\n"
MODEL = "    model = keras.Model(inputs, outputs)\n"
COMPILE = ("    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss='sparse_categorical_crossentropy',\n"
           "                  metrics=['accuracy'])\n")
FREEZE = "    backbone.trainable = False\n"
RETURN = "    return model\n"

TUNE = "def start_fine_tuning(model, backbone, n_top):\n"
RECOMPILE = ("    model.compile(optimizer=keras.optimizers.Adam({rate}), loss='sparse_categorical_crossentropy',\n"
             "                  metrics=['accuracy'])\n    return model\n")
NOT_BN = " and not isinstance(layer, keras.layers.BatchNormalization)"

GAIN = "def gain(results, method):\n"

CASES = {
    1: Case(context=context, wrongs=[
        (FROZEN + HEAD + DENSE + MODEL + COMPILE + RETURN, r"some backbone weights would still train"),
        (FROZEN + FREEZE + HEAD + DENSE + MODEL + "    model.trainable = False\n" + COMPILE + RETURN,
         r"nothing in this model would train"),
        (FROZEN + FREEZE + HEAD + "    outputs = keras.layers.Dense(10, trainable=False)(features)\n" + MODEL
         + COMPILE + RETURN, r"head was frozen too"),
        (FROZEN + FREEZE + HEAD + "    outputs = keras.layers.Dense(10)(features)\n" + MODEL + COMPILE + RETURN,
         r"not probabilities"),
        (FROZEN + FREEZE + HEAD + DENSE + MODEL + RETURN, r"not compiled"),
        (FROZEN + FREEZE + HEAD + "    outputs = keras.layers.Dense(1, activation='sigmoid')(features)\n" + MODEL
         + COMPILE + RETURN, r"output shape is \(None, 1\)"),
        (FROZEN + "    inputs = keras.Input(shape=(28, 28, 1))\n"
                  "    x = keras.layers.Flatten()(keras.layers.Conv2D(4, 3)(inputs))\n"
                  "    features = keras.layers.Dropout(0.2)(x)\n" + DENSE + MODEL + COMPILE + RETURN,
         r"does not hold the backbone"),
    ]),
    2: Case(context=context, wrongs=[
        (TUNE + "    backbone.trainable = True\n" + RECOMPILE.format(rate="1e-4"), r"every layer of the backbone"),
        (TUNE + "    backbone.trainable = True\n    top = backbone.layers[-n_top:]\n"
                "    for layer in backbone.layers:\n        layer.trainable = any(layer is t for t in top)\n"
         + RECOMPILE.format(rate="1e-4"), r"BatchNormalization layer in the top is trainable"),
        (TUNE + "    backbone.trainable = True\n    bottom = backbone.layers[:n_top]\n"
                "    for layer in backbone.layers:\n"
                "        layer.trainable = any(layer is b for b in bottom)" + NOT_BN + "\n"
         + RECOMPILE.format(rate="1e-4"), r"unfroze the bottom layers"),
        (TUNE + "    return model\n", r"no backbone weight would train"),
        (TUNE + "    backbone.trainable = True\n    top = backbone.layers[-n_top:]\n"
                "    for layer in backbone.layers:\n        layer.trainable = any(layer is t for t in top)" + NOT_BN
         + "\n    return model\n", r"compile the model again"),
        (TUNE + "    backbone.trainable = True\n    top = backbone.layers[-n_top:]\n"
                "    for layer in backbone.layers:\n        layer.trainable = any(layer is t for t in top)" + NOT_BN
         + "\n" + RECOMPILE.format(rate="1e-3"), r"learning rate 0\.001"),
    ]),
    3: Case(context=context, wrongs=[
        (GAIN + "    size = max(results[method])\n"
                "    return results[method][size] - results['from scratch'][size]", r"largest size"),
        (GAIN + "    size = list(results[method])[0]\n"
                "    return results[method][size] - results['from scratch'][size]", r"largest size|smallest size"),
        (GAIN + "    size = min(results[method])\n"
                "    return results['from scratch'][size] - results[method][size]", r"negative"),
        (GAIN + "    size = min(results[method])\n"
                "    return results[method][size] / results['from scratch'][size]", r"ratio"),
        (GAIN + "    size = min(results[method])\n    return results[method][size]", r"method's accuracy"),
        (GAIN + "    size = min(results[method])\n"
                "    return results['fine-tuned'][size] - results['from scratch'][size]", r"use the method given"),
    ]),
}
