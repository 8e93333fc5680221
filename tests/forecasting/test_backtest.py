"""backtest: origins, windows, refit policies, the tidy frame, metrics, the
three kinds of model, and no look-ahead."""

import re

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_FORECASTER
from joblib import parallel_config
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklstm import LSTMForecaster
from sklstm.datasets import load_airline
from sklstm.forecasting import backtest, backtest_metrics, forecast, make_supervised
from sklstm.forecasting._backtest import (
    model_protocol,
    origin_positions,
    refit_schedule,
    training_rows,
)
from sklstm.forecasting._workers import uses_torch

#: what the recording models saw: ("fit" | "predict", first label, last
#: label, largest value). Backtests that record run in this process (n_jobs=None).
SEEN = []


@pytest.fixture(autouse=True)
def _clear_seen():
    SEEN.clear()
    yield
    SEEN.clear()


class NaiveForecaster(BaseEstimator):
    """fit(y)/predict(horizon): the last value seen, recording what it saw."""

    def fit(self, y):
        SEEN.append(("fit", y.index[0], y.index[-1], float(y.max())))
        self.last_ = float(y.iloc[-1])
        return self

    def predict(self, horizon):
        return pd.Series(np.full(horizon, self.last_))


class UpdatingForecaster(NaiveForecaster):
    """A naive forecaster that also forecasts from new data without a refit."""

    def predict(self, horizon, history=None):
        if history is None:
            return super().predict(horizon)
        SEEN.append(("predict", history.index[0], history.index[-1],
                     float(history.max())))
        return pd.Series(np.full(horizon, float(history.iloc[-1])))


class RecordingRegressor(RegressorMixin, BaseEstimator):
    """A direct model: each output repeats the current value (naive)."""

    def fit(self, X, y):
        SEEN.append(("fit", X.index[0], X.index[-1],
                     float(max(np.max(X.to_numpy()), np.max(np.asarray(y))))))
        self.n_outputs_ = 1 if np.ndim(y) == 1 else np.shape(y)[1]
        return self

    def predict(self, X):
        SEEN.append(("predict", X.index[0], X.index[-1], float(np.max(X.to_numpy()))))
        return np.tile(X.iloc[:, [0]].to_numpy(), (1, self.n_outputs_))


def positions_series(n, *, start="2020-01-01", freq="D"):
    """A series whose value is its row position: what a model saw is its max."""
    index = pd.date_range(start, periods=n, freq=freq) if freq else pd.RangeIndex(n)
    return pd.Series(np.arange(n, dtype=float), index=index, name="y")


def fits():
    return [s for s in SEEN if s[0] == "fit"]


# ------------------------------------------------------------------ origins
def test_default_origins_end_the_last_forecast_with_the_data():
    assert origin_positions(20, 3).tolist() == [10, 13, 16]
    s = positions_series(20)
    frame = backtest(NaiveForecaster(), s, horizon=3)
    assert frame.columns.tolist() == ["origin", "h", "time", "actual", "forecast"]
    assert frame.shape == (9, 5)
    assert frame["origin"].unique().tolist() == list(s.index[[10, 13, 16]])
    assert frame["h"].tolist() == [1, 2, 3] * 3
    assert frame["time"].iloc[-1] == s.index[-1]
    np.testing.assert_array_equal(frame["actual"], [11, 12, 13, 14, 15, 16, 17, 18, 19])
    np.testing.assert_array_equal(frame["forecast"], np.repeat([10.0, 13, 16], 3))
    assert (frame["time"] == frame["origin"] + pd.to_timedelta(frame["h"], "D")).all()


def test_step_spaces_the_origins_and_forecasts_may_overlap():
    frame = backtest(NaiveForecaster(), positions_series(20), horizon=3,
                     n_windows=4, step=1)
    assert frame["origin"].dt.day.unique().tolist() == [14, 15, 16, 17]


def test_start_is_a_label_or_a_position_and_none_takes_every_window():
    s = positions_series(20)
    by_label = backtest(NaiveForecaster(), s, 3, start="2020-01-06", step=4,
                        n_windows=None)
    by_position = backtest(NaiveForecaster(), s, 3, start=5, step=4, n_windows=None)
    pd.testing.assert_frame_equal(by_label, by_position)
    assert by_label["forecast"].unique().tolist() == [5.0, 9.0, 13.0]
    two = backtest(NaiveForecaster(), s, 3, start=-10, step=2, n_windows=2)
    assert two["forecast"].unique().tolist() == [10.0, 12.0]


