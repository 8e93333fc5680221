"""LSTMRegressor inside Pipeline, GridSearchCV and RandomizedSearchCV."""

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import TINY_LSTM
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from skorch.callbacks import Callback

from sklstm import LSTMRegressor

FAST = TINY_LSTM


class ThreadProbe(Callback):
    """Records torch's thread count while the net trains."""

    def initialize(self):
        self.threads = None
        return self

    def on_train_begin(self, net, **kwargs):
        self.threads = torch.get_num_threads()


def threads_during_fit(estimator, X, y):
    """A 'score': the torch thread count the fold's fit ran with."""
    return dict(estimator[-1].net_.callbacks_)["probe"].threads


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    t = np.arange(240)
    X = pd.DataFrame({"level": 50 + 10 * np.sin(2 * np.pi * t / 12)
                      + rng.standard_normal(240),
                      "phase": np.cos(2 * np.pi * t / 12)})
    y = X["level"].shift(-1).ffill()
    return X, y


def make_pipe(**params):
    pipe = Pipeline([("scale", StandardScaler()),
                     ("lstm", LSTMRegressor(**{**FAST, **params}))])
    # pandas between the steps keeps the index, so test folds continue
    # their training folds
    return pipe.set_output(transform="pandas")


def test_grid_search_with_time_series_split(series):
    X, y = series
    search = GridSearchCV(make_pipe(max_epochs=15), {"lstm__hidden_size": [4, 8]},
                          cv=TimeSeriesSplit(3), scoring="neg_mean_absolute_error")
    search.fit(X, y)
    assert search.best_params_["lstm__hidden_size"] in (4, 8)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    best = search.best_estimator_
    assert best.named_steps["lstm"].hidden_size == search.best_params_[
        "lstm__hidden_size"]
    pred = search.predict(X)
    assert pred.shape == (len(X),) and np.isfinite(pred).all()
    # better than predicting the mean level
    mae = np.mean(np.abs(pred - y))
    assert mae < 0.8 * np.mean(np.abs(y - y.mean()))


def test_randomized_search_and_clone(series):
    X, y = series
    pipe = make_pipe()
    search = RandomizedSearchCV(
        pipe, {"lstm__lr": loguniform(1e-3, 3e-2), "lstm__dropout": [0.0, 0.2]},
        n_iter=2, cv=TimeSeriesSplit(2), random_state=0,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    twin = clone(pipe)
    assert twin.get_params()["lstm__lookback"] == 6
    assert not hasattr(twin.named_steps["lstm"], "net_"), "a clone is unfitted"


def test_parallel_search_gives_each_worker_one_torch_thread(series):
    X, y = series
    before = torch.get_num_threads()
    pipe = make_pipe(n_threads=None, max_epochs=1,
                     callbacks=[("probe", ThreadProbe())])
    search = GridSearchCV(pipe, {"lstm__hidden_size": [4, 8]}, cv=TimeSeriesSplit(2),
                          scoring=threads_during_fit, n_jobs=2, refit=False)
    search.fit(X, y)
    # every fold, in each of the two worker processes, trained with one thread
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], [1, 1])
    assert torch.get_num_threads() == before
