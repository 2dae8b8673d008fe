"""Self-checks for 08_generative: the conditional accuracy, the conditioning input, the GAN losses.

Until an exercise is done, the notebook trains and scores with a reference
version (:func:`yours_or_reference`), so that the learner notebook runs top
to bottom; a line says so.
"""

from __future__ import annotations

import numpy as np

from bootcamp.checks import NotAttempted, call_answer, run_check, yours_or_course

N_CLASSES = 10


def _softplus(z):
    return np.logaddexp(0.0, np.asarray(z, dtype="float64"))


def _number(value, what: str) -> float:
    import keras

    array = np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")
    if array.size != 1:
        raise AssertionError(f"{what} should be one number (the mean over the batch), got shape {array.shape}.")
    return float(array.reshape(()))


def _tensor(array):
    import keras

    return keras.ops.convert_to_tensor(np.asarray(array, dtype="float32"))


def _call(fn, *args, name: str, hint: str):
    """call_answer, with any other error turned into a hint (the learner sees why it failed)."""
    try:
        return call_answer(fn, *args)
    except NotAttempted:
        raise
    except AssertionError:
        raise
    except Exception as err:  # noqa: BLE001 - the learner's code failed; say how, with a hint
        text = (str(err).strip().splitlines() or [""])[0][:160]
        raise AssertionError(f"{name} raised {type(err).__name__} ({text}). {hint}") from None


# ------------------------------------------------------------------ 1: conditional accuracy
def _accuracy_cases():
    """Two sets of judge probabilities and requested labels: 8 of 12 and 7 of 10 items right."""
    rng = np.random.default_rng(11)
    cases = []
    for n, right in ((12, 8), (10, 7)):
        logits = rng.normal(size=(n, N_CLASSES)) * 2
        probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        predicted = probabilities.argmax(axis=1)
        labels = np.where(np.arange(n) < right, predicted, (predicted + 1 + np.arange(n) % 3) % N_CLASSES)
        cases.append((probabilities, labels))
    return cases


def _check_accuracy(conditional_accuracy):
    hint = ("probabilities has one row per generated item and one column per class: take the argmax over the "
            "classes (axis=1), compare it with labels, and average.")
    for probabilities, labels in _accuracy_cases():
        value = _call(conditional_accuracy, probabilities.copy(), labels.copy(), name="conditional_accuracy",
                      hint=hint)
        value = np.asarray(value, dtype="float64")
        if value.size != 1:
            raise AssertionError(f"return one number, the share of items called their requested class; got "
                                 f"shape {value.shape}.")
        value = float(value.reshape(()))
        predicted = probabilities.argmax(axis=1)
        expected = float(np.mean(predicted == labels))
        n = len(labels)
        if np.isclose(value, expected * n) and n > 1 and not np.isclose(expected, 0):
            raise AssertionError("that is a count; the conditional accuracy is a share, between 0 and 1: divide "
                                 "by the number of items (or take the mean).")
        if np.isclose(value, probabilities.max(axis=1).mean()):
            raise AssertionError("that is the judge's mean confidence. Count whether its most probable class is "
                                 "the requested one.")
        if np.isclose(value, probabilities[np.arange(n), labels].mean()):
            raise AssertionError("that averages the probability of the requested class; the accuracy counts "
                                 "the items whose *most probable* class is the requested one (argmax).")
        if len(labels) == N_CLASSES and np.isclose(value, np.mean(probabilities.argmax(axis=0) == labels)):
            raise AssertionError("argmax over axis=0 finds the item with the highest probability of each class; "
                                 + hint)
        if np.isclose(value, 1 - expected):
            raise AssertionError("that is the share of items called some *other* class (the error rate).")
        if not np.isclose(value, expected):
            raise AssertionError(f"on the check's {n} items the answer is {expected:.4f}, got {value:.4f}. " + hint)


def conditional_accuracy_function(conditional_accuracy) -> bool:
    """Exercise 1: the share of generated items the judge calls their requested class."""
    return run_check("Exercise 1 (conditional accuracy)", lambda: _check_accuracy(conditional_accuracy))


# ------------------------------------------------------------------ 2: the conditioning input
def _with_label(x, labels):
    import keras

    return keras.ops.concatenate([x, keras.ops.one_hot(labels, N_CLASSES, dtype=x.dtype)], axis=-1)


