"""Self-checks for 08_transfer.

Each check builds its own small backbone (convolutions with BatchNormalization,
like the lesson's), so it tests the learner's function and not the state of
the notebook's networks.
"""

from __future__ import annotations

import numpy as np

from bootcamp.checks import NotAttempted, call_answer, passes, run_check, yours_or_course  # noqa: F401 - the notebook calls check.passes / check.yours_or_course


def _small_backbone():
    """Three conv blocks with BatchNormalization and a Flatten, on 28x28 grey images (as the lesson's)."""
    import keras

    layers = keras.layers
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for name in ("a", "b", "c"):
        x = layers.Conv2D(4, 3, strides=2, padding="same", use_bias=False, name=f"conv_{name}")(x)
        x = layers.BatchNormalization(momentum=0.9, name=f"bn_{name}")(x)
        x = layers.Activation("relu", name=f"relu_{name}")(x)
    x = layers.Flatten(name="features")(x)
    return keras.Model(inputs, x, name="backbone")


def _ids(variables) -> set[int]:
    return {id(v) for v in variables}


def _contains(model, layer) -> bool:
    return any(item is layer for item in getattr(model, "layers", []))


# ------------------------------------------------------------------ exercise 1
def frozen_head(frozen_model) -> bool:
    """Check frozen_model(backbone): backbone frozen, a new trainable head with 10
    softmax outputs, the given backbone inside, compiled."""
    def body():
        import keras

        backbone = _small_backbone()
        backbone_weights = _ids(backbone.weights)
        model = call_answer(frozen_model, backbone)
        if not isinstance(model, keras.Model):
            raise AssertionError(f"frozen_model should return a Keras model, not a {type(model).__name__}.")
        if not _contains(model, backbone):
            raise AssertionError("the model does not hold the backbone it was given: call `backbone(inputs, "
                                 "training=False)` inside a new model, do not build another network.")
        shape = tuple(model.output_shape)
        if shape != (None, 10):
            raise AssertionError(f"the output shape is {shape}; the head should end in Dense(10) for the ten digits.")
        trainable = _ids(model.trainable_weights)
        if not trainable:
            raise AssertionError("nothing in this model would train: the head was frozen too (did you set "
                                 "model.trainable = False, or trainable=False on the Dense layer?). Freeze the "
                                 "backbone only.")
        if trainable & backbone_weights:
            raise AssertionError("some backbone weights would still train: freeze the backbone "
                                 "(backbone.trainable = False) before compiling, so that only the new head learns.")
        if not getattr(model, "compiled", False) or getattr(model, "optimizer", None) is None:
            raise AssertionError("the model is not compiled: compile it (Adam, sparse categorical cross-entropy, "
                                 "accuracy) after freezing the backbone.")
        probabilities = np.asarray(model(np.random.default_rng(0).random((3, 28, 28, 1), dtype="float32")))
        if not (np.all(probabilities >= 0) and np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)):
            raise AssertionError("the outputs are not probabilities: end the head with activation='softmax' "
                                 "(the loss sparse_categorical_crossentropy expects them).")
    return run_check("Exercise 1 (freeze the backbone, add a head)", body)


# ------------------------------------------------------------------ exercise 2
N_TOP = 4     # in the check's backbone: conv_c, bn_c, relu_c, features


