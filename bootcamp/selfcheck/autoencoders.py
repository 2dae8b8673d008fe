"""Self-checks for 08_autoencoders: PCA reconstruction, the reparameterisation trick, the KL term.

Each check runs the learner's function on small made-up arrays whose right
answer is computed here (by ``bootcamp.cfd.latent``'s reference versions),
recognises the usual mistakes by recomputing them, and says what went wrong.
:func:`use` hands the notebook the learner's function once it passes, and
the reference until then, so that the notebook runs top to bottom either way.
"""

from __future__ import annotations

import numpy as np

from bootcamp.checks import call_answer, run_check, yours_or_course

TITLES = {
    "pca": "Exercise 1 (PCA: fit once, reconstruct with k components)",
    "reparameterise": "Exercise 2 (the reparameterisation trick)",
    "kl": "Exercise 3 (the KL divergence to N(0, 1))",
}


def _numpy(value) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(value), dtype=float)


def _same(a, b, rtol=1e-4, atol=1e-6) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=rtol, atol=atol)


def _traced_gradients(fn, *arrays):
    """Gradients of ``sum(fn(*arrays))`` with respect to each array, computed inside a ``tf.function``
    (as in a training step). Raises AssertionError with a hint when ``fn`` cannot run there."""
    import tensorflow as tf

    variables = [tf.Variable(np.asarray(a, dtype=np.float32)) for a in arrays]

    @tf.function
    def gradients():
        with tf.GradientTape() as tape:
            total = tf.reduce_sum(fn(*variables))
        return tape.gradient(total, variables)

    try:
        result = gradients()
    except Exception as err:  # noqa: BLE001 - any failure here means: not usable in a training step
        raise AssertionError("it works on NumPy arrays but not inside a training step (a traced TensorFlow "
                             "function): write it with keras.ops (keras.ops.exp, keras.ops.sum, ...), not "
                             f"NumPy, so that gradients reach the encoder. The error: {type(err).__name__}: "
                             f"{str(err).splitlines()[0] if str(err) else ''}") from None
    if any(g is None for g in result):
        raise AssertionError("no gradient flows back through it to every input: compute it from the "
                             "inputs with keras.ops (no conversion to NumPy).")
    return [g.numpy() for g in result]


# ----------------------------------------------------------------------------- exercise 1


def _pca_variants(train2, x2, k):
    """Reconstructions made with the usual mistakes, flattened: name -> (n, d)."""
    mean = train2.mean(axis=0)
    _, _, vt = np.linalg.svd(train2 - mean, full_matrices=False)
    _, _, vt_raw = np.linalg.svd(train2, full_matrices=False)
    own = x2.mean(axis=0)
    _, _, vt_own = np.linalg.svd(train2 - own, full_matrices=False)
    return {
        "not centred": (x2 @ vt_raw[:k].T) @ vt_raw[:k],
        "not centred, mean added back": (x2 @ vt_raw[:k].T) @ vt_raw[:k] + mean,
        "own mean": ((x2 - own) @ vt[:k].T) @ vt[:k] + own,
        "own mean everywhere": ((x2 - own) @ vt_own[:k].T) @ vt_own[:k] + own,
        "mean not added back": ((x2 - mean) @ vt[:k].T) @ vt[:k],
        "last components": ((x2 - mean) @ vt[-k:].T) @ vt[-k:] + mean,
        "one too many": ((x2 - mean) @ vt[:k + 1].T) @ vt[:k + 1] + mean,
        "one too few": ((x2 - mean) @ vt[:k - 1].T) @ vt[:k - 1] + mean,
    }


PCA_HINTS = {
    "not centred": "you did not centre the data: subtract the training mean (x_train.mean(axis=0)) before "
                   "the SVD and before projecting, and add it back at the end. Without centring, the first "
                   "component is spent on the mean field instead of on how flows differ.",
    "not centred, mean added back": "you added the mean back but did not subtract it first: centre the "
                                    "training data before the SVD and x before projecting.",
    "own mean": "you centred x on its own mean; use the training mean for everything (the mean of the "
                "fields being compressed is not something the compressor knows).",
    "own mean everywhere": "you centred on the mean of x, not of x_train: the components and the mean both "
                           "come from the training fields.",
    "mean not added back": "the projection is right, but add the training mean back to get fields.",
    "last components": "those are the last k rows of Vt, the directions of least variance; take the first k "
                       "(numpy's SVD sorts the singular values from largest to smallest).",
    "one too many": "that keeps k + 1 components; keep exactly k (vt[:k]).",
    "one too few": "that keeps k - 1 components; keep exactly k (vt[:k]).",
}


