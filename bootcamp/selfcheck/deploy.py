"""Self-checks for 04_deploy."""

import numpy as np

from bootcamp.checks import require, run_check


def checkpoint_epoch(best_epoch, history) -> bool:
    """Check the epoch (counted from 1) that ModelCheckpoint(monitor="val_loss", save_best_only=True) kept."""
    def body():
        value = require(best_epoch, "best_epoch")
        val_loss = np.asarray(history["val_loss"], dtype=float)
        expected = int(np.argmin(val_loss)) + 1
        n = len(val_loss)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or not float(value).is_integer():
            raise AssertionError(f"give the epoch as a whole number from 1 to {n}, got {value!r}.")
        value = int(value)
        if value == expected:
            return
        if value == expected - 1:
            raise AssertionError("one too low: np.argmin counts from 0, but Keras counts epochs from 1.")
        if not 1 <= value <= n:
            raise AssertionError(f"the run had {n} epochs, numbered 1 to {n}; {value} is not one of them.")
        if "val_accuracy" in history and value == int(np.argmax(history["val_accuracy"])) + 1:
            raise AssertionError("that is the epoch of the best validation accuracy; the callback watched "
                                 "monitor='val_loss' and kept the epoch where it was lowest.")
        if "loss" in history and value == int(np.argmin(history["loss"])) + 1:
            raise AssertionError("that is the lowest *training* loss; the callback watched the validation "
                                 "loss, history['val_loss'].")
        if value == int(np.argmax(val_loss)) + 1:
            raise AssertionError("that is the highest validation loss: a loss is best when it is smallest.")
        if value == n:
            raise AssertionError("the last epoch is what fit leaves in memory; save_best_only=True kept the "
                                 "epoch with the lowest validation loss, which need not be the last.")
        raise AssertionError(f"epoch {value} is not the one with the lowest history['val_loss'].")
    return run_check("Exercise 1 (which epoch did the checkpoint keep?)", body)


def _per_image_speedup(log, n_batch, skip_first=True, average=np.median, per_image=True):
    start = 1 if skip_first else 0
    single = average(np.asarray(log["single"][start:], dtype=float))
    batch = average(np.asarray(log["batch"][start:], dtype=float))
    return single / (batch / n_batch if per_image else batch)


def batching_speedup(speedup, serving_log, n_batch) -> bool:
    """Check the per-image speed-up of batch calls over single calls, from a log of call times whose first
    entry of each kind includes one-off costs."""
    def body():
        value = float(require(speedup, "speedup"))
        expected = _per_image_speedup(serving_log, n_batch)
        # The median with or without the first call: both are honest, robust summaries.
        accepted = (expected, _per_image_speedup(serving_log, n_batch, skip_first=False))
        if any(np.isclose(value, good, rtol=0.05) for good in accepted):
            return
        if np.isclose(value, 1 / expected, rtol=0.05):
            raise AssertionError("upside down: the speed-up is the time per image alone divided by the time "
                                 "per image in a batch, a number above 1 when batching is faster.")
        no_division = [_per_image_speedup(serving_log, n_batch, skip, avg, per_image=False)
                       for skip in (True, False) for avg in (np.median, np.mean)]
        if any(np.isclose(value, wrong, rtol=0.05) for wrong in no_division + [1 / w for w in no_division]):
            raise AssertionError(f"compare time *per image*: a batch call answers {n_batch} images, so divide "
                                 "its time by n_batch before comparing.")
        means = [_per_image_speedup(serving_log, n_batch, skip, np.mean) for skip in (True, False)]
        if any(np.isclose(value, wrong, rtol=0.05) for wrong in means):
            raise AssertionError("a mean is pulled by the odd slow call and by the first call's one-off "
                                 "costs: leave out the first call of each kind and take the median.")
        raise AssertionError(f"got {value:.3g}, expected about {expected:.3g}: the median time per image of the "
                             "single calls divided by that of the batch calls, first calls left out.")
    return run_check("Exercise 2 (the speed-up of batching)", body)


def _random_layers(model):
    """Every layer inside ``model`` (nested models included) whose class name starts with Random."""
    found, todo = [], list(getattr(model, "layers", []))
    while todo:
        layer = todo.pop()
        if type(layer).__name__.startswith("Random"):
            found.append(layer.name)
        todo.extend(getattr(layer, "layers", []))
    return found


def device_model(model, network, images) -> bool:
    """Check a Keras model that takes (n, 28, 28) uint8 images and gives network's probabilities on
    pixels / 255 with a channel axis."""
    def body():
        import keras

        candidate = require(model, "device_model")
        images_u8 = np.asarray(images, dtype=np.uint8)
        if not isinstance(candidate, keras.Model):
            raise AssertionError("device_model must be a Keras model (keras.Sequential([...]) for example), "
                                 "not a Python function: a function is not saved or exported with the model, "
                                 "so the preparation would be lost again.")
        randoms = _random_layers(candidate)
        if randoms:
            raise AssertionError(f"it contains random augmentation layers ({', '.join(randoms)}): leave them out "
                                 "of a deployed model, since a plain call runs them.")
        try:
            answer = keras.ops.convert_to_numpy(candidate.predict(images_u8, verbose=0))
        except Exception as err:               # a shape error from Keras, whatever its class
            raise AssertionError("it fails on a batch of shape (n, 28, 28): start with "
                                 "keras.Input(shape=(28, 28)) and add the channel axis with "
                                 f"keras.layers.Reshape((28, 28, 1)). Keras said: {str(err)[:200]}") from None
        try:
            declared = tuple(candidate.inputs[0].shape[1:])
        except (AttributeError, IndexError, TypeError, ValueError):
            declared = None
        if declared is not None and declared != (28, 28):
            raise AssertionError(f"its input is declared as {declared}: predict forgives a missing channel axis, "
                                 "but an exported model accepts only the declared shape. Start with "
                                 "keras.Input(shape=(28, 28)) and add the channel axis with "
                                 "keras.layers.Reshape((28, 28, 1)).")
        expected = keras.ops.convert_to_numpy(network.predict(images_u8[..., None] / 255.0, verbose=0))
        if answer.shape != expected.shape:
            raise AssertionError(f"it answers with shape {answer.shape}, expected {expected.shape}: one row of 10 "
                                 "probabilities per image.")
        if np.allclose(answer, expected, atol=1e-5):
            return
        unscaled = keras.ops.convert_to_numpy(network.predict(images_u8[..., None].astype("float32"), verbose=0))
        if np.allclose(answer, unscaled, atol=1e-5):
            raise AssertionError("these are the network's answers to raw pixels 0-255: it was trained on pixels "
                                 "divided by 255, so put keras.layers.Rescaling(1 / 255) before it.")
        raise AssertionError("its probabilities differ from network's on pixels / 255. The steps are: add the "
                             "channel axis, multiply by 1 / 255 (not 255), then network.")
    return run_check("Exercise 3 (a model for the device's images)", body)
