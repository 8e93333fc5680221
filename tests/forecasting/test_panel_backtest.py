"""backtest of a panel model: one fit across every series at each origin."""

import numpy as np
import pandas as pd
import pytest
from conftest import TINY_FORECASTER
from sklearn.base import BaseEstimator
from test_global import model, panel

from sklstm import LSTMForecaster
from sklstm.forecasting import PerSeriesForecaster, backtest
from sklstm.utils._panel import split_panel


class RecordingNaive(BaseEstimator):
    """A panel model that forecasts each series' last value and records
    the last time stamp of every series it is fitted on or forecasts from."""

    _fits_panels = True
    calls: list = []

    def fit(self, y):
        self.last_ = dict(split_panel(y, "test"))
        ends = {k: s.index[-1] for k, s in self.last_.items()}
        type(self).calls.append(("fit", ends))
        return self

    def predict(self, horizon=None, history=None):
        parts = self.last_ if history is None else dict(split_panel(history, "test"))
        if history is not None:
            type(self).calls.append(("predict", {k: s.index[-1]
                                                 for k, s in parts.items()}))
        out = {}
        for k, s in parts.items():
            index = pd.date_range(s.index[-1], periods=horizon + 1, freq="MS")[1:]
            out[k] = pd.Series(s.iloc[-1], index=index)
        return pd.concat(out, names=["shop", "month"])


@pytest.fixture
def recorder():
    RecordingNaive.calls = []
    return RecordingNaive


def test_every_origin_fits_every_series_up_to_its_own_origin(recorder):
    y = panel()  # 40, 52 and 30 rows, different starts
    frame = backtest(recorder(), y, 4, n_windows=3, step=2)
    fits = [ends for kind, ends in recorder.calls if kind == "fit"]
    assert len(fits) == 3
    for k, ends in enumerate(fits):
        for key, series in split_panel(y, "test"):
            # origins counted back from each series' own end
            position = len(series) - 1 - 4 - 2 * (2 - k)
            assert ends[key] == series.index[position]
    assert frame.columns.tolist() == ["shop", "origin", "h", "time", "actual",
                                      "forecast"]
    for key, series in split_panel(y, "test"):
        part = frame[frame.shop == key]
        assert len(part) == 12
        # the naive forecast is the value at the origin, not a later one
        at_origin = series.loc[part["origin"]].to_numpy()
        np.testing.assert_allclose(part["forecast"].to_numpy(), at_origin)
        np.testing.assert_allclose(part["actual"].to_numpy(),
                                   series.loc[part["time"]].to_numpy())


def test_without_refit_later_origins_forecast_from_newer_data(recorder):
    y = panel()
    backtest(recorder(), y, 4, n_windows=3, refit=False)
    kinds = [kind for kind, _ in recorder.calls]
    assert kinds == ["fit", "predict", "predict"]
    (_, first), (_, second), (_, third) = recorder.calls
    for key, series in split_panel(y, "test"):
        assert [first[key], second[key], third[key]] == list(
            series.index[len(series) - 1 - 4 - 4 * np.array([2, 1, 0])])


def test_a_global_model_is_backtested_with_one_fit_per_origin():
    y = panel()
    frame = backtest(model(), y, 4, n_windows=2)
    assert len(frame) == 3 * 2 * 4
    # the last origin's forecast is the model fitted on every series without
    # its last 4 rows
    cut = pd.concat({k: s.iloc[:-4] for k, s in split_panel(y, "test")},
                    names=y.index.names).rename("sales")
    expected = model().fit(cut).predict()
    last = frame[frame.origin == frame.groupby("shop").origin.transform("max")]
    np.testing.assert_allclose(last["forecast"].to_numpy(), expected.to_numpy(),
                               rtol=1e-6)


def test_intervals_are_calibrated_per_series():
    y = panel()
    frame = backtest(model(n_members=1), y, 2, n_windows=2, step=1,
                     levels=[0.8], n_calibration=5, refit=False)
    assert {"lower_80", "upper_80"} <= set(frame.columns)
    assert (frame["lower_80"] <= frame["forecast"]).all()
    assert (frame["forecast"] <= frame["upper_80"]).all()