def _pca_body(fit, reconstruct) -> None:
    from bootcamp.cfd.latent import pca_fit, pca_reconstruct

    rng = np.random.default_rng(8)
    shape = (4, 5, 2)
    d = int(np.prod(shape))
    basis = rng.normal(size=(5, d)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5])[:, None]
    offset = 4.0 + rng.normal(size=d)
    x_train = (rng.normal(size=(30, 5)) @ basis + offset + 0.05 * rng.normal(size=(30, d))).reshape(30, *shape)
    x = (rng.normal(size=(6, 5)) @ basis + offset + 0.05 * rng.normal(size=(6, d))).reshape(6, *shape)
    k = 3
    fitted = call_answer(fit, x_train)
    if not (isinstance(fitted, (tuple, list)) and len(fitted) == 2):
        raise AssertionError("pca_fit should return two things, (mean, components): the mean training sample "
                             "(flattened) and the rows of Vt.")
    mean, components = (np.asarray(part, dtype=float) for part in fitted)
    if mean.shape != (d,) or components.ndim != 2 or components.shape[1] != d:
        raise AssertionError(f"pca_fit returned a mean of shape {mean.shape} and components of shape "
                             f"{components.shape}; expected ({d},) and (n, {d}): flatten each training sample "
                             "(x_train.reshape(len(x_train), -1)), the mean over the samples (axis=0), and every "
                             "row of Vt.")
    value = np.asarray(call_answer(reconstruct, x, mean, components, k), dtype=float)
    if value.shape != x.shape:
        raise AssertionError(f"the reconstruction has shape {value.shape}; give it the shape of x, {x.shape} "
                             "(flatten each sample with x.reshape(len(x), -1), and reshape back at the end).")
    if not np.all(np.isfinite(value)):
        raise AssertionError("the reconstruction holds NaN or infinite values.")
    expected = pca_reconstruct(x, *pca_fit(x_train), k)
    if not _same(value, expected, rtol=1e-3, atol=1e-6):
        for name, wrong in _pca_variants(x_train.reshape(30, -1), x.reshape(6, -1), k).items():
            if _same(value.reshape(6, -1), wrong, rtol=1e-3, atol=1e-6):
                raise AssertionError(PCA_HINTS[name])
        raise AssertionError("the reconstruction differs from PCA's: centre with the training mean, take the "
                             "first k rows of Vt from np.linalg.svd(centred, full_matrices=False), project "
                             "(x - mean) on them, map back, add the mean.")
    mean_only = np.asarray(reconstruct(x, mean, components, 0), dtype=float)
    if not _same(mean_only, np.broadcast_to(x_train.mean(axis=0), x.shape), rtol=1e-3):
        raise AssertionError("with k = 0 components the reconstruction should be the training mean field.")
    exact = np.asarray(reconstruct(x_train[:5], mean, components, 30), dtype=float)
    if not _same(exact, x_train[:5], rtol=1e-3, atol=1e-5):
        raise AssertionError("with every component kept, training samples should come back exactly.")
    print("k = 0 gives the training mean; all components give training samples back exactly.")


def pca_reconstruction(fit, reconstruct) -> bool:
    """The learner's ``pca_fit(x_train)`` (mean and components) and ``pca_reconstruct(x, mean, components, k)``
    (x rebuilt from the first k components), checked together."""
    return run_check(TITLES["pca"], lambda: _pca_body(fit, reconstruct))


# ----------------------------------------------------------------------------- exercise 2


