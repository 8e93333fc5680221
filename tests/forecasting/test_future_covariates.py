"""Covariates known in advance: their leads in make_supervised, their future
values in forecast, and what a backtest lets each model see."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline

import sklstm.forecasting._backtest as backtest_module
from sklstm import LagFeatures
from sklstm.forecasting import (
    backtest,
    backtest_metrics,
    forecast,
    future_index,
    make_supervised,
)
from sklstm.forecasting._supervised import lead_columns


def six_rows():
    return pd.DataFrame(
        {"y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
         "price": [9.0, 8.0, 7.0, 6.0, 5.0, 4.0],
         "promo": [0, 1, 0, 0, 1, 1]},
        index=pd.date_range("2024-01-01", periods=6, freq="D"),
    )


def promo_frame(n=200, noise=0.1, seed=0, index=None):
    """y = 10 * promo + noise, the promotions planned in advance."""
    rng = np.random.default_rng(seed)
    promo = (rng.random(n) < 0.25).astype(int)
    y = 10.0 * promo + noise * rng.standard_normal(n)
    index = pd.date_range("2023-01-01", periods=n, freq="D") if index is None \
        else index
    return pd.DataFrame({"y": y, "promo": promo}, index=index)


def plan(history, values, column="promo"):
    steps = future_index(history.index, list(range(1, len(values) + 1)))
    return pd.DataFrame({column: values}, index=steps)


# ---------------------------------------------------------- make_supervised
def test_lead_columns_by_hand_on_six_rows():
    data = six_rows()
    X, Y = make_supervised(data, "y", horizon=[1, 2], features=["y", "price"],
                           future=["promo"])
    assert X.columns.tolist() == ["y", "price", "promo_h1", "promo_h2"]
    assert X.index.equals(data.index[:4])
    assert X["promo_h1"].tolist() == [1, 0, 0, 1]  # promo at rows 1..4
    assert X["promo_h2"].tolist() == [0, 0, 1, 1]  # promo at rows 2..5
    assert X["price"].tolist() == [9.0, 8.0, 7.0, 6.0]  # past-only: row i itself
    assert X["promo_h1"].dtype == data["promo"].dtype
    assert Y.columns.tolist() == ["y_h1", "y_h2"]
    pd.testing.assert_frame_equal(
        X[["promo_h1", "promo_h2"]],
        lead_columns(data, ["promo"], [1, 2]).iloc[:4], check_dtype=False)


def test_lead_columns_run_past_the_end_as_nan():
    leads = lead_columns(six_rows(), ["promo", "price"], [2])
    assert leads.columns.tolist() == ["promo_h2", "price_h2"]
    assert leads["promo_h2"].iloc[:4].tolist() == [0, 0, 1, 1]
    assert leads["promo_h2"].iloc[4:].isna().all()


def test_features_none_keeps_the_current_value_and_an_int_horizon_one_lead():
    X, y = make_supervised(six_rows(), "y", horizon=2, future="promo")
    assert X.columns.tolist() == ["y", "price", "promo", "promo_h2"]
    assert y.name == "y_h2"
    X, _ = make_supervised(six_rows(), "y", horizon=1, features=[], future=["promo"])
    assert X.columns.tolist() == ["promo_h1"]


def test_a_nan_read_by_no_lead_is_allowed():
    data = six_rows().astype({"promo": float})
    data.iloc[0, 2] = np.nan  # row 0's promo: read by no lead
    X, _ = make_supervised(data, "y", horizon=1, future=["promo"])
    assert np.isnan(X["promo"].iloc[0]) and X["promo_h1"].notna().all()


def test_make_supervised_future_errors():
    data = six_rows()
    with pytest.raises(ValueError, match=re.escape(
            "make_supervised: future ['holiday'] are not columns of data; the "
            "columns are ['y', 'price', 'promo']")):
        make_supervised(data, "y", future=["holiday"])
    with pytest.raises(ValueError, match=re.escape(
            "make_supervised: the target 'y' is in future=['y', 'promo'], but its "
            "future is what is forecast")):
        make_supervised(data, "y", future=["y", "promo"])
    with pytest.raises(ValueError, match=r"make_supervised: future names \['promo'\] "
                       "more than once"):
        make_supervised(data, "y", future=["promo", "promo"])
    gap = data.astype({"promo": float})
    gap.iloc[[3, 4], 2] = np.nan
    with pytest.raises(ValueError, match=re.escape(
            "make_supervised: the future-known column 'promo' is missing (NaN) at 2 "
            "row(s) that leads of kept rows read, first at 2024-01-04")):
        make_supervised(gap, "y", horizon=[1, 2], future=["promo"])
    with pytest.raises(ValueError, match=re.escape(
            "make_supervised: features=[] leaves X without a column")):
        make_supervised(data, "y", features=[])
    clash = data.assign(promo_h1=0.0)
    with pytest.raises(ValueError, match=re.escape(
            "make_supervised: the lead column(s) ['promo_h1'] of future=['promo'] "
            "would replace columns of data")):
        make_supervised(clash, "y", future=["promo"])


# ----------------------------------------------------------------- forecast
def test_known_promotions_are_forecast_almost_exactly():
    data = promo_frame()
    X, Y = make_supervised(data, "y", horizon=[1, 2, 3], features=[],
                           future=["promo"])
    model = LinearRegression().fit(X, Y)
    future = plan(data, [1, 0, 1])
    fc = forecast(model, data, 3, target="y", features=[], future=future)
    assert fc.index.equals(future.index) and fc.name == "y"
    np.testing.assert_allclose(fc.to_numpy(), [10.0, 0.0, 10.0], atol=0.1)
    # without the plan, a model on the past cannot tell when the spikes come
    X, Y = make_supervised(data, "y", horizon=[1, 2, 3])
    blind = forecast(LinearRegression().fit(X, Y), data, 3, target="y")
    assert np.abs(blind.to_numpy() - [10.0, 0.0, 10.0]).max() > 4.0


def test_extra_rows_and_unused_columns_of_future_are_ignored():
    data = promo_frame()
    X, Y = make_supervised(data, "y", horizon=[1, 2], features=["y"],
                           future=["promo"])
    model = LinearRegression().fit(X, Y)
    future = plan(data, [0, 1, 1, 1])
    fc = forecast(model, data, 2, target="y", features=["y"], future=future)
    np.testing.assert_allclose(fc.to_numpy(), [0.0, 10.0], atol=0.1)


def ar_with_promo(n=120, seed=1):
    """A noiseless AR(1) driven by a known promotion."""
    rng = np.random.default_rng(seed)
    promo = (rng.random(n + 5) < 0.3).astype(float)
    y = np.zeros(n + 5)
    for t in range(1, n + 5):
        y[t] = 0.6 * y[t - 1] + 4.0 * promo[t] + 1.0
    index = pd.date_range("2020-01-01", periods=n + 5, freq="D")
    full = pd.DataFrame({"y": y, "promo": promo}, index=index)
    return full.iloc[:n], full.iloc[n:]


def test_recursive_with_future_equals_direct_on_a_noiseless_ar_model():
    history, truth = ar_with_promo()
    future = truth[["promo"]]
    X1, y1 = make_supervised(history, "y", horizon=1, features=["y"],
                             future=["promo"])
    one_step = LinearRegression().fit(X1, y1)
    recursive = forecast(one_step, history, 5, target="y", features=["y"],
                         future=future)
    XH, YH = make_supervised(history, "y", horizon=[1, 2, 3, 4, 5], features=["y"],
                             future=["promo"])
    direct = forecast(LinearRegression().fit(XH, YH), history, 5, target="y",
                      features=["y"], future=future)
    np.testing.assert_allclose(recursive.to_numpy(), truth["y"].to_numpy(),
                               atol=1e-8)
    np.testing.assert_allclose(direct.to_numpy(), recursive.to_numpy(), atol=1e-6)
    assert recursive.index.equals(truth.index)
    # strategy='recursive' says the same as 'auto'
    pd.testing.assert_series_equal(
        forecast(one_step, history, 5, target="y", features=["y"], future=future,
                 strategy="recursive"), recursive)


def test_recursive_knows_the_future_columns_current_values():
    history, truth = ar_with_promo()
    # the model takes promo's current value, not a lead: y[t+1] from promo[t]
    data = history.assign(promo_next=history["promo"].shift(-1))
    X, y = make_supervised(history, "y", horizon=1)
    model = LinearRegression().fit(X, y)
    seen = []

    def spy(frame):
        seen.append(frame["promo"].iloc[-1])
        return frame

    fc = forecast(model, history, 4, target="y", future=truth[["promo"]],
                  feature_builder=spy)
    assert seen[1:] == truth["promo"].iloc[:3].tolist()  # the appended rows
    assert np.isfinite(fc).all() and "promo_next" in data  # data untouched
    fc2 = forecast(model, history, 4, target="y", future=truth[["promo"]])
    pd.testing.assert_series_equal(fc, fc2)


def test_a_pipeline_with_lags_takes_the_leads_too():
    history, truth = ar_with_promo()
    X, y = make_supervised(history, "y", horizon=1, features=["y"],
                           future=["promo"])
    model = make_pipeline(LagFeatures(lags=[1], columns=["y"]),
                          LinearRegression()).set_output(transform="pandas")
    model.fit(X, y)
    fc = forecast(model, history, 5, target="y", features=["y"],
                  future=truth[["promo"]])
    np.testing.assert_allclose(fc.to_numpy(), truth["y"].to_numpy(), atol=1e-6)


def test_feature_builder_output_gets_the_leads():
    history, truth = ar_with_promo()
    X, y = make_supervised(history, "y", horizon=1, features=["y"],
                           future=["promo"])
    model = LinearRegression().fit(X, y)
    fc = forecast(model, history, 5, target="y", future=truth[["promo"]],
                  feature_builder=lambda f: f[["y"]])
    np.testing.assert_allclose(fc.to_numpy(), truth["y"].to_numpy(), atol=1e-8)
    with pytest.raises(TypeError, match="forecast: with future=..., feature_builder "
                       "must return a DataFrame"):
        forecast(model, history, 5, target="y", future=truth[["promo"]],
                 feature_builder=lambda f: f[["y"]].to_numpy())


@pytest.mark.parametrize("kind", ["period", "integer"])
def test_period_and_integer_indexes(kind):
    data = promo_frame(n=120)
    if kind == "period":
        data = data.to_period("D")
    else:
        data = data.set_axis(pd.RangeIndex(0, 240, 2))
    X, Y = make_supervised(data, "y", horizon=[1, 2], features=[], future=["promo"])
    model = LinearRegression().fit(X, Y)
    future = plan(data, [1, 0])
    fc = forecast(model, data, 2, target="y", features=[], future=future)
    assert fc.index.equals(future.index)
    np.testing.assert_allclose(fc.to_numpy(), [10.0, 0.0], atol=0.1)
    if kind == "integer":
        assert fc.index.tolist() == [240, 242]


def fitted_direct(future_columns=("promo",)):
    data = promo_frame().assign(holiday=0)
    X, Y = make_supervised(data, "y", horizon=[1, 2, 3], features=["y"],
                           future=list(future_columns))
    return data, LinearRegression().fit(X, Y)


def test_forecast_future_errors():
    data, model = fitted_direct(["promo", "holiday"])
    steps = future_index(data.index, [1, 2, 3])
    with pytest.raises(ValueError, match=re.escape(
            "forecast: the model was fitted with future-known column(s) ['promo', "
            "'holiday'] (its features include the leads ['promo_h1', 'promo_h2', "
            "'promo_h3', 'holiday_h1', ...]); pass future=DataFrame with their "
            "values at the forecast steps 2023-07-20")):
        forecast(model, data, 3, target="y", features=["y"])
    with pytest.raises(ValueError, match=re.escape(
            "forecast: future lacks the future-known column(s) ['holiday'], whose "
            "leads the model takes (['holiday_h1', 'holiday_h2', 'holiday_h3'])")):
        forecast(model, data, 3, target="y", features=["y"],
                 future=plan(data, [1, 0, 1]))
    short = pd.DataFrame({"promo": [1, 0], "holiday": [0, 0]}, index=steps[:2])
    with pytest.raises(ValueError, match=re.escape(
            "forecast: future lacks rows for the forecast step(s) 2023-07-22 "
            "00:00:00 of the future-known column(s) ['promo', 'holiday']")):
        forecast(model, data, 3, target="y", features=["y"], future=short)
    gap = pd.DataFrame({"promo": [1, np.nan, 0], "holiday": [0, 0, 0]}, index=steps)
    with pytest.raises(ValueError, match=re.escape(
            "forecast: future holds NaN in the future-known column 'promo' at the "
            "forecast step(s) 2023-07-21")):
        forecast(model, data, 3, target="y", features=["y"], future=gap)
    full = pd.DataFrame({"promo": [1, 0, 0], "holiday": [0, 0, 0]}, index=steps)
    with pytest.raises(ValueError, match=re.escape(
            "forecast: future has column(s) ['discount'] that history lacks")):
        forecast(model, data, 3, target="y", features=["y"],
                 future=full.assign(discount=0.0))
    with pytest.raises(ValueError, match="forecast: future holds the target 'y'"):
        forecast(model, data, 3, target="y", features=["y"], future=full.assign(y=0.0))
    with pytest.raises(TypeError, match="forecast: future must be a DataFrame"):
        forecast(model, data, 3, target="y", features=["y"], future=[1, 0, 0])
    with pytest.raises(ValueError, match=re.escape(
            "forecast: the model takes the leads of ['promo', 'holiday'] at step(s) "
            "[1, 2, 3] (fitted on make_supervised(..., horizon=[1, 2, 3], "
            "future=...)), but this forecast needs them at step(s) [1, 2]")):
        forecast(model, data, 2, target="y", features=["y"], future=full)
    with pytest.raises(ValueError, match=re.escape(
            "(a DatetimeIndex, but the forecast steps are a PeriodIndex")):
        forecast(model, data.to_period("D"), 3, target="y", features=["y"],
                 future=full)


def test_a_recursive_model_still_refuses_past_only_covariates():
    data = promo_frame().assign(price=1.0)
    X, y = make_supervised(data, "y", horizon=1, future=["promo"])
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match=re.escape(
            "forecast: a recursive forecast feeds predictions of 'y' back as input, "
            "but the model also takes ['price'], whose future values are unknown")):
        forecast(model, data, 3, target="y", future=plan(data, [1, 0, 0]))


# ----------------------------------------------------------------- backtest
#: what the recording models saw: (kind, origin label, {column: largest value})
SEEN = []


@pytest.fixture(autouse=True)
def _clear_seen():
    SEEN.clear()
    yield
    SEEN.clear()


def _largest(frame):
    return {c: float(np.nanmax(frame[c].to_numpy(dtype=float)))
            if frame[c].notna().any() else np.nan for c in frame.columns}


class RecordingDirect(RegressorMixin, BaseEstimator):
    """A direct model that repeats the current target and records its X."""

    def fit(self, X, y):
        SEEN.append(("fit", X.index[-1], _largest(X), float(np.max(np.asarray(y)))))
        self.n_outputs_ = np.shape(y)[1]
        return self

    def predict(self, X):
        SEEN.append(("predict", X.index[-1], _largest(X), None))
        return np.tile(X[["y"]].to_numpy(), (1, self.n_outputs_))


class CovariateForecaster(BaseEstimator):
    """fit(y, X)/predict(horizon, history, X), recording what it saw."""

    def fit(self, y, X=None):
        SEEN.append(("fit", y.index[-1], _largest(X), float(y.max())))
        self.last_ = float(y.iloc[-1])
        return self

    def predict(self, horizon, history=None, X=None):
        SEEN.append(("predict", None if history is None else history.index[-1],
                     _largest(X), X))
        last = self.last_ if history is None else float(history.iloc[-1])
        return pd.Series(np.full(horizon, last))


class PlainForecaster(BaseEstimator):
    def fit(self, y):
        SEEN.append(("fit", y.index[-1], {}, float(y.max())))
        return self

    def predict(self, horizon):
        return pd.Series(np.zeros(horizon))


def positions(n=40):
    """y, a past-only and a future-known column whose values give away the row:
    the row is y, past - 1000 and known - 2000."""
    r = np.arange(n, dtype=float)
    return pd.DataFrame({"y": r, "past": r + 1000, "known": r + 2000},
                        index=pd.date_range("2020-01-01", periods=n, freq="D"))


def row_of(data, label):
    return data.index.get_loc(label)


H = 3


@pytest.mark.parametrize("refit", [True, False])
def test_a_direct_model_sees_the_known_columns_up_to_the_origin_plus_h(refit):
    data = positions()
    frame = backtest(RecordingDirect(), data, H, n_windows=4, step=2, refit=refit,
                     target="y", future=["known"])
    origins = [row_of(data, o) for o in frame["origin"].unique()]
    fits = [s for s in SEEN if s[0] == "fit"]
    predicts = [s for s in SEEN if s[0] == "predict"]
    assert len(fits) == (4 if refit else 1) and len(predicts) == 4
    for (_, _, seen, y_max), origin in zip(fits, origins, strict=False):
        assert y_max <= origin  # targets up to the origin
        assert seen["past"] - 1000 <= origin and seen["known"] - 2000 <= origin
        assert max(seen[f"known_h{h}"] for h in range(1, H + 1)) - 2000 <= origin
    for (_, last, seen, _), origin in zip(predicts, origins, strict=True):
        assert row_of(data, last) == origin  # X ends at the origin
        assert seen["y"] == origin and seen["past"] - 1000 == origin
        assert seen[f"known_h{H}"] - 2000 == origin + H  # exactly that far
        assert max(seen[f"known_h{h}"] for h in range(1, H + 1)) - 2000 <= origin + H
    # the naive forecast is the origin's own value
    np.testing.assert_array_equal(frame.groupby("origin")["forecast"].first(),
                                  origins)


@pytest.mark.parametrize("refit", [True, False])
def test_a_forecaster_gets_covariates_the_past_only_ones_nan_ahead(refit):
    data = positions()
    frame = backtest(CovariateForecaster(), data, H, n_windows=4, step=2,
                     refit=refit, target="y", future=["known"])
    origins = [row_of(data, o) for o in frame["origin"].unique()]
    fits = [s for s in SEEN if s[0] == "fit"]
    predicts = [s for s in SEEN if s[0] == "predict"]
    assert len(fits) == (4 if refit else 1) and len(predicts) == 4
    for (_, last, seen, y_max), origin in zip(fits, origins, strict=False):
        assert row_of(data, last) == origin and y_max == origin
        assert seen == {"past": 1000.0 + origin, "known": 2000.0 + origin}
    for j, ((_, last, seen, X), origin) in enumerate(
            zip(predicts, origins, strict=True)):
        assert X.columns.tolist() == ["past", "known"]
        ahead = X.iloc[-H:]
        assert ahead.index.equals(data.index[origin + 1: origin + 1 + H])
        assert ahead["past"].isna().all()  # unknown at the forecast steps
        np.testing.assert_array_equal(ahead["known"], 2000.0 + origin
                                      + np.arange(1, H + 1))
        assert not seen["past"] > 1000 + origin  # NaN: no past value at all
        assert seen["known"] - 2000 == origin + H
        fresh = refit or j == 0
        if fresh:  # predict(horizon, X=the steps ahead)
            assert last is None and len(X) == H
        else:  # predict(horizon, history=..., X=its rows, then the steps ahead)
            assert row_of(data, last) == origin
            np.testing.assert_array_equal(X["past"].iloc[:-H], data["past"].iloc[
                :origin + 1])


def test_without_future_the_forecaster_sees_no_covariate_ahead():
    data = positions()
    backtest(CovariateForecaster(), data, H, n_windows=2, target="y")
    for _, _, _, X in (s for s in SEEN if s[0] == "predict"):
        assert X.isna().all().all() and len(X) == H


def test_each_worker_receives_only_what_it_may_see(monkeypatch):
    received = []
    run_segment = backtest_module._run_segment

    def spy(model, protocol, data, ahead, *rest):
        received.append((data, ahead))
        return run_segment(model, protocol, data, ahead, *rest)

    monkeypatch.setattr(backtest_module, "_run_segment", spy)
    data = positions()
    frame = backtest(Ridge(), data, H, n_windows=4, step=2, refit=2, target="y",
                     future=["known"])
    origins = [row_of(data, o) for o in frame["origin"].unique()]
    assert len(received) == 2  # two segments: origins 0-1 and 2-3
    for (seen, ahead), last_origin in zip(received, origins[1::2], strict=True):
        assert row_of(data, seen.index[-1]) == last_origin
        assert ahead.columns.tolist() == ["known"]
        assert row_of(data, ahead.index[-1]) == last_origin + H


def test_known_promotions_improve_a_backtest():
    data = promo_frame(n=150)
    kwargs = dict(horizon=3, n_windows=5, target="y")
    blind = backtest_metrics(backtest(Ridge(alpha=1e-3), data, **kwargs))
    informed = backtest_metrics(backtest(Ridge(alpha=1e-3), data, future=["promo"],
                                         **kwargs))
    assert informed.loc["all", "MAE"] < 0.2 < 2.0 < blind.loc["all", "MAE"]


def test_backtest_future_errors():
    data = positions()
    with pytest.raises(ValueError, match=re.escape(
            "backtest: future ['holiday'] are not columns of history")):
        backtest(Ridge(), data, H, target="y", future=["holiday"])
    with pytest.raises(ValueError, match=re.escape(
            "backtest: the target 'y' is in future=['y']")):
        backtest(Ridge(), data, H, target="y", future=["y"])
    msg = ("backtest: history has covariate column(s) ['past', 'known'] besides the "
           "target 'y', but PlainForecaster.fit takes no X=... to receive them. "
           "Pass history['y'] to backtest PlainForecaster on the series alone")
    with pytest.raises(ValueError, match=re.escape(msg)):
        backtest(PlainForecaster(), data, H, target="y", future=["known"])
    assert SEEN == []  # refused before any fit
    frame = backtest(PlainForecaster(), data["y"], H)  # the series alone: as before
    assert len(frame) == 3 * H