def _check_with_label(with_label):
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 4)).astype("float32")
    labels = np.array([3, 0, 7, 3, 1], dtype="int32")             # no 9 here, on purpose
    hint = ("Concatenate along the last axis (axis=-1): each row keeps its own values and gains the ten "
            "one-hot entries of its own label.")
    result = _call(with_label, _tensor(x), tf.constant(labels), name="with_label(x, labels)", hint=hint)

    if not keras.ops.is_tensor(result):
        raise AssertionError(f"with_label returned a {type(result).__name__}, not a tensor: use keras.ops "
                             "(keras.ops.concatenate, keras.ops.one_hot); NumPy cannot run inside the "
                             "training step, which TensorFlow compiles into a graph.")
    value = np.asarray(keras.ops.convert_to_numpy(result), dtype="float64")
    one_hot = np.eye(N_CLASSES)[labels]
    if value.shape == (5, 5):
        raise AssertionError("each row gained one column: the label as a number. A network would read class 8 "
                             "as 'eight times class 1'; give it a one-hot vector of length 10 instead "
                             "(keras.ops.one_hot(labels, 10)).")
    if value.ndim == 2 and value.shape[0] == 5 and value.shape[1] == 4 + labels.max() + 1:
        raise AssertionError(f"{value.shape[1] - 4} one-hot columns: the batch's largest label decided the "
                             "depth. There are always 10 classes, whatever labels a batch holds: depth 10.")
    if value.shape != (5, 14):
        raise AssertionError(f"x of shape (5, 4) with 5 labels should give shape (5, 14): the 4 values, then "
                             f"10 one-hot entries. Got {value.shape}. {hint}")
    if np.allclose(value[:, :10], one_hot) and np.allclose(value[:, 10:], x, atol=1e-6):
        raise AssertionError("the one-hot label comes first; this course puts x first and the label last "
                             "(the discriminator reads its label from the last 10 columns).")
    if not np.allclose(value[:, :4], x, atol=1e-6):
        raise AssertionError("the first 4 columns should be x itself, unchanged.")
    if not np.allclose(value[:, 4:], one_hot, atol=1e-6):
        raise AssertionError("the last 10 columns should be the one-hot labels: 1 in the label's column, 0 elsewhere.")
    graph = tf.function(lambda a, b: with_label(a, b))
    try:
        graph(_tensor(x), tf.constant(labels))
    except Exception as err:  # noqa: BLE001 - it must also run inside a compiled training step
        raise AssertionError(f"with_label works eagerly but not inside tf.function ({type(err).__name__}): "
                             "use keras.ops only, no NumPy.") from None


def conditioning_input(with_label) -> bool:
    """Exercise 2: ``with_label(x, labels)`` appends the one-hot label to every row of ``x``."""
    return run_check("Exercise 2 (the conditioning input)", lambda: _check_with_label(with_label))


# ------------------------------------------------------------------ 3: the two losses
REAL_LOGITS = [[2.0], [0.5], [-1.0], [3.0]]
FAKE_LOGITS = [[-2.0], [0.3], [1.5], [-0.5]]


def _discriminator_loss(real_logits, fake_logits):
    import keras

    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(keras.ops.ones_like(real_logits), real_logits) + bce(keras.ops.zeros_like(fake_logits), fake_logits)


def _generator_loss(fake_logits):
    import keras

    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    return bce(keras.ops.ones_like(fake_logits), fake_logits)