def _reparameterise_body(fn) -> None:
    rng = np.random.default_rng(2)
    z_mean = rng.normal(size=(5, 3)).astype(np.float32)
    z_log_var = rng.uniform(-2.0, 1.0, size=(5, 3)).astype(np.float32)
    epsilon = rng.normal(size=(5, 3)).astype(np.float32)
    value = _numpy(call_answer(fn, z_mean, z_log_var, epsilon))
    if value.shape != z_mean.shape:
        raise AssertionError(f"z has shape {value.shape}; it should have z_mean's shape {z_mean.shape}: one "
                             "draw per latent number of every sample.")
    if not np.all(np.isfinite(value)):
        raise AssertionError("z holds NaN or infinite values: z_log_var is a logarithm and can be negative; "
                             "the standard deviation is exp(0.5 * z_log_var).")
    sigma = np.exp(0.5 * z_log_var)
    expected = z_mean + sigma * epsilon
    wrongs = [
        (z_mean, "z equals z_mean: the noise epsilon is not used, so every draw would be the same."),
        (z_mean + sigma, "the noise epsilon is not used: multiply the standard deviation by it."),
        (z_mean + epsilon, "the noise is not scaled: multiply epsilon by the standard deviation "
                           "exp(0.5 * z_log_var)."),
        (z_mean + z_log_var * epsilon, "z_log_var is the logarithm of the variance, not the standard "
                                       "deviation: sigma = exp(0.5 * z_log_var)."),
        (z_mean + np.exp(z_log_var) * epsilon, "exp(z_log_var) is the variance sigma squared; the noise is "
                                               "scaled by the standard deviation sigma = exp(0.5 * z_log_var)."),
        (z_mean * sigma + epsilon, "the mean and the standard deviation are swapped round: z = mean + sigma * "
                                   "epsilon."),
    ]
    if not _same(value, expected, rtol=1e-4, atol=1e-5):
        for wrong, hint in wrongs:
            if _same(value, wrong, rtol=1e-4, atol=1e-5):
                raise AssertionError(hint)
        raise AssertionError("z should be z_mean + exp(0.5 * z_log_var) * epsilon.")
    # sigma -> 0: the draw is the mean
    tiny = _numpy(fn(z_mean, np.full_like(z_log_var, -40.0), epsilon))
    assert _same(tiny, z_mean, atol=1e-6), "with a vanishing variance (z_log_var = -40) z should equal z_mean."
    # many draws: the right mean and variance
    mean, log_var = np.array([1.5, -0.5]), np.array([-1.0, 0.7])
    noise = np.random.default_rng(3).normal(size=(20_000, 2)).astype(np.float32)
    draws = _numpy(fn(np.broadcast_to(mean, noise.shape).astype(np.float32),
                      np.broadcast_to(log_var, noise.shape).astype(np.float32), noise))
    close_mean = np.allclose(draws.mean(axis=0), mean, atol=0.05)
    close_var = np.allclose(draws.var(axis=0), np.exp(log_var), rtol=0.05)
    assert close_mean and close_var, (f"over 20,000 draws z has mean {np.round(draws.mean(axis=0), 3).tolist()} "
                                      f"and variance {np.round(draws.var(axis=0), 3).tolist()}; expected "
                                      f"{mean.tolist()} and {np.round(np.exp(log_var), 3).tolist()}.")
    grad_mean, grad_log_var = _traced_gradients(fn, z_mean, z_log_var, epsilon)[:2]
    assert np.allclose(grad_mean, 1.0, atol=1e-4), "dz/dz_mean should be 1 for every number."
    assert np.allclose(grad_log_var, 0.5 * sigma * epsilon, rtol=1e-3, atol=1e-5), (
        "dz/dz_log_var should be 0.5 * sigma * epsilon: the gradient must pass through exp(0.5 * z_log_var).")
    print(f"over 20,000 draws: mean {np.round(draws.mean(axis=0), 3).tolist()} (expected {mean.tolist()}), "
          f"variance {np.round(draws.var(axis=0), 3).tolist()} (expected {np.round(np.exp(log_var), 3).tolist()}); "
          "gradients reach z_mean and z_log_var.")


def reparameterisation(fn) -> bool:
    """The learner's ``reparameterise(z_mean, z_log_var, epsilon)``."""
    return run_check(TITLES["reparameterise"], lambda: _reparameterise_body(fn))


# ----------------------------------------------------------------------------- exercise 3