def fine_tuning(start_fine_tuning) -> bool:
    """Check start_fine_tuning(model, backbone, n_top): the top n_top layers trainable
    except BatchNormalization, everything below frozen, the model compiled again
    with a small learning rate."""
    def body():
        import keras

        from bootcamp.transfer import frozen_classifier

        backbone = _small_backbone()
        model = frozen_classifier(backbone)
        old_optimizer = model.optimizer
        try:
            start_fine_tuning(model, backbone, N_TOP)
        except NotImplementedError as err:
            raise NotAttempted(str(err) or "start_fine_tuning is not written yet") from None
        layers = backbone.layers
        top, below = layers[-N_TOP:], layers[:-N_TOP]
        conv_top = backbone.get_layer("conv_c")
        bn_top = backbone.get_layer("bn_c")
        trainable = _ids(model.trainable_weights)
        if not trainable & _ids(backbone.weights):
            raise AssertionError("no backbone weight would train: unfreeze the top layers (backbone.trainable = "
                                 "True unfreezes every layer inside; then freeze again the layers below the top).")
        if any(layer.trainable for layer in below if layer.weights) and all(
                layer.trainable for layer in backbone.layers if layer.weights):
            raise AssertionError(f"every layer of the backbone is trainable; only the top {N_TOP} layers "
                                 "(backbone.layers[-n_top:]) should be, the ones below stay frozen.")
        if backbone.get_layer("conv_a").trainable and not conv_top.trainable:
            raise AssertionError("you unfroze the bottom layers: backbone.layers runs from the input upwards, so "
                                 "the top layers are the last ones, backbone.layers[-n_top:].")
        if any(layer.trainable for layer in below if layer.weights):
            raise AssertionError(f"layers below the top {N_TOP} are trainable: keep them frozen.")
        if not conv_top.trainable or not _ids(conv_top.trainable_weights) & trainable:
            raise AssertionError("the top convolution layer would not train: unfreeze the layers in "
                                 "backbone.layers[-n_top:].")
        if bn_top.trainable or _ids(bn_top.weights) & trainable:
            raise AssertionError("a BatchNormalization layer in the top is trainable: keep every "
                                 "BatchNormalization layer frozen. In Keras 3 a frozen BatchNormalization layer "
                                 "runs in inference mode (its pretrained mean and variance); a trainable one "
                                 "normalises with the statistics of each small batch while fit trains.")
        if not _ids(model.get_layer("head").trainable_weights) & trainable:
            raise AssertionError("the head is frozen now; it should keep training along with the top layers.")
        if model.optimizer is old_optimizer or not getattr(model, "compiled", False):
            raise AssertionError("compile the model again after changing trainable: Keras reads the flags when "
                                 "it compiles, and a new optimiser with a low learning rate is the point.")
        rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
        if not 1e-6 <= rate <= 2e-4:
            raise AssertionError(f"learning rate {rate:g}: fine-tuning needs a small one, about ten times below "
                                 "the head's 1e-3 (e.g. 1e-4), or large updates wreck the pretrained features.")
        if not all(layer.trainable is False for layer in top if isinstance(layer, keras.layers.BatchNormalization)):
            raise AssertionError("keep every BatchNormalization layer frozen.")
    return run_check("Exercise 2 (unfreeze the top for fine-tuning)", body)


# ------------------------------------------------------------------ exercise 3
RESULTS = {
    "from scratch": {500: 0.90, 20: 0.41, 100: 0.77},
    "frozen": {500: 0.86, 20: 0.55, 100: 0.79},
    "fine-tuned": {500: 0.91, 20: 0.58, 100: 0.82},
}


def gain_function(gain) -> bool:
    """Check gain(results, method): method's accuracy minus from-scratch's, at the smallest size."""
    def body():
        value = float(call_answer(gain, RESULTS, "fine-tuned"))
        frozen = float(call_answer(gain, RESULTS, "frozen"))
        if np.isclose(value, 0.91 - 0.90):
            raise AssertionError("that is the gain at 500 examples, the largest size; the smallest size is "
                                 "min(results[method]) (the dictionaries are not sorted by size).")
        if np.isclose(value, 0.58 - 0.55):
            raise AssertionError("compare with 'from scratch', not with another pretrained approach.")
        if np.isclose(value, 0.41 - 0.58):
            raise AssertionError("negative: the gain is the method's accuracy minus the from-scratch accuracy.")
        if np.isclose(value, 0.58 / 0.41):
            raise AssertionError("that is a ratio; the gain is a difference of accuracies.")
        if np.isclose(value, 0.58):
            raise AssertionError("that is the method's accuracy; subtract the from-scratch accuracy.")
        if not np.isclose(value, 0.58 - 0.41):
            raise AssertionError(f"gain(results, 'fine-tuned') should be {0.58 - 0.41:.2f}, got {value:.4f}.")
        if not np.isclose(frozen, 0.55 - 0.41):
            raise AssertionError(f"gain(results, 'frozen') should be {0.55 - 0.41:.2f}, got {frozen:.4f}: use the "
                                 "method given.")
    return run_check("Exercise 3 (the gain at the smallest size)", body)
