"""Where a cyclone classifier looks: HiResCAM, Grad-CAM and gradient saliency.

Reference versions of what lesson 05_cyclone_5 writes out step by step with
``tf.GradientTape`` on a Keras 3 functional model; the lesson's self-check
compares the learner's version with these.

All three differentiate the class **score before the softmax** (the logit), as
Selvaraju et al. (2017) do for Grad-CAM and Simonyan et al. (2014) for
saliency. The probability after the softmax is a poor target: it can rise
because other classes' scores fall, and its gradient vanishes as the model
grows confident, which leaves heat maps that are all zero. The model must
therefore end with a softmax layer of its own (``keras.layers.Softmax`` or an
``Activation("softmax")``), whose input is the logits; ``target="probability"``
differentiates the probability instead, for comparison.
"""

from __future__ import annotations

import numpy as np


def logits_output(model):
    """The symbolic tensor of class scores that feeds the model's final softmax layer."""
    import keras

    last = model.layers[-1]
    is_softmax = isinstance(last, keras.layers.Softmax) or (
        isinstance(last, keras.layers.Activation) and getattr(last.activation, "__name__", "") == "softmax")
    if not is_softmax:
        raise ValueError(f"{model.name} does not end with a softmax layer of its own (it ends with {last.name!r}): "
                         "put the class scores in a Dense layer without activation and add keras.layers.Softmax() "
                         "after it, so that the scores before the softmax can be read")
    return last.input


def _scores(model, layer_name: str | None, target: str):
    import keras

    if target not in ("logit", "probability"):
        raise ValueError(f"target must be 'logit' or 'probability', got {target!r}")
    outputs = [logits_output(model) if target == "logit" else model.outputs[0]]
    if layer_name is not None:
        outputs.insert(0, model.get_layer(layer_name).output)
    return keras.Model(model.inputs, outputs if len(outputs) > 1 else outputs[0])


def contributions(model, images, class_index=None, layer_name: str = "conv4", target: str = "logit"):
    """What HiResCAM and Grad-CAM are made of: ``(maps, gradients, scores)``,
    the feature maps of ``layer_name`` (N, h, w, channels, a tensor), the
    gradient of the chosen class's score with respect to them (same shape)
    and those scores (N,). ``maps * gradients`` summed over the channels is
    each position's share of the score, before ReLU, scaling and resizing:
    for a head that flattens the maps into the logits through dense layers
    without activation, the shares sum to each logit minus the bias exactly."""
    import tensorflow as tf

    images = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    probe = _scores(model, layer_name, target)
    with tf.GradientTape() as tape:
        maps, scores = probe(images, training=False)
        if class_index is None:
            class_index = tf.argmax(scores, axis=1)                  # the same class for logits and probabilities
        chosen = tf.gather(scores, tf.cast(class_index, tf.int32), axis=1, batch_dims=1)
    return maps, tape.gradient(chosen, maps), chosen.numpy()


def _heat(maps, gradients, average: bool, size) -> np.ndarray:
    import tensorflow as tf

    weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True) if average else gradients
    heat = tf.nn.relu(tf.reduce_sum(maps * weights, axis=-1))
    heat = heat / (tf.reduce_max(heat, axis=(1, 2), keepdims=True) + 1e-12)
    return tf.image.resize(heat[..., None], size, method="bilinear")[..., 0].numpy()


def hires_cam(model, images, class_index=None, layer_name: str = "conv4", target: str = "logit") -> np.ndarray:
    """HiResCAM heat maps (Draelos & Carin, 2020), one per image, in [0, 1],
    resized to the input.

    The gradient of the chosen class's score (its logit; its probability with
    ``target="probability"``) with respect to the feature maps of
    ``layer_name``, times those maps element by element, summed over the
    channels and passed through ReLU: which positions raised that class's
    score. For a head that flattens the maps (as the lessons' compact CNN
    does) this is exact: before ReLU the map sums to the logit minus the bias
    (:func:`contributions`). ``class_index``: one class per image (default:
    the predicted class). A map is all zero when no position raised the score.
    """
    maps, gradients, _ = contributions(model, images, class_index, layer_name, target)
    return _heat(maps, gradients, average=False, size=np.shape(images)[1:3])


def grad_cam(model, images, class_index=None, layer_name: str = "conv4", target: str = "logit") -> np.ndarray:
    """Grad-CAM heat maps (Selvaraju et al., 2017), as :func:`hires_cam` but
    with the gradient **averaged over each map** first: one weight per map.

    That is exact for a head that averages each map (global average pooling,
    where every position of a map has the same weight anyway); for a head
    that flattens, it mixes the weights of every position, and the map can
    point away from what raised the score.
    """
    maps, gradients, _ = contributions(model, images, class_index, layer_name, target)
    return _heat(maps, gradients, average=True, size=np.shape(images)[1:3])


def saliency(model, images, class_index=None, target: str = "logit") -> np.ndarray:
    """|d score of the class / d pixel|, per image, scaled to [0, 1]."""
    import tensorflow as tf

    images = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    probe = _scores(model, None, target)
    with tf.GradientTape() as tape:
        tape.watch(images)
        scores = probe(images, training=False)
        if class_index is None:
            class_index = tf.argmax(scores, axis=1)
        chosen = tf.gather(scores, tf.cast(class_index, tf.int32), axis=1, batch_dims=1)
    gradient = tf.reduce_max(tf.abs(tape.gradient(chosen, images)), axis=-1)
    gradient = gradient / (tf.reduce_max(gradient, axis=(1, 2), keepdims=True) + 1e-12)
    return gradient.numpy()


def central_share(maps, radius_px: float) -> np.ndarray:
    """The share of each map's heat within ``radius_px`` pixels of the image
    centre (pixel centres measured from the middle of the grid); NaN for an
    all-zero map, which has no heat to share."""
    maps = np.asarray(maps, dtype=float)
    h, w = maps.shape[1:]
    yy, xx = np.mgrid[:h, :w]
    inside = np.hypot(yy - (h - 1) / 2, xx - (w - 1) / 2) <= radius_px
    total = maps.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (maps * inside).sum(axis=(1, 2)) / np.where(total > 0, total, 1), np.nan)