def _kl_body(fn) -> None:
    rng = np.random.default_rng(5)
    n, k = 6, 4
    z_mean = rng.normal(size=(n, k)).astype(np.float32)
    z_log_var = rng.uniform(-2.0, 1.0, size=(n, k)).astype(np.float32)
    value = _numpy(call_answer(fn, z_mean, z_log_var))
    terms = 0.5 * (np.exp(z_log_var) + z_mean**2 - 1.0 - z_log_var)
    expected = terms.sum(axis=1)
    if value.size == 1:
        number = float(value.reshape(()))
        if np.isclose(number, expected.mean(), rtol=1e-4):
            raise AssertionError("that is one number for the whole batch; return one KL per sample (sum over "
                                 "the latent axis only, axis=-1): the training step averages over the batch.")
        if np.isclose(number, expected.sum(), rtol=1e-4):
            raise AssertionError("that sums over the batch too; return one KL per sample (sum over axis=-1).")
        raise AssertionError(f"that is one number ({number:.4g}); return one KL per sample, shape ({n},).")
    if value.shape == (n, k):
        raise AssertionError(f"that has shape {value.shape}, one value per latent number: sum them over the "
                             f"latent axis (axis=-1) to get one KL per sample, shape ({n},).")
    if value.shape != (n,):
        raise AssertionError(f"the KL has shape {value.shape}; expected one value per sample, shape ({n},).")
    if not np.all(np.isfinite(value)):
        raise AssertionError("the KL holds NaN or infinite values: the second argument is the log-variance "
                             "(it can be negative); the variance is exp(z_log_var).")
    wrongs = [
        (-expected, "the sign is flipped: a KL divergence is never negative. KL = 0.5 * sum(exp(log_var) + "
                    "mean**2 - 1 - log_var)."),
        (2 * expected, "the factor 1/2 is missing."),
        (expected / k, "that is the mean over the latent dimensions; take the sum: every latent number adds "
                       "its own KL."),
        (0.5 * (np.exp(z_log_var) + z_mean**2 - 1.0 + z_log_var).sum(axis=1),
         "the log-variance term has the wrong sign: it is - log_var (a narrow distribution costs more)."),
        (0.5 * (np.exp(z_log_var) + z_mean**2 - z_log_var).sum(axis=1),
         "the - 1 is missing: without it the KL of N(0, 1) to itself would not be 0."),
        (0.5 * (np.exp(z_log_var) + z_mean - 1.0 - z_log_var).sum(axis=1),
         "the mean enters squared: mean**2."),
        (0.5 * (np.exp(2 * z_log_var) + z_mean**2 - 1.0 - 2 * z_log_var).sum(axis=1),
         "that treats z_log_var as log(sigma); it is log(sigma**2), the log of the variance."),
    ]
    if not _same(value, expected, rtol=1e-4, atol=1e-5):
        for wrong, hint in wrongs:
            if _same(value, wrong, rtol=1e-4, atol=1e-5):
                raise AssertionError(hint)
        raise AssertionError(f"the KL of each sample should be {np.round(expected, 4).tolist()}.")
    zero = _numpy(fn(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32)))
    assert np.allclose(zero, 0.0, atol=1e-6), "the KL of N(0, 1) to itself should be 0."
    # a Monte Carlo estimate of the same divergence for one sample: E_q[log q(z) - log p(z)]
    mean, log_var = z_mean[0].astype(float), z_log_var[0].astype(float)
    sigma = np.exp(0.5 * log_var)
    z = mean + sigma * np.random.default_rng(6).normal(size=(200_000, k))
    log_q = -0.5 * (((z - mean) / sigma) ** 2 + log_var + np.log(2 * np.pi)).sum(axis=1)
    log_p = -0.5 * (z**2 + np.log(2 * np.pi)).sum(axis=1)
    estimate = float(np.mean(log_q - log_p))
    assert abs(estimate - value[0]) < 0.05 * max(1.0, expected[0]), "the KL disagrees with a Monte Carlo estimate."
    _traced_gradients(fn, z_mean, z_log_var)
    print(f"sample 1: your closed form {value[0]:.4f} nats, a Monte Carlo estimate from 200,000 draws "
          f"{estimate:.4f} nats; N(0, 1) to itself: 0.")


def kl_divergence(fn) -> bool:
    """The learner's ``kl_divergence(z_mean, z_log_var)``: one KL to N(0, 1) per sample."""
    return run_check(TITLES["kl"], lambda: _kl_body(fn))


# ----------------------------------------------------------------------------- the notebook's choice

_BODIES = {"pca": _pca_body, "reparameterise": _reparameterise_body, "kl": _kl_body}
_REFERENCES = {"pca": ("pca_fit", "pca_reconstruct"), "reparameterise": ("reparameterise",),
               "kl": ("kl_divergence",)}


def use(answer, which: str):
    """The learner's function for exercise ``which`` (``"pca"``, ``"reparameterise"``, ``"kl"``) if it
    passes its self-check, else the package's reference version; says which one the notebook uses.
    For ``"pca"``, ``answer`` is the pair ``(pca_fit, pca_reconstruct)`` and a pair comes back."""
    from bootcamp.cfd import latent

    names = _REFERENCES[which]
    reference = tuple(getattr(latent, name) for name in names)
    return yours_or_course(answer, reference if len(reference) > 1 else reference[0], _BODIES[which],
                           what=TITLES[which].split(" (")[0],
                           course_name=" and ".join(f"bootcamp.cfd.latent.{name}" for name in names))
