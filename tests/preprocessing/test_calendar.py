"""CalendarFeatures and calendar_features: terms of the dates, known in advance."""

import re

import numpy as np
import pandas as pd
import pytest
from pandas.tseries.holiday import USFederalHolidayCalendar
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from sklstm import CalendarFeatures, LagFeatures
from sklstm.forecasting import forecast, make_supervised
from sklstm.preprocessing import calendar_features
from sklstm.preprocessing._calendar import (
    TERMS,
    auto_terms,
    calendar_names,
    resolve_terms,
    step_length,
)


def frame(index, values=None):
    values = np.arange(len(index), dtype=float) if values is None else values
    return pd.DataFrame({"sales": values}, index=index)


# -- the pure function -------------------------------------------------------


def test_month_one_hot_by_hand_across_a_new_year():
    idx = pd.date_range("2024-11-01", periods=4, freq="MS")
    out = calendar_features(idx, "month")
    assert out.columns.tolist() == [f"month_{m}" for m in range(1, 13)]
    assert out.index.equals(idx)
    expected = np.zeros((4, 12))
    expected[[0, 1, 2, 3], [10, 11, 0, 1]] = 1.0  # Nov, Dec, Jan, Feb
    np.testing.assert_array_equal(out.to_numpy(), expected)


def test_day_of_week_cyclic_from_a_known_monday():
    idx = pd.date_range("2024-07-01", periods=8, freq="D")  # a Monday
    assert idx[0].day_name() == "Monday"
    out = calendar_features(idx, ["dayofweek"], encoding="cyclic")
    assert out.columns.tolist() == ["dayofweek_sin", "dayofweek_cos"]
    angle = 2 * np.pi * np.array([0, 1, 2, 3, 4, 5, 6, 0]) / 7
    np.testing.assert_allclose(out["dayofweek_sin"], np.sin(angle), atol=1e-12)
    np.testing.assert_allclose(out["dayofweek_cos"], np.cos(angle), atol=1e-12)
    assert out.iloc[0].tolist() == [0.0, 1.0]  # Monday: phase 0
    np.testing.assert_array_equal(out.iloc[7], out.iloc[0])  # a week later


def test_every_term_by_hand():
    stamp = pd.DatetimeIndex(["2024-12-30 13:45"])  # a Monday, ISO week 1 of 2025
    out = calendar_features(stamp, list(TERMS))
    on = [c for c in out.columns if out[c].iloc[0] == 1.0]
    assert on == ["quarter_4", "month_12", "weekofyear_1", "dayofmonth_30",
                  "dayofweek_0", "hour_13", "minute_45"]
    assert out.shape[1] == sum(count for count, _ in TERMS.values())


def test_holidays_from_a_list_and_from_a_calendar():
    idx = pd.date_range("2024-07-02", periods=5, freq="D")
    listed = calendar_features(idx, [], holidays=["2024-07-04", "2024-12-25"])
    assert listed.columns.tolist() == ["holiday"]
    assert listed["holiday"].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    federal = calendar_features(idx, [], holidays=USFederalHolidayCalendar())
    pd.testing.assert_frame_equal(federal, listed)
    # hourly rows: every hour of the holiday
    hours = pd.date_range("2024-07-03 22:00", periods=4, freq="h")
    out = calendar_features(hours, [], holidays=USFederalHolidayCalendar())
    assert out["holiday"].tolist() == [0.0, 0.0, 1.0, 1.0]


def test_period_index_and_time_zones_use_the_wall_clock():
    periods = pd.period_range("2024-11", periods=4, freq="M")
    dates = pd.date_range("2024-11-01", periods=4, freq="MS")
    pd.testing.assert_frame_equal(
        calendar_features(periods, "month").reset_index(drop=True),
        calendar_features(dates, "month").reset_index(drop=True))
    local = pd.date_range("2024-07-01 23:00", periods=2, freq="h", tz="US/Eastern")
    out = calendar_features(local, ["hour"])
    assert out.columns[out.iloc[0] == 1.0].tolist() == ["hour_23"]


