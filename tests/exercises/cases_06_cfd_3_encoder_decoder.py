"""Exercise cases of 06_cfd_3_encoder_decoder (see test_exercises.py).

Exercises 2 and 3 run on the notebook's own ``make_encoder_decoder``, built
for a 16 x 32 grid (four levels reach across 16 rows) so that each case
takes about a second.
"""

import ast
import contextlib
import io

import keras
import numpy as np
from exercise_case import Case

from bootcamp.cfd.shapes import ellipse_mask, signed_distance
from bootcamp.dev.exercises import cell_defining, exercises
from bootcamp.selfcheck import cfd

STEM = "06_cfd_3_encoder_decoder"


def disc():
    namespace = {"np": np, "cfd": cfd, "ellipse_mask": ellipse_mask, "signed_distance": signed_distance}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(cell_defining(STEM, "sdf_disc"), namespace)
    return namespace


def function_from_notebook(name):
    """The notebook's own ``def name``, without the rest of its cell (which builds and prints a model)."""
    source = cell_defining(STEM, name)
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(source, node)


MAKE_ENCODER_DECODER = function_from_notebook("make_encoder_decoder")
RECEPTIVE_FIELD = exercises(STEM)[1].solution                       # Exercise 2, solved


def network():
    namespace = {"np": np, "keras": keras, "cfd": cfd, "ny": 16, "nx": 32}
    exec(MAKE_ENCODER_DECODER, namespace)
    namespace["model"] = namespace["make_encoder_decoder"]()          # the 3-level network of the notebook
    return namespace


def network_and_receptive_field():
    namespace = {"np": np, "keras": keras, "cfd": cfd, "ny": 16, "nx": 32}
    exec(MAKE_ENCODER_DECODER, namespace)
    exec(RECEPTIVE_FIELD, namespace)
    return namespace


CASES = {
    1: Case(context=disc, wrongs=[
        ("rows, columns = np.indices(disc.shape)\nsdf_exact = 6 - np.hypot(columns - 30, rows - 16)", r"the sign"),
        ("rows, columns = np.indices(disc.shape)\nsdf_exact = np.hypot(rows - 30, columns - 16) - 6",
         r"swapped"),
        ("rows, columns = np.indices(disc.shape)\nsdf_exact = np.hypot(columns - 30, rows - 16)",
         r"subtract the radius"),
        ("sdf_exact = np.hypot(45 - 30, 20 - 16) - 6", r"one value per cell"),
    ]),
    2: Case(context=network, wrongs=[
        ("def receptive_field(kernels, strides):\n    return 1 + sum(k - 1 for k in kernels)", r"strides matter"),
        ("def receptive_field(kernels, strides):\n    return sum(kernels)", r"windows overlap"),
        ("def receptive_field(kernels, strides):\n"
         "    width, step = 1, 1\n"
         "    for k, s in zip(kernels, strides):\n"
         "        step *= s\n"
         "        width += (k - 1) * step\n"
         "    return width", r"own stride"),
    ]),
    3: Case(context=network_and_receptive_field, wrongs=[
        ("levels_needed = 0\n"
         "while receptive_field([3] * (levels_needed + 1), [2] * (levels_needed + 1)) < ny:\n"
         "    levels_needed += 1\n"
         "deeper = make_encoder_decoder(levels=levels_needed)", r"fewer than ny"),
        ("levels_needed = 1\n"
         "while receptive_field([3] * levels_needed, [1] * levels_needed) < ny:\n"
         "    levels_needed += 1\n"
         "deeper = make_encoder_decoder(levels=levels_needed)", r"fewer levels suffice"),
        ("levels_needed = 4\ndeeper = make_encoder_decoder()", r"build it with levels_needed"),
        ("levels_needed = 4\n"
         "inputs = keras.Input((ny, nx, 2))\n"
         "x = inputs\n"
         "for level in range(levels_needed):\n"
         "    x = keras.layers.Conv2D(8, 3, strides=2, padding='same', activation='elu')(x)\n"
         "for level in range(levels_needed):\n"
         "    x = keras.layers.Conv2DTranspose(8, 3, strides=2, padding='same', activation='elu')(x)\n"
         "deeper = keras.Model(inputs, keras.layers.Conv2D(2, 3, padding='same', activation='tanh')(x))",
         r"tanh"),
    ]),
}
