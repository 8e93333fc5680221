"""sample_weight through the meta-estimators, with and without metadata routing.

Without routing, ``fit``'s keyword arguments go to the inner regressor as they
are (``fit_params``). With ``sklearn.set_config(enable_metadata_routing=True)``
the meta-estimators route like sklearn's ``TransformedTargetRegressor``: the
inner regressor gets what it requested, and metadata it did not request is an
error.
"""

import numpy as np
import pytest
from conftest import TINY_LSTM
from sklearn import config_context
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate

from sklstm import ConstrainedRegressor, LevelDifferenceRegressor, LSTMRegressor

META = [ConstrainedRegressor, LevelDifferenceRegressor]


class WeightRecorder(RegressorMixin, BaseEstimator):
    """A regressor that keeps the sample_weight it was fitted with."""

    def fit(self, X, y, sample_weight=None):
        self.sample_weight_ = None if sample_weight is None else np.asarray(
            sample_weight)
        self.mean_ = float(np.mean(y))
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    t = np.arange(120)
    level = 20 + 5 * np.sin(2 * np.pi * t / 12) + 0.2 * rng.standard_normal(120)
    X = np.column_stack([level, np.cos(2 * np.pi * t / 12)])
    y = np.roll(level, -1)
    w = rng.uniform(0.5, 2.0, size=120)
    return X, y, w


# ----------------------------------------------------------- no routing
@pytest.mark.parametrize("Meta", META)
def test_without_routing_sample_weight_reaches_the_inner_regressor(data, Meta):
    X, y, w = data
    model = Meta(WeightRecorder()).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(model.regressor_.sample_weight_, w)
    assert Meta(WeightRecorder()).fit(X, y).regressor_.sample_weight_ is None


@pytest.mark.parametrize("Meta", META)
def test_without_routing_the_lstm_trains_on_the_weights(data, Meta):
    X, y, w = data
    plain = Meta(LSTMRegressor(**TINY_LSTM)).fit(X, y)
    weighted = Meta(LSTMRegressor(**TINY_LSTM)).fit(X, y, sample_weight=w)
    equal = Meta(LSTMRegressor(**TINY_LSTM)).fit(X, y, sample_weight=np.ones(len(y)))
    assert not np.array_equal(weighted.predict(X), plain.predict(X))
    np.testing.assert_array_equal(equal.predict(X), plain.predict(X))


# -------------------------------------------------------------- routing
@pytest.mark.parametrize("Meta", META)
def test_routing_passes_requested_weights(data, Meta):
    X, y, w = data
    with config_context(enable_metadata_routing=True):
        inner = WeightRecorder().set_fit_request(sample_weight=True)
        model = Meta(inner).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(model.regressor_.sample_weight_, w)


@pytest.mark.parametrize("Meta", META)
def test_routing_refuses_weights_the_inner_regressor_did_not_request(data, Meta):
    X, y, w = data
    with config_context(enable_metadata_routing=True):
        for inner in (WeightRecorder(), LSTMRegressor(**TINY_LSTM)):
            with pytest.raises(UnsetMetadataPassedError, match=(
                    r"\[sample_weight\] are passed but are not explicitly set as "
                    r"requested or not requested for "
                    rf"{type(inner).__name__}.fit")):
                Meta(inner).fit(X, y, sample_weight=w)


@pytest.mark.parametrize("Meta", META)
def test_routing_leaves_out_weights_requested_as_false(data, Meta):
    X, y, w = data
    with config_context(enable_metadata_routing=True):
        inner = WeightRecorder().set_fit_request(sample_weight=False)
        with pytest.raises(TypeError, match="not routed to any object"):
            Meta(inner).fit(X, y, sample_weight=w)
        assert Meta(inner).fit(X, y).regressor_.sample_weight_ is None


@pytest.mark.parametrize("Meta", META)
def test_routing_describes_the_inner_request(Meta):
    with config_context(enable_metadata_routing=True):
        inner = WeightRecorder().set_fit_request(sample_weight=True)
        routing = Meta(inner).get_metadata_routing()
        assert routing.consumes("fit", ["sample_weight"]) == {"sample_weight"}
        assert routing.consumes("predict", ["sample_weight"]) == set()


def test_grid_search_routes_weights_through_constrained_to_the_lstm(data):
    """The issue's example, with each fold's weights checked on the way."""
    X, y, w = data
    with config_context(enable_metadata_routing=True):
        lstm = LSTMRegressor(**{**TINY_LSTM, "max_epochs": 2}).set_fit_request(
            sample_weight=True)
        search = GridSearchCV(ConstrainedRegressor(lstm),
                              {"regressor__hidden_size": [4, 8]},
                              cv=TimeSeriesSplit(2))
        search.fit(X, y, sample_weight=w)
        assert search.best_params_["regressor__hidden_size"] in (4, 8)

        recorder = WeightRecorder().set_fit_request(sample_weight=True)
        cv = TimeSeriesSplit(2)
        result = cross_validate(LevelDifferenceRegressor(recorder), X, y, cv=cv,
                                params={"sample_weight": w}, return_estimator=True)
        for (train, _), est in zip(cv.split(X), result["estimator"], strict=True):
            np.testing.assert_array_equal(est.regressor_.sample_weight_, w[train])


def test_grid_search_refuses_weights_the_lstm_did_not_request(data):
    X, y, w = data
    with config_context(enable_metadata_routing=True):
        search = GridSearchCV(ConstrainedRegressor(LSTMRegressor(**TINY_LSTM)),
                              {"regressor__hidden_size": [4]}, cv=TimeSeriesSplit(2),
                              error_score="raise")
        with pytest.raises(UnsetMetadataPassedError, match="LSTMRegressor.fit"):
            search.fit(X, y, sample_weight=w)


def test_routing_works_with_any_sklearn_regressor(data):
    X, y, w = data
    with config_context(enable_metadata_routing=True):
        routed = ConstrainedRegressor(
            Ridge().set_fit_request(sample_weight=True)).fit(X, y, sample_weight=w)
    direct = Ridge().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(routed.regressor_.coef_, direct.coef_)