def test_an_int_start_is_a_label_on_an_integer_index():
    s = pd.Series(np.arange(20.0), index=pd.RangeIndex(100, 120), name="y")
    frame = backtest(NaiveForecaster(), s, 2, start=110, n_windows=None)
    assert frame["origin"].unique().tolist() == [110, 112, 114, 116]
    assert frame["time"].iloc[-1] == 118


def test_expanding_and_sliding_windows():
    s = positions_series(30)
    backtest(NaiveForecaster(), s, 4, n_windows=3, window="expanding")
    assert [(f[1], f[2]) for f in fits()] == [
        (s.index[0], s.index[p]) for p in (17, 21, 25)]
    SEEN.clear()
    backtest(NaiveForecaster(), s, 4, n_windows=3, window="sliding")
    # as long as the first origin's training data: 18 rows
    assert [(f[1], f[2]) for f in fits()] == [
        (s.index[p - 17], s.index[p]) for p in (17, 21, 25)]
    lo, hi = training_rows(np.array([17, 21, 25]), "sliding")
    assert (hi - lo).tolist() == [18, 18, 18]


# --------------------------------------------------------------- refitting
@pytest.mark.parametrize("refit, n_fits", [
    (True, 5), (False, 1), (2, 3), (5, 1), ([True, False, False, True, True], 3),
])
def test_refit_policies_count_the_fits(refit, n_fits):
    s = positions_series(30)
    frame = backtest(UpdatingForecaster(), s, 2, n_windows=5, refit=refit)
    assert len(fits()) == n_fits
    assert refit_schedule(5, refit).sum() == n_fits
    # without a refit the forecast is made from the data up to its origin
    np.testing.assert_array_equal(frame["forecast"].unique(), [19, 21, 23, 25, 27])


def test_a_direct_model_forecasts_from_new_data_without_refit():
    s = positions_series(30)
    frame = backtest(RecordingRegressor(), s, 2, n_windows=4, refit=False)
    assert len(fits()) == 1
    np.testing.assert_array_equal(frame["forecast"].unique(), [21, 23, 25, 27])


@pytest.mark.parametrize("refit", [[False, True, True], [True, True], [1, 0, 0]])
def test_a_refit_schedule_needs_one_bool_per_origin_the_first_true(refit):
    with pytest.raises(ValueError, match=r"refit as a sequence needs one bool per "
                                         r"origin \(3, calibration origins first\)"):
        backtest(UpdatingForecaster(), positions_series(30), 2, n_windows=3,
                 refit=refit)


def test_a_forecaster_without_history_cannot_skip_refits():
    msg = ("backtest: refit=False asks NaiveForecaster to forecast from the data "
           "up to each origin without refitting, but NaiveForecaster.predict(horizon)"
           " only forecasts from the end of the series it was fitted on")
    with pytest.raises(ValueError, match=re.escape(msg)):
        backtest(NaiveForecaster(), positions_series(30), 2, refit=False)
    assert SEEN == []  # refused before any fit


# ---------------------------------------------------------------- leakage
@pytest.mark.parametrize("window", ["expanding", "sliding"])
@pytest.mark.parametrize("refit", [True, False, 2])
@pytest.mark.parametrize("model", [UpdatingForecaster(), RecordingRegressor()])
def test_no_forecast_sees_past_its_origin(model, refit, window):
    # the values are the row positions: the largest value a call saw is the
    # latest row it saw
    s = positions_series(40)
    frame = backtest(model, s, 3, n_windows=6, step=2, refit=refit, window=window)
    origins = [s.index.get_loc(o) for o in frame["origin"].unique()]
    refits = refit_schedule(len(origins), refit)
    refitted = [o for o, r in zip(origins, refits, strict=True) if r]
    assert [rec[3] for rec in fits()] == refitted
    predicted = [rec[3] for rec in SEEN if rec[0] == "predict"]
    if isinstance(model, RecordingRegressor):  # forecast() at every origin
        assert predicted == origins
    else:  # predict(horizon, history=...) where it did not refit
        assert predicted == [o for o, r in zip(origins, refits, strict=True) if not r]
    # each origin's forecast is its own value: made from the data up to it
    np.testing.assert_array_equal(frame.groupby("origin")["forecast"].first(),
                                  origins)


# ------------------------------------------------------------- the models
def test_ridge_on_make_supervised_matches_a_hand_made_forecast():
    rng = np.random.default_rng(0)
    s = pd.Series(np.cumsum(rng.normal(size=50)) + 20, name="y",
                  index=pd.date_range("2021-01", periods=50, freq="MS"))
    frame = backtest(Ridge(alpha=0.5), s, horizon=4, n_windows=2)
    assert frame.shape == (8, 5)
    origin = s.index.get_loc(frame["origin"].iloc[0])
    train = s.iloc[: origin + 1]
    X, Y = make_supervised(train, horizon=[1, 2, 3, 4])
    expected = forecast(Ridge(alpha=0.5).fit(X, Y), train, horizon=4)
    np.testing.assert_allclose(frame["forecast"].iloc[:4], expected.to_numpy())
    assert model_protocol(Ridge())[0] == "direct"