def test_per_series_forecasters_are_a_panel_model_too():
    """PerSeriesForecaster at each origin equals each series backtested on
    its own with the same forecaster."""
    y = panel()
    local = LSTMForecaster(horizon=3, **TINY_FORECASTER)
    pooled = backtest(PerSeriesForecaster(local), y, 3, n_windows=2)
    alone = backtest(local, y, 3, n_windows=2)
    pd.testing.assert_frame_equal(pooled, alone)
    # without refit: each forecaster forecasts from its series' newer rows
    pooled = backtest(PerSeriesForecaster(local), y, 3, n_windows=2, refit=False)
    alone = backtest(local, y, 3, n_windows=2, refit=False)
    pd.testing.assert_frame_equal(pooled, alone)


class NoHistory(RecordingNaive):
    def predict(self, horizon=None):
        return super().predict(horizon)


def test_bad_requests_are_refused(recorder):
    y = panel()
    frame = y.to_frame().assign(price=1.0)
    with pytest.raises(ValueError, match=r"covariate column\(s\) \['price'\].*"
                                         "takes no X"):
        backtest(recorder(), frame, 4, target="sales")
    with pytest.raises(ValueError, match=r"future \['price'\] are not columns"):
        backtest(recorder(), y, 4, future=["price"])
    with pytest.raises(ValueError, match="different numbers of origins"):
        backtest(recorder(), y, 2, start="2003-01-01", n_windows=None)
    with pytest.raises(ValueError, match="takes no history"):
        backtest(NoHistory(), y, 4, refit=False)
    with pytest.raises(ValueError, match="series 'c': history has 30 rows, too few"):
        backtest(recorder(), y, 30, n_windows=1)


class RecordingCovariates(BaseEstimator):
    """A panel model with covariates that records what X it is given."""

    _fits_panels = True
    calls: list = []

    def fit(self, y, X=None):
        type(self).calls.append(("fit", y, X))
        self.y_ = y
        return self

    def predict(self, horizon=None, history=None, X=None):
        type(self).calls.append(("predict", history, X))
        y = self.y_ if history is None else history
        last = y.groupby(level=0, sort=False).tail(1)
        out = {}
        for (sid, t), v in last.items():
            index = pd.date_range(t, periods=horizon + 1, freq="MS")[1:]
            out[sid] = pd.Series(v, index=index)
        return pd.concat(out, names=y.index.names)


def test_covariates_reach_a_panel_model_only_as_known_at_each_origin():
    from test_global import covariate_panel

    y, X = covariate_panel()
    history = pd.concat([y, X.loc[y.index]], axis=1)
    RecordingCovariates.calls = []
    frame = backtest(RecordingCovariates(), history, 3, n_windows=2,
                     target="y", future=["law"], refit=[True, False])
    assert len(frame) == 3 * 2 * 3
    (_, y0, X0), (_, _, ahead0), (_, y1, X1) = RecordingCovariates.calls
    for sid, series in split_panel(y, "test"):
        n = len(series)
        origins = series.index[[n - 1 - 3 - 3, n - 1 - 3]]
        # the fit: target and covariates up to the first origin
        assert y0.loc[sid].index[-1] == origins[0]
        assert X0.loc[sid].index[-1] == origins[0]
        # its forecast: the 3 steps after, the law known, the temperature not
        steps = ahead0.loc[sid]
        assert steps.index[0] > origins[0] and len(steps) == 3
        assert steps["temp"].isna().all() and steps["law"].notna().all()
        # the later origin: history and X up to it, then its 3 steps
        assert y1.loc[sid].index[-1] == origins[1]
        x = X1.loc[sid]
        assert x.index[-1] == origins[1] + 3 * pd.offsets.MonthBegin(1)
        assert x["temp"].iloc[-3:].isna().all() and x["temp"].iloc[:-3].notna().all()


def test_a_global_model_with_covariates_is_backtested():
    from test_global import covariate_panel

    y, X = covariate_panel()
    history = pd.concat([y, X.loc[y.index]], axis=1)
    frame = backtest(model(future=["law"]), history, 3, n_windows=2, target="y",
                     future=["law"])
    assert frame.columns[0] == "id" and len(frame) == 18
    assert np.isfinite(frame["forecast"]).all()
