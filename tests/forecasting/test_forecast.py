"""forecast: the steps after the end of the data, direct and recursive."""

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline

from sklstm import ConstrainedRegressor, LagFeatures, LevelDifferenceRegressor
from sklstm.datasets import load_airline
from sklstm.forecasting import forecast, future_index, make_supervised

HORIZONS = list(range(1, 13))


@pytest.fixture(scope="module")
def air():
    return load_airline()


@pytest.fixture(scope="module")
def direct_model(air):
    X, Y = make_supervised(air, "passengers", HORIZONS)
    model = ConstrainedRegressor(
        LevelDifferenceRegressor(
            make_pipeline(LagFeatures(lags=12), Ridge(alpha=1.0)), level="passengers"
        )
    )
    return model.fit(X, Y)


def test_direct_forecast_of_1961_has_the_right_timestamps(air, direct_model):
    fc = forecast(direct_model, air, horizon=12)
    assert isinstance(fc, pd.Series) and fc.name == "passengers"
    expected = pd.date_range("1961-01-01", "1961-12-01", freq="MS", name="month")
    pd.testing.assert_index_equal(fc.index, expected)
    assert fc.index.freqstr == "MS"
    # One predict on the history; the last row's outputs, horizon by horizon.
    np.testing.assert_allclose(fc.to_numpy(), direct_model.predict(air)[-1])
    # Summer above winter, as every year before.
    assert fc["1961-07-01"] > fc["1961-11-01"] and (fc > 0).all()


def test_direct_forecast_of_chosen_horizons(air):
    X, Y = make_supervised(air, "passengers", [1, 6, 12])
    model = LinearRegression().fit(X, Y)
    fc = forecast(model, air, horizon=[12, 1, 6])
    assert fc.index.strftime("%Y-%m").tolist() == ["1961-01", "1961-06", "1961-12"]
    np.testing.assert_allclose(fc.to_numpy(), model.predict(air)[-1])


def test_recursive_forecast_feeds_predictions_back(air):
    X, y = make_supervised(air, "passengers", horizon=1)
    model = make_pipeline(LagFeatures(lags=12), LinearRegression()).fit(X, y)
    fc = forecast(model, air, horizon=3)
    # The same loop by hand.
    history = air["passengers"].copy()
    for step in pd.date_range("1961-01-01", periods=3, freq="MS"):
        history.loc[step] = model.predict(history.to_frame())[-1]
    np.testing.assert_allclose(fc.to_numpy(), history.to_numpy()[-3:])
    assert fc.index.strftime("%Y-%m").tolist() == ["1961-01", "1961-02", "1961-03"]


def test_recursive_forecast_of_an_overfit_model_stays_non_negative(air):
    # An AR model with 16 lags fitted on two years (23 rows) is unstable:
    # iterated three years ahead it swings below zero.
    history = air.loc[:"1950"]
    X, y = make_supervised(history, "passengers", horizon=1)
    inner = make_pipeline(LagFeatures(lags=16), LinearRegression())
    plain = forecast(inner.fit(X, y), history, horizon=36)
    assert (plain < 0).sum() >= 5
    wrapped = ConstrainedRegressor(inner).fit(X, y)
    constrained = forecast(wrapped, history, horizon=36)
    assert (constrained >= 0).all() and constrained.index[-1].strftime("%Y-%m") == (
        "1953-12"
    )
    # Same first step; later steps differ because the clipped values feed back.
    assert constrained.iloc[0] == pytest.approx(max(plain.iloc[0], 0.0))


