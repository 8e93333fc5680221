"""LSTMRegressor(callbacks=...): the user's instances take part in the fit.

skorch initialises the callbacks it is given on the net, without copying
them; LSTMRegressor does the same, so a callback that reports somewhere (an
Optuna trial) or stops training (by raising) sees the real epochs. sklearn's
``clone`` copies estimator parameters, so a search still gets fresh copies.
"""

import numpy as np
import pytest
from conftest import TINY_LSTM
from sklearn.base import clone
from skorch.callbacks import Callback, EpochScoring

from sklstm import LSTMRegressor


class EpochCounter(Callback):
    """Counts the epochs it saw; raises ``exc`` at epoch ``stop_at`` if given."""

    def __init__(self, stop_at=None, exc=None):
        self.stop_at = stop_at
        self.exc = exc

    def initialize(self):
        self.n_epochs = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.n_epochs += 1
        if self.stop_at is not None and self.n_epochs == self.stop_at:
            raise self.exc


class Pruned(Exception):
    """Stands in for optuna.TrialPruned."""


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    t = np.arange(200)
    X = np.column_stack([np.sin(2 * np.pi * t / 12) + 0.1 * rng.standard_normal(200),
                         np.cos(2 * np.pi * t / 12)])
    return X, np.roll(X[:, 0], -1)


@pytest.mark.parametrize("named", [True, False])
def test_the_given_callback_instance_sees_every_epoch(series, named):
    X, y = series
    counter = EpochCounter()
    item = ("counter", counter) if named else counter
    est = LSTMRegressor(**{**TINY_LSTM, "max_epochs": 5, "patience": None},
                        callbacks=[item]).fit(X, y)
    assert counter.n_epochs == est.n_epochs_ == 5
    name = "counter" if named else "EpochCounter"
    assert dict(est.net_.callbacks_)[name] is counter


def test_the_same_instance_counts_afresh_on_refit(series):
    X, y = series
    counter = EpochCounter()
    est = LSTMRegressor(**{**TINY_LSTM, "max_epochs": 3, "patience": None},
                        callbacks=[("counter", counter)])
    est.fit(X, y)
    est.fit(X, y)
    assert counter.n_epochs == 3, "skorch re-initialises the callback each fit"


def test_an_exception_from_a_user_callback_stops_fit_and_propagates(series):
    X, y = series
    counter = EpochCounter(stop_at=2, exc=Pruned("pruned at epoch 2"))
    est = LSTMRegressor(**{**TINY_LSTM, "max_epochs": 50, "patience": None},
                        callbacks=[("pruner", counter)])
    with pytest.raises(Pruned, match="pruned at epoch 2"):
        est.fit(X, y)
    assert counter.n_epochs == 2, "training went on after the callback raised"
    assert not hasattr(est, "net_"), "a fit that raised must not look fitted"


def test_clone_gives_a_search_fresh_copies(series):
    counter = EpochCounter()
    est = LSTMRegressor(callbacks=[("counter", counter)])
    copied = clone(est).get_params()["callbacks"]
    assert copied[0][0] == "counter"
    assert copied[0][1] is not counter
    assert isinstance(copied[0][1], EpochCounter)


def test_a_skorch_scoring_callback_writes_into_the_history(series):
    X, y = series
    scoring = EpochScoring(lambda net, X, y: 1.5, name="constant", on_train=True)
    est = LSTMRegressor(**TINY_LSTM, callbacks=[scoring]).fit(X, y)
    assert est.net_.history[:, "constant"] == [1.5] * est.n_epochs_


@pytest.mark.parametrize(
    "callbacks, exc, message",
    [
        (["x"], TypeError,
         "LSTMRegressor.fit: callbacks[0] is the str 'x', not a skorch callback; "
         "pass instances of skorch.callbacks.Callback or (name, callback) pairs."),
        ([3], TypeError,
         "LSTMRegressor.fit: callbacks[0] is the int 3, not a skorch callback; "
         "pass instances of skorch.callbacks.Callback or (name, callback) pairs."),
        ([EpochCounter(), ("probe", None)], TypeError,
         "LSTMRegressor.fit: callbacks[1] is ('probe', None), whose callback is "
         "the NoneType None, not a skorch callback; pass instances of "
         "skorch.callbacks.Callback or (name, callback) pairs."),
        ([EpochCounter], TypeError,
         "LSTMRegressor.fit: callbacks[0] is the class EpochCounter, not an "
         "instance; pass EpochCounter(...)."),
        ([("a", EpochCounter(), 1)], ValueError,
         "LSTMRegressor.fit: callbacks[0] is a tuple of 3 items; a named "
         "callback is a (name, callback) pair."),
        ([(1, EpochCounter())], TypeError,
         "LSTMRegressor.fit: callbacks[0] is named 1 (int); a callback's name "
         "must be a str."),
        ([("early_stopping", EpochCounter())], ValueError,
         "LSTMRegressor.fit: callbacks[0] is named 'early_stopping', a name "
         "LSTMRegressor or skorch gives its own callback; choose another name."),
        ([("print_log", EpochCounter())], ValueError,
         "LSTMRegressor.fit: callbacks[0] is named 'print_log', a name "
         "LSTMRegressor or skorch gives its own callback; choose another name."),
        ([("probe", EpochCounter()), ("probe", EpochCounter())], ValueError,
         "LSTMRegressor.fit: callbacks[1] is named 'probe' like callbacks[0]; "
         "callback names must be unique."),
    ],
    ids=["str", "int", "pair-of-none", "class", "triple", "int-name", "reserved",
         "skorch-default", "duplicate"],
)
def test_a_bad_callback_is_named_before_training(series, callbacks, exc, message):
    X, y = series
    est = LSTMRegressor(**TINY_LSTM, callbacks=callbacks)
    with pytest.raises(exc) as info:
        est.fit(X, y)
    assert str(info.value) == message


# ------------------------------------------------------------------ optuna
def test_optuna_pruning_callback_prunes_the_trial(series):
    """A real SkorchPruningCallback: the trial's reports reach the study and the
    pruner's decision stops the fit (optuna is not a dependency; skipped
    without it)."""
    optuna = pytest.importorskip("optuna")
    optuna_integration = pytest.importorskip("optuna_integration")
    X, y = series
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    # prunes a trial whose intermediate value is worse than the previous
    # trials' at the same step, once it has one finished trial to compare to
    study = optuna.create_study(
        pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0),
    )
    epochs = {}

    def objective(trial):
        # the second trial trains with a far too low learning rate
        lr = 1e-2 if trial.number == 0 else 1e-7
        callback = optuna_integration.SkorchPruningCallback(trial, "valid_loss")
        counter = EpochCounter()
        est = LSTMRegressor(**{**TINY_LSTM, "max_epochs": 10, "patience": None,
                               "lr": lr}, callbacks=[counter, callback])
        try:
            est.fit(X, y)
        finally:
            epochs[trial.number] = counter.n_epochs
        return float(est.loss_history_["valid_loss"].min())

    study.optimize(objective, n_trials=2)
    first, second = study.trials
    assert first.state == optuna.trial.TrialState.COMPLETE
    assert len(first.intermediate_values) == 10, "every epoch reported"
    assert second.state == optuna.trial.TrialState.PRUNED
    assert epochs[1] < 10, "the pruned trial stopped training early"
    assert len(second.intermediate_values) == epochs[1]
