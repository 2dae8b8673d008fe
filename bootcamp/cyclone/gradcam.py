"""Where a cyclone classifier looks: Grad-CAM and gradient saliency.

Reference versions of what lesson 05_cyclone_5 writes out step by step with
``tf.GradientTape`` on a Keras 3 functional model; the lesson's self-check
compares the learner's version with these.
"""

from __future__ import annotations

import numpy as np


def grad_cam(model, images, class_index=None, layer_name: str = "conv4") -> np.ndarray:
    """Grad-CAM heat maps, one per image, in [0, 1], resized to the input.

    The gradient of the chosen class's probability with respect to the
    feature maps of ``layer_name``, averaged over each map, weighs the maps;
    their weighted sum, passed through ReLU, says which regions raised that
    class's score. ``class_index``: one class per image (default: the
    predicted class).
    """
    import keras
    import tensorflow as tf

    images = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    probe = keras.Model(model.inputs, [model.get_layer(layer_name).output, model.outputs[0]])
    with tf.GradientTape() as tape:
        maps, probabilities = probe(images, training=False)
        if class_index is None:
            class_index = tf.argmax(probabilities, axis=1)
        chosen = tf.gather(probabilities, tf.cast(class_index, tf.int32), axis=1, batch_dims=1)
    gradients = tape.gradient(chosen, maps)
    weights = tf.reduce_mean(gradients, axis=(1, 2))                     # one weight per feature map
    heat = tf.nn.relu(tf.reduce_sum(maps * weights[:, None, None, :], axis=-1))
    heat = heat / (tf.reduce_max(heat, axis=(1, 2), keepdims=True) + 1e-12)
    heat = tf.image.resize(heat[..., None], images.shape[1:3], method="bilinear")[..., 0]
    return heat.numpy()


def saliency(model, images, class_index=None) -> np.ndarray:
    """|d probability of the class / d pixel|, per image, scaled to [0, 1]."""
    import tensorflow as tf

    images = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(images)
        probabilities = model(images, training=False)
        if class_index is None:
            class_index = tf.argmax(probabilities, axis=1)
        chosen = tf.gather(probabilities, tf.cast(class_index, tf.int32), axis=1, batch_dims=1)
    gradient = tf.reduce_max(tf.abs(tape.gradient(chosen, images)), axis=-1)
    gradient = gradient / (tf.reduce_max(gradient, axis=(1, 2), keepdims=True) + 1e-12)
    return gradient.numpy()