def test_fitted_grid_search_stands_for_its_best_estimator():
    rng = np.random.default_rng(1)
    s = pd.Series(np.sin(np.arange(60) / 3) + 0.1 * rng.normal(size=60), name="y")
    X, Y = make_supervised(s, horizon=[1, 2, 3])
    search = GridSearchCV(Ridge(), {"alpha": [0.01, 100.0]},
                          cv=TimeSeriesSplit(3)).fit(X, Y)
    coef = search.best_estimator_.coef_.copy()
    frame = backtest(search, s, horizon=3, n_windows=3)
    expected = backtest(clone(search.best_estimator_), s, horizon=3, n_windows=3)
    pd.testing.assert_frame_equal(frame, expected)
    np.testing.assert_array_equal(search.best_estimator_.coef_, coef)  # untouched
    no_refit = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=TimeSeriesSplit(2),
                            refit=False).fit(X, Y)
    with pytest.raises(ValueError, match=r"has no best_estimator_ \(it was fitted "
                                         r"with refit=False\)"):
        backtest(no_refit, s, horizon=3)


def test_lstm_forecaster_on_a_short_series():
    t = np.arange(60)
    s = pd.Series(50 + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12), name="sales",
                  index=pd.date_range("2015-01", periods=60, freq="MS"))
    model = LSTMForecaster(horizon=6, **TINY_FORECASTER,
                           network_params={"n_threads": 1})
    assert model_protocol(model)[0] == "forecaster"
    frame = backtest(model, s, horizon=6, n_windows=2)
    assert frame.shape == (12, 5)
    assert frame["origin"].unique().tolist() == list(s.index[[47, 53]])
    assert np.isfinite(frame["forecast"]).all()
    assert backtest_metrics(frame, s, m=12).loc["all", "MASE"] < 5


def test_parallel_origins_give_the_same_frame():
    s = positions_series(40) + np.sin(np.arange(40))
    kwargs = dict(horizon=3, n_windows=4)
    sequential = backtest(Ridge(), s, **kwargs)
    # threads keep the test fast; the default backend is processes (loky)
    with parallel_config(backend="threading"):
        parallel = backtest(Ridge(), s, n_jobs=2, **kwargs)
    pd.testing.assert_frame_equal(sequential, parallel)


def test_workers_pin_torch_only_for_torch_models():
    from sklstm import LSTMRegressor

    assert uses_torch(LSTMForecaster())
    assert uses_torch(make_pipeline(StandardScaler(), LSTMRegressor()))
    assert not uses_torch(make_pipeline(StandardScaler(), Ridge()))
    from sklstm.forecasting import GlobalLSTMForecaster, PerSeriesForecaster

    assert uses_torch(GlobalLSTMForecaster())
    assert uses_torch(PerSeriesForecaster(LSTMForecaster()))
    assert not uses_torch(PerSeriesForecaster(Ridge()))


# ----------------------------------------------------------------- metrics
def test_metrics_against_hand_computed_numbers():
    # the naive forecast of a series 0, 1, 2, ... misses by exactly h
    s = positions_series(20, freq=None)
    frame = backtest(NaiveForecaster(), s, horizon=2, n_windows=3)
    np.testing.assert_array_equal(frame["actual"] - frame["forecast"], [1, 2] * 3)
    metrics = backtest_metrics(frame, s)
    assert metrics.index.tolist() == [1, 2, "all"]
    assert metrics.columns.tolist() == ["MAE", "RMSE", "MASE", "sMAPE"]
    np.testing.assert_allclose(metrics["MAE"], [1, 2, 1.5])
    np.testing.assert_allclose(metrics["RMSE"], [1, 2, np.sqrt(2.5)])
    np.testing.assert_allclose(metrics["MASE"], [1, 2, 1.5])  # naive scale: 1
    origins = np.array([13.0, 15.0, 17.0])
    smape_h = [100 * np.mean(2 * h / (2 * origins + h)) for h in (1, 2)]
    np.testing.assert_allclose(metrics["sMAPE"], [*smape_h, np.mean(smape_h)])
    # m=2: the seasonal-naive scale is 2
    np.testing.assert_allclose(backtest_metrics(frame, s, m=2)["MASE"],
                               [0.5, 1, 0.75])
    assert "MASE" not in backtest_metrics(frame).columns


