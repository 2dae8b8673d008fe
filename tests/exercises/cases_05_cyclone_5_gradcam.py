"""Exercise cases of 05_cyclone_5_gradcam (see test_exercises.py).

HiResCAM runs on the lesson's own network (`models.compact_cnn`), narrow and
untrained, with random images: enough for the maps of the logit and of the
probability to differ. The central share is checked on the self-check's
own synthetic maps.
"""

import functools

import keras
import numpy as np
import tensorflow as tf
from exercise_case import Case

from bootcamp.cyclone import models


@functools.cache
def untrained_cnn():
    keras.utils.set_random_seed(0)
    return models.compact_cnn(width=2)            # the maps read the model, never changes it: built once


def a_network():
    images = np.random.default_rng(0).normal(0, 1, (6, 56, 56, 1)).astype(np.float32)
    return {"np": np, "tf": tf, "keras": keras, "model": untrained_cnn(), "x_val": images}


def plain():
    from bootcamp.selfcheck import cyclone

    return {"np": np, "cyclone": cyclone}


def hires_cam_with(target="logits", average=False, relu=True, scale=True, resize=True):
    """A HiResCAM answer with one step done differently (``average``: Grad-CAM's weights)."""
    scores = ('model.get_layer("logits").output' if target == "logits" else "model.outputs[0]")
    return "\n".join([
        'def hires_cam(model, images, layer_name="conv4"):',
        "    images = tf.convert_to_tensor(images, dtype=tf.float32)",
        f"    probe = keras.Model(model.inputs, [model.get_layer(layer_name).output, {scores}])",
        "    with tf.GradientTape() as tape:",
        "        maps, scores = probe(images, training=False)",
        "        chosen = tf.gather(scores, tf.cast(tf.argmax(scores, axis=1), tf.int32), axis=1, batch_dims=1)",
        "    weights = tape.gradient(chosen, maps)",
        "    weights = tf.reduce_mean(weights, axis=(1, 2), keepdims=True)" if average else "",
        "    heat = tf.reduce_sum(maps * weights, axis=-1)",
        "    heat = tf.nn.relu(heat)" if relu else "",
        "    heat = heat / (tf.reduce_max(heat, axis=(1, 2), keepdims=True) + 1e-12)" if scale else "",
        "    heat = tf.image.resize(heat[..., None], images.shape[1:3])[..., 0]" if resize else "",
        "    return heat.numpy()",
    ])


SHARE = ("def central_share(maps, radius_px):\n"
         "    maps = np.asarray(maps, dtype=float)\n"
         "    yy, xx = np.mgrid[:maps.shape[1], :maps.shape[2]]\n"
         "    inside = np.hypot(yy - {centre}, xx - {centre}) <= {radius}\n"
         "    return {result}\n")
RIGHT = "(maps * inside).sum(axis=(1, 2)) / maps.sum(axis=(1, 2))"

CASES = {
    1: Case(context=a_network, wrongs=[
        (hires_cam_with(target="probability"), r"PROBABILITY.*before the softmax"),
        (hires_cam_with(average=True), r"Grad-CAM's maps.*element by element"),
        (hires_cam_with(relu=False), r"ReLU"),
        (hires_cam_with(scale=False, relu=True), r"maximum"),
        (hires_cam_with(resize=False), r"shape"),
    ]),
    2: Case(context=plain, wrongs=[
        (SHARE.format(centre="maps.shape[1] // 2", radius="radius_px", result=RIGHT), r"middle of the grid"),
        (SHARE.format(centre="(maps.shape[1] - 1) / 2", radius="radius_px", result="(maps * inside).sum(axis=(1, 2))"),
         r"divide by each map's total"),
        (SHARE.format(centre="(maps.shape[1] - 1) / 2", radius="radius_px", result=f"float(np.mean({RIGHT}))"),
         r"one share per map"),
        (SHARE.format(centre="(maps.shape[1] - 1) / 2", radius="16", result=RIGHT), r"within 8 pixels"),
    ]),
}