def test_feature_builder_computes_calendar_columns(air):
    def month_terms(frame):
        out = frame[["passengers"]].copy()
        out["summer"] = frame.index.month.isin([6, 7, 8]).astype(float)
        return out

    X, y = make_supervised(month_terms(air), "passengers", horizon=1)
    model = make_pipeline(LagFeatures(lags=[1, 11], columns=["passengers"]),
                          LinearRegression()).fit(X, y)
    seen = []

    def builder(frame):
        seen.append(len(frame))
        return month_terms(frame)

    fc = forecast(model, air, horizon=4, feature_builder=builder)
    assert seen == [144, 145, 146, 147] and len(fc) == 4
    with pytest.raises(ValueError, match=r"forecast: a recursive forecast feeds "
                       r"predictions of 'passengers' back as input, but the model also "
                       r"takes \['summer'\], whose future values are unknown"):
        forecast(model, month_terms(air), horizon=4, target="passengers")


def test_integer_index_and_single_step():
    s = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0], index=pd.RangeIndex(0, 10, 2), name="v")
    X, y = make_supervised(s, horizon=1)
    model = LinearRegression().fit(X, y)
    fc = forecast(model, s, horizon=2)
    assert fc.index.tolist() == [10, 12]
    np.testing.assert_allclose(fc.to_numpy(), [6.0, 7.0])
    one = forecast(model, s)  # horizon=1: direct, one predict
    assert one.index.tolist() == [10] and one.iloc[0] == pytest.approx(6.0)


def test_future_index_infers_a_missing_frequency():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-08", "2024-01-15"])
    assert future_index(idx, [1, 2]).strftime("%m-%d").tolist() == ["01-22", "01-29"]


# --- bad input -------------------------------------------------------------


def test_unfitted_model():
    s = pd.Series([1.0, 2.0, 3.0], name="v")
    with pytest.raises(NotFittedError):
        forecast(LinearRegression(), s, horizon=2)


def test_wrong_number_of_outputs(air, direct_model):
    with pytest.raises(ValueError, match=r"forecast: the model predicts 12 output\(s\) "
                       r"per row but 6 horizon\(s\) \[1, 2, 3, 4, 5, 6\] were asked"):
        forecast(direct_model, air, horizon=6)
    with pytest.raises(ValueError, match="forecast: a recursive forecast needs a "
                       "one-step model with one output, but the model predicts 12"):
        forecast(direct_model, air, horizon=12, strategy="recursive")


def test_irregular_index_cannot_be_continued():
    s = pd.Series([1.0, 2.0, 3.0, 4.0], name="v",
                  index=pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05",
                                          "2024-01-06"]))
    model = DummyRegressor().fit(s.to_frame(), s)
    with pytest.raises(ValueError, match="forecast: cannot tell the time step of the "
                       "history's index"):
        forecast(model, s, horizon=2)


def test_bad_arguments(air, direct_model):
    with pytest.raises(ValueError, match="forecast: strategy must be 'auto', 'direct' "
                       "or 'recursive', got 'both'"):
        forecast(direct_model, air, horizon=12, strategy="both")
    with pytest.raises(ValueError, match="forecast: horizon must be >= 1"):
        forecast(direct_model, air, horizon=0)
    with pytest.raises(ValueError, match="forecast: target 'sales' is not a column of "
                       "history"):
        forecast(direct_model, air, horizon=12, target="sales")
    with pytest.raises(ValueError, match=r"forecast: features \['sales'\] are not "
                       "columns of history"):
        forecast(direct_model, air, horizon=12, features=["sales"])
    with pytest.raises(ValueError, match="forecast: the index is not sorted"):
        forecast(direct_model, air.iloc[::-1], horizon=12)


def test_forecast_continues_a_period_index():
    import pandas as pd
    from sklearn.linear_model import Ridge

    from sklstm.forecasting import forecast, make_supervised

    history = pd.Series(np.arange(40.0), name="y",
                        index=pd.period_range("2020-01", periods=40, freq="M"))
    X, Y = make_supervised(history, horizon=[1, 2])
    out = forecast(Ridge(alpha=1e-6).fit(X, Y), history, horizon=[1, 2])
    assert isinstance(out.index, pd.PeriodIndex)
    assert [str(p) for p in out.index] == ["2023-05", "2023-06"]
    np.testing.assert_allclose(out.to_numpy(), [40.0, 41.0], atol=1e-3)
