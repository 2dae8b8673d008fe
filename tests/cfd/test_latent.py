"""bootcamp.cfd.latent: the reference answers, the measures and the figures of 08_autoencoders."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bootcamp.cfd import latent  # noqa: E402
from bootcamp.cfd.lbm import parabolic_profile  # noqa: E402
from bootcamp.selfcheck import autoencoders as check  # noqa: E402


def test_pca_reconstruct_is_exact_on_a_low_rank_set_and_the_mean_at_k_zero():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(20, 3)) @ rng.normal(size=(3, 24)) + 5.0).reshape(20, 4, 3, 2).astype("float32")
    mean, components = latent.pca_fit(x)
    assert mean.shape == (24,) and components.shape == (20, 24)
    assert latent.pca_reconstruct(x[:4], mean, components, 3).shape == (4, 4, 3, 2)
    assert np.allclose(latent.pca_reconstruct(x[:4], mean, components, 3), x[:4], atol=1e-4)   # rank 3 after centring
    assert not np.allclose(latent.pca_reconstruct(x[:4], mean, components, 2), x[:4], atol=1e-2)
    assert np.allclose(latent.pca_reconstruct(x[:4], mean, components, 0),
                       np.broadcast_to(x.mean(axis=0), (4, 4, 3, 2)), atol=1e-5)


def test_reparameterise_and_kl_match_their_closed_forms():
    mean = np.array([[0.5, -1.0]], "float32")
    log_var = np.array([[np.log(4.0), 0.0]], "float32")
    eps = np.array([[1.0, 2.0]], "float32")
    z = keras.ops.convert_to_numpy(latent.reparameterise(mean, log_var, eps))
    assert np.allclose(z, [[0.5 + 2.0, -1.0 + 2.0]])
    kl = keras.ops.convert_to_numpy(latent.kl_divergence(mean, log_var))
    expected = 0.5 * ((4.0 + 0.25 - 1 - np.log(4.0)) + (1.0 + 1.0 - 1 - 0.0))
    assert kl.shape == (1,) and np.isclose(kl[0], expected, rtol=1e-5)
    assert np.allclose(keras.ops.convert_to_numpy(latent.kl_divergence(np.zeros((3, 4)), np.zeros((3, 4)))), 0)


def test_the_reference_answers_pass_the_self_checks():
    assert check.pca_reconstruction(latent.pca_fit, latent.pca_reconstruct)
    assert check.reparameterisation(latent.reparameterise)
    assert check.kl_divergence(latent.kl_divergence)


def test_use_falls_back_to_the_reference_until_the_answer_passes(capsys):
    def starter(*args):
        raise NotImplementedError("write it")

    def wrong(z_mean, z_log_var):
        return -latent.kl_divergence(z_mean, z_log_var)

    assert check.use((starter, starter), "pca") == (latent.pca_fit, latent.pca_reconstruct)
    assert check.use(wrong, "kl") is latent.kl_divergence
    assert "not solved yet" in capsys.readouterr().out
    assert check.use(latent.reparameterise, "reparameterise") is latent.reparameterise
    assert "solved: the cells below use your reparameterise" in capsys.readouterr().out


def test_apply_matches_predict_in_batches():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(1)(inputs)])
    x = np.random.default_rng(1).normal(size=(7, 3)).astype("float32")
    first, second = latent.apply(model, x, batch_size=3)
    expected = model.predict(x, verbose=0)
    assert np.allclose(first, expected[0], atol=1e-6) and np.allclose(second, expected[1], atol=1e-6)
    single = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    assert latent.apply(single, x, batch_size=2).shape == (7, 4)


def test_zero_solid_and_obstacle_features():
    mask = np.zeros((2, 8, 10), bool)
    mask[0, 2:5, 3:4] = True          # 3 rows, 1 column
    mask[1, 4:6, 1:7] = True          # 2 rows, 6 columns
    fields = np.ones((2, 8, 10, 2), "float32")
    zeroed = latent.zero_solid(fields, mask)
    assert zeroed.dtype == np.float32 and zeroed[mask].sum() == 0 and zeroed[~mask].min() == 1
    with pytest.raises(ValueError):
        latent.zero_solid(fields[..., :1], mask)
    f = latent.obstacle_features(mask)
    assert f["height"].tolist() == [3, 2] and f["length"].tolist() == [1, 6]
    assert f["area"].tolist() == [3, 12]
    assert np.allclose(f["x centre"], [3.0, 3.5]) and np.allclose(f["y centre"], [3.0, 4.5])
    with pytest.raises(ValueError):
        latent.obstacle_features(np.zeros((1, 4, 4), bool))


def test_nearest_neighbour_accuracy_and_nearest_distance():
    z_train = np.array([[0.0, 0.0], [10.0, 0.0]])
    assert latent.nearest_neighbour_accuracy(z_train, ["a", "b"], np.array([[1.0, 0], [9.0, 0]]), ["a", "a"]) == 0.5
    reference = np.ones((3, 4, 5, 2))
    reference[1] *= 2
    samples = np.stack([reference[1] * 1.1, reference[0]])
    assert np.allclose(latent.nearest_distance(samples, reference), [0.1, 0.0])


def test_flux_spread_is_zero_for_a_uniform_channel_flow_and_grows_with_a_leak():
    ny, nx = 12, 20
    profile = parabolic_profile(ny, 1.0)[None, :, None]
    steady = np.zeros((1, ny, nx, 2))
    steady[..., 0] = np.broadcast_to(profile, (1, ny, nx))
    leaking = steady.copy()
    leaking[..., 0] *= np.linspace(1.0, 0.5, nx)[None, None, :]
    spread = latent.flux_spread(np.concatenate([steady, leaking]))
    assert spread[0] < 1e-12 and spread[1] > 0.1


def labelled(fig) -> None:
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.axison]
    assert axes
    for ax in axes:
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), ax


def test_figures_are_titled_and_labelled():
    rng = np.random.default_rng(2)
    labelled(latent.show_error_curve([2, 8], {"PCA": [0.1, 0.05], "autoencoder": [0.09, 0.06]}, 0.2, "curve"))
    family = np.array(["ellipse", "polygon", "rectangle"] * 4)
    labelled(latent.show_latent(rng.normal(size=(12, 2)), family, {"height": rng.random(12)}, "codes"))
    with pytest.raises(ValueError):
        latent.show_latent(rng.normal(size=(12, 3)), family, {}, "codes")
    labelled(latent.show_samples({"real": rng.random((3, 8, 16, 2)), "beta = 0.1": rng.random((2, 8, 16, 2))},
                                 "samples"))
    labelled(latent.show_tradeoff([1e-3, 1e-1], [0.06, 0.12], [19.0, 1.5], "trade-off"))
