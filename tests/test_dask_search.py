"""Grid and randomized search of a whole sklstm pipeline on a Dask cluster.

The cluster is a real one, on this machine: a scheduler and two worker
processes with one thread each, reached over TCP. ``joblib``'s ``"dask"``
backend sends each fit of the search to a worker. The results must equal
those of the same search run serially, and the LSTM inside a worker must
train with one torch thread, so that the workers of one machine do not
oversubscribe its cores.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")

import joblib  # noqa: E402
import torch  # noqa: E402
from conftest import TINY_LSTM  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    RandomizedSearchCV,
    TimeSeriesSplit,
)
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklstm import (  # noqa: E402
    ConstrainedRegressor,
    Interpolator,
    LagFeatures,
    LSTMRegressor,
    MedianOutlierFilter,
    SeasonalSine,
    make_supervised,
)
from sklstm.datasets import load_airline  # noqa: E402

pytestmark = pytest.mark.dask

TINY = {**TINY_LSTM, "hidden_size": 4, "max_epochs": 3, "batch_size": 32}
GRID = {
    "regressor__lstm__hidden_size": [4, 8],
    "regressor__clean__window": [5, 9],
}


def _data():
    X, y = make_supervised(load_airline(), target="passengers", horizon=1)
    return X, y


def _search(cls, **kw):
    pipe = Pipeline([
        ("fill", Interpolator(method="time")),
        ("clean", MedianOutlierFilter(window=5)),
        ("lags", LagFeatures(lags=[1, 12])),
        ("season", SeasonalSine(periods=[12])),
        ("scale", StandardScaler()),
        ("lstm", LSTMRegressor(**TINY)),
    ]).set_output(transform="pandas")
    model = ConstrainedRegressor(pipe, non_negative="clip")
    return cls(model, GRID, cv=TimeSeriesSplit(2), scoring="neg_mean_absolute_error",
               **kw)


@pytest.fixture(scope="module")
def client():
    # Functions and classes of this test module travel to the workers by value:
    # the workers need not import it.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None,
        ) as cluster, distributed.Client(cluster) as client:
            yield client
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@pytest.fixture
def one_torch_thread():
    """Serial runs here train with one torch thread, as the workers do, so the
    two runs do the same float arithmetic."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _same_results(distributed_search, serial_search):
    assert distributed_search.best_params_ == serial_search.best_params_
    for key in ("params", "rank_test_score"):
        assert list(distributed_search.cv_results_[key]) == list(
            serial_search.cv_results_[key]
        )
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(distributed_search.cv_results_[key],
                                      serial_search.cv_results_[key])


def test_grid_search_on_dask_equals_the_serial_search(client, one_torch_thread):
    X, y = _data()
    with distributed.get_task_stream(client) as tasks:
        with joblib.parallel_config(backend="dask"):
            on_dask = _search(GridSearchCV, n_jobs=-1).fit(X, y)
    serial = _search(GridSearchCV, n_jobs=1).fit(X, y)
    _same_results(on_dask, serial)
    assert len(on_dask.cv_results_["params"]) == 4
    assert np.isfinite(on_dask.cv_results_["mean_test_score"]).all()
    # the fits really ran on the workers, on both of them
    workers = set(client.scheduler_info()["workers"])
    ran_on = {t["worker"] for t in tasks.data}
    assert ran_on == workers, (ran_on, workers)
    # the refitted best model predicts, non-negative, one value per row
    pred = on_dask.predict(X)
    assert pred.shape == (len(X),) and (pred >= 0).all()
    np.testing.assert_array_equal(pred, serial.predict(X))


def test_randomized_search_on_dask_equals_the_serial_search(client, one_torch_thread):
    X, y = _data()
    kw = dict(n_iter=3, random_state=0, refit=False)
    with joblib.parallel_config(backend="dask"):
        on_dask = _search(RandomizedSearchCV, n_jobs=-1, **kw).fit(X, y)
    serial = _search(RandomizedSearchCV, n_jobs=1, **kw).fit(X, y)
    _same_results(on_dask, serial)


def _fit_in_worker(start_threads):
    """Fit an LSTMRegressor (default ``n_threads``) here; report torch's threads.

    ``start_threads`` simulates a worker whose torch was not limited by the
    environment (no ``OMP_NUM_THREADS``): torch starts with that many.
    """
    import multiprocessing
    import os

    import torch
    from skorch.callbacks import Callback

    class ThreadProbe(Callback):
        def initialize(self):
            self.seen = set()
            return self

        def on_batch_end(self, net, **kwargs):
            self.seen.add(torch.get_num_threads())

    before = torch.get_num_threads()
    torch.set_num_threads(start_threads)
    try:
        X, y = _data()
        model = LSTMRegressor(**TINY, callbacks=[("probe", ThreadProbe())])
        model.fit(X, y)
        during = sorted(dict(model.net_.callbacks_)["probe"].seen)
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    return {
        "during_fit": during,
        "after_fit": after,
        "daemon": multiprocessing.current_process().daemon,
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "pid": os.getpid(),
    }


@pytest.mark.parametrize("start_threads", [1, 4])
def test_lstm_in_a_worker_trains_with_one_torch_thread(client, start_threads):
    workers = sorted(client.scheduler_info()["workers"])
    assert len(workers) == 2
    futures = [
        client.submit(_fit_in_worker, start_threads, workers=[w], pure=False)
        for w in workers
    ]
    reports = client.gather(futures)
    assert len({r["pid"] for r in reports}) == 2, "two worker processes"
    for report in reports:
        # the nanny starts workers as daemon processes; sklstm takes that as
        # "parallel worker" and gives torch one thread while it trains
        assert report["daemon"] is True, report
        assert report["during_fit"] == [1], report
        # and puts back what it found
        assert report["after_fit"] == start_threads, report


def test_worker_environment_pins_native_thread_pools(client):
    """What Dask's nanny sets in each worker: one OpenMP/MKL/BLAS thread."""

    def probe():
        import os

        import torch

        return (os.environ.get("OMP_NUM_THREADS"), os.environ.get("MKL_NUM_THREADS"),
                torch.get_num_threads())

    reports = client.run(probe)
    assert len(reports) == 2
    assert set(reports.values()) == {("1", "1", 1)}, reports


def test_many_local_forecasters_on_the_cluster(client, one_torch_thread):
    import pandas as pd

    from sklstm import LSTMForecaster
    from sklstm.forecasting import PerSeriesForecaster

    t = np.arange(40)
    index = pd.MultiIndex.from_product(
        [["a", "b", "c"], pd.date_range("2010-01", periods=40, freq="MS")])
    y = pd.Series(np.concatenate([k * 50 + t + np.sin(t) for k in range(3)]),
                  index=index, name="y")
    forecaster = LSTMForecaster(horizon=3, n_members=1, hidden_size=4,
                                max_epochs=2)
    serial = PerSeriesForecaster(forecaster).fit(y).predict()
    with joblib.parallel_config(backend="dask"):
        on_cluster = PerSeriesForecaster(forecaster, n_jobs=-1).fit(y).predict()
    np.testing.assert_allclose(on_cluster.to_numpy(), serial.to_numpy(), rtol=1e-5)
