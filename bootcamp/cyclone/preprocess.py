"""From brightness temperature to network input, with OpenCV and tf.data.

Choices, each for a reason the lesson explains:

* **Scale**: brightness temperature (about 180-310 K) is mapped to roughly
  [-1, 1] with fixed constants, the same for every image and every split, so
  that "cold" means the same number everywhere (no per-image normalisation,
  which would erase the very contrast intensity is read from).
* **Resize** with ``cv2.INTER_AREA`` when shrinking: it averages the source
  pixels under each target pixel, where nearest or bilinear sampling would
  alias fine cloud texture into noise.
* **Crop**: random crops for training (the centre is uncertain by a few
  pixels in real fixes, and shifting teaches the model that), the centre crop
  for evaluation, so a test score never depends on a random draw.
* **Channels**: one infrared channel, kept as one. No BGR/RGB conversion is
  involved anywhere; images are never written as colour pictures.
"""

from __future__ import annotations

import cv2
import numpy as np

T_SCALE_CENTRE = 245.0
T_SCALE_HALF_RANGE = 65.0


def scale_temperature(kelvin: np.ndarray) -> np.ndarray:
    """Map brightness temperature to about [-1, 1]; colder clouds are positive."""
    return ((T_SCALE_CENTRE - np.asarray(kelvin, dtype=np.float32)) / T_SCALE_HALF_RANGE).astype(np.float32)


def resize_stack(images: np.ndarray, size: int) -> np.ndarray:
    """Resize a stack (N, H, W) to (N, size, size); INTER_AREA to shrink,
    INTER_CUBIC to enlarge."""
    images = np.asarray(images, dtype=np.float32)
    if images.shape[1:] == (size, size):
        return images.copy()
    interpolation = cv2.INTER_AREA if size < images.shape[1] else cv2.INTER_CUBIC
    return np.stack([cv2.resize(img, (size, size), interpolation=interpolation) for img in images])


def centre_crop(images: np.ndarray, crop: int) -> np.ndarray:
    """The central ``crop`` x ``crop`` window of each image in (N, H, W[, C])."""
    h, w = images.shape[1:3]
    top, left = (h - crop) // 2, (w - crop) // 2
    return images[:, top:top + crop, left:left + crop]


def make_dataset(images: np.ndarray, labels: np.ndarray, *, crop: int, training: bool, batch_size: int = 64,
                 seed: int = 0, rotate: bool = False):
    """A tf.data pipeline: cache, (shuffle, random crop, optional rotation), batch, prefetch.

    ``images`` are already scaled, shape (N, H, W); a channel axis is added.
    Rotation by a random multiple of 90 degrees keeps a storm a valid storm of
    the same hemisphere (its spiral still turns the same way); a vertical or
    horizontal flip would not, so none is offered.
    """
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((images[..., None].astype(np.float32), labels)).cache()
    if training:
        data = data.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        # one random integer per element, in order: augmentation is stateless,
        # so parallel map stays reproducible, and differs from epoch to epoch
        noise = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)

        def augment(element, draw):
            image, label = element
            seeds = tf.stack([tf.fill([2], draw), tf.constant([0, 1], tf.int64)], axis=0)
            image = tf.image.stateless_random_crop(image, (crop, crop, 1), seed=seeds[:, 0])
            if rotate:
                k = tf.random.stateless_uniform((), seeds[:, 1], 0, 4, dtype=tf.int32)
                image = tf.image.rot90(image, k)
            return image, label

        data = tf.data.Dataset.zip((data, noise)).map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    else:
        h, w = images.shape[1:3]
        top, left = (h - crop) // 2, (w - crop) // 2
        data = data.map(lambda image, label: (image[top:top + crop, left:left + crop], label),
                        num_parallel_calls=tf.data.AUTOTUNE)
    return data.batch(batch_size).prefetch(tf.data.AUTOTUNE)