def test_metrics_coverage_and_width_per_level():
    frame = pd.DataFrame({
        "origin": [0, 0, 1, 1], "h": [1, 2, 1, 2],
        "actual": [1.0, 5.0, 2.0, 3.0], "forecast": [1.0, 4.0, 2.5, 3.0],
        "lower_80": [0.0, 4.5, 2.2, np.nan], "upper_80": [2.0, 5.5, 2.8, np.nan],
    })
    metrics = backtest_metrics(frame)
    np.testing.assert_allclose(metrics["coverage_80"], [0.5, 1.0, 2 / 3])
    np.testing.assert_allclose(metrics["width_80"], [1.3, 1.0, 1.2])


def test_metrics_refuse_a_constant_history_for_mase():
    frame = backtest(NaiveForecaster(), pd.Series(np.ones(12)), horizon=2)
    with pytest.raises(ValueError, match="seasonal-naive scale is 0"):
        backtest_metrics(frame, pd.Series(np.ones(12)))
    with pytest.raises(ValueError, match="origin 5 of the frame is not in"):
        backtest_metrics(frame, pd.Series(np.arange(5.0)))


# ---------------------------------------------------------------- errors
def test_too_short_a_history_says_how_long_it_must_be():
    msg = ("backtest: 3 window(s), step=4 apart, would put the first origin at row "
           "1, leaving 2 training row(s); the model needs at least 5. History has "
           "14 rows and needs 17")
    with pytest.raises(ValueError, match=re.escape(msg)):
        backtest(Ridge(), positions_series(14), horizon=4)
    with pytest.raises(ValueError, match="only 2 fit a horizon=3 forecast"):
        backtest(NaiveForecaster(), positions_series(20), 3, start=11, n_windows=3)
    with pytest.raises(ValueError, match="the last origin whose horizon=3"):
        backtest(NaiveForecaster(), positions_series(20), 3, start=17)
    with pytest.raises(ValueError, match="start='1999-01-01' is not a label"):
        backtest(NaiveForecaster(), positions_series(20), 3, start="1999-01-01")
    with pytest.raises(ValueError, match="n_windows=None .* needs start"):
        backtest(NaiveForecaster(), positions_series(20), 3, n_windows=None)


def test_bad_parameters_are_refused():
    s = positions_series(20)
    with pytest.raises(InvalidParameterError, match="'window' parameter of backtest"):
        backtest(NaiveForecaster(), s, 2, window="rolling")
    with pytest.raises(InvalidParameterError, match="'horizon' parameter"):
        backtest(NaiveForecaster(), s, 0)
    with pytest.raises(InvalidParameterError, match="'refit' parameter"):
        backtest(NaiveForecaster(), s, 2, refit=0)
    with pytest.raises(TypeError, match="backtest: model must have fit and predict"):
        backtest([1.0], s, 2)
    with pytest.raises(ValueError, match="n_calibration=5 adds origins"):
        backtest(NaiveForecaster(), s, 2, n_calibration=5)
    with pytest.raises(TypeError, match="target 'y' has dtype"):
        backtest(NaiveForecaster(), s.astype(str), 2)


def test_a_forecast_of_the_wrong_length_is_refused():
    class Short(NaiveForecaster):
        def predict(self, horizon):
            return pd.Series([self.last_])

    with pytest.raises(ValueError, match="Short forecast 1 value"):
        backtest(Short(), positions_series(20), 3)


def test_a_dataframe_history_with_covariates():
    s = positions_series(40)
    data = pd.DataFrame({"y": s, "x": np.sin(np.arange(40))})
    frame = backtest(Ridge(), data, horizon=2, target="y")
    assert frame.shape == (6, 5)
    # a forecaster whose fit takes no X cannot receive the covariates
    with pytest.raises(ValueError, match=r"covariate column\(s\) \['x'\] besides "
                                         r"the target 'y', but NaiveForecaster.fit "
                                         r"takes no X"):
        backtest(NaiveForecaster(), data, horizon=2, target="y")
    backtest(NaiveForecaster(), data["y"], horizon=2)
    assert all(f[3] <= 39 for f in fits())


def test_the_lstm_forecaster_backtests_without_refit():
    air = load_airline()["passengers"]
    model = LSTMForecaster(horizon=3, **TINY_FORECASTER)
    frame = backtest(model, air, 3, n_windows=3, step=2, refit=False)
    origins = air.index[[136, 138, 140]]
    assert frame["origin"].unique().tolist() == origins.tolist()
    fitted = clone(model).fit(air.iloc[:137])  # the one fit, at the first origin
    for pos in (136, 140):
        expected = fitted.predict(3, history=air.iloc[:pos + 1])
        got = frame.loc[frame["origin"] == air.index[pos], "forecast"]
        np.testing.assert_allclose(got, expected.to_numpy())
