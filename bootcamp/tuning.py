"""Hyperband on a budget of epochs, so a search can be compared with a grid fairly.

KerasTuner's ``Hyperband`` is sized by ``max_epochs``, ``factor`` and a number
of ``hyperband_iterations``; what it spends in total follows from those and
rarely equals another search's budget. Lesson 04_hparams compares a grid,
random search and Hyperband on the *same* number of training epochs, so
:class:`BudgetedHyperband` stops Hyperband once ``budget_epochs`` epochs have
been handed out, and cuts the trial that would cross the budget short so the
total is exactly the budget. Until then it is KerasTuner's own Hyperband
(same brackets, same settings from the same seed); a trial cut short is
marked with ``tuner/epochs`` like any other, so its score is what it reached
in the epochs it had.

Epochs are counted as Hyperband hands them out: a trial that continues an
earlier one (``tuner/initial_epoch`` > 0) costs only its new epochs, as it
starts from the earlier trial's weights.
"""

from __future__ import annotations

import keras_tuner
from keras_tuner.src.tuners.hyperband import HyperbandOracle


def trial_epochs(values: dict, default: int) -> int:
    """Epochs one trial trains, from its hyperparameter values (``default`` for a trial of another tuner)."""
    return values.get("tuner/epochs", default) - values.get("tuner/initial_epoch", 0)


class BudgetedHyperbandOracle(HyperbandOracle):
    """KerasTuner's Hyperband oracle, stopped when ``budget_epochs`` epochs are handed out."""

    def __init__(self, objective=None, *, budget_epochs: int, **kwargs):
        if int(budget_epochs) != budget_epochs or budget_epochs < 1:
            raise ValueError(f"budget_epochs must be a whole number of epochs, at least 1, not {budget_epochs!r}")
        kwargs.setdefault("hyperband_iterations", int(budget_epochs))    # every iteration costs an epoch at least
        super().__init__(objective, **kwargs)
        self.budget_epochs = int(budget_epochs)
        self.spent_epochs = 0

    def populate_space(self, trial_id):
        left = self.budget_epochs - self.spent_epochs
        if left <= 0:
            return {"status": "STOPPED", "values": None}
        proposal = super().populate_space(trial_id)
        if proposal["status"] != "RUNNING":
            return proposal
        values = proposal["values"]
        cost = trial_epochs(values, default=self.max_epochs)
        if cost > left:                                   # the last trial: as many epochs as the budget has left
            values["tuner/epochs"] = values["tuner/initial_epoch"] + left
            cost = left
        self.spent_epochs += cost
        return proposal

    def get_state(self):
        return {**super().get_state(), "budget_epochs": self.budget_epochs, "spent_epochs": self.spent_epochs}

    def set_state(self, state):
        super().set_state(state)
        self.budget_epochs = state["budget_epochs"]
        self.spent_epochs = state["spent_epochs"]


class BudgetedHyperband(keras_tuner.Hyperband):
    """``keras_tuner.Hyperband`` that trains ``budget_epochs`` epochs in all, no more, no fewer.

    Takes Hyperband's arguments (``objective``, ``max_epochs``, ``factor``,
    ``seed``, ``directory``, ``project_name``, ...) plus ``budget_epochs``.
    ``hyperband_iterations`` defaults to as many as the budget could need,
    so the budget is what stops the search.
    """

    def __init__(self, hypermodel=None, objective=None, *, budget_epochs: int, max_epochs=100, factor=3,
                 hyperband_iterations=None, seed=None, hyperparameters=None, tune_new_entries=True,
                 allow_new_entries=True, max_retries_per_trial=0, max_consecutive_failed_trials=3, **kwargs):
        options = {} if hyperband_iterations is None else {"hyperband_iterations": hyperband_iterations}
        oracle = BudgetedHyperbandOracle(
            objective, budget_epochs=budget_epochs, max_epochs=max_epochs, factor=factor, seed=seed,
            hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries, max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials, **options)
        # Hyperband's own __init__ would make a plain oracle; the Tuner under it takes ours
        keras_tuner.Tuner.__init__(self, oracle=oracle, hypermodel=hypermodel, **kwargs)