@pytest.mark.parametrize("freq, terms", [
    ("YS", ()), ("QS", ("quarter",)), ("MS", ("month",)), ("W", ("month",)),
    ("D", ("month", "dayofweek")), ("B", ("month", "dayofweek")),
    ("h", ("month", "dayofweek", "hour")), ("15min", ("month", "dayofweek", "hour")),
])
def test_auto_terms_follow_the_step(freq, terms):
    idx = pd.date_range("2023-01-01", periods=5, freq=freq)
    assert auto_terms(step_length(idx)) == terms
    if terms:
        assert calendar_features(idx).columns.tolist() == calendar_names(
            terms, "onehot", False)
    else:
        with pytest.raises(ValueError, match="calendar_features: features='auto' "
                           "finds no calendar term for steps of 365 days"):
            calendar_features(idx)
        assert calendar_features(idx, holidays=["2023-01-01"]).columns.tolist() == [
            "holiday"]


def test_irregular_timestamps_take_the_median_step():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-07"])
    assert step_length(idx) == pd.Timedelta(days=1)
    assert resolve_terms("auto", step_length(idx), False, "f") == ("month",
                                                                  "dayofweek")


def test_pure_function_errors():
    with pytest.raises(ValueError, match=r"calendar_features: calendar terms need "
                       r"dates, but the index is a RangeIndex of int64"):
        calendar_features(pd.RangeIndex(5))
    with pytest.raises(InvalidParameterError, match="The 'index' parameter of "
                       "calendar_features must be an instance of 'pandas.Index'"):
        calendar_features(np.arange(3))
    idx = pd.date_range("2024-01-01", periods=3, freq="D")
    with pytest.raises(ValueError, match=r"calendar_features: unknown calendar "
                       r"term\(s\) \['weekday'\]; the terms are \['quarter', "):
        calendar_features(idx, ["month", "weekday"])
    with pytest.raises(ValueError, match=r"calendar_features: features "
                       r"\['month', 'month'\] contains duplicates"):
        calendar_features(idx, ["month", "month"])
    with pytest.raises(ValueError, match=r"calendar_features: features=\[\] and "
                       "holidays=None add no column"):
        calendar_features(idx, [])
    with pytest.raises(ValueError, match="calendar_features: holidays must be dates"):
        calendar_features(idx, holidays=["not a date"])
    with pytest.raises(ValueError, match="calendar_features: features='auto' reads "
                       "the terms off the time step, but a single timestamp"):
        calendar_features(pd.DatetimeIndex(["2024-01-01"]))


# -- the transformer ---------------------------------------------------------


def test_transformer_appends_the_terms_and_keeps_the_index():
    idx = pd.date_range("2024-11-01", periods=4, freq="MS")
    X = frame(idx)
    cal = CalendarFeatures(holidays=["2024-12-01"]).fit(X)
    assert cal.features_ == ("month",) and cal.time_kind_ == "index"
    out = cal.transform(X)
    assert out.index.equals(idx)
    assert out.columns.tolist() == ["sales", *[f"month_{m}" for m in range(1, 13)],
                                    "holiday"]
    assert out.columns.tolist() == cal.get_feature_names_out().tolist()
    pd.testing.assert_frame_equal(out.iloc[:, 1:], calendar_features(
        idx, "month", holidays=["2024-12-01"]))
    np.testing.assert_array_equal(out["sales"], X["sales"])
    dropped = clone(cal).set_params(drop_original=True).fit_transform(X)
    assert dropped.columns[0] == "month_1" and dropped.shape == (4, 13)


