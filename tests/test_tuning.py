"""bootcamp.tuning: Hyperband that trains exactly a budget of epochs, and is
KerasTuner's own Hyperband until the budget runs out."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
keras_tuner = pytest.importorskip("keras_tuner")

from bootcamp import tuning  # noqa: E402


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] + x[:, 1] > 0).astype("int32")


def build(tuner_hp):
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(tuner_hp.Int("units", 2, 16, sampling="log"), activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(tuner_hp.Float("rate", 1e-3, 1e-1, sampling="log")),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class CountEpochs(keras.callbacks.Callback):
    """Counts the epochs trained, on the class: KerasTuner gives every trial a deep copy of the callbacks."""

    epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        CountEpochs.epochs += 1


MAX_EPOCHS = 3     # Hyperband's brackets: three trials of one epoch, the best continued to three; two of three


def search(tuner):
    """Run a search; return the epochs really trained and the trials' (values, epochs) in order."""
    keras.utils.set_random_seed(0)
    CountEpochs.epochs = 0
    tuner.search(*data(), validation_data=data(32, 1), epochs=MAX_EPOCHS, batch_size=16, verbose=0,
                 callbacks=[CountEpochs()])
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: int(t.trial_id))
    return CountEpochs.epochs, [(t.hyperparameters.values, tuning.trial_epochs(t.hyperparameters.values, MAX_EPOCHS))
                                for t in trials]


def budgeted(directory, budget, **kwargs):
    return tuning.BudgetedHyperband(build, objective="val_accuracy", budget_epochs=budget, max_epochs=MAX_EPOCHS,
                                    factor=3, seed=3, directory=str(directory), project_name=f"budget-{budget}",
                                    overwrite=True, **kwargs)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """KerasTuner's own Hyperband, one iteration: the epochs it trained and its trials."""
    tuner = keras_tuner.Hyperband(build, objective="val_accuracy", max_epochs=MAX_EPOCHS, factor=3, seed=3,
                                  hyperband_iterations=1, directory=str(tmp_path_factory.mktemp("plain")),
                                  project_name="plain")
    return search(tuner)


@pytest.mark.parametrize("extra", [None, 3], ids=["one epoch", "into a second iteration"])
def test_the_search_trains_exactly_its_budget(tmp_path, plain, extra):
    budget = 1 if extra is None else plain[0] + extra
    trained, trials = search(budgeted(tmp_path, budget))
    assert trained == budget, f"{trained} epochs trained for a budget of {budget}"
    assert sum(epochs for _, epochs in trials) == budget
    assert all(epochs >= 1 for _, epochs in trials)


def test_until_the_budget_runs_out_it_is_keras_tuner_hyperband(tmp_path, plain):
    """A budget that covers one iteration exactly gives KerasTuner's trials, in its order, then stops."""
    trained, theirs = plain
    assert len({epochs for _, epochs in theirs}) > 1, "Hyperband's brackets train trials for different lengths"
    assert search(budgeted(tmp_path, trained)) == plain


def test_a_trial_that_would_cross_the_budget_is_cut_short(tmp_path, plain):
    whole = plain[1]
    costs = [epochs for _, epochs in whole]
    crossing = next(i for i, cost in enumerate(costs) if i > 0 and cost >= 2)   # a later trial of 2 epochs or more
    budget = sum(costs[:crossing + 1]) - 1                                      # ends one epoch into it
    trained, cut = search(budgeted(tmp_path, budget))
    assert trained == budget
    assert [values for values, _ in cut[:crossing]] == [values for values, _ in whole[:crossing]]
    assert len(cut) == crossing + 1 and cut[-1][1] == costs[crossing] - 1


def test_the_iterations_still_stop_it_first_when_asked(tmp_path, plain):
    trained, _ = search(budgeted(tmp_path, 10 * plain[0], hyperband_iterations=1))
    assert trained == plain[0]


def test_a_budget_must_be_whole_epochs():
    with pytest.raises(ValueError, match="whole number of epochs"):
        tuning.BudgetedHyperbandOracle("val_accuracy", budget_epochs=0, max_epochs=3)
    with pytest.raises(ValueError, match="whole number of epochs"):
        tuning.BudgetedHyperbandOracle("val_accuracy", budget_epochs=2.5, max_epochs=3)
