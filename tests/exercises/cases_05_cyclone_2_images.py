"""Exercise cases of 05_cyclone_2_images (see test_exercises.py).

Random stand-ins for the notebook's images: a 256-pixel "storm" to shrink,
a 64-pixel training frame to crop.
"""

from types import SimpleNamespace

import cv2
import numpy as np
from exercise_case import Case

from bootcamp.selfcheck import cyclone


def a_large_image():
    sharp = np.random.default_rng(5).normal(250, 25, (256, 256)).astype(np.float32)
    return {"np": np, "cv2": cv2, "sharp": sharp}


def a_frame():
    images = np.random.default_rng(6).normal(250, 25, (2, 64, 64)).astype(np.float32)
    return {"np": np, "cyclone": cyclone, "train": SimpleNamespace(images=images)}


def nothing():
    return {"cyclone": cyclone}


RIGHT = ('{"rotate 90": True, "rotate 180": True, "flip left-right": False, "flip up-down": False, '
         '"transpose": False}')

CASES = {
    1: Case(context=a_large_image, wrongs=[
        ("def shrink(image, size):\n    return cv2.resize(image, (size, size), interpolation=cv2.INTER_NEAREST)",
         r"INTER_AREA"),
        ("def shrink(image, size):\n    return cv2.resize(image, (size, size))", r"INTER_AREA"),
        ("def shrink(image, size):\n    step = image.shape[0] // size\n    return image[::step, ::step]",
         r"INTER_AREA"),
        ("def shrink(image, size):\n    return cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)[:, 1:]",
         r"shape"),
    ]),
    2: Case(context=a_frame, wrongs=[
        ("def centre_crop(image, crop):\n    return image[:crop, :crop]", r"centred"),
        ("def centre_crop(image, crop):\n    top = image.shape[0] // 2 - crop // 2\n"
         "    return image[top:top + crop, top:top + crop]", r"centred"),
    ]),
    3: Case(context=nothing, wrongs=[
        (f"keeps_rotation = {RIGHT.replace('False', 'True')}", r"flip"),
        (f"keeps_rotation = {RIGHT[:-len('False}')]}True}}", r"transpose"),
    ]),
}