def test_one_hot_columns_are_the_same_in_every_fold():
    X = frame(pd.date_range("2020-01-01", periods=30, freq="MS"))
    cal = CalendarFeatures()
    widths = set()
    for train, test in TimeSeriesSplit(n_splits=4, test_size=3).split(X):
        fitted = clone(cal).fit(X.iloc[train])
        widths.add(fitted.transform(X.iloc[test]).shape[1])
    assert widths == {13}


def test_a_row_alone_gets_the_terms_of_its_date():
    idx = pd.date_range("2024-01-01", periods=48, freq="h")
    X = frame(idx)
    cal = CalendarFeatures(encoding="cyclic").fit(X)
    assert cal.features_ == ("month", "dayofweek", "hour")
    whole = cal.transform(X)
    pd.testing.assert_frame_equal(cal.transform(X.iloc[[30]]), whole.iloc[[30]])


def test_holidays_calendar_is_asked_for_the_transformed_span():
    X = frame(pd.date_range("2024-07-01", periods=10, freq="D"))
    cal = CalendarFeatures(["dayofweek"], holidays=USFederalHolidayCalendar()).fit(
        X.iloc[:2])
    out = cal.transform(X)
    assert out.index[out["holiday"] == 1.0].strftime("%F").tolist() == ["2024-07-04"]
    assert clone(cal).get_params()["holidays"] is not cal.holidays  # cloned


def test_rows_dated_by_position():
    X = np.arange(6, dtype=float).reshape(-1, 1)
    cal = CalendarFeatures(["dayofweek"], start="2024-07-01", freq="D").fit(X)
    assert cal.time_kind_ == "position"
    out = cal.transform(X)
    assert isinstance(out, np.ndarray) and out.shape == (6, 8)
    np.testing.assert_array_equal(out[:, 1:].argmax(axis=1), [0, 1, 2, 3, 4, 5])
    # a DataFrame whose index continues the fit rows goes on from them
    idx = pd.RangeIndex(6)
    cal.fit(pd.DataFrame(X, index=idx))
    later = cal.transform(pd.DataFrame([[6.0], [7.0]], index=pd.RangeIndex(6, 8)))
    np.testing.assert_array_equal(later.iloc[:, 1:].to_numpy().argmax(axis=1), [6, 0])


def test_an_index_without_dates_is_refused():
    X = frame(pd.RangeIndex(10))
    msg = ("CalendarFeatures.fit: calendar terms need dates, but the index of X is "
           "a RangeIndex of int64, which holds none")
    with pytest.raises(ValueError, match=re.escape(msg)):
        CalendarFeatures().fit(X)
    with pytest.raises(ValueError, match="CalendarFeatures.fit: X is a numpy array "
                       "and carries no dates"):
        CalendarFeatures().fit(X.to_numpy())
    fitted = CalendarFeatures().fit(frame(pd.date_range("2024-01-01", periods=5)))
    with pytest.raises(ValueError, match="CalendarFeatures.transform: calendar terms "
                       "need dates, but the index of X is a RangeIndex"):
        fitted.transform(X)


def test_transformer_parameter_errors():
    X = frame(pd.date_range("2024-01-01", periods=5, freq="D"))
    with pytest.raises(ValueError, match="CalendarFeatures.fit: start='2024-01-01' "
                       "without freq: dating rows by position needs both"):
        CalendarFeatures(start="2024-01-01").fit(X)
    with pytest.raises(ValueError, match="CalendarFeatures.fit: freq='D' without "
                       "start"):
        CalendarFeatures(freq="D").fit(X)
    with pytest.raises(ValueError, match="CalendarFeatures.fit: freq='fortnight' is "
                       "not a pandas frequency"):
        CalendarFeatures(start="2024-01-01", freq="fortnight").fit(X)
    with pytest.raises(InvalidParameterError, match="'encoding' parameter of "
                       "CalendarFeatures must be a str among"):
        CalendarFeatures(encoding="binary").fit(X)
    with pytest.raises(ValueError, match=r"CalendarFeatures.fit: unknown calendar "
                       r"term\(s\) \['weekday'\]"):
        CalendarFeatures(["weekday"]).fit(X)
    with pytest.raises(ValueError, match="CalendarFeatures.fit: features='auto' finds "
                       "no calendar term"):
        CalendarFeatures().fit(frame(pd.date_range("2000", periods=5, freq="YS")))


