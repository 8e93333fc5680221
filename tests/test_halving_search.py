"""Successive halving over rows would shuffle time steps: refused, with the fix."""

import numpy as np
import pandas as pd
import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.model_selection import HalvingGridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklstm import LagFeatures

rng = np.random.default_rng(0)
X = pd.DataFrame({"y": np.sin(np.arange(300) / 6) + rng.normal(0, 0.1, 300)},
                 index=pd.date_range("2020-01-01", periods=300, freq="D"))
y = X["y"].shift(-1).ffill()


def test_halving_over_rows_is_refused_with_the_fix():
    search = HalvingGridSearchCV(
        make_pipeline(LagFeatures(), Ridge()), {"lagfeatures__lags": [2, 4]},
        cv=TimeSeriesSplit(3), min_resources=60, error_score="raise",
    )
    with pytest.raises(ValueError, match=r"LagFeatures.fit_transform: "
                       r"HalvingGridSearchCV with resource='n_samples'.*time steps.*"
                       r"resource='regressor__lstm__max_epochs'"):
        search.fit(X, y)


def test_halving_over_another_resource_runs():
    search = HalvingGridSearchCV(
        make_pipeline(LagFeatures(), Ridge()), {"lagfeatures__lags": [2, 4, 6]},
        resource="ridge__max_iter", min_resources=10, max_resources=40,
        cv=TimeSeriesSplit(3), error_score="raise",
    ).fit(X, y)
    assert search.best_params_["lagfeatures__lags"] in (2, 4, 6)
    assert search.n_resources_[0] == 10


def test_plain_fits_are_untouched():
    out = LagFeatures(lags=2).fit_transform(X)
    assert out.shape == (300, 3)


def test_halving_over_rows_is_refused_for_a_bare_lstm():
    from sklstm import LSTMRegressor

    search = HalvingGridSearchCV(
        LSTMRegressor(lookback=4, hidden_size=4, max_epochs=2, n_threads=1),
        {"hidden_size": [4, 8]}, cv=TimeSeriesSplit(3), min_resources=60,
        error_score="raise",
    )
    with pytest.raises(ValueError, match=r"LSTMRegressor.fit: HalvingGridSearchCV "
                       r".*resource='max_epochs' for an LSTMRegressor"):
        search.fit(X.to_numpy(), y.to_numpy())