def _on_probabilities(labels, logits):
    """What BinaryCrossentropy gives when logits are passed as if they were probabilities."""
    p = np.clip(np.asarray(logits, dtype="float64"), 1e-7, 1 - 1e-7)
    y = np.asarray(labels, dtype="float64")
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def _check_losses(discriminator_loss, generator_loss):
    import tensorflow as tf

    real, fake = np.array(REAL_LOGITS), np.array(FAKE_LOGITS)
    real_term, fake_term = _softplus(-real).mean(), _softplus(fake).mean()        # BCE(1, real), BCE(0, fake)
    hint = "Use keras.losses.BinaryCrossentropy(from_logits=True) (or keras.ops), called as bce(labels, logits)."
    d = _number(_call(discriminator_loss, _tensor(real), _tensor(fake), name="discriminator_loss", hint=hint),
                "discriminator_loss")
    g = _number(_call(generator_loss, _tensor(fake), name="generator_loss", hint=hint), "generator_loss")
    ok = lambda a, b: np.isclose(a, b, rtol=1e-4, atol=1e-5)  # noqa: E731
    # the discriminator
    if ok(d, _softplus(real).mean() + _softplus(-fake).mean()) or ok(d, (_softplus(real).mean() + _softplus(-fake).mean()) / 2):
        raise AssertionError("the labels are swapped: the discriminator should call real images real (label 1) "
                             "and generated ones fake (label 0).")
    if ok(d, real_term) or ok(d, fake_term):
        raise AssertionError("the discriminator loss has two terms: real images labelled 1 *and* generated "
                             "images labelled 0.")
    if ok(d, _on_probabilities(np.ones_like(real), real) + _on_probabilities(np.zeros_like(fake), fake)) \
            or ok(g, _on_probabilities(np.ones_like(fake), fake)):
        raise AssertionError("the discriminator ends in Dense(1) without a sigmoid: its outputs are logits. "
                             "Use BinaryCrossentropy(from_logits=True).")
    if not (ok(d, real_term + fake_term) or ok(d, (real_term + fake_term) / 2)):
        raise AssertionError(f"discriminator_loss on the check's logits should be {real_term + fake_term:.4f} "
                             f"(BCE of real logits against 1 plus BCE of fake logits against 0), got {d:.4f}.")
    # the generator
    if ok(g, fake_term):
        raise AssertionError("that trains the generator to make the discriminator say *fake* (label 0). The "
                             "generator wants its images called real: label 1 on the fake logits.")
    if ok(g, -fake_term):
        raise AssertionError("that is the original minimax form, minimise log(1 - D(G(z))): when the "
                             "discriminator wins, its gradient vanishes and the generator stops learning. Use the "
                             "non-saturating form: BCE of the fake logits against label 1.")
    if ok(g, -(real_term + fake_term)) or ok(g, -(real_term + fake_term) / 2):
        raise AssertionError("the generator loss is not minus the discriminator loss here; it is BCE of the "
                             "fake logits against label 1 (the non-saturating form).")
    if not ok(g, _softplus(-fake).mean()):
        raise AssertionError(f"generator_loss on the check's fake logits should be {_softplus(-fake).mean():.4f} "
                             f"(BCE against label 1), got {g:.4f}.")
    # differentiable, so that GradientTape can train with them
    logits = tf.Variable(fake.astype("float32"))
    try:
        with tf.GradientTape() as tape:
            loss = generator_loss(logits)
        gradient = tape.gradient(loss, logits)
    except Exception:  # noqa: BLE001 - a NumPy result is not something TensorFlow can differentiate
        gradient = None
    if gradient is None:
        raise AssertionError("no gradient flows through generator_loss: compute it with keras.ops or "
                             "keras.losses on the tensors, not with NumPy.")


def gan_losses(discriminator_loss, generator_loss) -> bool:
    """Exercise 3: the discriminator's and the generator's binary cross-entropy on logits."""
    return run_check("Exercise 3 (the two losses)", lambda: _check_losses(discriminator_loss, generator_loss))


# ------------------------------------------------------------------ the notebook goes on
def yours_or_reference(*answers, exercise: int):
    """The learner's answer when it passes its check, else the reference, with one line saying which.

    Exercise 1: ``conditional_accuracy``; 2: ``with_label``; 3: ``(discriminator_loss, generator_loss)``."""
    from bootcamp.generative import argmax_accuracy

    checks = {1: (_check_accuracy, (argmax_accuracy,), "bootcamp.generative.argmax_accuracy"),
              2: (_check_with_label, (_with_label,), "with_label"),
              3: (_check_losses, (_discriminator_loss, _generator_loss), "discriminator_loss and generator_loss")}
    check, reference, course_name = checks[exercise]
    single = len(answers) == 1
    return yours_or_course(answers[0] if single else answers, reference[0] if single else reference, check,
                           what=f"Exercise {exercise}", course_name=course_name)