# -- in a forecast -----------------------------------------------------------


def weekly_sales(n=120):
    """Daily sales: a weekday pattern, more in December, a dip on holidays."""
    idx = pd.date_range("2023-09-01", periods=n, freq="D")
    rng = np.random.default_rng(0)
    weekday = np.array([10.0, 12, 11, 13, 20, 25, 8])[idx.day_of_week]
    december = np.where(idx.month == 12, 5.0, 0.0)
    holiday = calendar_features(idx, [], holidays=USFederalHolidayCalendar())
    values = weekday + december - 6.0 * holiday["holiday"].to_numpy()
    return pd.Series(values + 0.01 * rng.standard_normal(n), index=idx, name="sales")


def test_recursive_forecast_of_a_calendar_pipeline_needs_no_feature_builder():
    s = weekly_sales()
    history = s.iloc[:-14]
    X, y = make_supervised(history, horizon=1)
    # row i forecasts step i + 1: its terms (is that day a holiday?) are ahead=1
    model = make_pipeline(
        CalendarFeatures(holidays=USFederalHolidayCalendar(), ahead=1,
                         drop_original=True),
        Ridge(alpha=1e-3),
    ).fit(X, y)
    fc = forecast(model, history, horizon=14)
    assert fc.index.equals(s.index[-14:])
    # the weekday pattern and the holiday dip come from the dates alone
    np.testing.assert_allclose(fc.to_numpy(), s.iloc[-14:].to_numpy(), atol=0.5)
    eve = model[:-1].transform(pd.DataFrame(
        {"sales": [0.0]}, index=pd.DatetimeIndex(["2023-12-24"]))).iloc[0]
    assert eve["holiday"] == 1.0 and eve["dayofweek_0"] == 1.0  # Christmas, Monday
    # the terms of the row's own date miss the dip of the day it forecasts
    own_date = make_pipeline(
        CalendarFeatures(holidays=USFederalHolidayCalendar(), drop_original=True),
        Ridge(alpha=1e-3),
    ).fit(X, y)
    christmas = forecast(own_date, history, horizon=14)["2023-12-25"]
    assert christmas - s["2023-12-25"] > 4.0


def test_ahead_moves_the_date_by_steps_of_the_index():
    idx = pd.date_range("2024-01-31", periods=4, freq="ME")
    X = frame(idx)
    out = CalendarFeatures("month", ahead=2, drop_original=True).fit(X).transform(X)
    assert out.idxmax(axis=1).tolist() == ["month_3", "month_4", "month_5",
                                           "month_6"]
    periods = frame(pd.period_range("2024-01", periods=3, freq="M"))
    out = CalendarFeatures("month", ahead=1, drop_original=True).fit_transform(periods)
    assert out.idxmax(axis=1).tolist() == ["month_2", "month_3", "month_4"]
    irregular = frame(pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05"]))
    with pytest.raises(ValueError, match="CalendarFeatures.fit: ahead=1 counts steps "
                       "of the index, but the fit index has no regular step"):
        CalendarFeatures(ahead=1).fit(irregular)


def test_a_lagged_pipeline_with_calendar_terms_forecasts_recursively():
    s = weekly_sales()
    X, y = make_supervised(s, horizon=1)
    model = make_pipeline(
        CalendarFeatures(["dayofweek"]), LagFeatures(lags=[1, 7], columns=[0]),
        LinearRegression(),
    ).set_output(transform="pandas").fit(X, y)
    fc = forecast(model, s, horizon=7)
    assert len(fc) == 7 and np.isfinite(fc).all()
